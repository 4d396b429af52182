import net from 'node:net';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Client } from 'pg';
import { closeConnections, handler, parseReplicas } from '../../lib/functions/health-check';
import type { TestDatabase } from '../support/database';
import {
  SECRET_ARN, acceptMetrics, backendPids, captureConsole, cloudwatch, dataNamed, dimensionsOf, endpointOf, handlerDatabase,
  publishedData, putMetricDataCalls, startRun, tearDown, valueOf,
} from './handler-fixtures';

const PRIMARY = { Environment: 'dev', DBInstance: 'data-tier-primary', Role: 'primary' };
const REPLICA = { Environment: 'dev', DBInstance: 'data-tier-replica-b', Role: 'replica' };
/** Nothing listens on port 1. */
const CLOSED_PORT = '127.0.0.1:1';

let db: TestDatabase;
let sql: Client;
let output: ReturnType<typeof captureConsole>;

beforeAll(async () => {
  ({ db, sql } = await handlerDatabase('health_handler'));
});
beforeEach(() => {
  Object.assign(process.env, {
    DB_SECRET_ARN: SECRET_ARN,
    PRIMARY_HOST: endpointOf(db),
    PRIMARY_INSTANCE_ID: PRIMARY.DBInstance,
    REPLICAS: '',
    METRIC_NAMESPACE: 'DataTier',
    ENVIRONMENT: 'dev',
    PROBE_COUNT: '20',
    DB_TLS: 'disable',
    CONNECT_TIMEOUT_MS: '1000',
  });
  output = startRun();
});
afterEach(() => output.restore());
afterAll(() => tearDown(db, closeConnections));

interface HealthRow {
  metric: string;
  value: number;
  unit: string;
}

async function healthCheckRows(): Promise<HealthRow[]> {
  return (await sql.query<HealthRow>('SELECT metric, value, unit FROM data_tier.health_check()')).rows;
}

/** A health_check() row as the handler should publish it: `name:object` becomes dimension Object. */
function expectedDatum(row: HealthRow, dimensions: Record<string, string>) {
  const [name, object] = row.metric.split(/:(.*)/);
  return { MetricName: name, Unit: row.unit, Dimensions: { ...dimensions, ...(object ? { Object: object } : {}) } };
}

/** Metrics that move between two calls a moment apart (sessions, clocks, cluster-wide counters). */
const MOVING = new Set([
  'connections', 'connections_used_pct', 'sessions_active', 'sessions_idle_in_transaction', 'longest_transaction_seconds',
  'lock_waits_over_1s', 'transaction_id_age', 'transaction_id_wraparound_pct', 'cache_hit_ratio_pct', 'heartbeat_age_seconds',
  'matview_staleness_seconds', 'matview_overdue_seconds', 'matview_staleness_seconds_max', 'matview_overdue_seconds_max', 'dead_tuple_pct', 'dead_tuple_pct_max',
]);

/** Per-table rows for the 5 most written tables: which tables those are changes with every write. */
const TOP_TABLES = /^dead_tuple_pct:/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the health-check handler on the primary', () => {
  it('publishes every health_check() row under its own name, unit and dimensions, with the same values', async () => {
    await handler();
    const direct = (await healthCheckRows()).filter((row) => !TOP_TABLES.test(row.metric));

    const published = publishedData().filter((d) => !['health_check_failed', 'primary_write_failed', 'query_latency'].includes(d.MetricName!));
    const asRows = published.filter((d) => !TOP_TABLES.test(`${d.MetricName}:${dimensionsOf(d).Object}`));
    expect(asRows.map((d) => ({ MetricName: d.MetricName, Unit: d.Unit, Dimensions: dimensionsOf(d) }))).toEqual(
      direct.map((row) => expectedDatum(row, PRIMARY)),
    );
    direct.forEach((row, i) => {
      const value = asRows[i].Value!;
      if (MOVING.has(expectedDatum(row, PRIMARY).MetricName)) expect([row.metric, Number.isFinite(value)]).toEqual([row.metric, true]);
      else expect([row.metric, value]).toEqual([row.metric, row.value]);
    });
    expect(valueOf('partitions_ahead', { ...PRIMARY, Object: 'public.analytics_events' })).toBe(6);
    expect(valueOf('is_replica', PRIMARY)).toBe(0);
  });

  it('reports health_check_failed = 0 and sends everything in one PutMetricData call', async () => {
    await handler();

    expect(dataNamed('health_check_failed')).toEqual([expect.objectContaining({ Value: 0, Unit: 'Count' })]);
    expect(dimensionsOf(dataNamed('health_check_failed')[0])).toEqual(PRIMARY);
    expect(putMetricDataCalls()).toHaveLength(1);
    expect(putMetricDataCalls()[0].Namespace).toBe('DataTier');
  });

  it('publishes PROBE_COUNT probe latencies as raw samples (Values/Counts) in milliseconds', async () => {
    process.env.PROBE_COUNT = '7';
    await handler();

    const [latency, ...more] = dataNamed('query_latency');
    expect(more).toEqual([]);
    expect(latency).toMatchObject({ Unit: 'Milliseconds', Values: expect.any(Array), Counts: expect.any(Array) });
    expect(latency.Value).toBeUndefined();
    expect(dimensionsOf(latency)).toEqual(PRIMARY);
    expect(latency.Counts!.reduce((sum, count) => sum + count, 0)).toBe(7);
    for (const ms of latency.Values!) expect(ms).toBeGreaterThan(0);
  });

  it('writes the heartbeat, as health-check', async () => {
    await sql.query(`UPDATE data_tier.heartbeat SET beat_at = now() - interval '1 hour', written_by = 'test'`);

    await handler();

    const { rows } = await sql.query(`SELECT written_by, extract(epoch FROM now() - beat_at) AS age FROM data_tier.heartbeat`);
    expect(rows).toEqual([{ written_by: 'health-check', age: expect.any(String) }]);
    expect(Number(rows[0].age)).toBeLessThan(5);
    expect(valueOf('heartbeat_age_seconds', PRIMARY)).toBeLessThan(5);
    expect(dataNamed('primary_write_failed')).toEqual([expect.objectContaining({ Value: 0, Unit: 'Count' })]);
    expect(dimensionsOf(dataNamed('primary_write_failed')[0])).toEqual(PRIMARY);
  });

  it('keeps its connection for the next invocation', async () => {
    await handler();
    const before = await backendPids(sql, 'health-check primary');
    await handler();

    expect(before).toHaveLength(1);
    expect(await backendPids(sql, 'health-check primary')).toEqual(before);
  });

  it('reconnects when its connection was closed between invocations', async () => {
    await handler();
    const [pid] = await backendPids(sql, 'health-check primary');
    await sql.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
    acceptMetrics();

    await handler();

    expect(valueOf('health_check_failed', PRIMARY)).toBe(0);
    const after = await backendPids(sql, 'health-check primary');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(pid);
  });

  it('throws when CloudWatch refuses the metrics, so the function errors', async () => {
    cloudwatch.on(PutMetricDataCommand).rejects(new Error('AccessDenied: not authorized to perform cloudwatch:PutMetricData'));

    await expect(handler()).rejects.toThrow(/PutMetricData failed for 1 of 1 calls to namespace DataTier: AccessDenied/);
  });
});

describe('a replica target', () => {
  it('is reported under Role=replica and its own DBInstance, with the same metrics as the primary', async () => {
    process.env.REPLICAS = `${REPLICA.DBInstance}=${endpointOf(db)}`;

    await handler();

    const reportedBy = (instance: string) => publishedData().filter((d) => dimensionsOf(d).DBInstance === instance);
    const names = (instance: string) => [...new Set(reportedBy(instance).map((d) => d.MetricName))].sort();
    // The same database twice: the replica path reports what the primary path does, but for the write.
    expect(names(REPLICA.DBInstance)).toEqual(names(PRIMARY.DBInstance).filter((name) => name !== 'primary_write_failed'));
    expect(names(REPLICA.DBInstance)).toEqual(expect.arrayContaining(['health_check_failed', 'query_latency', 'partitions_ahead']));
    for (const datum of reportedBy(REPLICA.DBInstance)) expect(dimensionsOf(datum)).toMatchObject(REPLICA);
    expect(valueOf('health_check_failed', REPLICA)).toBe(0);
    expect(dataNamed('query_latency', REPLICA)[0].Counts!.reduce((a, b) => a + b)).toBe(20);
  });

  it('writes nothing: with the primary down, the heartbeat stays as it was', async () => {
    process.env.PRIMARY_HOST = CLOSED_PORT;
    process.env.REPLICAS = `${REPLICA.DBInstance}=${endpointOf(db)}`;
    await sql.query(`UPDATE data_tier.heartbeat SET beat_at = '2026-01-01T00:00:00Z', written_by = 'test'`);

    await handler();

    const { rows } = await sql.query(`SELECT written_by, beat_at FROM data_tier.heartbeat`);
    expect(rows).toEqual([{ written_by: 'test', beat_at: new Date('2026-01-01T00:00:00Z') }]);
    expect(valueOf('health_check_failed', REPLICA)).toBe(0);
    expect(valueOf('health_check_failed', PRIMARY)).toBe(1);
    // An unreachable primary is health_check_failed, not a failed write.
    expect(dataNamed('primary_write_failed')).toEqual([]);
  });
});

describe('an unreachable database', () => {
  it('yields health_check_failed = 1, one structured error line and no throw, within a few seconds', async () => {
    process.env.PRIMARY_HOST = CLOSED_PORT;
    const started = Date.now();

    const result = await handler();

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.targets).toEqual([expect.objectContaining({ role: 'primary', healthy: false })]);
    expect(publishedData()).toEqual([expect.objectContaining({ MetricName: 'health_check_failed', Value: 1, Unit: 'Count' })]);
    expect(dimensionsOf(publishedData()[0])).toEqual(PRIMARY);
    const errors = output.lines('error');
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0])).toEqual({
      level: 'error',
      target: PRIMARY.DBInstance,
      role: 'primary',
      host: CLOSED_PORT,
      error: expect.stringMatching(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1 as \w+: .*ECONNREFUSED/),
    });
  });

  it('gives up on a server that accepts but never answers after CONNECT_TIMEOUT_MS', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    process.env.PRIMARY_HOST = `127.0.0.1:${port}`;
    process.env.CONNECT_TIMEOUT_MS = '300';
    try {
      const started = Date.now();
      await handler();

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(valueOf('health_check_failed', PRIMARY)).toBe(1);
      expect(JSON.parse(output.lines('error')[0]).error).toMatch(/timeout/i);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('does not stop the other targets from reporting', async () => {
    process.env.REPLICAS = `data-tier-replica-c=${CLOSED_PORT},${REPLICA.DBInstance}=${endpointOf(db)}`;

    await handler();

    expect(valueOf('health_check_failed', PRIMARY)).toBe(0);
    expect(valueOf('health_check_failed', REPLICA)).toBe(0);
    expect(valueOf('health_check_failed', { DBInstance: 'data-tier-replica-c', Role: 'replica' })).toBe(1);
    expect(output.lines('error')).toHaveLength(1);
  });
});

describe('a lock wait', () => {
  it('longer than 1 s shows up as lock_waits_over_1s on the primary', async () => {
    await sql.query('CREATE TABLE IF NOT EXISTS lock_target (id bigint)');
    const holder = await db.connect();
    const waiter = await db.connect();
    await holder.query('BEGIN; LOCK TABLE lock_target IN ACCESS EXCLUSIVE MODE');
    await waiter.query(`SET lock_timeout = '10s'`);
    const waiting = waiter.query('SELECT count(*) FROM lock_target');
    try {
      await sleep(1_200);
      await handler();
    } finally {
      await holder.query('ROLLBACK');
      await waiting;
    }

    expect(valueOf('lock_waits_over_1s', PRIMARY)).toBeGreaterThanOrEqual(1);
  });
});

describe('a statement stuck on a lock', () => {
  it('is cancelled by statement_timeout (half the time left to the target), logged, and the check goes on', async () => {
    const holder = await db.connect();
    await holder.query('BEGIN; SELECT * FROM data_tier.heartbeat FOR UPDATE');
    // A new container (sessions take their statement_timeout when they connect) with 14 s left
    // in the Lambda, 10 s kept for publishing: 4 s for the targets, 2 s per statement.
    await closeConnections();
    const started = Date.now();
    try {
      await handler(undefined, { getRemainingTimeInMillis: () => 14_000 });
    } finally {
      await holder.query('ROLLBACK');
      await closeConnections();
    }

    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(output.lines('error').map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ target: PRIMARY.DBInstance, step: 'record_heartbeat', code: '57014', error: 'canceling statement due to statement timeout' }),
    ]);
    expect(valueOf('primary_write_failed', PRIMARY)).toBe(1);
    expect(valueOf('health_check_failed', PRIMARY)).toBe(0);
    expect(dataNamed('query_latency', PRIMARY)[0].Counts!.reduce((a, b) => a + b)).toBe(20);
  });
});

describe('a primary that refuses writes', () => {
  it('reports primary_write_failed = 1 on the first run, and the SQLSTATE in the log, while health_check() still answers', async () => {
    await sql.query(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    // The setting applies to sessions that start after it: a new container's.
    await closeConnections();
    try {
      await handler();
    } finally {
      await sql.query(`ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
      await closeConnections();
    }

    expect(valueOf('primary_write_failed', PRIMARY)).toBe(1);
    expect(output.lines('error').map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ target: PRIMARY.DBInstance, step: 'record_heartbeat', code: '25006', error: 'cannot execute INSERT in a read-only transaction' }),
    ]);
    expect(valueOf('health_check_failed', PRIMARY)).toBe(0);

    acceptMetrics();
    await handler();
    expect(valueOf('primary_write_failed', PRIMARY)).toBe(0);
  });
});

describe('configuration', () => {
  it('reads REPLICAS as comma-separated instanceId=host[:port] pairs, empty meaning none', () => {
    expect(parseReplicas('')).toEqual([]);
    expect(parseReplicas(' db-b=b.example.internal , db-c=c.example.internal:5433 ')).toEqual([
      { role: 'replica', instanceId: 'db-b', host: 'b.example.internal' },
      { role: 'replica', instanceId: 'db-c', host: 'c.example.internal:5433' },
    ]);
    expect(() => parseReplicas('b.example.internal')).toThrow('REPLICAS: "b.example.internal" is not instanceId=host');
  });

  it('names a missing variable', async () => {
    delete process.env.PRIMARY_INSTANCE_ID;

    await expect(handler()).rejects.toThrow('PRIMARY_INSTANCE_ID is not set');
  });
});
