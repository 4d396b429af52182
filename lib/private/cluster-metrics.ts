/**
 * How the RDS metrics of the alarm table are read on a DB cluster.
 *
 * Aurora publishes instance metrics aggregated per role of the cluster, dimensions
 * `DBClusterIdentifier` and `Role` (`WRITER`, `READER`), and cluster metrics per
 * `DBClusterIdentifier` ("Amazon CloudWatch dimensions for Aurora",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html): by role, an alarm
 * follows the writer through a failover, whichever instance it is.
 *
 * A Multi-AZ DB cluster publishes no such dimension: RDS's dimension table has `DBInstanceIdentifier`,
 * `DatabaseClass`, `EngineName` and `SourceRegion` only ("Amazon CloudWatch dimensions for Amazon
 * RDS", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/dimensions.html), so its metrics are
 * its three instances'. RDS names them `<cluster>-instance-1` to `-3` (the Multi-AZ DB cluster
 * example of DescribeDBClusters, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html:
 * `my-multi-az-cluster-instance-1` to `-3`), and any of them may be the writer after a failover, so
 * an alarm reads the worst of the three (`MAX` of a metric that alarms above its threshold, `MIN`
 * of one that alarms below): each condition once for the cluster, on the writer's alarm, or on the
 * readers' where it applies to readers only (replica lag).
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

/** The instances RDS creates for a Multi-AZ DB cluster (see above). */
export function multiAzClusterInstanceIds(clusterIdentifier: string): string[] {
  return [1, 2, 3].map((n) => `${clusterIdentifier}-instance-${n}`);
}

/** Whether an `rds` definition has a metric on the topology. */
export function publishedOn(definition: AlarmDefinition, kind: ClusterTopologyKind): boolean {
  return definition.onTopology?.[kind] !== 'not-published';
}

/** The metric an `rds` definition watches on a role of a cluster, in the definition's unit. */
export function clusterMetricOf(definition: AlarmDefinition, kind: ClusterTopologyKind, clusterIdentifier: string, role: Role): cw.IMetric {
  const override = definition.onTopology?.[kind];
  if (override === 'not-published') throw new Error(`${definition.condition} has no metric on ${kind}`);
  if (kind === 'multi-az-cluster') return worstInstanceOf(definition, override?.metric.name ?? definition.metric.name, clusterIdentifier);
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

/** The worst of a Multi-AZ DB cluster's three instances: `MAX` (`MIN` for an alarm below its threshold) of their series. */
function worstInstanceOf(definition: AlarmDefinition, metricName: string, clusterIdentifier: string): cw.IMetric {
  const usingMetrics = Object.fromEntries(
    multiAzClusterInstanceIds(clusterIdentifier).map((instanceId, i) => [
      `m${i + 1}`,
      new cw.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: instanceId }, statistic: definition.statistic, period: definition.period }),
    ]),
  );
  const below = definition.comparison === cw.ComparisonOperator.LESS_THAN_THRESHOLD || definition.comparison === cw.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD;
  const worst = below ? 'MIN' : 'MAX';
  // An array of series gives a series of the worst value at each time (a single series would give one number).
  return new cw.MathExpression({ expression: `${worst}([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, period: definition.period, label: `${metricName}, ${worst === 'MAX' ? 'highest' : 'lowest'} of the cluster's instances` });
}

/** Whether an `rds` definition is watched on the target of `role` of a Multi-AZ DB cluster: once, on the writer's unless it applies to readers only. */
export function watchedOnMultiAzClusterRole(definition: AlarmDefinition, role: Role): boolean {
  const roles = definition.roles ?? [];
  return role === 'primary' ? roles.includes('primary') : roles.includes('replica') && !roles.includes('primary');
}

/** The metric of the `rds` alarm `condition` on a role of a cluster. */
export function clusterRdsMetric(condition: string, kind: ClusterTopologyKind, clusterIdentifier: string, role: Role): cw.IMetric {
  const definition = ALARM_DEFINITIONS.find((d) => d.source === 'rds' && d.condition === condition);
  if (!definition) throw new Error(`no rds alarm ${condition} in the defaults table (lib/alarms.ts)`);
  return clusterMetricOf(definition, kind, clusterIdentifier, role);
}
