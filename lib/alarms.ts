import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmThresholds } from './alarm-thresholds';
import { type MetricDefinition, METRICS, type Role, ROLES, type Task, TASKS } from './observability/contract';
import type { TopologyKind } from './topology';

/**
 * Where a metric comes from, which fixes its namespace, its dimensions and the targets
 * an alarm on it is repeated for.
 *  - `rds`: AWS/RDS per DB instance (DBInstanceIdentifier)
 *  - `health-check`: the tier's namespace per DB instance (Environment, DBInstance, Role), from
 *    `health_check()` and the health-check function
 *  - `proxy`: AWS/RDS per proxy (ProxyName)
 *  - `cache-node`: AWS/ElastiCache per node (CacheClusterId)
 *  - `maintenance`: the tier's namespace per scheduled job (Environment, DBInstance, Role=primary, Task)
 *  - `schedule-dlq`: AWS/SQS of the dead-letter queue of the schedules (QueueName)
 */
export type MetricSource = 'rds' | 'health-check' | 'proxy' | 'cache-node' | 'maintenance' | 'schedule-dlq';

/** Values a threshold may depend on besides the configured thresholds. */
export interface ThresholdContext {
  readonly thresholds: AlarmThresholds;
  readonly allocatedStorageGiB: number;
}

export interface AlarmDefinition {
  /** Last part of the alarm name, `<stack>-<resource>-<condition>`. */
  readonly condition: string;
  readonly source: MetricSource;
  /** For `rds` and `health-check`: the instance roles the alarm is created for. */
  readonly roles?: readonly Role[];
  /** For `maintenance`: the scheduled task the alarm watches. */
  readonly task?: Task;
  /**
   * The metric and the unit it is published in; the threshold is in this unit. For `health-check`
   * and `maintenance`, an entry of the contract (`METRICS`); for the others, AWS's metric.
   */
  readonly metric: MetricDefinition;
  /**
   * Alarm on this expression of the metric (named `m`) instead of the metric itself,
   * e.g. `DIFF(m)` for a counter.
   * @default - the metric itself
   */
  readonly expression?: string;
  readonly statistic: string;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly comparison: cw.ComparisonOperator;
  readonly threshold: (context: ThresholdContext) => number;
  readonly treatMissingData: cw.TreatMissingData;
  /** File in `runbooks/` that tells the SRE what to do. */
  readonly runbook: string;
  /** What the alarm means, for the alarm description. */
  readonly summary: string;
  /** How the alarm is shown to fire (the README's "proven by" column). */
  readonly proof: AlarmProof;
  /**
   * For `rds`: how the metric is read on a cluster topology where that differs from a DB instance,
   * or `not-published` where the engine has no such metric (the alarm is then not created).
   * @default - on Aurora per role of the cluster (DBClusterIdentifier and Role), on a Multi-AZ DB cluster the worst of its three instances; the same metric
   */
  readonly onTopology?: Partial<Record<ClusterTopologyKind, ClusterMetric | 'not-published'>>;
  /**
   * The topologies on which the alarm exists, for a metric only some topologies publish (such as
   * one only a Multi-AZ DB cluster's writer reports): elsewhere the alarm would watch a metric that
   * never comes. Not created on the others, nor named by `Monitoring.metric()` there.
   * @default - every topology
   */
  readonly topologies?: readonly TopologyKind[];
}

/** Whether the alarm of a definition exists on a topology (`AlarmDefinition.topologies`). */
export function existsOn(definition: AlarmDefinition, topology: TopologyKind): boolean {
  return definition.topologies?.includes(topology) ?? true;
}

/** The topologies whose database is a DB cluster. */
export type ClusterTopologyKind = 'multi-az-cluster' | 'aurora';

/** A metric of a DB cluster that an `rds` alarm watches instead of its own. */
export interface ClusterMetric {
  /** The metric AWS publishes, in the unit AWS publishes it in. */
  readonly metric: MetricDefinition;
  /** Turns it into the definition's unit, e.g. `m / 1000` for milliseconds into seconds. */
  readonly expression?: string;
  /** `cluster`: one series per cluster (DBClusterIdentifier); `role`: per role of the cluster (DBClusterIdentifier and Role). */
  readonly scope: 'cluster' | 'role';
}

/** Where the tests that induce each alarm's condition live. */
export const ALARM_PROOF_TESTS = 'test/observability/alarms-fire.test.ts';

export type AlarmProof =
  /** The title of the test in ALARM_PROOF_TESTS that induces the condition and sees this alarm fire. */
  | { readonly test: string }
  /** Why no test can induce the condition on a laptop, and what shows the alarm works instead. */
  | { readonly cannotInduce: string; readonly coveredBy: string };

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const { GREATER_THAN_THRESHOLD: ABOVE, LESS_THAN_THRESHOLD: BELOW, GREATER_THAN_OR_EQUAL_TO_THRESHOLD: AT_LEAST } = cw.ComparisonOperator;
const { MISSING, BREACHING, NOT_BREACHING } = cw.TreatMissingData;
const minutes = Duration.minutes;
const BOTH: readonly Role[] = ROLES;
/** A metric AWS publishes, in the unit AWS publishes it in. */
const aws = (name: string, unit: cw.Unit): MetricDefinition => ({ name, unit });
const TEMPLATE_TEST = 'test/stack/monitoring.test.ts (metric, unit, threshold in the template)';
/** An alarm on a metric only AWS publishes; `drill` names what rehearses it in AWS, if anything. */
const awsOnly = (publisher: string, drill?: string): AlarmProof => ({
  cannotInduce: `${publisher} publishes it; no local server does`,
  coveredBy: drill ? `${TEMPLATE_TEST}; ${drill}` : `${TEMPLATE_TEST} only: no drill induces it`,
});
const GAME_DAY_FAILOVER = 'the game day\'s forced failover (lib/fault-injection.ts, runbooks/game-day.md)';
const GAME_DAY_CACHE = 'the game day\'s cache AZ power interruption (lib/fault-injection.ts, runbooks/game-day.md)';
const READ_ONLY_TEST = 'read-only-by-default, write-failed, heartbeat-stale, maintenance failing: the primary\'s database is set read-only for new sessions';

/**
 * Replica lag on an Aurora cluster: `AuroraReplicaLagMaximum` per cluster, in milliseconds
 * ("Cluster-level metrics for Amazon Aurora", Amazon CloudWatch metrics for Amazon Aurora,
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html),
 * read here in seconds. A Multi-AZ DB cluster's readers publish `ReplicaLag` in seconds, as
 * instances do ("For Multi-AZ DB clusters, the difference in time between the latest transaction
 * on the writer DB instance and the latest applied transaction on a reader DB instance", Amazon
 * CloudWatch metrics for Amazon RDS), read like every metric of its instances (private/cluster-metrics.ts).
 */
const AURORA_AND_CLUSTER_REPLICA_LAG: AlarmDefinition['onTopology'] = {
  aurora: { metric: aws('AuroraReplicaLagMaximum', cw.Unit.MILLISECONDS), expression: 'm / 1000', scope: 'cluster' },
};

/** Every alarm of the tier, as data. `Monitoring` turns each row into one alarm per target. */
export const ALARM_DEFINITIONS: readonly AlarmDefinition[] = [
  // Instances (primary and replicas), from RDS.
  { condition: 'cpu-high', source: 'rds', roles: BOTH, metric: aws('CPUUtilization', cw.Unit.PERCENT), statistic: 'Average', period: minutes(5), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.cpuPercent, treatMissingData: MISSING, runbook: 'instance-saturation.md', summary: 'CPU above the threshold for 15 minutes' , proof: awsOnly('RDS') },
  { condition: 'free-storage-low', source: 'rds', roles: BOTH, metric: aws('FreeStorageSpace', cw.Unit.BYTES), statistic: 'Minimum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: BELOW, threshold: (c) => Math.max(c.thresholds.freeStorageGiB, (c.allocatedStorageGiB * c.thresholds.freeStoragePercent) / 100) * GiB, treatMissingData: MISSING, runbook: 'storage-full.md', summary: 'free storage below the larger of the GiB floor and the percent of allocated storage' , proof: awsOnly('RDS'), onTopology: { aurora: 'not-published' } },
  { condition: 'freeable-memory-low', source: 'rds', roles: BOTH, metric: aws('FreeableMemory', cw.Unit.BYTES), statistic: 'Minimum', period: minutes(5), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: BELOW, threshold: (c) => c.thresholds.freeableMemoryMiB * MiB, treatMissingData: MISSING, runbook: 'instance-saturation.md', summary: 'freeable memory below the floor for 15 minutes' , proof: awsOnly('RDS') },
  { condition: 'disk-queue-high', source: 'rds', roles: BOTH, metric: aws('DiskQueueDepth', cw.Unit.COUNT), statistic: 'Average', period: minutes(5), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.diskQueueDepth, treatMissingData: MISSING, runbook: 'instance-saturation.md', summary: 'I/O requests queued for disk above the threshold for 15 minutes' , proof: awsOnly('RDS') },
  { condition: 'transaction-ids-high', source: 'rds', roles: ['primary'], metric: aws('MaximumUsedTransactionIDs', cw.Unit.COUNT), statistic: 'Maximum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.maximumUsedTransactionIds, treatMissingData: MISSING, runbook: 'transaction-id-wraparound.md', summary: 'oldest unfrozen transaction ID approaching wraparound' , proof: { cannotInduce: 'RDS publishes it, and its threshold is a billion transaction IDs not yet frozen: days of writes', coveredBy: `${TEMPLATE_TEST}; runbooks/transaction-id-wraparound.md` } },
  { condition: 'transaction-logs-high', source: 'rds', roles: ['primary'], metric: aws('TransactionLogsDiskUsage', cw.Unit.BYTES), statistic: 'Maximum', period: minutes(5), evaluationPeriods: 2, datapointsToAlarm: 2, comparison: ABOVE, threshold: (c) => c.thresholds.transactionLogsDiskUsageGiB * GiB, treatMissingData: MISSING, runbook: 'storage-full.md', summary: 'WAL kept on disk above the threshold' , proof: awsOnly('RDS') },
  { condition: 'replication-slot-lag-high', source: 'rds', roles: ['primary'], metric: aws('OldestReplicationSlotLag', cw.Unit.BYTES), statistic: 'Maximum', period: minutes(5), evaluationPeriods: 2, datapointsToAlarm: 2, comparison: ABOVE, threshold: (c) => c.thresholds.replicationSlotLagGiB * GiB, treatMissingData: NOT_BREACHING, runbook: 'storage-full.md', summary: 'a replication slot holds back more WAL than the threshold' , proof: awsOnly('RDS') },
  { condition: 'replica-lag-high', source: 'rds', roles: ['replica'], metric: aws('ReplicaLag', cw.Unit.SECONDS), statistic: 'Maximum', period: minutes(1), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.replicaLagSeconds, treatMissingData: BREACHING, runbook: 'replica-lag.md', summary: 'replica behind the primary by more than the threshold (or not reporting) for 3 minutes' , onTopology: AURORA_AND_CLUSTER_REPLICA_LAG, proof: { cannotInduce: 'RDS publishes ReplicaLag; no local server does', coveredBy: `test "replica lag through the heartbeat: replay paused on the replica while the primary keeps writing", where the same condition crosses this alarm\'s threshold under its rule in the tier\'s own replication_lag_seconds; ${GAME_DAY_FAILOVER}` } },

  // Instances, from health_check() and the probes of the health-check function.
  { condition: 'query-latency-p95-high', source: 'health-check', roles: BOTH, metric: METRICS.query_latency, statistic: 'p95', period: minutes(1), evaluationPeriods: 5, datapointsToAlarm: 5, comparison: ABOVE, threshold: (c) => c.thresholds.queryLatencyP95Ms, treatMissingData: MISSING, runbook: 'query-latency.md', summary: 'p95 of client-side query latency above the threshold for 5 minutes' , proof: { test: 'query-latency-p95-high: every answer of the primary and the replica reaches the health check 350 ms late' } },
  { condition: 'connections-high', source: 'health-check', roles: BOTH, metric: METRICS.connections_used_pct, statistic: 'Maximum', period: minutes(1), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.connectionsPercent, treatMissingData: MISSING, runbook: 'connections-exhausted.md', summary: 'client connections above the percent of max_connections for 3 minutes' , proof: { test: 'connections-high: clients hold connections up to more than the threshold share of max_connections, on the primary and the replica' } },
  { condition: 'lock-waits', source: 'health-check', roles: ['primary'], metric: METRICS.lock_waits_over_1s, statistic: 'Maximum', period: minutes(1), evaluationPeriods: 3, datapointsToAlarm: 2, comparison: ABOVE, threshold: (c) => c.thresholds.lockWaitsOver1s, treatMissingData: MISSING, runbook: 'lock-waits-and-deadlocks.md', summary: 'sessions waiting on a lock for more than 1 s in 2 of 3 minutes' , proof: { test: 'lock-waits: a session waits more than 1 s on a row lock another session holds' } },
  // A counter diffed between periods: per-session state does not survive RDS Proxy multiplexing, the server's counter does.
  { condition: 'deadlocks', source: 'health-check', roles: ['primary'], metric: METRICS.deadlocks_total, expression: 'DIFF(m)', statistic: 'Maximum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.deadlocksPer5Min, treatMissingData: MISSING, runbook: 'lock-waits-and-deadlocks.md', summary: 'deadlocks detected in the last 5 minutes' , proof: { test: 'deadlocks: two sessions each wait on a row the other has updated' } },
  { condition: 'long-transaction', source: 'health-check', roles: BOTH, metric: METRICS.longest_transaction_seconds, statistic: 'Maximum', period: minutes(1), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.longestTransactionSeconds, treatMissingData: MISSING, runbook: 'long-transactions.md', summary: 'a transaction open longer than the threshold' , proof: { test: 'long-transaction: a transaction stays open past the threshold on the primary and on the replica (threshold 2 s instead of 300 s)' } },
  { condition: 'transaction-id-age-high', source: 'health-check', roles: ['primary'], metric: METRICS.transaction_id_wraparound_pct, statistic: 'Maximum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.transactionIdWraparoundPercent, treatMissingData: MISSING, runbook: 'transaction-id-wraparound.md', summary: 'transaction ID age above the percent of the wraparound limit' , proof: { cannotInduce: 'its threshold is 50 % of the 2^31 wraparound limit: a billion transaction IDs, days of writes on a laptop', coveredBy: 'test "transaction-id-age-high, scaled down: 5,000 transaction IDs consumed against a threshold of 0.0002 % instead of 50 % of the wraparound limit"; the RDS transaction-ids-high alarm on the same age; runbooks/transaction-id-wraparound.md' } },
  { condition: 'partitions-ahead-low', source: 'health-check', roles: ['primary'], metric: METRICS.partitions_ahead_min, statistic: 'Minimum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: BELOW, threshold: (c) => c.thresholds.partitionsAheadMin, treatMissingData: MISSING, runbook: 'partition-missing.md', summary: 'fewer future partitions than required: the current or next month may have none' , proof: { test: 'partitions-ahead-low: no partition premade past the current month, as when maintenance has not run for months' } },
  { condition: 'default-partition-rows', source: 'health-check', roles: ['primary'], metric: METRICS.default_partition_rows, statistic: 'Maximum', period: minutes(15), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.defaultPartitionRows, treatMissingData: MISSING, runbook: 'partition-missing.md', summary: 'rows landed in a default partition (no partition for their time)' , proof: { test: 'default-partition-rows: a row written past the premade range lands in the default partition' } },
  // 15 minutes: DROP INDEX CONCURRENTLY marks the index invalid while it waits for older transactions.
  { condition: 'invalid-indexes', source: 'health-check', roles: ['primary'], metric: METRICS.invalid_indexes, statistic: 'Minimum', period: minutes(5), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: () => 0, treatMissingData: MISSING, runbook: 'invalid-indexes.md', summary: 'an index is invalid (a failed CREATE INDEX or REINDEX CONCURRENTLY) for 15 minutes: queries cannot use it, writes still maintain it' , proof: { test: 'invalid-indexes: CREATE UNIQUE INDEX CONCURRENTLY fails on duplicates and leaves an invalid index' } },
  { condition: 'materialized-view-overdue', source: 'health-check', roles: ['primary'], metric: METRICS.matview_overdue_seconds_max, statistic: 'Maximum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.materializedViewOverdueSeconds, treatMissingData: MISSING, runbook: 'materialized-view-overdue.md', summary: 'a registered materialized view is later than its own refresh interval by more than the threshold' , proof: { test: 'materialized-view-overdue: the registered view was last refreshed an hour ago (interval 5 minutes)' } },
  // A Multi-AZ DB cluster's writer commits once one of its two readers has acknowledged (ANY 1 of the two):
  // synchronous_standbys_missing is how many more acknowledging standbys it needs, so it reads 0 with one
  // reader down (a reader's restart or replacement, which RDS does on its own: no page here; synchronous-standby-down
  // pages if it lasts 15 minutes) and 1 once neither acknowledges, when every commit waits, past statement_timeout, and a cancelled one reports success
  // (test/sql/health-check-multi-az-cluster.test.ts): writes have stopped, and neither write-failed nor
  // heartbeat-stale can see it (the heartbeat commits locally). 2 of 2 minutes: longer than a failover
  // (typically under 35 s), during which the readers reconnect to the new writer, short enough to page
  // within 3 minutes of writes hanging. Missing is not breaching and not OK: NULL, hence not published,
  // where the writer's settings name no synchronous standby (the alarm then shows INSUFFICIENT_DATA, blind),
  // and a health check that cannot read the writer is health-check-failing's (breaching).
  { condition: 'synchronous-standby-missing', source: 'health-check', roles: ['primary'], topologies: ['multi-az-cluster'], metric: METRICS.synchronous_standbys_missing, statistic: 'Maximum', period: minutes(1), evaluationPeriods: 2, datapointsToAlarm: 2, comparison: AT_LEAST, threshold: () => 1, treatMissingData: MISSING, runbook: 'synchronous-standby-missing.md', summary: 'fewer standbys acknowledge than commits wait for (neither reader of the Multi-AZ DB cluster) for 2 minutes: every commit on the writer waits' , proof: { test: 'synchronous-standby-missing: both readers of a Multi-AZ DB cluster stopped, every commit on the writer waits for an acknowledgment none gives' } },
  // The same writer with one of its two readers gone: synchronous_standbys (acknowledging standbys, 2 when healthy)
  // reads 1; commits go on through the other, but a second loss stops every commit (synchronous-standby-missing)
  // and a failover has one candidate left. A reader's restart, a minor-version upgrade or RDS replacing its host
  // takes minutes and RDS does it on its own, so the page is one reader away for 15 consecutive minutes (below 2
  // in 15 of 15 one-minute periods): RDS is not bringing it back by itself. Minimum: the fewest acknowledging in
  // the minute. A minute with both back resets the count (a reader flapping back for a minute delays the page).
  // Missing is not breaching and not OK, as for synchronous-standby-missing: not published where the writer names
  // no synchronous standby (INSUFFICIENT_DATA, blind), and a silent or failing health check is health-check-failing's.
  { condition: 'synchronous-standby-down', source: 'health-check', roles: ['primary'], topologies: ['multi-az-cluster'], metric: METRICS.synchronous_standbys, statistic: 'Minimum', period: minutes(1), evaluationPeriods: 15, datapointsToAlarm: 15, comparison: BELOW, threshold: () => 2, treatMissingData: MISSING, runbook: 'synchronous-standby-missing.md', summary: 'one of the two readers of the Multi-AZ DB cluster has not acknowledged for 15 minutes: commits go on through the other, but a second loss stops every commit and a failover has one candidate' , proof: { test: 'synchronous-standby-down: one of the two readers of a Multi-AZ DB cluster stopped for 15 minutes, the writer commits through the other with no redundancy left' } },
  { condition: 'heartbeat-stale', source: 'health-check', roles: ['primary'], metric: METRICS.heartbeat_age_seconds, statistic: 'Minimum', period: minutes(1), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: () => 180, treatMissingData: MISSING, runbook: 'health-check-failing.md', summary: 'the heartbeat has not been written on the primary for 3 minutes (writes failing or the primary read-only)' , proof: { test: READ_ONLY_TEST } },
  { condition: 'read-only-by-default', source: 'health-check', roles: ['primary'], metric: METRICS.default_transaction_read_only, statistic: 'Maximum', period: minutes(1), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: AT_LEAST, threshold: () => 1, treatMissingData: MISSING, runbook: 'primary-read-only.md', summary: 'default_transaction_read_only is on for every role of the primary\'s database: new sessions cannot write' , proof: { test: READ_ONLY_TEST } },
  { condition: 'write-failed', source: 'health-check', roles: ['primary'], metric: METRICS.primary_write_failed, statistic: 'Maximum', period: minutes(1), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: AT_LEAST, threshold: () => 1, treatMissingData: MISSING, runbook: 'primary-read-only.md', summary: 'the primary refused the health check\'s heartbeat write (read-only, storage full, a lock): applications\' writes are likely failing too' , proof: { test: READ_ONLY_TEST } },
  { condition: 'health-check-failing', source: 'health-check', roles: BOTH, metric: METRICS.health_check_failed, statistic: 'Maximum', period: minutes(1), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: AT_LEAST, threshold: () => 1, treatMissingData: BREACHING, runbook: 'health-check-failing.md', summary: 'the health check cannot reach the instance, or has gone silent, for 3 minutes' , proof: { test: 'health-check-failing: the primary and the replica cannot be reached' } },

  // RDS Proxy.
  { condition: 'proxy-latency-p95-high', source: 'proxy', metric: aws('QueryResponseLatency', cw.Unit.MICROSECONDS), statistic: 'p95', period: minutes(1), evaluationPeriods: 5, datapointsToAlarm: 5, comparison: ABOVE, threshold: (c) => c.thresholds.proxyLatencyP95Ms * 1000, treatMissingData: NOT_BREACHING, runbook: 'query-latency.md', summary: 'p95 of proxy query response latency above the threshold for 5 minutes' , proof: awsOnly('RDS Proxy', GAME_DAY_FAILOVER) },
  { condition: 'client-connections-high', source: 'proxy', metric: aws('ClientConnections', cw.Unit.COUNT), statistic: 'Maximum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.proxyClientConnections, treatMissingData: NOT_BREACHING, runbook: 'connections-exhausted.md', summary: 'client connections on the proxy near the limit' , proof: awsOnly('RDS Proxy') },
  // "The number of client connection attempts that failed due to misconfigured authentication or TLS", per proxy (dimension
  // ProxyName), statistic Sum, periods of 1 minute and above: AWS, "Monitoring RDS Proxy metrics with Amazon CloudWatch",
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html. Any failure in 3 of 5 minutes, not a
  // single one: one failure is routine (a token made just before it expired, a client that reads a rotated secret again
  // after its first refusal, a mistyped password at the tunnel) and its retry succeeds within the minute; a client whose
  // credentials are wrong fails on every retry, and 3 of 5 still catches one that backs off to a retry every 2 minutes.
  // A minute without attempts may publish nothing: missing is not breaching.
  { condition: 'client-setup-failures', source: 'proxy', metric: aws('ClientConnectionsSetupFailedAuth', cw.Unit.COUNT), statistic: 'Sum', period: minutes(1), evaluationPeriods: 5, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.proxyAuthFailuresPerMinute, treatMissingData: NOT_BREACHING, runbook: 'application-cannot-sign-in.md', summary: 'clients failing to sign in to the proxy (authentication or TLS) in 3 of 5 minutes' , proof: awsOnly('RDS Proxy', 'in staging, three wrong passwords through the proxy a minute apart (runbooks/application-cannot-sign-in.md, Follow-up)') },
  { condition: 'database-setup-failures', source: 'proxy', metric: aws('DatabaseConnectionsSetupFailed', cw.Unit.COUNT), statistic: 'Sum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.proxySetupFailuresPer5Min, treatMissingData: NOT_BREACHING, runbook: 'rds-proxy-failure.md', summary: 'the proxy failing to open connections to the database' , proof: awsOnly('RDS Proxy', GAME_DAY_FAILOVER) },

  // Cache nodes.
  { condition: 'engine-cpu-high', source: 'cache-node', metric: aws('EngineCPUUtilization', cw.Unit.PERCENT), statistic: 'Average', period: minutes(5), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.cacheEngineCpuPercent, treatMissingData: MISSING, runbook: 'cache-node-failure.md', summary: 'engine CPU of the cache node above the threshold for 15 minutes' , proof: awsOnly('ElastiCache') },
  { condition: 'memory-high', source: 'cache-node', metric: aws('DatabaseMemoryUsagePercentage', cw.Unit.PERCENT), statistic: 'Maximum', period: minutes(5), evaluationPeriods: 3, datapointsToAlarm: 3, comparison: ABOVE, threshold: (c) => c.thresholds.cacheMemoryPercent, treatMissingData: MISSING, runbook: 'cache-node-failure.md', summary: 'cache data above the percent of maxmemory for 15 minutes' , proof: awsOnly('ElastiCache') },
  { condition: 'evictions-high', source: 'cache-node', metric: aws('Evictions', cw.Unit.COUNT), statistic: 'Sum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: (c) => c.thresholds.cacheEvictionsPer5Min, treatMissingData: NOT_BREACHING, runbook: 'cache-node-failure.md', summary: 'keys evicted for lack of memory above the threshold' , proof: awsOnly('ElastiCache') },
  { condition: 'replication-lag-high', source: 'cache-node', metric: aws('ReplicationLag', cw.Unit.SECONDS), statistic: 'Maximum', period: minutes(1), evaluationPeriods: 5, datapointsToAlarm: 5, comparison: ABOVE, threshold: (c) => c.thresholds.cacheReplicationLagSeconds, treatMissingData: NOT_BREACHING, runbook: 'cache-node-failure.md', summary: 'cache replica behind its primary for 5 minutes' , proof: awsOnly('ElastiCache', GAME_DAY_CACHE) },

  // Scheduled database jobs.
  { condition: 'failing', source: 'maintenance', task: TASKS.partitionMaintenance, metric: METRICS.maintenance_failed, statistic: 'Maximum', period: Duration.hours(1), evaluationPeriods: 2, datapointsToAlarm: 1, comparison: AT_LEAST, threshold: () => 1, treatMissingData: BREACHING, runbook: 'partition-missing.md', summary: 'hourly partition maintenance failed, or did not run, within the last 2 hours' , proof: { test: READ_ONLY_TEST } },
  { condition: 'failing', source: 'maintenance', task: TASKS.materializedViewRefresh, metric: METRICS.maintenance_failed, statistic: 'Maximum', period: minutes(15), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: AT_LEAST, threshold: () => 1, treatMissingData: BREACHING, runbook: 'materialized-view-overdue.md', summary: 'the 5-minute materialized view refresh failed, or did not run, within the last 15 minutes' , proof: { test: READ_ONLY_TEST } },
  // An idle empty queue publishes no metrics; one holding messages always does.
  { condition: 'not-empty', source: 'schedule-dlq', metric: aws('ApproximateNumberOfMessagesVisible', cw.Unit.COUNT), statistic: 'Maximum', period: minutes(5), evaluationPeriods: 1, datapointsToAlarm: 1, comparison: ABOVE, threshold: () => 0, treatMissingData: NOT_BREACHING, runbook: 'schedule-undelivered.md', summary: 'EventBridge could not deliver a scheduled event (health check, partition maintenance or materialized view refresh) to its function, even after retries' , proof: awsOnly('Amazon SQS (the schedules\' dead-letter queue)') },
];
