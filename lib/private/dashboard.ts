import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { MonitoredCluster, MonitoredInstance } from '../monitoring';
import { clusterRdsMetric, clusterRoleDimensions, multiAzClusterInstanceIds } from './cluster-metrics';
import { dimensionsOf, METRIC_NAMESPACE, type MetricDefinition, METRICS } from '../observability/contract';

/** What the targets of the alarms are derived from, defaults filled in. */
export interface ResolvedTargets {
  readonly metricEnvironment: string;
  readonly instances: MonitoredInstance[];
  readonly cluster?: MonitoredCluster;
  readonly proxyName?: string;
  readonly cacheNodeIds: string[];
  readonly scheduleDeadLetterQueueName?: string;
}

/** The dimensions the health check publishes an instance's metrics with. */
export function instanceDimensions(props: ResolvedTargets, instance: MonitoredInstance): Record<string, string> {
  return dimensionsOf({ environment: props.metricEnvironment, instanceId: instance.instanceId, role: instance.role });
}

/** The tier's dashboard: the alarms' states, then one row of graphs per part. */
export function dashboardRows(props: ResolvedTargets, alarms: cw.Alarm[]): cw.IWidget[][] {
  const cluster = props.cluster;
  // A Multi-AZ DB cluster's metrics are its three instances' (private/cluster-metrics.ts): one series each.
  const series = (instances: MonitoredInstance[]): { label: string; dimensions: Record<string, string> }[] =>
    cluster?.kind === 'multi-az-cluster'
      ? multiAzClusterInstanceIds(cluster.identifier).map((instanceId, i) => ({ label: `instance-${i + 1}`, dimensions: { DBInstanceIdentifier: instanceId } }))
      : instances.map((i) => ({ label: i.name, dimensions: cluster ? clusterRoleDimensions(cluster.identifier, i.role) : { DBInstanceIdentifier: i.instanceId } }));
  const rdsMetric = (metricName: string, statistic = 'Average', instances = props.instances) =>
    series(instances).map(({ label, dimensions }) => new cw.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: dimensions, statistic, label, period: Duration.minutes(1) }));
  // Aurora's replica lag is one series per cluster, in the metric it publishes (AlarmDefinition.onTopology).
  const replicaLag: cw.IMetric[] =
    cluster?.kind === 'aurora'
      ? replicasOf(props).length > 0 ? [clusterRdsMetric('replica-lag-high', cluster.kind, cluster.identifier, 'replica')] : []
      : rdsMetric('ReplicaLag', 'Maximum', replicasOf(props));
  // Aurora's storage grows on its own: no free storage to graph.
  const storage = cluster?.kind === 'aurora' ? [] : rdsMetric('FreeStorageSpace', 'Minimum');
  const healthMetric = (metric: MetricDefinition, statistic: string, instances = props.instances) =>
    instances.map((i) => new cw.Metric({ namespace: METRIC_NAMESPACE, metricName: metric.name, dimensionsMap: instanceDimensions(props, i), statistic, label: i.name, period: Duration.minutes(1) }));
  const { connections_used_pct, query_latency, partitions_ahead_min, lock_waits_over_1s, matview_overdue_seconds_max } = METRICS;
  const proxyMetric = (proxyName: string, metricName: string, statistic: string) =>
    new cw.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { ProxyName: proxyName }, statistic, period: Duration.minutes(1) });
  const cacheMetric = (metricName: string, statistic = 'Average') =>
    props.cacheNodeIds.map((id) => new cw.Metric({ namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: id }, statistic, label: id, period: Duration.minutes(1) }));
  const graph = (title: string, left: cw.IMetric[], width = 8) => new cw.GraphWidget({ title, left, width, height: 6 });
  const primary = props.instances.filter((i) => i.role === 'primary');
  return [
    [new cw.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 6 })],
    [
      graph('CPU (%)', rdsMetric('CPUUtilization')),
      graph('Connections used (% of max_connections)', healthMetric(connections_used_pct, 'Maximum')),
      graph('Query latency p95 (ms, health check)', healthMetric(query_latency, 'p95')),
    ],
    [
      graph('Replica lag (s)', replicaLag),
      ...(storage.length > 0 ? [graph('Free storage (bytes)', storage)] : []),
      graph('Freeable memory (bytes)', rdsMetric('FreeableMemory', 'Minimum')),
    ],
    ...(props.proxyName === undefined
      ? []
      : [
          [
            graph('Proxy connections', [proxyMetric(props.proxyName, 'ClientConnections', 'Maximum'), proxyMetric(props.proxyName, 'DatabaseConnections', 'Maximum')]),
            graph('Proxy query latency p95 (µs)', [proxyMetric(props.proxyName, 'QueryResponseLatency', 'p95')]),
            graph('Proxy connection setup failures', [proxyMetric(props.proxyName, 'ClientConnectionsSetupFailedAuth', 'Sum'), proxyMetric(props.proxyName, 'DatabaseConnectionsSetupFailed', 'Sum')]),
          ],
        ]),
    ...(props.cacheNodeIds.length === 0
      ? []
      : [
          [
            graph('Cache engine CPU (%)', cacheMetric('EngineCPUUtilization')),
            graph('Cache memory (% of maxmemory)', cacheMetric('DatabaseMemoryUsagePercentage', 'Maximum')),
            graph('Cache evictions', cacheMetric('Evictions', 'Sum')),
          ],
        ]),
    [
      graph('Partitions ahead (min)', healthMetric(partitions_ahead_min, 'Minimum', primary)),
      graph('Lock waits > 1 s', healthMetric(lock_waits_over_1s, 'Maximum', primary)),
      graph('Materialized views: most overdue past their interval (s)', healthMetric(matview_overdue_seconds_max, 'Maximum', primary)),
    ],
  ];
}

function replicasOf(props: ResolvedTargets): MonitoredInstance[] {
  return props.instances.filter((i) => i.role === 'replica');
}
