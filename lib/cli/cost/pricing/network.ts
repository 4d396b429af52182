// VPC endpoints: interface endpoints per zone-hour and data processed; gateway endpoints are free.
import { CostLine } from '../cost-estimate';
import { HOURS_PER_MONTH } from '../units';
import { PricingContext, Resource } from './context';

/** Interface endpoints are billed per zone they are in; gateway endpoints are free. */
export function priceInterfaceEndpoints(endpoints: readonly Resource[], context: PricingContext): CostLine[] {
  const interfaceEndpoints = endpoints.filter((e) => e.props.VpcEndpointType === 'Interface');
  if (interfaceEndpoints.length === 0) return [];
  const azHours = interfaceEndpoints.reduce((sum, e) => sum + (e.props.SubnetIds ?? []).length * HOURS_PER_MONTH, 0);
  const zones = Math.max(...interfaceEndpoints.map((e) => (e.props.SubnetIds ?? []).length));
  const { interfaceEndpointGbPerMonth } = context.assumptions;
  return [
    context.line({
      key: 'vpce.hours', item: `Interface endpoints: ${interfaceEndpoints.length} endpoints in ${zones} zone${zones === 1 ? '' : 's'} (${interfaceEndpoints.map((e) => serviceOf(e.props.ServiceName)).join(', ')})`,
      resources: interfaceEndpoints.map((e) => e.id), quantity: azHours, priceKey: 'privatelink.endpoint.azHour',
    }),
    context.line({
      key: 'vpce.data', item: 'Interface endpoints: data processed', resources: interfaceEndpoints.map((e) => e.id),
      quantity: interfaceEndpointGbPerMonth, unit: 'GB processed', priceKey: 'privatelink.data',
      assumption: `${interfaceEndpointGbPerMonth} GB a month in all (metrics, logs, secrets and KMS calls of the functions; operator sessions)`,
    }),
  ];
}

function serviceOf(name: unknown): string {
  return typeof name === 'string' ? name.split('.').pop() ?? name : '?';
}
