// Scheduled database maintenance (EventBridge): the event names the task.
//   { "task": "partition-maintenance" }      hourly: CALL data_tier.run_partition_maintenance(),
//                                            one transaction per step; a step that could not
//                                            get its locks after its retries fails the task
//   { "task": "materialized-view-refresh" }  every 5 minutes: data_tier.refresh_materialized_views(),
//                                            each registered view whose interval has passed
// Environment:
//   DB_SECRET_ARN        RDS secret (host, port, username, password, dbname)       required
//   DB_HOST              writer instance endpoint (not the proxy: the session sets
//                        statement_timeout, which would pin a proxy session); `host:port` too;
//                        defaults to the secret's host
//   DB_TLS               'disable' turns TLS off (local tests only); otherwise verified TLS
//   METRIC_NAMESPACE     CloudWatch namespace, e.g. DataTier                         required
//   ENVIRONMENT          dev | staging | prod: the Environment dimension             required
//   PRIMARY_INSTANCE_ID  the primary's DB instance identifier: DBInstance dimension  required
//
// Tasks, metrics and their units: TASKS and MAINTENANCE_METRICS of lib/observability/contract.ts.
// Metrics (dimensions Environment, DBInstance, Role=primary, Task=<task>):
//   maintenance_failed    0 or 1
//   maintenance_duration  wall time of the task, failed runs included
// A failed task is published as maintenance_failed=1, then thrown (the function's Errors
// metric and EventBridge's retry policy see it).
import { performance } from 'node:perf_hooks';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Client } from 'pg';
import { ConnectionCache, type Endpoint } from '../shared/connections';
import { datum, errorMessage, logJson, type MetricScope, publishMetrics, requiredEnv } from '../shared/metrics';
import { MAINTENANCE_METRICS, type Task, TASK_NAMES, TASKS } from '../../observability/contract';

export type { Task } from '../../observability/contract';

export interface MaintenanceEvent {
  readonly task: Task;
}

export interface MaintenanceResult {
  readonly task: Task;
  readonly durationMs: number;
  /** What the task reports: the partition actions, or the refresh's own duration. */
  readonly summary: Record<string, unknown>;
}

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** Without a Lambda context (local runs), statements may take this long. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 5 * 60_000;
/** Left before the Lambda timeout to publish the failure of a statement that ran too long. */
const PUBLISH_RESERVE_MS = 10_000;

/** One step of a partition maintenance run, as `CALL data_tier.run_partition_maintenance()` reports it. */
export interface PartitionStep {
  readonly parent: string;
  readonly step: string;
  readonly partition: string;
  readonly outcome: 'done' | 'skipped' | 'failed' | 'reported';
  readonly attempts: number;
  readonly detail: string;
  readonly ms: number;
}

/** One registered materialized view, as data_tier.refresh_materialized_views() reports it. */
interface ViewRefresh {
  readonly materialized_view: string;
  readonly outcome: 'refreshed' | 'failed';
  readonly duration_ms: number | null;
  readonly detail: string | null;
}

/** Work a task could not do this time, named for the log and the error: the next run tries again. */
interface Failure {
  readonly what: string;
  readonly detail: string;
}

/** What a task did, and what of it failed. */
interface TaskOutcome {
  readonly summary: Record<string, unknown>;
  readonly failures: readonly Failure[];
}

/** A maintenance task that ran but could not do all of its work; the next run tries again. */
export class IncompleteMaintenanceError extends Error {
  constructor(
    readonly task: Task,
    readonly failures: readonly Failure[],
  ) {
    super(
      `${task === TASKS.partitionMaintenance ? 'partition maintenance' : 'materialized view refresh'} could not do ${failures.length} step${failures.length === 1 ? '' : 's'}: ` +
        failures.map((f) => `${f.what}: ${f.detail}`).join('; '),
    );
    this.name = 'IncompleteMaintenanceError';
  }
}

const RUN: Record<Task, (client: Client) => Promise<TaskOutcome>> = {
  // One transaction per step inside the procedure, so the session must not be in a transaction.
  async [TASKS.partitionMaintenance](client) {
    const { rows } = await client.query<{ p_report: PartitionStep[] }>('CALL data_tier.run_partition_maintenance()');
    const steps = rows[0].p_report;
    const done: Record<string, number> = {};
    for (const step of steps) if (step.outcome === 'done') done[step.step] = (done[step.step] ?? 0) + 1;
    return {
      summary: { actions: done, steps },
      failures: steps.filter((step) => step.outcome === 'failed').map((step) => ({ what: `${step.step} ${step.partition}`, detail: step.detail })),
    };
  },
  // Every registered view whose refresh interval has passed; none is named here.
  async [TASKS.materializedViewRefresh](client) {
    const { rows } = await client.query<ViewRefresh>('SELECT materialized_view, outcome, duration_ms, detail FROM data_tier.refresh_materialized_views()');
    return {
      summary: {
        views: rows.map((row) => ({ view: row.materialized_view, outcome: row.outcome, refreshMs: row.duration_ms === null ? null : Math.round(row.duration_ms), detail: row.detail ?? undefined })),
      },
      failures: rows.filter((row) => row.outcome === 'failed').map((row) => ({ what: `refresh ${row.materialized_view}`, detail: row.detail ?? '' })),
    };
  },
};

const cloudwatch = new CloudWatchClient({});
const connections = new ConnectionCache(new SecretsManagerClient({}));

export async function handler(event: MaintenanceEvent, context?: LambdaContext): Promise<MaintenanceResult> {
  const task = event?.task;
  if (!TASK_NAMES.includes(task)) throw new Error(`unknown maintenance task ${JSON.stringify(task)}: expected one of ${TASK_NAMES.join(', ')}`);
  const namespace = requiredEnv('METRIC_NAMESPACE');
  const scope: MetricScope = {
    environment: requiredEnv('ENVIRONMENT'),
    instanceId: requiredEnv('PRIMARY_INSTANCE_ID'),
    role: 'primary',
    task,
  };
  const statementTimeoutMs = Math.max(
    1_000,
    context ? context.getRemainingTimeInMillis() - PUBLISH_RESERVE_MS : DEFAULT_STATEMENT_TIMEOUT_MS,
  );
  const endpoint: Endpoint = {
    secretId: requiredEnv('DB_SECRET_ARN'),
    host: process.env.DB_HOST,
    tls: process.env.DB_TLS !== 'disable',
    applicationName: `maintenance ${task}`,
    connectTimeoutMs: 10_000,
    statementTimeoutMs,
  };

  const timestamp = new Date();
  const started = performance.now();
  let summary: Record<string, unknown> | undefined;
  let failure: unknown;
  try {
    const outcome = await connections.run(endpoint, async (client) => {
      // A reused session keeps the timeout it connected with: set this invocation's.
      await client.query(`SELECT set_config('statement_timeout', $1, false)`, [`${Math.round(statementTimeoutMs)}ms`]);
      return RUN[task](client);
    });
    summary = outcome.summary;
    // Thrown here, not inside run(), which would take it for a broken connection and retry.
    if (outcome.failures.length > 0) throw new IncompleteMaintenanceError(task, outcome.failures);
  } catch (error) {
    failure = error;
  }
  const durationMs = Math.round(performance.now() - started);

  if (failure === undefined) logJson('info', { task, durationMs, ...summary });
  else logJson('error', { task, durationMs, host: endpoint.host, error: errorMessage(failure), ...summary });
  await publishMetrics(cloudwatch, namespace, [
    datum(scope, MAINTENANCE_METRICS.maintenance_failed, failure === undefined ? 0 : 1, timestamp),
    datum(scope, MAINTENANCE_METRICS.maintenance_duration, durationMs, timestamp),
  ]);
  if (failure !== undefined) throw failure;
  return { task, durationMs, summary: summary ?? {} };
}

/** Ends the container's connections (tests; nothing else needs to). */
export function closeConnections(): Promise<void> {
  return connections.closeAll();
}
