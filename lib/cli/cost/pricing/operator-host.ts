// The operator host: EC2 instance-hours, root volumes and detailed monitoring of its Auto Scaling group.
import { CostLine } from '../cost-estimate';
import { PriceKey } from '../prices';
import { HOURS_PER_MONTH } from '../units';
import { Json, PricingContext, Resource } from './context';

/** The operator host: an Auto Scaling group of the instance, root volume and monitoring its launch template sets. */
export function priceOperatorHosts(groups: readonly Resource[], context: PricingContext): CostLine[] {
  const launchTemplates = new Map(context.ofType('AWS::EC2::LaunchTemplate').map((t) => [t.id, t.props.LaunchTemplateData ?? {}]));
  return groups.flatMap((group) => {
    const data: Json = launchTemplates.get(group.props.LaunchTemplate?.LaunchTemplateId?.Ref) ?? {};
    const count = Number(group.props.DesiredCapacity ?? group.props.MinSize ?? 0);
    const instanceType = String(data.InstanceType);
    const lines = [context.line({
      key: `ec2.instance:${group.id}`, item: `EC2 ${instanceType} x ${count} (${group.props.AutoScalingGroupName ?? group.id})`, resources: [group.id],
      quantity: count * HOURS_PER_MONTH, unit: 'instance-hour', priceKey: `ec2.instance.${instanceType}` as PriceKey,
    })];
    for (const mapping of data.BlockDeviceMappings ?? []) {
      const size = Number(mapping.Ebs?.VolumeSize ?? 8);
      lines.push(context.line({
        key: `ebs:${group.id}:${mapping.DeviceName}`, item: `EBS ${mapping.Ebs?.VolumeType ?? 'gp3'} root volume ${size} GiB x ${count}`, resources: [group.id],
        quantity: size * count, priceKey: 'ebs.gp3.storage',
      }));
    }
    if (data.Monitoring?.Enabled === true) {
      const { ec2DetailedMonitoringMetrics } = context.assumptions;
      lines.push(context.line({
        key: `ec2.monitoring:${group.id}`, item: `EC2 detailed monitoring x ${count}`, resources: [group.id],
        quantity: count * ec2DetailedMonitoringMetrics, unit: 'metric-month', priceKey: 'cloudwatch.metric',
        assumption: `${ec2DetailedMonitoringMetrics} metrics per instance, billed as custom metrics`,
      }));
    }
    return lines;
  });
}
