/**
 * How the RDS metrics of the alarm table are read on a DB cluster. Aurora publishes instance
 * metrics aggregated per role of the cluster, dimensions `DBClusterIdentifier` and `Role`
 * (`WRITER`, `READER`), and cluster metrics per `DBClusterIdentifier` ("Amazon CloudWatch
 * dimensions for Aurora", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html):
 * by role, an alarm follows the writer through a failover, whichever instance it is. The tier
 * reads a Multi-AZ DB cluster the same way, as RDS names its three instances itself; that the
 * `Role` aggregation is published for Multi-AZ DB clusters too was not confirmed on an AWS page
 * (see docs/topologies.md): should it not be, those alarms show INSUFFICIENT_DATA, never OK.
 */
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { ALARM_DEFINITIONS, AlarmDefinition, ClusterTopologyKind } from '../alarms';
import type { Role } from '../observability/contract';

/** The `Role` dimension value of a role of the tier. */
export const CLUSTER_ROLE: Readonly<Record<Role, string>> = { primary: 'WRITER', replica: 'READER' };

/** The dimensions of a role of a cluster. */
export function clusterRoleDimensions(clusterIdentifier: string, role: Role): Record<string, string> {
  return { DBClusterIdentifier: clusterIdentifier, Role: CLUSTER_ROLE[role] };
}

/** Whether an `rds` definition has a metric on the topology. */
export function publishedOn(definition: AlarmDefinition, kind: ClusterTopologyKind): boolean {
  return definition.onTopology?.[kind] !== 'not-published';
}

/** The metric an `rds` definition watches on a role of a cluster, in the definition's unit. */
export function clusterMetricOf(definition: AlarmDefinition, kind: ClusterTopologyKind, clusterIdentifier: string, role: Role): cw.IMetric {
  const override = definition.onTopology?.[kind];
  if (override === 'not-published') throw new Error(`${definition.condition} has no metric on ${kind}`);
  const metric = new cw.Metric({
    namespace: 'AWS/RDS',
    metricName: override?.metric.name ?? definition.metric.name,
    dimensionsMap: override?.scope === 'cluster' ? { DBClusterIdentifier: clusterIdentifier } : clusterRoleDimensions(clusterIdentifier, role),
    statistic: definition.statistic,
    period: definition.period,
  });
  return override?.expression
    ? new cw.MathExpression({ expression: override.expression, usingMetrics: { m: metric }, period: definition.period, label: `${override.metric.name} (${override.expression})` })
    : metric;
}

/** The metric of the `rds` alarm `condition` on a role of a cluster. */
export function clusterRdsMetric(condition: string, kind: ClusterTopologyKind, clusterIdentifier: string, role: Role): cw.IMetric {
  const definition = ALARM_DEFINITIONS.find((d) => d.source === 'rds' && d.condition === condition);
  if (!definition) throw new Error(`no rds alarm ${condition} in the defaults table (lib/alarms.ts)`);
  return clusterMetricOf(definition, kind, clusterIdentifier, role);
}
