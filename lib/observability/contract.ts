// The names under which the data tier reports on itself, defined once: the CloudWatch namespace,
// the dimensions, the instance roles, the maintenance tasks, and every metric the tier publishes
// with its unit. The functions publish by these names, the alarms and the dashboard read by them,
// and test/sql/observability-contract.test.ts checks health_check()'s rows against them on a
// real database.
//
// Plain constants, types and functions only: the Lambda handlers under lib/functions/ import this
// file and esbuild bundles it into them, so it must import neither aws-cdk-lib nor an AWS SDK.

/** CloudWatch namespace of every metric the data tier publishes itself. */
export const METRIC_NAMESPACE = 'DataTier';

/** Dimension names of the tier's metrics. */
export const DIMENSIONS = {
  /** dev, staging, prod. */
  environment: 'Environment',
  /** DB instance identifier (not an endpoint), so alarms survive endpoint changes. */
  instance: 'DBInstance',
  /** One of ROLES. */
  role: 'Role',
  /** Maintenance metrics only: one of TASKS. */
  task: 'Task',
  /** Per-object rows of health_check() only: the object, e.g. `public.analytics_events`. */
  object: 'Object',
} as const;
export type DimensionName = (typeof DIMENSIONS)[keyof typeof DIMENSIONS];

/** The role of a DB instance in the tier. */
export const ROLES = ['primary', 'replica'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Tasks of the maintenance function: the `task` of its scheduled event, the Task dimension of its
 * metrics and the name of its schedule and alarm. They name what the platform does, never an
 * application's object.
 */
export const TASKS = {
  /** Creates, fills and detaches the partitions of every registered parent. */
  partitionMaintenance: 'partition-maintenance',
  /** Refreshes the registered materialized views. */
  materializedViewRefresh: 'materialized-view-refresh',
} as const;
export type Task = (typeof TASKS)[keyof typeof TASKS];
export const TASK_NAMES: readonly Task[] = Object.values(TASKS);

/** CloudWatch's units (the API's StandardUnit). */
export type MetricUnit =
  | 'Seconds' | 'Microseconds' | 'Milliseconds'
  | 'Bytes' | 'Kilobytes' | 'Megabytes' | 'Gigabytes' | 'Terabytes'
  | 'Bits' | 'Kilobits' | 'Megabits' | 'Gigabits' | 'Terabits'
  | 'Percent' | 'Count'
  | 'Bytes/Second' | 'Kilobytes/Second' | 'Megabytes/Second' | 'Gigabytes/Second' | 'Terabytes/Second'
  | 'Bits/Second' | 'Kilobits/Second' | 'Megabits/Second' | 'Gigabits/Second' | 'Terabits/Second'
  | 'Count/Second' | 'None';

/** A metric: its CloudWatch name and the unit it is published in. */
export interface MetricDefinition<Name extends string = string> {
  readonly name: Name;
  readonly unit: MetricUnit;
}

/**
 * How health_check() reports a metric: one row named `<metric>`; one row `<metric>:<object>` per
 * object, published as `<metric>` with the Object dimension; or both, the row without an object
 * being the total over the objects.
 */
export type HealthCheckRows = 'one' | 'per-object' | 'one-and-per-object';

/**
 * Where health_check() reports a metric that it does not report on every instance of every
 * topology: `synchronous-writer`, only on a writer whose commits wait for standbys (PostgreSQL's
 * synchronous_standby_names is set, or the server is a Multi-AZ DB cluster's writer). Instances
 * (a Multi-AZ primary and read replicas) and Aurora never report these.
 */
export type HealthCheckRowCondition = 'synchronous-writer';

export interface HealthCheckRowMetric<Name extends string = string> extends MetricDefinition<Name> {
  readonly rows: HealthCheckRows;
  /** Reported only there; everywhere when absent (primary-only metrics aside). */
  readonly only?: HealthCheckRowCondition;
}

/** The entries with their key as their name, so that each name is written once. */
function named<const T extends Record<string, object>>(metrics: T): { readonly [Name in keyof T & string]: T[Name] & { readonly name: Name } } {
  return Object.fromEntries(Object.entries(metrics).map(([name, metric]) => [name, { ...metric, name }])) as never;
}

/**
 * The rows of `data_tier.health_check()`, which the health-check function publishes as they come
 * (meanings, and what feeds each on each topology: the header of sql/repeatable/040_health_check.sql).
 * Alarms watch the ones reported in one row; the per-object ones are for the dashboard and for
 * finding which object a total comes from. A row whose value is NULL (a signal the server does not
 * give, such as Aurora's replica lag refused to the monitor role) is not published: blind, never 0.
 */
export const HEALTH_CHECK_ROW_METRICS = named({
  connections_used_pct: { unit: 'Percent', rows: 'one' },
  connections: { unit: 'Count', rows: 'one' },
  sessions_active: { unit: 'Count', rows: 'one' },
  sessions_idle_in_transaction: { unit: 'Count', rows: 'one' },
  longest_transaction_seconds: { unit: 'Seconds', rows: 'one' },
  lock_waits_over_1s: { unit: 'Count', rows: 'one' },
  deadlocks_total: { unit: 'Count', rows: 'one' },
  deadlocks_since_last_call: { unit: 'Count', rows: 'one' },
  transaction_id_age: { unit: 'Count', rows: 'one' },
  transaction_id_wraparound_pct: { unit: 'Percent', rows: 'one' },
  cache_hit_ratio_pct: { unit: 'Percent', rows: 'one' },
  is_replica: { unit: 'None', rows: 'one' },
  // Seconds on every topology: Aurora reports its replica lag in milliseconds, converted.
  replication_lag_seconds: { unit: 'Seconds', rows: 'one' },
  heartbeat_age_seconds: { unit: 'Seconds', rows: 'one' },
  default_transaction_read_only: { unit: 'None', rows: 'one' },
  partitions_ahead: { unit: 'Count', rows: 'per-object' },
  partitions_ahead_min: { unit: 'Count', rows: 'one' },
  default_partition_rows: { unit: 'Count', rows: 'one-and-per-object' },
  invalid_indexes: { unit: 'Count', rows: 'one' },
  matview_staleness_seconds: { unit: 'Seconds', rows: 'per-object' },
  matview_staleness_seconds_max: { unit: 'Seconds', rows: 'one' },
  matview_overdue_seconds: { unit: 'Seconds', rows: 'per-object' },
  matview_overdue_seconds_max: { unit: 'Seconds', rows: 'one' },
  // Primary only: a standby's statistics do not see the primary's writes.
  dead_tuple_pct: { unit: 'Percent', rows: 'per-object' },
  dead_tuple_pct_max: { unit: 'Percent', rows: 'one' },
  // A writer whose commits wait for standbys: those acknowledging, and how many more it needs.
  synchronous_standbys: { unit: 'Count', rows: 'one', only: 'synchronous-writer' },
  synchronous_standbys_missing: { unit: 'Count', rows: 'one', only: 'synchronous-writer' },
} satisfies Record<string, Omit<HealthCheckRowMetric, 'name'>>);

/** What the health-check function measures itself, per instance, beside the rows of health_check(). */
export const HEALTH_CHECK_FUNCTION_METRICS = named({
  /** 1 if the instance was unreachable or health_check() failed. */
  health_check_failed: { unit: 'Count' },
  /** Primary only: 1 if the heartbeat write failed with an SQL error (read-only, storage full, a lock). */
  primary_write_failed: { unit: 'Count' },
  /** Wall time of each probe query, as raw samples (so CloudWatch computes true percentiles). */
  query_latency: { unit: 'Milliseconds' },
} satisfies Record<string, Omit<MetricDefinition, 'name'>>);

/** What the maintenance function publishes per task (dimension Task). */
export const MAINTENANCE_METRICS = named({
  /** 0 or 1. */
  maintenance_failed: { unit: 'Count' },
  /** Wall time of the task, failed runs included. */
  maintenance_duration: { unit: 'Milliseconds' },
} satisfies Record<string, Omit<MetricDefinition, 'name'>>);

/** Every metric of METRIC_NAMESPACE, by name. */
export const METRICS = { ...HEALTH_CHECK_ROW_METRICS, ...HEALTH_CHECK_FUNCTION_METRICS, ...MAINTENANCE_METRICS };
export type MetricName = keyof typeof METRICS;

/** What a datum is about: its dimensions. */
export interface MetricScope {
  readonly environment: string;
  readonly instanceId: string;
  readonly role: Role;
  /** Maintenance metrics. */
  readonly task?: Task;
  /** Per-object rows of health_check(). */
  readonly object?: string;
}

/** The dimensions of a datum, in the order the tier publishes them: Environment, DBInstance, Role, then Task or Object. */
export function dimensionsOf(scope: MetricScope): Record<string, string> {
  return {
    [DIMENSIONS.environment]: scope.environment,
    [DIMENSIONS.instance]: scope.instanceId,
    [DIMENSIONS.role]: scope.role,
    ...(scope.task === undefined ? {} : { [DIMENSIONS.task]: scope.task }),
    ...(scope.object === undefined ? {} : { [DIMENSIONS.object]: scope.object }),
  };
}

/** A row of health_check() by its `metric` column: `<metric>`, or `<metric>:<object>` for one object. */
export function parseHealthCheckRow(metric: string): { readonly name: string; readonly object?: string } {
  const separator = metric.indexOf(':');
  return separator < 0 ? { name: metric } : { name: metric.slice(0, separator), object: metric.slice(separator + 1) };
}
