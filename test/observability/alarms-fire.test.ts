// Every alarm fed by the health check or the maintenance function, proven to fire: each test
// induces the alarm's condition on a real primary with a streaming replica, runs the real handler
// once per alarm period (CloudWatch faked), and evaluates what it published against the alarm's
// own definition in lib/alarms.ts with the prod thresholds. A healthy pair keeps them all OK. The
// alarms of one topology only (AlarmDefinition.topologies) are proven on a set of that shape.
// The README's alarm table names these tests (lib/alarms.ts `proof`).
import net from 'node:net';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { PROJECT_STREAMS } from '../../app/migrations';
import { ALARM_DEFINITIONS, type AlarmDefinition, existsOn } from '../../lib/alarms';
import { effectiveDatabaseOptions, effectiveThresholds, resolveConfig } from '../../app/config';
import { type AlarmThresholds } from '../../lib/alarm-thresholds';
import { closeConnections as closeHealthCheck, handler as healthCheck } from '../../lib/functions/health-check';
import { closeConnections as closeMaintenance, handler as maintenance } from '../../lib/functions/maintenance';
import { runMigrations } from '../../lib/functions/shared/migrations';
import { dimensionsOf as scopeDimensions, type Role, TASKS, type Task } from '../../lib/observability/contract';
import { SECRET_ARN, acceptMetrics, captureConsole, cloudwatch, dimensionsOf, publishedData, secrets } from '../functions/handler-fixtures';
import { type AlarmState, evaluateAlarm } from '../support/alarm-evaluation';
import { MULTI_AZ_CLUSTER_FUNCTIONS, MULTI_AZ_CLUSTER_SYNCHRONOUS_STANDBY_NAMES } from '../support/multi-az-cluster';
import { startTestReplicaPair, startTestReplicaSet, type TestReplicaPair, type TestReplicaSet } from '../support/replica-pair';

const ENVIRONMENT = 'prod';
const INSTANCES: Record<Role, string> = { primary: 'data-tier-primary', replica: 'data-tier-replica-b' };
/** Small enough that a test can open connections up to the alarm's share of it. */
const MAX_CONNECTIONS = 20;
const PROD = resolveConfig({ context: { env: 'prod' } });
const PROD_THRESHOLDS = effectiveThresholds(PROD);
const PROD_STORAGE_GIB = effectiveDatabaseOptions(PROD).allocatedStorageGiB;
/** Nothing listens on port 1. */
const UNREACHABLE = '127.0.0.1:1';

let pair: TestReplicaPair;
let admin: Client;
let replicaAdmin: Client;
let output: ReturnType<typeof captureConsole>;
/** Every session the file opened: first the two admin sessions, then those of the current test. */
const opened: Client[] = [];
/** What each test saw, printed at the end with ALARM_PROOF_REPORT=1. */
const report: { alarm: string; target: string; state: AlarmState; datapoints: (number | undefined)[]; threshold: number }[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hostOf = (url: string) => new URL(url).host;

async function connect(url: string, applicationName = 'alarm-test'): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  client.on('error', () => {});
  await client.connect();
  opened.push(client);
  return client;
}

/** Ends the sessions a test opened (its lock holders, its transactions, its connection flood). */
async function endSessions(): Promise<void> {
  await Promise.all(opened.splice(2).map((client) => client.end().catch(() => {})));
}

function useEndpoints(endpoints: { primary?: string; replica?: string } = {}): void {
  Object.assign(process.env, {
    PRIMARY_HOST: endpoints.primary ?? hostOf(pair.primaryUrl),
    REPLICAS: `${INSTANCES.replica}=${endpoints.replica ?? hostOf(pair.standbyUrl)}`,
    DB_HOST: hostOf(pair.primaryUrl),
  });
}

/** Runs `invoke` once per alarm period and returns what each period published. */
async function periods(count: number, invoke: () => Promise<unknown> = healthCheck): Promise<MetricDatum[][]> {
  const published: MetricDatum[][] = [];
  for (let i = 0; i < count; i++) {
    acceptMetrics();
    await invoke().catch(() => {}); // a failing run is what some tests induce; its metrics tell
    published.push(publishedData());
  }
  return published;
}

function definition(condition: string, task?: Task): AlarmDefinition {
  const found = ALARM_DEFINITIONS.find((d) => d.condition === condition && d.task === task);
  if (!found) throw new Error(`no alarm ${condition} ${task ?? ''}`);
  return found;
}

/**
 * The state the alarm on `condition` for one target would be in after these periods: the data
 * it watches (its metric with exactly the target's dimensions), its statistic, expression,
 * comparison, threshold (prod's unless a test says otherwise), datapoints and missing-data treatment.
 */
function alarmOn(
  condition: string,
  target: { role: Role; task?: Task },
  published: MetricDatum[][],
  thresholds: AlarmThresholds = PROD_THRESHOLDS,
) {
  const alarm = definition(condition, target.task);
  const threshold = alarm.threshold({ thresholds, allocatedStorageGiB: PROD_STORAGE_GIB });
  const dimensions = scopeDimensions({ environment: ENVIRONMENT, instanceId: INSTANCES[target.role], role: target.role, task: target.task });
  const watched = published.map((data) =>
    data.filter((datum) => datum.MetricName === alarm.metric.name && JSON.stringify(dimensionsOf(datum)) === JSON.stringify(dimensions)),
  );
  const { state, datapoints } = evaluateAlarm({ ...alarm, threshold }, watched);
  report.push({ alarm: `${condition}${target.task ? ` (${target.task})` : ''}`, target: target.role, state, datapoints, threshold });
  return { state, datapoints, threshold };
}

/** The periods the alarm evaluates over, and the one before when it diffs. */
const periodsOf = (alarm: AlarmDefinition) => alarm.evaluationPeriods + (alarm.expression ? 1 : 0);

beforeAll(async () => {
  pair = await startTestReplicaPair({ max_connections: String(MAX_CONNECTIONS) });
  admin = await connect(pair.primaryUrl, 'alarm-test-admin');
  await runMigrations(admin, { streams: PROJECT_STREAMS });
  await admin.query('CREATE TABLE public.alarm_drill (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)');
  await admin.query('INSERT INTO public.alarm_drill (id) VALUES (1), (2)');
  replicaAdmin = await connect(pair.standbyUrl, 'alarm-test-admin');
  const url = new URL(pair.primaryUrl);
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
    SecretString: JSON.stringify({
      engine: 'postgres', host: url.hostname, port: Number(url.port), username: url.username, password: url.password, dbname: 'postgres',
    }),
  });
  await waitForReplay();
}, 120_000);

beforeEach(() => {
  Object.assign(process.env, {
    DB_SECRET_ARN: SECRET_ARN,
    PRIMARY_INSTANCE_ID: INSTANCES.primary,
    METRIC_NAMESPACE: 'DataTier',
    ENVIRONMENT,
    PROBE_COUNT: '20',
    DB_TLS: 'disable',
    CONNECT_TIMEOUT_MS: '10000',
  });
  useEndpoints();
  output = captureConsole();
});

afterEach(async () => {
  output.restore();
  await endSessions();
});

afterAll(async () => {
  await Promise.all([closeHealthCheck(), closeMaintenance()]);
  secrets.restore();
  cloudwatch.restore();
  await Promise.all(opened.map((client) => client.end().catch(() => {})));
  await pair?.stop();
  if (process.env.ALARM_PROOF_REPORT) process.stderr.write(`${JSON.stringify(report, null, 1)}\n`);
}, 60_000);

/** Until the standby has replayed everything the primary has written so far. */
async function waitForReplay(): Promise<void> {
  const { rows } = await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(20)) {
    const replayed = await replicaAdmin.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn]);
    if (replayed.rows[0].done) return;
  }
  throw new Error('the standby did not replay within 30 s');
}

describe('a healthy primary and replica', () => {
  it('keep every alarm of the health check and of maintenance OK', async () => {
    // The pair is the instances topology: the alarms that exist there.
    const health = ALARM_DEFINITIONS.filter((d) => d.source === 'health-check' && existsOn(d, 'instances'));
    const published = await periods(Math.max(...health.map(periodsOf)));
    for (const alarm of health) {
      for (const role of alarm.roles!) {
        const { state, datapoints } = alarmOn(alarm.condition, { role }, published.slice(-periodsOf(alarm)));
        expect([alarm.condition, role, state, datapoints.length]).toEqual([alarm.condition, role, 'OK', periodsOf(alarm)]);
      }
    }
    for (const task of [TASKS.partitionMaintenance, TASKS.materializedViewRefresh]) {
      const alarm = definition('failing', task);
      const { state } = alarmOn('failing', { role: 'primary', task }, await periods(alarm.evaluationPeriods, () => maintenance({ task })));
      expect([task, state]).toEqual([task, 'OK']);
    }
  });
});

describe('each alarm fires when its condition is induced', () => {
  it('query-latency-p95-high: every answer of the primary and the replica reaches the health check 350 ms late', async () => {
    // The delay sits in the network path (a TCP relay of the test's own), as a congested network
    // or a saturated proxy would add it: nothing in the handler or the database is changed.
    const primary = await delayingRelay(hostOf(pair.primaryUrl), 350);
    const replica = await delayingRelay(hostOf(pair.standbyUrl), 350);
    try {
      useEndpoints({ primary: primary.address, replica: replica.address });
      process.env.PROBE_COUNT = '3';
      const published = await periods(definition('query-latency-p95-high').evaluationPeriods);
      for (const role of ['primary', 'replica'] as const) {
        const { state, datapoints, threshold } = alarmOn('query-latency-p95-high', { role }, published);
        expect([role, state]).toEqual([role, 'ALARM']);
        expect(Math.min(...(datapoints as number[]))).toBeGreaterThan(threshold);
      }
    } finally {
      await Promise.all([closeHealthCheck(), primary.close(), replica.close()]);
    }
  }, 120_000);

  it('connections-high: clients hold connections up to more than the threshold share of max_connections, on the primary and the replica', async () => {
    const share = PROD_THRESHOLDS.connectionsPercent / 100;
    // The admin sessions and the health check's own count too.
    const flood = Math.ceil(MAX_CONNECTIONS * share) - 1;
    for (let i = 0; i < flood; i++) await Promise.all([connect(pair.primaryUrl), connect(pair.standbyUrl)]);

    const published = await periods(definition('connections-high').evaluationPeriods);
    for (const role of ['primary', 'replica'] as const) {
      expect([role, alarmOn('connections-high', { role }, published).state]).toEqual([role, 'ALARM']);
    }
  });

  it('lock-waits: a session waits more than 1 s on a row lock another session holds', async () => {
    const holder = await connect(pair.primaryUrl);
    const waiter = await connect(pair.primaryUrl);
    await holder.query('BEGIN');
    await holder.query('UPDATE public.alarm_drill SET n = n + 1 WHERE id = 1');
    const waiting = waiter.query('UPDATE public.alarm_drill SET n = n + 1 WHERE id = 1');
    await sleep(1_200);

    const published = await periods(definition('lock-waits').evaluationPeriods);
    await holder.query('ROLLBACK');
    await waiting;
    const { state, datapoints } = alarmOn('lock-waits', { role: 'primary' }, published);
    expect(state).toBe('ALARM');
    expect(datapoints).toEqual([1, 1, 1]);
  });

  it('deadlocks: two sessions each wait on a row the other has updated', async () => {
    const [before] = await periods(1);
    const a = await connect(pair.primaryUrl);
    const b = await connect(pair.primaryUrl);
    await Promise.all([a.query('BEGIN'), b.query('BEGIN')]);
    await a.query('UPDATE public.alarm_drill SET n = n + 1 WHERE id = 1');
    await b.query('UPDATE public.alarm_drill SET n = n + 1 WHERE id = 2');
    const outcomes = await Promise.allSettled([
      a.query('UPDATE public.alarm_drill SET n = n + 1 WHERE id = 2'),
      b.query('UPDATE public.alarm_drill SET n = n + 1 WHERE id = 1'),
    ]);
    await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(['40P01']);
    await statisticsFlushed();

    const after = await periods(1);
    const { state, datapoints } = alarmOn('deadlocks', { role: 'primary' }, [before, ...after]);
    expect(state).toBe('ALARM');
    expect(datapoints).toEqual([undefined, 1]);
  });

  it('long-transaction: a transaction stays open past the threshold on the primary and on the replica (threshold 2 s instead of 300 s)', async () => {
    // Prod's threshold is 5 minutes; the override keeps the test short. Waiting really elapses:
    // the clock is not faked, so the published age is the server's own.
    const thresholds = { ...PROD_THRESHOLDS, longestTransactionSeconds: 2 };
    for (const url of [pair.primaryUrl, pair.standbyUrl]) {
      const session = await connect(url);
      await session.query('BEGIN');
      await session.query('SELECT count(*) FROM public.alarm_drill');
    }
    await sleep(2_500);

    const published = await periods(definition('long-transaction').evaluationPeriods);
    for (const role of ['primary', 'replica'] as const) {
      const { state, datapoints } = alarmOn('long-transaction', { role }, published, thresholds);
      expect([role, state]).toEqual([role, 'ALARM']);
      expect(Math.min(...(datapoints as number[]))).toBeGreaterThan(2);
      expect(alarmOn('long-transaction', { role }, published).state).toBe('OK'); // prod's 300 s is not reached
    }
  });

  it('transaction-id-age-high, scaled down: 5,000 transaction IDs consumed against a threshold of 0.0002 % instead of 50 % of the wraparound limit', async () => {
    // The real threshold is a billion transaction IDs; the same age, read the same way, at a
    // scale a test can reach (0.0002 % of 2^31 is 4,295 IDs).
    const thresholds = { ...PROD_THRESHOLDS, transactionIdWraparoundPercent: 0.0002 };
    await admin.query('DO $$ BEGIN FOR i IN 1..5000 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$');

    const published = await periods(definition('transaction-id-age-high').evaluationPeriods);
    const { state, datapoints } = alarmOn('transaction-id-age-high', { role: 'primary' }, published, thresholds);
    expect(state).toBe('ALARM');
    expect(datapoints[0]).toBeGreaterThan(0.0002);
    expect(alarmOn('transaction-id-age-high', { role: 'primary' }, published).state).toBe('OK');
  });

  it('partitions-ahead-low: no partition premade past the current month, as when maintenance has not run for months', async () => {
    // Dropping the premade partitions leaves what months without maintenance would: the clock
    // cannot be moved on a real server, the partition catalogue can.
    await dropPremadePartitions('all');

    const published = await periods(definition('partitions-ahead-low').evaluationPeriods);
    const { state, datapoints } = alarmOn('partitions-ahead-low', { role: 'primary' }, published);
    expect(state).toBe('ALARM');
    expect(datapoints).toEqual([0]);

    await maintenance({ task: TASKS.partitionMaintenance });
    expect(alarmOn('partitions-ahead-low', { role: 'primary' }, await periods(1)).state).toBe('OK');
  });

  it('default-partition-rows: a row written past the premade range lands in the default partition', async () => {
    await admin.query(`INSERT INTO public.analytics_events (tenant_id, entity_id, event_type, created_at)
                       VALUES (gen_random_uuid(), gen_random_uuid(), 'alarm-test', now() + interval '3 years')`);
    try {
      const published = await periods(definition('default-partition-rows').evaluationPeriods);
      const { state, datapoints } = alarmOn('default-partition-rows', { role: 'primary' }, published);
      expect(state).toBe('ALARM');
      expect(datapoints).toEqual([1]);
    } finally {
      await admin.query(`DELETE FROM public.analytics_events WHERE event_type = 'alarm-test'`);
    }
  });

  it('materialized-view-overdue: the registered view was last refreshed an hour ago (interval 5 minutes)', async () => {
    // refreshed_at is what refresh_materialized_views() writes: setting it back is the state an
    // hour without refreshes leaves.
    await admin.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '1 hour'`);

    const published = await periods(definition('materialized-view-overdue').evaluationPeriods);
    const { state, datapoints, threshold } = alarmOn('materialized-view-overdue', { role: 'primary' }, published);
    expect(state).toBe('ALARM');
    expect(datapoints[0]).toBeGreaterThan(threshold);

    await maintenance({ task: TASKS.materializedViewRefresh });
    expect(alarmOn('materialized-view-overdue', { role: 'primary' }, await periods(1)).state).toBe('OK');
  });

  it('invalid-indexes: CREATE UNIQUE INDEX CONCURRENTLY fails on duplicates and leaves an invalid index', async () => {
    await admin.query('CREATE TABLE public.alarm_duplicates (v int)');
    await admin.query('INSERT INTO public.alarm_duplicates VALUES (1), (1)');
    await expect(admin.query('CREATE UNIQUE INDEX CONCURRENTLY alarm_duplicates_v ON public.alarm_duplicates (v)')).rejects.toThrow(/could not create unique index/);
    try {
      const published = await periods(definition('invalid-indexes').evaluationPeriods);
      const { state, datapoints } = alarmOn('invalid-indexes', { role: 'primary' }, published);
      expect(state).toBe('ALARM');
      expect(datapoints).toEqual([1, 1, 1]);
    } finally {
      await admin.query('DROP TABLE public.alarm_duplicates');
    }
  });

  it('read-only-by-default, write-failed, heartbeat-stale, maintenance failing: the primary\'s database is set read-only for new sessions', async () => {
    // The heartbeat is set back 10 minutes, as 10 minutes of refused writes would leave it.
    await admin.query(`UPDATE data_tier.heartbeat SET beat_at = now() - interval '10 minutes'`);
    // Work for both tasks, which a read-only database refuses: a partition to premake, a view due.
    await dropPremadePartitions('last');
    await admin.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '1 hour'`);
    await admin.query('ALTER DATABASE postgres SET default_transaction_read_only = on');
    await Promise.all([closeHealthCheck(), closeMaintenance()]); // the setting applies to new sessions
    try {
      const published = await periods(3);
      for (const condition of ['read-only-by-default', 'write-failed', 'heartbeat-stale']) {
        const alarm = definition(condition);
        expect([condition, alarmOn(condition, { role: 'primary' }, published.slice(-alarm.evaluationPeriods)).state]).toEqual([condition, 'ALARM']);
      }
      for (const task of [TASKS.partitionMaintenance, TASKS.materializedViewRefresh]) {
        const alarm = definition('failing', task);
        const { state } = alarmOn('failing', { role: 'primary', task }, await periods(alarm.evaluationPeriods, () => maintenance({ task })));
        expect([task, state]).toEqual([task, 'ALARM']);
      }
    } finally {
      await admin.query('ALTER DATABASE postgres RESET default_transaction_read_only');
      await Promise.all([closeHealthCheck(), closeMaintenance()]);
      await maintenance({ task: TASKS.partitionMaintenance });
      await maintenance({ task: TASKS.materializedViewRefresh });
    }
  });

  it('failing (partition-maintenance, materialized-view-refresh): the schedule stops invoking maintenance, so nothing is published', async () => {
    for (const task of [TASKS.partitionMaintenance, TASKS.materializedViewRefresh]) {
      const alarm = definition('failing', task);
      const silent = Array.from({ length: alarm.evaluationPeriods }, () => []);
      expect([task, alarmOn('failing', { role: 'primary', task }, silent).state]).toEqual([task, 'ALARM']);
    }
  });

  it('health-check-failing: the primary and the replica cannot be reached', async () => {
    useEndpoints({ primary: UNREACHABLE, replica: UNREACHABLE });
    process.env.CONNECT_TIMEOUT_MS = '1000';
    const published = await periods(definition('health-check-failing').evaluationPeriods);
    for (const role of ['primary', 'replica'] as const) {
      const { state, datapoints } = alarmOn('health-check-failing', { role }, published);
      expect([role, state, datapoints]).toEqual([role, 'ALARM', [1, 1, 1]]);
    }
    const silent = [[], [], []];
    expect(alarmOn('health-check-failing', { role: 'primary' }, silent).state).toBe('ALARM'); // the function itself gone silent
  });

  it('replica lag through the heartbeat: replay paused on the replica while the primary keeps writing', async () => {
    // No health-check alarm watches replication_lag_seconds: replica-lag-high watches RDS's
    // ReplicaLag, which no local server publishes. This shows the tier's own measurement of the
    // same condition crossing that alarm's threshold under its rule.
    await replicaAdmin.query('SELECT pg_wal_replay_pause()');
    try {
      await admin.query('UPDATE public.alarm_drill SET n = n + 1');
      await sleep(3_500);
      const published = await periods(definition('replica-lag-high').evaluationPeriods);
      const alarm = definition('replica-lag-high');
      const threshold = alarm.threshold({ thresholds: PROD_THRESHOLDS, allocatedStorageGiB: PROD_STORAGE_GIB });
      const lag = published.map((data) => data.filter((d) => d.MetricName === 'replication_lag_seconds' && dimensionsOf(d).Role === 'replica'));
      const { state, datapoints } = evaluateAlarm({ ...alarm, threshold }, lag);
      report.push({ alarm: 'replica-lag-high (replication_lag_seconds)', target: 'replica', state, datapoints, threshold });
      expect(state).toBe('ALARM');
    } finally {
      await replicaAdmin.query('SELECT pg_wal_replay_resume()');
      await waitForReplay();
    }
  });
});

describe("a Multi-AZ DB cluster's writer, whose commits wait for either of its two readers", () => {
  // The cluster's shape on the embedded PostgreSQL (test/sql/health-check-multi-az-cluster.test.ts):
  // a writer with two streaming standbys, synchronous_standby_names ANY 1 of them. The health check
  // reads the writer as the tier's primary target and the first reader as its reader endpoint.
  let cluster: TestReplicaSet;
  let writer: Client;

  /** Until the writer's health_check() reports `count` acknowledging standbys. */
  async function acknowledging(count: number): Promise<void> {
    for (const deadline = Date.now() + 20_000; ; await sleep(50)) {
      const { rows } = await writer.query<{ value: number }>(`SELECT value FROM data_tier.health_check() WHERE metric = 'synchronous_standbys'`);
      if (rows[0]?.value === count) return;
      if (Date.now() > deadline) throw new Error(`synchronous_standbys is not ${count}: ${JSON.stringify(rows)}`);
    }
  }

  beforeAll(async () => {
    cluster = await startTestReplicaSet({ standbys: 2, synchronousStandbyNames: MULTI_AZ_CLUSTER_SYNCHRONOUS_STANDBY_NAMES });
    // Not connect(): afterEach ends what a test opened, and this session serves the whole block.
    writer = new Client({ connectionString: cluster.primaryUrl, application_name: 'alarm-test-admin' });
    writer.on('error', () => {});
    await writer.connect();
    await runMigrations(writer, { streams: PROJECT_STREAMS });
    await writer.query(MULTI_AZ_CLUSTER_FUNCTIONS);
  }, 120_000);

  beforeEach(() => {
    Object.assign(process.env, { PRIMARY_HOST: hostOf(cluster.primaryUrl), REPLICAS: `${INSTANCES.replica}=${hostOf(cluster.standbyUrls[0])}` });
  });

  afterAll(async () => {
    await closeHealthCheck();
    await writer?.end().catch(() => {});
    await cluster?.stop();
  }, 60_000);

  it('keeps every alarm of the health check on the multi-az-cluster topology OK while both readers acknowledge', async () => {
    await acknowledging(2);
    const health = ALARM_DEFINITIONS.filter((d) => d.source === 'health-check' && existsOn(d, 'multi-az-cluster'));
    expect(health.map((d) => d.condition)).toContain('synchronous-standby-missing');
    const published = await periods(Math.max(...health.map(periodsOf)));
    for (const alarm of health) {
      for (const role of alarm.roles!) {
        const { state, datapoints } = alarmOn(alarm.condition, { role }, published.slice(-periodsOf(alarm)));
        expect([alarm.condition, role, state, datapoints.length]).toEqual([alarm.condition, role, 'OK', periodsOf(alarm)]);
      }
    }
    expect(alarmOn('synchronous-standby-missing', { role: 'primary' }, published.slice(-2)).datapoints).toEqual([0, 0]);
    const down = definition('synchronous-standby-down');
    expect(alarmOn(down.condition, { role: 'primary' }, published.slice(-down.evaluationPeriods)).datapoints).toEqual(Array(down.evaluationPeriods).fill(2));
  }, 120_000);

  it('synchronous-standby-missing stays OK with one reader stopped (a restart or a replacement RDS makes on its own): the other acknowledges, ANY 1 is met', async () => {
    await cluster.stopServer('standby2');
    await acknowledging(1);
    const published = await periods(definition('synchronous-standby-missing').evaluationPeriods);
    const { state, datapoints } = alarmOn('synchronous-standby-missing', { role: 'primary' }, published);
    expect([state, datapoints]).toEqual(['OK', [0, 0]]);
  }, 60_000);

  it('synchronous-standby-down: one of the two readers of a Multi-AZ DB cluster stopped for 15 minutes, the writer commits through the other with no redundancy left', async () => {
    // The reader the test before stopped is still down; one health-check run per minute of the alarm's window.
    await acknowledging(1);
    const alarm = definition('synchronous-standby-down');
    const down = await periods(alarm.evaluationPeriods);
    const { state, datapoints, threshold } = alarmOn(alarm.condition, { role: 'primary' }, down);
    expect([state, datapoints, threshold]).toEqual(['ALARM', Array(alarm.evaluationPeriods).fill(1), 2]);
    // Commits still go on: the other reader acknowledges.
    await writer.query('CREATE TABLE public.alarm_one_reader_acknowledges (id int)');
    await writer.query('DROP TABLE public.alarm_one_reader_acknowledges');

    // The reader back, as RDS brings a restarted or replaced one back: its first minute clears the alarm,
    // and one minute with both in the window keeps it OK (a reader away 14 minutes does not page).
    await cluster.startServer('standby2');
    try {
      await acknowledging(2);
      const back = await periods(1);
      expect(alarmOn(alarm.condition, { role: 'primary' }, [...down.slice(1), ...back]).state).toBe('OK');
      expect(alarmOn(alarm.condition, { role: 'primary' }, [...back, ...down.slice(1)]).state).toBe('OK');
    } finally {
      // As the next test expects it: one reader stopped.
      await cluster.stopServer('standby2');
      await acknowledging(1);
    }
  }, 120_000);

  it('synchronous-standby-missing: both readers of a Multi-AZ DB cluster stopped, every commit on the writer waits for an acknowledgment none gives', async () => {
    await cluster.stopServer('standby1');
    await acknowledging(0);
    // The condition itself: an application's commit waits, and would wait on.
    const application = new Client({ connectionString: cluster.primaryUrl, application_name: 'alarm-test' });
    application.on('error', () => {});
    await application.connect();
    try {
      const commit = application.query('CREATE TABLE public.alarm_waits_for_a_standby (id int)');
      expect(await Promise.race([commit.then(() => 'committed'), sleep(1_000).then(() => 'still waiting')])).toBe('still waiting');

      const alarm = definition('synchronous-standby-missing');
      const published = await periods(Math.max(alarm.evaluationPeriods, definition('health-check-failing').evaluationPeriods));
      const { state, datapoints, threshold } = alarmOn(alarm.condition, { role: 'primary' }, published.slice(-alarm.evaluationPeriods));
      expect([state, datapoints, threshold]).toEqual(['ALARM', [1, 1], 1]);
      // The health check's own heartbeat commits without waiting: the writer is read, not reported unreachable.
      expect(alarmOn('health-check-failing', { role: 'primary' }, published).state).toBe('OK');
    } finally {
      await writer.query(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'alarm-test' AND wait_event = 'SyncRep'`);
      await application.end().catch(() => {});
    }
  }, 60_000);
});

/** Drops the partitions of analytics_events that start after now: all, or only the last one. */
async function dropPremadePartitions(which: 'all' | 'last'): Promise<void> {
  const { rows } = await admin.query<{ partition: string }>(`
    SELECT c.oid::regclass::text AS partition
    FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), $$FROM \\('([^']+)'\\)$$))[1]::timestamptz AS starts) AS b
    WHERE i.inhparent = 'public.analytics_events'::regclass AND b.starts > now()
    ORDER BY b.starts DESC`);
  for (const { partition } of which === 'all' ? rows : rows.slice(0, 1)) await admin.query(`DROP TABLE ${partition}`);
}

/** Until the deadlock counted by the failed session is visible in pg_stat_database (flushed at most once a second). */
async function statisticsFlushed(): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await admin.query(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`);
    if (Number(rows[0].deadlocks) > 0) return;
  }
  throw new Error('the deadlock was not counted within 10 s');
}

/** A TCP relay to `target` that holds every chunk the server sends for `delayMs`, in order. */
async function delayingRelay(target: string, delayMs: number): Promise<{ address: string; close: () => Promise<void> }> {
  const [host, port] = [target.split(':')[0], Number(target.split(':')[1])];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => (socket === client ? upstream : client).destroy());
    }
    client.pipe(upstream);
    upstream.on('data', (chunk) => setTimeout(() => client.writable && client.write(chunk), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: relayPort } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${relayPort}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
