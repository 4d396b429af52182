// Scheduled health check (EventBridge, every minute). For the primary (through RDS Proxy, the
// way applications connect) and each replica (directly), it records the heartbeat (primary
// only), reads data_tier.health_check(), times a batch of probe queries, and publishes it all
// to CloudWatch in as few PutMetricData calls as the API allows. Environment:
//   DB_SECRET_ARN        RDS secret (host, port, username, password, dbname)          required
//   PRIMARY_HOST         RDS Proxy endpoint (`host` or `host:port`)                     required
//   PRIMARY_INSTANCE_ID  the primary's DB instance identifier: its DBInstance dimension required
//   REPLICAS             `instanceId=host[:port]` pairs, comma-separated; may be empty
//   METRIC_NAMESPACE     CloudWatch namespace, e.g. DataTier                            required
//   ENVIRONMENT          dev | staging | prod: the Environment dimension                required
//   PROBE_COUNT          probe queries per target, default 20
//   DB_TLS               'disable' turns TLS off (local tests only); otherwise verified TLS
//   CONNECT_TIMEOUT_MS   per connection attempt, default 5000
//
// Metrics (names and units: HEALTH_CHECK_FUNCTION_METRICS and HEALTH_CHECK_ROW_METRICS of
// lib/observability/contract.ts; dimensions Environment, DBInstance, Role on every datum):
//   health_check_failed   1 if the target was unreachable or health_check() failed
//   primary_write_failed  primary only: 1 if the heartbeat write failed with an SQL error
//                         (read-only, storage full, a lock), logged with its SQLSTATE; absent
//                         when the primary was unreachable
//   query_latency         raw probe wall times as Values/Counts (true p95)
//   <metric>              each health_check() row as returned, in its own unit; a row named
//                         `<metric>:<object>` is <metric> with dimension Object
// An unreachable target is logged as one JSON line and reported as failed; the others still
// report. A failure to publish is thrown, so the function's Errors metric shows it.
// Time bounds: targets are checked in parallel, each within 40 s (less when the Lambda context
// says less remains, keeping 10 s to publish); sessions run with statement_timeout 10 s, so a
// statement stuck on a lock is cancelled, logged, and the remaining steps still run.
import { performance } from 'node:perf_hooks';
import { CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Client, DatabaseError } from 'pg';
import { ConnectionCache, type Endpoint, isConnectionError } from '../shared/connections';
import {
  datum, errorMessage, isStandardUnit, logJson, type MetricScope, publishMetrics, requiredEnv, type Role, samples,
} from '../shared/metrics';
import { HEALTH_CHECK_FUNCTION_METRICS, parseHealthCheckRow } from '../../observability/contract';

const { health_check_failed, primary_write_failed, query_latency } = HEALTH_CHECK_FUNCTION_METRICS;

/**
 * The latency probe: a primary-key lookup of the one-row heartbeat table. Unlike `SELECT 1` it
 * is a real query (parse, plan, relation lock, index and heap page through shared buffers), so
 * lock-manager or buffer pressure shows in it; it costs microseconds on the server, reads the
 * same row on the primary and on replicas, and takes no row lock, so it never waits on the
 * heartbeat write. What remains is what every application query pays: network, proxy, backend.
 */
export const PROBE_SQL = 'SELECT beat_at FROM data_tier.heartbeat WHERE id';
/**
 * The heartbeat write. On a writer whose commits wait for standbys (synchronous_standby_names set,
 * as on a Multi-AZ DB cluster) it commits without waiting for them (synchronous_commit local for
 * its own transaction): with no standby acknowledging, a commit waits until one does, and
 * statement_timeout does not end that wait (PostgreSQL disables it before the commit), so the
 * write would hang past the target's budget, the writer would be reported unreachable without its
 * health_check() rows, and each run would leave a session waiting. Committed locally, it returns,
 * and health_check() reports the cause (synchronous_standbys_missing). Elsewhere (instances,
 * Aurora) the session's setting is left as it is.
 */
export const HEARTBEAT_SQL = `SELECT data_tier.record_heartbeat($1),
  CASE WHEN current_setting('synchronous_standby_names') <> '' THEN set_config('synchronous_commit', 'local', true) END AS without_standbys`;
const HEALTH_CHECK_SQL = 'SELECT metric, value, unit FROM data_tier.health_check()';
/** statement_timeout of the health check's sessions (at most half the budget of a target). */
const STATEMENT_TIMEOUT_MS = 10_000;
/** Upper bound on the work for one target; keeps the run well within a 60 s Lambda timeout. */
const TARGET_BUDGET_MS = 40_000;
/** Left for publishing when the Lambda context says how much time remains. */
const PUBLISH_RESERVE_MS = 10_000;

export interface Target {
  readonly role: Role;
  readonly instanceId: string;
  readonly host: string;
}

interface Settings {
  readonly secretId: string;
  readonly targets: readonly Target[];
  readonly namespace: string;
  readonly environment: string;
  readonly probeCount: number;
  readonly tls: boolean;
  readonly connectTimeoutMs: number;
}

interface HealthRow {
  readonly metric: string;
  readonly value: number | null;
  readonly unit: string;
}

/** What one target reported; health_check() rows are absent when it could not be read. */
interface Observation {
  rows?: HealthRow[];
  /** Primary only: whether the heartbeat write failed. */
  writeFailed?: boolean;
  readonly latenciesMs: number[];
}

export interface TargetSummary {
  readonly role: Role;
  readonly instanceId: string;
  readonly healthy: boolean;
  readonly metrics: number;
  readonly probes: number;
}

export interface HealthCheckResult {
  readonly targets: TargetSummary[];
  readonly data: number;
  readonly putMetricDataCalls: number;
  readonly durationMs: number;
}

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

const cloudwatch = new CloudWatchClient({});
const connections = new ConnectionCache(new SecretsManagerClient({}));

export async function handler(_event?: unknown, context?: LambdaContext): Promise<HealthCheckResult> {
  const started = performance.now();
  const timestamp = new Date();
  const settings = readSettings();
  const budgetMs = Math.max(1_000, Math.min(TARGET_BUDGET_MS, (context?.getRemainingTimeInMillis() ?? Infinity) - PUBLISH_RESERVE_MS));

  const observations = await Promise.all(settings.targets.map((target) => checkTarget(target, settings, budgetMs)));

  const data: MetricDatum[] = [];
  const targets = settings.targets.map((target, i): TargetSummary => {
    const targetData = metricData(target, observations[i], settings.environment, timestamp);
    data.push(...targetData);
    return {
      role: target.role,
      instanceId: target.instanceId,
      healthy: observations[i]?.rows !== undefined,
      metrics: targetData.length,
      probes: observations[i]?.latenciesMs.length ?? 0,
    };
  });
  const putMetricDataCalls = await publishMetrics(cloudwatch, settings.namespace, data);
  const result = { targets, data: data.length, putMetricDataCalls, durationMs: Math.round(performance.now() - started) };
  logJson('info', { message: 'health check published', ...result });
  return result;
}

/** Ends the container's connections (tests; nothing else needs to). */
export function closeConnections(): Promise<void> {
  return connections.closeAll();
}

export function parseReplicas(value: string | undefined): Target[] {
  return (value ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const match = /^([^=\s]+)=(\S+)$/.exec(pair);
      if (!match) throw new Error(`REPLICAS: "${pair}" is not instanceId=host`);
      return { role: 'replica', instanceId: match[1], host: match[2] };
    });
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function readSettings(): Settings {
  return {
    secretId: requiredEnv('DB_SECRET_ARN'),
    targets: [
      { role: 'primary', instanceId: requiredEnv('PRIMARY_INSTANCE_ID'), host: requiredEnv('PRIMARY_HOST') },
      ...parseReplicas(process.env.REPLICAS),
    ],
    namespace: requiredEnv('METRIC_NAMESPACE'),
    environment: requiredEnv('ENVIRONMENT'),
    probeCount: positiveInteger('PROBE_COUNT', 20),
    tls: process.env.DB_TLS !== 'disable',
    connectTimeoutMs: positiveInteger('CONNECT_TIMEOUT_MS', 5_000),
  };
}

/** Observes one target within the budget; undefined (and one error line) when unreachable. */
async function checkTarget(target: Target, settings: Settings, budgetMs: number): Promise<Observation | undefined> {
  const endpoint: Endpoint = {
    secretId: settings.secretId,
    host: target.host,
    tls: settings.tls,
    applicationName: `health-check ${target.role}`,
    connectTimeoutMs: Math.min(settings.connectTimeoutMs, budgetMs),
    statementTimeoutMs: Math.round(Math.min(STATEMENT_TIMEOUT_MS, budgetMs / 2)),
  };
  const abort = new AbortController();
  const work = connections.run(endpoint, (client) => observe(client, target, settings.probeCount), abort.signal);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${budgetMs} ms`)), budgetMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    abort.abort();
    work.catch(() => {});
    connections.discard(endpoint);
    logJson('error', { target: target.instanceId, role: target.role, host: target.host, error: errorMessage(error) });
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Heartbeat (primary only), health_check(), then the probes, in that order, so the probes run
 * on a warm session. SQL errors are logged and end that step; connection errors are thrown.
 */
async function observe(client: Client, target: Target, probeCount: number): Promise<Observation> {
  const step = async <T>(name: string, query: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await query();
    } catch (error) {
      if (isConnectionError(error)) throw error;
      const code = error instanceof DatabaseError ? error.code : undefined;
      logJson('error', { target: target.instanceId, role: target.role, host: target.host, step: name, code, error: errorMessage(error) });
      return undefined;
    }
  };
  const observation: Observation = { latenciesMs: [] };
  if (target.role === 'primary') {
    observation.writeFailed = (await step('record_heartbeat', () => client.query(HEARTBEAT_SQL, ['health-check']))) === undefined;
  }
  observation.rows = await step('health_check', async () => (await client.query<HealthRow>(HEALTH_CHECK_SQL)).rows);
  for (let i = 0; i < probeCount; i++) {
    const sent = performance.now();
    if (!(await step('probe', () => client.query(PROBE_SQL)))) break;
    observation.latenciesMs.push(Math.round((performance.now() - sent) * 1000) / 1000);
  }
  return observation;
}

function metricData(target: Target, observation: Observation | undefined, environment: string, timestamp: Date): MetricDatum[] {
  const scope: MetricScope = { environment, instanceId: target.instanceId, role: target.role };
  const data = [datum(scope, health_check_failed, observation?.rows ? 0 : 1, timestamp)];
  if (observation?.writeFailed !== undefined) data.push(datum(scope, primary_write_failed, observation.writeFailed ? 1 : 0, timestamp));
  for (const row of observation?.rows ?? []) {
    const { unit } = row;
    if (row.value === null || !Number.isFinite(row.value) || !isStandardUnit(unit)) {
      logJson('warn', { target: target.instanceId, role: target.role, skipped: row, reason: 'not a finite value with a CloudWatch unit' });
      continue;
    }
    const { name, object } = parseHealthCheckRow(row.metric);
    data.push(datum({ ...scope, object }, { name, unit }, row.value, timestamp));
  }
  data.push(...samples(scope, query_latency, observation?.latenciesMs ?? [], timestamp));
  return data;
}
