import type { Client } from 'pg';
import { DEFAULT_PARTITION_ROWS_COUNTED_UP_TO } from '../../lib/alarm-thresholds';
import { type CrashableServer, startCrashableServer } from '../support/crashable-server';
import type { TestDatabase } from '../support/database';
import { runMigrations } from '../../lib/functions/shared/migrations';
import { migratedDatabase, PROJECT_STREAMS } from './migrated-database';

let db: TestDatabase;
let client: Client;
beforeAll(async () => {
  db = await migratedDatabase('health');
  client = await db.connect();
});
afterAll(() => db.drop());

async function healthCheck(on: Client = client): Promise<Map<string, { value: number; unit: string }>> {
  const { rows } = await on.query<{ metric: string; value: number; unit: string }>('SELECT metric, value, unit FROM data_tier.health_check()');
  return new Map(rows.map((row) => [row.metric, { value: row.value, unit: row.unit }]));
}

async function metric(name: string, on: Client = client): Promise<number> {
  const found = (await healthCheck(on)).get(name);
  if (!found) throw new Error(`health_check() returned no ${name}`);
  return found.value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Makes this session's pending statistics visible to other sessions right away. */
async function flushStatistics(on: Client): Promise<void> {
  await on.query('SELECT pg_stat_force_next_flush()');
}

/** Rows dated 5 years ahead, past every premade partition, so they land in the default partition. */
async function insertIntoDefaultPartition(on: Client, rows: number): Promise<void> {
  await on.query(
    `INSERT INTO analytics_events (tenant_id, entity_id, event_type, created_at)
     SELECT gen_random_uuid(), gen_random_uuid(), 'far.future', now() + interval '5 years' FROM generate_series(1, $1)`,
    [rows],
  );
}

/** Live rows of the default partition by the cumulative statistics, which the old metric read. */
async function liveTuplesInStatistics(on: Client): Promise<number> {
  const { rows } = await on.query(`SELECT coalesce(sum(n_live_tup), 0)::int AS live FROM pg_stat_user_tables WHERE relid = 'analytics_events_default'::regclass`);
  return rows[0].live;
}

describe('data_tier.health_check()', () => {
  it('returns every documented metric with a CloudWatch unit and a finite value', async () => {
    const metrics = await healthCheck();

    expect([...metrics.keys()]).toEqual(
      expect.arrayContaining([
        'connections_used_pct', 'connections', 'sessions_active', 'sessions_idle_in_transaction',
        'longest_transaction_seconds', 'lock_waits_over_1s', 'deadlocks_total', 'deadlocks_since_last_call',
        'transaction_id_age', 'transaction_id_wraparound_pct', 'cache_hit_ratio_pct', 'is_replica',
        'replication_lag_seconds', 'heartbeat_age_seconds', 'partitions_ahead:public.analytics_events',
        'partitions_ahead_min', 'default_partition_rows:public.analytics_events', 'default_partition_rows',
        'matview_staleness_seconds:public.analytics_daily_rollup', 'matview_overdue_seconds:public.analytics_daily_rollup', 'matview_staleness_seconds_max', 'matview_overdue_seconds_max', 'dead_tuple_pct_max',
        'default_transaction_read_only', 'invalid_indexes',
      ]),
    );
    for (const [name, { value, unit }] of metrics) {
      expect([name, Number.isFinite(value)]).toEqual([name, true]);
      expect(['Percent', 'Count', 'Seconds', 'None']).toContain(unit);
    }
    expect(metrics.get('partitions_ahead_min')).toEqual({ value: 6, unit: 'Count' });
    expect(metrics.get('is_replica')?.value).toBe(0);
  });

  it('reads no data table but the default partitions, otherwise only catalogs, statistics and its own one-row tables', async () => {
    await client.query('BEGIN');
    await client.query('SELECT * FROM data_tier.health_check()');
    const { rows } = await client.query(
      `SELECT schemaname || '.' || relname AS table FROM pg_stat_xact_user_tables WHERE seq_scan + coalesce(idx_scan, 0) > 0 ORDER BY 1`,
    );
    await client.query('COMMIT');

    // The heartbeat read shows the view does see what the function reads.
    expect(rows.map((row) => row.table)).toContain('data_tier.heartbeat');
    for (const { table } of rows) {
      expect(['data_tier.heartbeat', 'data_tier.partitioned_parents', 'data_tier.materialized_view_refreshes', 'public.analytics_events_default']).toContain(table);
    }
  });

  it('writes nothing, so it runs in a read-only transaction like on a hot standby', async () => {
    await client.query('BEGIN READ ONLY');
    await expect(client.query('SELECT count(*) FROM data_tier.health_check()')).resolves.toBeDefined();
    await client.query('COMMIT');
  });

  describe('with one session holding a row lock in an open transaction and another waiting on it', () => {
    let holder: Client;
    let waiter: Client;
    let waiting: Promise<unknown>;
    let metrics: Map<string, { value: number; unit: string }>;
    beforeAll(async () => {
      holder = await db.connect();
      waiter = await db.connect();
      await holder.query('BEGIN');
      await holder.query(`UPDATE data_tier.heartbeat SET written_by = 'holder'`);
      await waiter.query(`SET statement_timeout = '5s'`);
      waiting = waiter.query(`UPDATE data_tier.heartbeat SET written_by = 'waiter'`);
      await sleep(1200);
      metrics = await healthCheck();
      await holder.query('ROLLBACK');
      await waiting;
    });

    it('reports the lock wait longer than 1 s', () => {
      expect(metrics.get('lock_waits_over_1s')?.value).toBe(1);
    });

    it('reports the long transaction and the idle-in-transaction session', () => {
      expect(metrics.get('longest_transaction_seconds')?.value).toBeGreaterThanOrEqual(1.2);
      expect(metrics.get('sessions_idle_in_transaction')?.value).toBe(1);
      expect(metrics.get('sessions_active')?.value).toBeGreaterThanOrEqual(1);
    });
  });

  it('reports a stale heartbeat, and a fresh one after record_heartbeat()', async () => {
    await client.query(`UPDATE data_tier.heartbeat SET beat_at = now() - interval '10 minutes'`);
    const stale = await metric('heartbeat_age_seconds');
    expect(stale).toBeGreaterThanOrEqual(600);
    expect(stale).toBeLessThan(610);

    await client.query(`SELECT data_tier.record_heartbeat('health-check test')`);
    expect(await metric('heartbeat_age_seconds')).toBeLessThan(1);
  });

  it('reports a missing future partition, a missing current one, and recovery after maintenance', async () => {
    const partition = async (monthsAhead: number) => {
      const { rows } = await client.query(
        `SELECT data_tier.qualified_name(partition_table) AS name FROM data_tier.partition_bounds('public.analytics_events')
         WHERE lower_bound = date_add(date_trunc('month', now(), 'UTC'), $1 * interval '1 month', 'UTC')`,
        [monthsAhead],
      );
      return rows[0].name as string;
    };

    await client.query(`DROP TABLE ${await partition(3)}`);
    expect(await metric('partitions_ahead:public.analytics_events')).toBe(2);
    expect(await metric('partitions_ahead_min')).toBe(2);

    await client.query(`DROP TABLE ${await partition(0)}`);
    expect(await metric('partitions_ahead:public.analytics_events')).toBe(-1);

    await client.query(`CALL data_tier.run_partition_maintenance(p_parent => 'public.analytics_events')`);
    expect(await metric('partitions_ahead_min')).toBe(6);
  });

  describe('rows in a default partition', () => {
    beforeEach(() => client.query('TRUNCATE analytics_events_default'));

    it('are reported', async () => {
      const writer = await db.connect();
      await insertIntoDefaultPartition(writer, 3);
      await flushStatistics(writer);

      expect(await metric('default_partition_rows:public.analytics_events')).toBe(3);
      expect(await metric('default_partition_rows')).toBe(3);
    });

    it('are still reported, exactly, after pg_stat_reset() has emptied the statistics', async () => {
      await insertIntoDefaultPartition(client, 2_500);
      await flushStatistics(client);
      await client.query('SELECT pg_stat_reset()');

      expect(await liveTuplesInStatistics(client)).toBe(0);
      expect(await metric('default_partition_rows:public.analytics_events')).toBe(2_500);
      expect(await metric('default_partition_rows')).toBe(2_500);
    });

    it('are counted up to the cap, which is reported as "at least that many"', async () => {
      await insertIntoDefaultPartition(client, DEFAULT_PARTITION_ROWS_COUNTED_UP_TO + 500);

      expect(await metric('default_partition_rows')).toBe(DEFAULT_PARTITION_ROWS_COUNTED_UP_TO);
    });

    it('are counted for data_tier_monitor, which cannot read the partition itself', async () => {
      await insertIntoDefaultPartition(client, 40);
      await client.query('SET ROLE data_tier_monitor');
      try {
        expect(await metric('default_partition_rows')).toBe(40);
        await expect(client.query('SELECT count(*) FROM analytics_events_default')).rejects.toThrow(/permission denied/);
      } finally {
        await client.query('RESET ROLE');
      }
    });

    it('are not counted while another session locks the partition: the count gives way instead of waiting', async () => {
      await insertIntoDefaultPartition(client, 5);
      const holder = await db.connect();
      await holder.query('BEGIN; LOCK TABLE analytics_events_default IN ACCESS EXCLUSIVE MODE');
      try {
        // Were it to wait, it would wait for good: the lock is released only after it returns.
        const { rows } = await client.query(`SELECT data_tier.qualified_name(parent_table) AS parent, row_count FROM data_tier.default_partition_row_counts()`);
        expect(rows).toEqual([{ parent: 'public.analytics_events', row_count: null }]);
      } finally {
        await holder.query('ROLLBACK');
      }
    });
  });

  describe('default_transaction_read_only', () => {
    afterEach(async () => {
      await client.query(`ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
      await client.query(`ALTER ROLE data_tier_monitor IN DATABASE ${db.name} RESET default_transaction_read_only`);
    });

    it('is 1 once the database is made read-only, in sessions that began before (which keep writing) and after', async () => {
      expect(await metric('default_transaction_read_only')).toBe(0);

      await client.query(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
      const startedAfter = await db.connect();

      expect(await metric('default_transaction_read_only')).toBe(1);
      await client.query(`SELECT data_tier.record_heartbeat('test')`);
      expect(await metric('default_transaction_read_only', startedAfter)).toBe(1);
      await expect(startedAfter.query(`SELECT data_tier.record_heartbeat('test')`)).rejects.toThrow('cannot execute INSERT in a read-only transaction');
    });

    it('is 0 when only one role reads by default, such as a reporting role', async () => {
      await client.query(`ALTER ROLE data_tier_monitor IN DATABASE ${db.name} SET default_transaction_read_only = on`);

      expect(await metric('default_transaction_read_only')).toBe(0);
    });
  });

  describe('invalid indexes', () => {
    it('reports the index a failed CREATE INDEX CONCURRENTLY leaves behind, and none once it is dropped', async () => {
      await client.query('CREATE TABLE duplicate_keys (k int); INSERT INTO duplicate_keys VALUES (1), (1)');
      await expect(client.query('CREATE UNIQUE INDEX CONCURRENTLY duplicate_keys_k ON duplicate_keys (k)')).rejects.toThrow(/could not create unique index/);

      expect(await metric('invalid_indexes')).toBe(1);

      await client.query('DROP INDEX duplicate_keys_k');
      expect(await metric('invalid_indexes')).toBe(0);
    });

    it.each([
      ['CREATE INDEX CONCURRENTLY', 'CREATE INDEX CONCURRENTLY busy_id ON busy (id)'],
      ['REINDEX CONCURRENTLY', 'REINDEX INDEX CONCURRENTLY busy_v'],
    ])('leaves out the invalid index a %s is building right now (as data_tier_monitor)', async (_command, statement) => {
      await client.query('DROP TABLE IF EXISTS busy; CREATE TABLE busy (id int, v int); CREATE INDEX busy_v ON busy (v)');
      const [writer, builder, monitor] = [await db.connect(), await db.connect(), await db.connect()];
      await monitor.query('SET ROLE data_tier_monitor');
      // An open write transaction on the table holds the build in its "waiting for writers" phase.
      await writer.query('BEGIN; INSERT INTO busy VALUES (1, 1)');
      const building = builder.query(statement);
      try {
        // The index is committed (and invalid) before this phase starts.
        await waitFor(
          async () =>
            (await client.query(`SELECT FROM pg_stat_progress_create_index WHERE relid = 'busy'::regclass AND phase = 'waiting for writers before build'`)).rowCount === 1,
        );
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'busy'::regclass AND NOT indisvalid`);
        expect(rows[0].n).toBe(1);

        expect(await metric('invalid_indexes', monitor)).toBe(0);
      } finally {
        await writer.query('COMMIT');
        await building;
      }
      expect(await metric('invalid_indexes', monitor)).toBe(0);
    });
  });

  it('counts default partitions through a SECURITY DEFINER helper with a fixed search_path that only the roles that call health_check() may run', async () => {
    const { rows } = await client.query(
      `SELECT p.prosecdef, p.proconfig, p.pronargs,
              array(SELECT a.grantee::regrole::text FROM aclexplode(p.proacl) AS a
                    WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner ORDER BY 1) AS executors
       FROM pg_proc AS p WHERE p.oid = 'data_tier.default_partition_row_counts()'::regprocedure`,
    );
    expect(rows).toEqual([{ prosecdef: true, proconfig: ['search_path=pg_catalog, pg_temp'], pronargs: 0, executors: ['data_tier_monitor', 'data_tier_operator'] }]);
  });

  it('reports materialized view staleness since the last refresh', async () => {
    await client.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '1 hour'`);
    expect(await metric('matview_staleness_seconds_max')).toBeGreaterThanOrEqual(3600);

    await client.query(`SELECT data_tier.refresh_materialized_view('public.analytics_daily_rollup')`);
    expect(await metric('matview_staleness_seconds:public.analytics_daily_rollup')).toBeLessThan(1);
  });

  it('reports how far past its own refresh interval each view is, so views with different intervals share one threshold', async () => {
    await client.query(`CREATE MATERIALIZED VIEW hourly_summary AS SELECT 1 AS id`);
    await client.query(`CREATE UNIQUE INDEX ON hourly_summary (id)`);
    await client.query(`SELECT data_tier.register_materialized_view('hourly_summary', interval '1 hour')`);
    try {
      // 40 minutes old: well within its hour, while the 5-minute rollup is 35 minutes late.
      await client.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '40 minutes'`);
      expect(await metric('matview_overdue_seconds:public.hourly_summary')).toBe(0);
      expect(await metric('matview_overdue_seconds:public.analytics_daily_rollup')).toBeCloseTo(35 * 60, -1);
      expect(await metric('matview_overdue_seconds_max')).toBeCloseTo(35 * 60, -1);

      await client.query(`SELECT data_tier.refresh_materialized_view('public.analytics_daily_rollup')`);
      expect(await metric('matview_staleness_seconds_max')).toBeGreaterThanOrEqual(40 * 60);
      expect(await metric('matview_overdue_seconds_max')).toBe(0);
    } finally {
      await client.query(`DELETE FROM data_tier.materialized_view_refreshes WHERE materialized_view = 'hourly_summary'::regclass`);
      await client.query(`DROP MATERIALIZED VIEW hourly_summary`);
    }
  });

  it('reports a deadlock in deadlocks_since_last_call once, and in the cumulative counter', async () => {
    const checker = await db.connect();
    const [a, b] = [await db.connect(), await db.connect()];
    await client.query(`CREATE TABLE deadlock_pair (id int PRIMARY KEY); INSERT INTO deadlock_pair VALUES (1), (2)`);
    const totalBefore = await metric('deadlocks_total', checker);
    expect(await metric('deadlocks_since_last_call', checker)).toBe(0);

    // b detects the deadlock after 100 ms, long before a would (1 s), so b is the victim.
    await b.query(`SET deadlock_timeout = '100ms'`);
    await a.query('BEGIN; UPDATE deadlock_pair SET id = id WHERE id = 1');
    await b.query('BEGIN; UPDATE deadlock_pair SET id = id WHERE id = 2');
    const aWaits = a.query('UPDATE deadlock_pair SET id = id WHERE id = 2');
    await expect(b.query('UPDATE deadlock_pair SET id = id WHERE id = 1')).rejects.toThrow('deadlock detected');
    await b.query('ROLLBACK');
    await flushStatistics(b);
    await aWaits;
    await a.query('COMMIT');

    expect(await metric('deadlocks_since_last_call', checker)).toBe(1);
    expect(await metric('deadlocks_since_last_call', checker)).toBe(0);
    expect(await metric('deadlocks_total', checker)).toBe(totalBefore + 1);
  });

  it('reports the dead tuple ratio of the tables with the most writes', async () => {
    const writer = await db.connect();
    await writer.query(`CREATE TABLE churn (id int PRIMARY KEY, n int) WITH (autovacuum_enabled = false)`);
    await writer.query(`INSERT INTO churn SELECT i, 0 FROM generate_series(1, 1000) AS i`);
    await writer.query(`UPDATE churn SET n = 1`);
    await writer.query(`UPDATE churn SET n = 2`);
    await flushStatistics(writer);

    const churn = await metric('dead_tuple_pct:public.churn');
    expect(churn).toBeCloseTo(200 / 3, 0);
    expect(await metric('dead_tuple_pct_max')).toBeGreaterThanOrEqual(churn);
  });
});

describe('default_partition_rows on a server that crashed (a server of its own, stopped with pg_ctl -m immediate)', () => {
  let server: CrashableServer;
  beforeAll(async () => {
    // No autovacuum: no ANALYZE may record the rows in reltuples before the crash, so nothing of
    // them is left in the statistics afterwards (the worst case; a stale reltuples is less wrong).
    server = await startCrashableServer({ autovacuum: 'off' });
    await runMigrations(await server.connect(), { streams: PROJECT_STREAMS });
  });
  afterAll(() => server?.stop());

  it('still reports every row after crash recovery has discarded the statistics', async () => {
    const writer = await server.connect();
    await insertIntoDefaultPartition(writer, 5_000);
    await flushStatistics(writer);
    expect(await metric('default_partition_rows', writer)).toBe(5_000);

    await server.crashAndRestart();

    const after = await server.connect();
    expect(await liveTuplesInStatistics(after)).toBe(0);
    expect(await metric('default_partition_rows:public.analytics_events', after)).toBe(5_000);
    expect(await metric('default_partition_rows', after)).toBe(5_000);
  });
});
