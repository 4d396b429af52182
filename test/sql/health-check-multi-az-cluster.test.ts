// health_check() on an RDS Multi-AZ DB cluster, proven on the embedded PostgreSQL. AWS: the
// cluster replicates "using the DB engine's native replication capabilities", and
// "acknowledgment from at least one reader DB instance is required for a change to be committed"
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html).
// So the shape is a writer with two streaming hot standbys whose commits wait for either one
// (synchronous_standby_names = 'ANY 1 (...)'). Its readers' lag is the standby replay signal read
// replicas of instances already give; what differs is the writer, which waits for them: with no
// reader acknowledging, every commit waits (statement_timeout does not end the wait), and a
// commit cancelled is reported committed with only a warning, so no write failure shows it.
// health_check() reports on such a writer how many standbys acknowledge and how many more it needs.
//
// The server says it is a Multi-AZ DB cluster by rds_tools.multi_az_db_cluster_source_dbi_resource_id(),
// as AWS's own drivers tell one (aws/aws-advanced-jdbc-wrapper, RdsMultiAzDbClusterPgDialect);
// the test's fresh databases get it. AWS does not document which setting makes the writer wait:
// a writer that names no synchronous standby is reported blind there.
import type { Client } from 'pg';
import { HEARTBEAT_SQL } from '../../lib/functions/health-check';
import { HEALTH_CHECK_ROW_METRICS, type HealthCheckRowMetric } from '../../lib/observability/contract';
import { MULTI_AZ_CLUSTER_FUNCTIONS, MULTI_AZ_CLUSTER_SYNCHRONOUS_STANDBY_NAMES } from '../support/multi-az-cluster';
import { startTestReplicaSet, type TestReplicaSet } from '../support/replica-pair';
import { migratedReplicaSetDatabase, type ReplicaSetDatabase } from '../support/replica-set-database';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';

type Metrics = Map<string, { value: number | null; unit: string }>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthCheck(session: Client): Promise<Metrics> {
  const { rows } = await session.query<{ metric: string; value: number | null; unit: string }>('SELECT metric, value, unit FROM data_tier.health_check()');
  return new Map(rows.map((row) => [row.metric, { value: row.value, unit: row.unit }]));
}

const standbyRows = (metrics: Metrics) => [...metrics].filter(([metric]) => metric.startsWith('synchronous_standbys'));

/** Rows whose unit is not the contract's, or reported where the contract does not say. */
function offContract(metrics: Metrics, synchronousWriter: boolean): string[] {
  const contract: Record<string, HealthCheckRowMetric | undefined> = HEALTH_CHECK_ROW_METRICS;
  return [...metrics].flatMap(([row, { unit }]) => {
    const metric = contract[row.split(':')[0]];
    if (!metric) return [`${row}: not in the contract`];
    return [
      ...(metric.unit === unit ? [] : [`${row}: ${unit}, the contract says ${metric.unit}`]),
      ...(metric.only === 'synchronous-writer' && !synchronousWriter ? [`${row}: reported by other than a synchronous writer`] : []),
    ];
  });
}

describe("health_check() on a Multi-AZ DB cluster: a writer and two readers, commits waiting for either", () => {
  let servers: TestReplicaSet;
  let db: ReplicaSetDatabase;
  let writer: Client;
  let readers: Client[];

  /** The writer's rows once synchronous_standbys is `count`. */
  async function writerWith(count: number): Promise<Metrics> {
    for (const deadline = Date.now() + 20_000; ; await sleep(50)) {
      const metrics = await healthCheck(writer);
      if (metrics.get('synchronous_standbys')?.value === count) return metrics;
      if (Date.now() > deadline) throw new Error(`synchronous_standbys is not ${count}: ${JSON.stringify(standbyRows(metrics))}`);
    }
  }

  beforeAll(async () => {
    servers = await startTestReplicaSet({ standbys: 2, synchronousStandbyNames: MULTI_AZ_CLUSTER_SYNCHRONOUS_STANDBY_NAMES });
    db = await migratedReplicaSetDatabase(servers, 'multi_az');
    writer = db.writer;
    await writer.query(MULTI_AZ_CLUSTER_FUNCTIONS);
    await writer.query('CREATE TABLE public.multi_az_writes (id int)');
    readers = await Promise.all(servers.standbyUrls.map((url) => db.connect(url)));
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await servers?.stop();
  });

  it('reports on the writer both readers acknowledging and none missing (ANY 1 needs one), in the contract’s unit', async () => {
    const metrics = await writerWith(2);
    expect(metrics.get('synchronous_standbys')).toEqual({ value: 2, unit: 'Count' });
    expect(metrics.get('synchronous_standbys_missing')).toEqual({ value: 0, unit: 'Count' });
    expect(metrics.get('is_replica')?.value).toBe(0);
    expect(metrics.get('replication_lag_seconds')?.value).toBe(0);
    expect(offContract(metrics, true)).toEqual([]);
  });

  it('reports on each reader the replay lag of a read replica (they are hot standbys), and no standby rows', async () => {
    // Replay paused on the second reader while the writer commits: the first still acknowledges.
    await readers[1].query('SELECT pg_wal_replay_pause()');
    try {
      await writer.query(`SELECT data_tier.record_heartbeat('multi-az test')`);
      await sleep(1_200);
      for (const [i, reader] of readers.entries()) {
        const metrics = await healthCheck(reader);
        expect([i, metrics.get('is_replica')?.value]).toEqual([i, 1]);
        expect(standbyRows(metrics)).toEqual([]);
        expect(offContract(metrics, false)).toEqual([]);
      }
      expect((await healthCheck(readers[1])).get('replication_lag_seconds')?.value).toBeGreaterThanOrEqual(1);
    } finally {
      await readers[1].query('SELECT pg_wal_replay_resume()');
    }
    for (const deadline = Date.now() + 10_000; (await healthCheck(readers[1])).get('replication_lag_seconds')?.value !== 0; await sleep(50)) {
      if (Date.now() > deadline) throw new Error('the second reader did not catch up');
    }
  });

  it('with one reader stopped: one acknowledging, none missing, and commits still complete', async () => {
    await servers.stopServer('standby2');
    const metrics = await writerWith(1);
    expect(metrics.get('synchronous_standbys_missing')?.value).toBe(0);
    const started = Date.now();
    await writer.query(`SELECT data_tier.record_heartbeat('multi-az test')`);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("with both readers stopped: none acknowledging, one missing; an application's commit waits, the health check's heartbeat does not", async () => {
    await servers.stopServer('standby1');
    const metrics = await writerWith(0);
    expect(metrics.get('synchronous_standbys_missing')).toEqual({ value: 1, unit: 'Count' });

    // An application's commit waits for a reader, and its statement_timeout does not end the wait.
    const application = await db.connect(servers.primaryUrl);
    const warnings: string[] = [];
    application.on('notice', (notice: { message?: string }) => warnings.push(notice.message ?? ''));
    await application.query(`SET statement_timeout = '300ms'`);
    const { rows: [{ pid }] } = await application.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const commit = application.query('INSERT INTO public.multi_az_writes VALUES (1)');
    expect(await Promise.race([commit.then(() => 'committed'), sleep(1_500).then(() => 'still waiting')])).toBe('still waiting');

    // The health check's heartbeat commits without waiting for standbys, so health_check() is read after it.
    const started = Date.now();
    await writer.query(HEARTBEAT_SQL, ['health-check']);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await healthCheck(writer)).get('heartbeat_age_seconds')?.value).toBeLessThan(1);

    // Cancelled, the waiting commit reports success with a warning only: no error any write check could count.
    await writer.query('SELECT pg_cancel_backend($1)', [pid]);
    await expect(commit).resolves.toBeDefined();
    expect(warnings).toContain('canceling wait for synchronous replication due to user request');
  });
});

describe("health_check() on a Multi-AZ DB cluster's writer whose settings name no synchronous standby", () => {
  let db: TestDatabase;
  let session: Client;
  beforeAll(async () => {
    db = await migratedDatabase('multi_az_blind');
    session = await db.connect();
    await session.query(MULTI_AZ_CLUSTER_FUNCTIONS);
  });
  afterAll(() => db.drop());

  it('reports both standby rows NULL: AWS says its commits wait for a reader, PostgreSQL does not say for which (blind, never 0)', async () => {
    const metrics = await healthCheck(session);
    expect(await session.query('SHOW synchronous_standby_names').then((r) => r.rows[0].synchronous_standby_names)).toBe('');
    expect(standbyRows(metrics)).toEqual([
      ['synchronous_standbys', { value: null, unit: 'Count' }],
      ['synchronous_standbys_missing', { value: null, unit: 'Count' }],
    ]);
    expect(offContract(metrics, true)).toEqual([]);
  });
});
