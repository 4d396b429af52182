// Lambda: requests, GB-seconds and X-Ray traces of the functions EventBridge schedules run.
import { CostLine } from '../cost-estimate';
import { round } from '../units';
import { PricingContext, Resource } from './context';

/** Functions run by an EventBridge schedule; the others run a few times per deploy or rotation. */
export function priceScheduledFunctions(functions: readonly Resource[], context: PricingContext): CostLine[] {
  const byId = new Map(functions.map((f) => [f.id, f]));
  return [...context.scheduledInvocations].flatMap(([id, runs]) => scheduledFunctionLines(byId.get(id)!, runs, context));
}

function scheduledFunctionLines(fn: Resource, runs: number, context: PricingContext): CostLine[] {
  const memoryGb = Number(fn.props.MemorySize ?? 128) / 1024;
  const arm = (fn.props.Architectures ?? []).includes('arm64');
  const healthCheck = /health check/i.test(String(fn.props.Description ?? '')) || /HealthCheckFunction/.test(fn.id);
  const seconds = healthCheck ? context.assumptions.healthCheckSeconds : context.assumptions.maintenanceSeconds;
  const name = String(fn.props.FunctionName ?? fn.id);
  const lines = [
    context.line({ key: `lambda.requests:${fn.id}`, item: `Lambda ${name}: invocations`, resources: [fn.id], quantity: runs, priceKey: 'lambda.requests',
      assumption: 'from its EventBridge schedules' }),
    context.line({ key: `lambda.duration:${fn.id}`, item: `Lambda ${name}: ${fn.props.MemorySize ?? 128} MB ${arm ? 'arm64' : 'x86'}`, resources: [fn.id],
      quantity: round(runs * seconds * memoryGb), unit: 'GB-second', priceKey: arm ? 'lambda.arm64.gbSecond' : 'lambda.x86.gbSecond',
      assumption: `${seconds} s billed per run` }),
  ];
  if (fn.props.TracingConfig?.Mode === 'Active') {
    lines.push(context.line({ key: `xray:${fn.id}`, item: `X-Ray traces of ${name}`, resources: [fn.id], quantity: runs, unit: 'trace', priceKey: 'xray.traces',
      assumption: 'one trace per invocation (active tracing, default sampling keeps at least one a second)' }));
  }
  return lines;
}
