// health_check() on Aurora PostgreSQL, proven on the embedded PostgreSQL: a fresh database of a
// primary and a hot standby of the test's own gets the functions Aurora adds, with the columns
// AWS documents and rows the test chooses, and health_check() must read this instance's lag from
// them in the contract's unit (Seconds; Aurora says milliseconds), 0 on the writer, and NULL
// (blind, never 0) wherever Aurora does not say.
//   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_replica_status.html
//   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_global_db_instance_status.html
//   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_db_instance_identifier.html
//   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_version.html
// The functions live in pg_catalog, where Aurora has them (AWS's own drivers call
// pg_catalog.aurora_replica_status()); pg_catalog's functions belong to one database, so no
// other test's database sees them. Which instance this is comes from a session setting, so one
// session can be the writer or any reader; the standby is in recovery, as an Aurora reader is.
import type { Client } from 'pg';
import { HEALTH_CHECK_ROW_METRICS } from '../../lib/observability/contract';
import { startTestReplicaSet, type TestReplicaSet } from '../support/replica-pair';
import { migratedReplicaSetDatabase, type ReplicaSetDatabase } from '../support/replica-set-database';

/** What Aurora PostgreSQL adds to pg_catalog, as its documentation gives them; rows from tables the test fills. */
const AURORA_FUNCTIONS = `
  CREATE SCHEMA aurora_fake;
  -- aurora_replica_status(): the documented columns in the documented order (types are not documented).
  CREATE TABLE aurora_fake.replica_status (
    server_id text, session_id text, durable_lsn bigint, highest_lsn_rcvd bigint, current_read_lsn bigint,
    cur_replay_latency_in_usec bigint, active_txns integer, is_current boolean, last_transport_error integer,
    last_error_timestamp timestamptz, last_update_timestamp timestamptz, feedback_xmin bigint, feedback_epoch integer,
    replica_lag_in_msec real, log_stream_speed_in_kib_per_second real, log_buffer_sequence_number bigint,
    oldest_read_view_trx_id bigint, oldest_read_view_lsn bigint, pending_read_ios bigint, read_ios bigint, iops integer, cpu real
  );
  CREATE FUNCTION pg_catalog.aurora_replica_status() RETURNS SETOF aurora_fake.replica_status
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT * FROM aurora_fake.replica_status $$;
  -- aurora_global_db_instance_status(): made by the global database's test only.
  CREATE TABLE aurora_fake.global_db_instance_status (
    server_id text, session_id text, aws_region text, durable_lsn bigint, highest_lsn_rcvd bigint,
    feedback_epoch integer, feedback_xmin bigint, oldest_read_view_lsn bigint, visibility_lag_in_msec real
  );
  -- The instance a session is connected to: the session's choice (aurora_fake.instance_id).
  CREATE FUNCTION pg_catalog.aurora_db_instance_identifier() RETURNS varchar
    LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('aurora_fake.instance_id', true), '') $$;
  CREATE FUNCTION pg_catalog.aurora_version() RETURNS varchar LANGUAGE sql IMMUTABLE AS $$ SELECT '17.4.0'::varchar $$;
  -- As built-in functions, anyone may call them (the tier's migrations revoke that by default).
  GRANT EXECUTE ON FUNCTION pg_catalog.aurora_replica_status(), pg_catalog.aurora_db_instance_identifier(), pg_catalog.aurora_version() TO PUBLIC;
`;

const CREATE_GLOBAL_STATUS = `
  CREATE FUNCTION pg_catalog.aurora_global_db_instance_status() RETURNS SETOF aurora_fake.global_db_instance_status
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT * FROM aurora_fake.global_db_instance_status $$;
  GRANT EXECUTE ON FUNCTION pg_catalog.aurora_global_db_instance_status() TO PUBLIC`;

interface ReplicaStatusRow {
  readonly server_id: string;
  readonly session_id: string;
  readonly replica_lag_in_msec: number | null;
  /** Age of last_update_timestamp; null: NULL, as for the instance asked from Aurora PostgreSQL 13.9. */
  readonly updated_seconds_ago: number | null;
}

const WRITER = 'docs-lab-apg-instance-1';
const READER = 'docs-lab-apg-instance-2';
const SLOW_READER = 'docs-lab-apg-instance-3';
const READER_WITHOUT_LAG = 'docs-lab-apg-instance-4';
const STALE_READER = 'docs-lab-apg-instance-5';
const UNLISTED = 'docs-lab-apg-instance-9';

/** The cluster as the writer's aurora_replica_status() shows it in AWS's example: the writer's lag NULL. */
const CLUSTER: readonly ReplicaStatusRow[] = [
  { server_id: WRITER, session_id: 'MASTER_SESSION_ID', replica_lag_in_msec: null, updated_seconds_ago: 1.756 },
  { server_id: READER, session_id: '4ecff34d-d57c-409c-ba28-278b31d6fc40', replica_lag_in_msec: 1500, updated_seconds_ago: null },
  { server_id: SLOW_READER, session_id: '3e8a20fc-be86-43d5-95e5-bdf19d27ad6b', replica_lag_in_msec: 20, updated_seconds_ago: 1.756 },
  { server_id: READER_WITHOUT_LAG, session_id: 'fc1b0023-e8b4-4361-bede-2a7e926cead6', replica_lag_in_msec: null, updated_seconds_ago: 1.756 },
  { server_id: STALE_READER, session_id: '30319b74-3f08-4e13-9728-e02aa1aa8649', replica_lag_in_msec: 13, updated_seconds_ago: 600 },
];

let servers: TestReplicaSet;
let db: ReplicaSetDatabase;
/** The fresh database on the primary, as the master user. */
let writer: Client;
/** The same database on the hot standby. */
let reader: Client;

const replayed = () => db.replayedOn(reader);

async function setReplicaStatus(rows: readonly ReplicaStatusRow[]): Promise<void> {
  await writer.query('TRUNCATE aurora_fake.replica_status');
  for (const row of rows) {
    await writer.query(
      `INSERT INTO aurora_fake.replica_status (server_id, session_id, replica_lag_in_msec, last_update_timestamp, is_current, cpu)
       VALUES ($1, $2, $3, clock_timestamp() - make_interval(secs => $4), true, 0.5)`,
      [row.server_id, row.session_id, row.replica_lag_in_msec, row.updated_seconds_ago],
    );
  }
  await replayed();
}

/** health_check() in `session` connected as the Aurora instance `instanceId` (none: the identifier answers NULL). */
async function healthCheckAs(session: Client, instanceId: string | null): Promise<Map<string, { value: number | null; unit: string }>> {
  await session.query(`SELECT set_config('aurora_fake.instance_id', $1, false)`, [instanceId ?? '']);
  const { rows } = await session.query<{ metric: string; value: number | null; unit: string }>('SELECT metric, value, unit FROM data_tier.health_check()');
  return new Map(rows.map((row) => [row.metric, { value: row.value, unit: row.unit }]));
}

async function lagAs(session: Client, instanceId: string | null): Promise<number | null | undefined> {
  return (await healthCheckAs(session, instanceId)).get('replication_lag_seconds')?.value;
}

/** Rows whose unit is not the contract's. */
function offContract(metrics: Map<string, { unit: string }>): string[] {
  const contract: Record<string, { unit: string } | undefined> = HEALTH_CHECK_ROW_METRICS;
  return [...metrics].filter(([metric, { unit }]) => contract[metric.split(':')[0]]?.unit !== unit).map(([metric, { unit }]) => `${metric} ${unit}`);
}

beforeAll(async () => {
  // The writer has synchronous_standby_names set: Aurora must not report standbys for it anyway.
  servers = await startTestReplicaSet({ synchronousStandbyNames: 'alarm_standby' });
  db = await migratedReplicaSetDatabase(servers, 'aurora');
  writer = db.writer;
  await writer.query(AURORA_FUNCTIONS);
  reader = await db.connect(servers.standbyUrls[0]);
  await setReplicaStatus(CLUSTER);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await servers?.stop();
});

describe('health_check() on Aurora PostgreSQL (its functions made on the embedded PostgreSQL)', () => {
  it('reports the writer, whose row says MASTER_SESSION_ID, 0 behind itself like any primary, and no synchronous standbys', async () => {
    const metrics = await healthCheckAs(writer, WRITER);
    expect(metrics.get('is_replica')).toEqual({ value: 0, unit: 'None' });
    expect(metrics.get('replication_lag_seconds')).toEqual({ value: 0, unit: 'Seconds' });
    // synchronous_standby_names is set on this server, but Aurora's commits wait on its storage.
    expect([...metrics.keys()].filter((metric) => metric.startsWith('synchronous_standbys'))).toEqual([]);
    expect(offContract(metrics)).toEqual([]);
  });

  it("reports a reader's replica_lag_in_msec in the contract's unit, Seconds: 1500 ms is 1.5, 20 ms is 0.02", async () => {
    const metrics = await healthCheckAs(reader, READER);
    expect(metrics.get('is_replica')).toEqual({ value: 1, unit: 'None' });
    expect(metrics.get('replication_lag_seconds')).toEqual({ value: 1.5, unit: 'Seconds' });
    expect(HEALTH_CHECK_ROW_METRICS.replication_lag_seconds.unit).toBe('Seconds');
    expect(await lagAs(reader, SLOW_READER)).toBeCloseTo(0.02, 6);
    expect(offContract(metrics)).toEqual([]);
  });

  it('follows the rows as Aurora changes them', async () => {
    await setReplicaStatus(CLUSTER.map((row) => (row.server_id === READER ? { ...row, replica_lag_in_msec: 250 } : row)));
    expect(await lagAs(reader, READER)).toBe(0.25);
    await setReplicaStatus(CLUSTER);
    expect(await lagAs(reader, READER)).toBe(1.5);
  });

  it('reads them as data_tier_monitor, the role the health check signs in as', async () => {
    await reader.query('SET ROLE data_tier_monitor');
    try {
      expect(await lagAs(reader, READER)).toBe(1.5);
    } finally {
      await reader.query('RESET ROLE');
    }
  });

  describe('is blind (NULL, never 0) on a reader', () => {
    it('whose replica_lag_in_msec Aurora leaves NULL', async () => {
      expect(await lagAs(reader, READER_WITHOUT_LAG)).toBeNull();
    });

    it('whose status was last updated 10 minutes ago (AWS’s drivers drop rows older than 5 minutes)', async () => {
      expect(await lagAs(reader, STALE_READER)).toBeNull();
    });

    it('that aurora_replica_status() does not list, or whose identifier Aurora does not give', async () => {
      expect(await lagAs(reader, UNLISTED)).toBeNull();
      expect(await lagAs(reader, null)).toBeNull();
    });

    it('when Aurora refuses aurora_replica_status() to the monitor role: every other row is still reported', async () => {
      await writer.query('REVOKE EXECUTE ON FUNCTION pg_catalog.aurora_replica_status() FROM PUBLIC');
      await replayed();
      await reader.query('SET ROLE data_tier_monitor');
      try {
        const metrics = await healthCheckAs(reader, READER);
        expect(metrics.get('replication_lag_seconds')).toEqual({ value: null, unit: 'Seconds' });
        const others = [...metrics].filter(([metric]) => metric !== 'replication_lag_seconds');
        expect(others.length).toBeGreaterThan(10);
        expect(others.filter(([, { value }]) => !Number.isFinite(value))).toEqual([]);
        // The writer is never blind about itself: its lag is 0 by definition.
        await writer.query('SET ROLE data_tier_monitor');
        expect(await lagAs(writer, WRITER)).toBe(0);
      } finally {
        await reader.query('RESET ROLE');
        await writer.query('RESET ROLE');
        await writer.query('GRANT EXECUTE ON FUNCTION pg_catalog.aurora_replica_status() TO PUBLIC');
        await replayed();
      }
    });
  });

  describe('in an Aurora global database (aurora_global_db_instance_status() as well)', () => {
    beforeAll(async () => {
      await writer.query(CREATE_GLOBAL_STATUS);
      // AWS's example: the writer's visibility lag NULL; a reader of the primary Region; a reader
      // in a secondary Region, which the regional function does not list here.
      await writer.query(`
        INSERT INTO aurora_fake.global_db_instance_status (server_id, session_id, aws_region, durable_lsn, visibility_lag_in_msec) VALUES
          ('${WRITER}', 'MASTER_SESSION_ID', 'eu-west-1', 2534560273, NULL),
          ('${SLOW_READER}', '3e8a20fc-be86-43d5-95e5-bdf19d27ad6b', 'eu-west-1', 2534560266, 23),
          ('${READER}', '4ecff34d-d57c-409c-ba28-278b31d6fc40', 'eu-west-1', 2534560266, 996),
          ('db-119-001-global-instance-1', 'a331ffbb-d982-49ba-8973-527c96329c60', 'eu-central-1', 2534560254, 13)`);
      await replayed();
    });

    it('reports the larger of the two lags Aurora gives a reader, in seconds', async () => {
      expect(await lagAs(reader, READER)).toBe(1.5); // 1500 ms regional, 996 ms visibility
      expect(await lagAs(reader, SLOW_READER)).toBeCloseTo(0.023, 6); // 20 ms regional, 23 ms visibility
    });

    it('reports an instance of a secondary Region from its visibility lag', async () => {
      expect(await lagAs(reader, 'db-119-001-global-instance-1')).toBeCloseTo(0.013, 6);
    });

    it('still reports the writer 0', async () => {
      expect(await lagAs(writer, WRITER)).toBe(0);
    });
  });
});
