import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { PROJECT_STREAMS } from '../../app/migrations';
import { migrationChecksum, migrationStreams, runMigrations, type MigrationStream } from '../../lib/functions/shared/migrations';
import { PLATFORM_SQL_DIR } from '../../lib/platform-sql';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { runMaintenance } from './partition-maintenance';

// The schema as two kinds of input with one runner: the data tier's own stream, then the
// application's; versioned files applied once, repeatable definitions re-applied when they
// change; and a database migrated before streams existed carried over without re-running or
// losing anything.

/**
 * The single sql/ directory of the last version before migration streams (000-010, the
 * application's 003 and 004 among the platform's files), kept as a tarball so that its copied
 * function bodies are not mistaken for live code. Made with `git archive <commit> sql | gzip -n`.
 */
const BEFORE_STREAMS = path.join(__dirname, '..', 'fixtures', 'sql-before-streams.tar.gz');

function sqlBeforeStreams(keep: (name: string) => boolean = () => true): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'before-streams-'));
  execFileSync('tar', ['-xzf', BEFORE_STREAMS, '-C', root]);
  const directory = path.join(root, 'app');
  mkdirSync(directory);
  for (const name of readdirSync(path.join(root, 'sql')).filter(keep)) copyFileSync(path.join(root, 'sql', name), path.join(directory, name));
  return directory;
}

/** Applies the old single directory the way the old runner did: one history row per file, keyed by name. */
async function migrateBeforeStreams(client: Client, directory: string): Promise<void> {
  await runMigrations(client, { directory });
  // The old runner's table: no stream, no kind, keyed by name.
  await client.query(`DELETE FROM public.schema_migrations WHERE name LIKE 'repeatable/%'`);
  await client.query(`ALTER TABLE public.schema_migrations DROP COLUMN stream, DROP COLUMN kind, DROP COLUMN replaces, ADD PRIMARY KEY (name)`);
}

async function count(client: Client, sql: string): Promise<number> {
  return Number((await client.query(sql)).rows[0].n);
}

const EVENTS = `SELECT count(*) AS n FROM public.analytics_events`;

describe('a database migrated before migration streams existed', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase('before_streams');
    client = await db.connect();
  });
  afterAll(() => db.drop());

  it('is carried over to the streams on the next run: nothing re-runs, nothing is refused, no row is lost', async () => {
    await migrateBeforeStreams(client, sqlBeforeStreams());
    await client.query(`
      INSERT INTO public.analytics_events (tenant_id, entity_id, event_type, created_at)
      SELECT gen_random_uuid(), gen_random_uuid(), 'before.upgrade', now() - make_interval(days => g % 60) FROM generate_series(1, 5000) AS g`);
    await client.query(`SELECT data_tier.refresh_materialized_view()`);
    const before = { events: await count(client, EVENTS), rollup: await count(client, `SELECT sum(events) AS n FROM public.analytics_daily_rollup`) };
    const lines: string[] = [];

    const result = await runMigrations(client, { streams: PROJECT_STREAMS, log: (line) => lines.push(line) });

    console.log(`carried over: ${result.carriedOver.join(', ')}; applied: ${result.applied.map((f) => `${f.stream}/${f.name}`).join(', ')}; rows before ${before.events}, after ${await count(client, EVENTS)}`);
    expect(result.carriedOver).toEqual([
      'data_tier/001_data_tier_schema.sql',
      'data_tier/002_partition_maintenance_in_steps.sql',
      'analytics/001_analytics_events.sql',
      'analytics/002_dashboard_rollup.sql',
    ]);
    // What is new since: the registry's refresh interval, and every definition, once.
    expect(result.applied.map((file) => `${file.stream}/${file.name}`)).toEqual([
      'data_tier/003_materialized_view_registry.sql',
      'data_tier/004_operator_role.sql',
      'data_tier/005_application_roles.sql',
      'data_tier/repeatable/005_ownership.sql',
      'data_tier/repeatable/010_partition_manager.sql',
      'data_tier/repeatable/020_heartbeat.sql',
      'data_tier/repeatable/030_materialized_views.sql',
      'data_tier/repeatable/040_health_check.sql',
    ]);
    expect(await count(client, EVENTS)).toBe(before.events);
    expect(before.events).toBe(5000);
    const { rows: history } = await client.query(`SELECT stream, name, kind, replaces FROM public.schema_migrations WHERE replaces IS NOT NULL ORDER BY stream DESC, name`);
    expect(history).toEqual([
      { stream: 'data_tier', name: '001_data_tier_schema.sql', kind: 'versioned', replaces: ['000_extensions_and_schema.sql', '001_updated_at_trigger.sql', '002_partition_manager.sql', '005_heartbeat.sql', '006_health_check.sql', '007_health_check_bounds_once.sql', '008_monitor_role.sql'] },
      { stream: 'data_tier', name: '002_partition_maintenance_in_steps.sql', kind: 'versioned', replaces: ['009_partition_maintenance_in_steps.sql', '010_health_signals_never_blind.sql'] },
      { stream: 'analytics', name: '001_analytics_events.sql', kind: 'versioned', replaces: ['003_analytics_events.sql'] },
      { stream: 'analytics', name: '002_dashboard_rollup.sql', kind: 'versioned', replaces: ['004_dashboard_rollup.sql'] },
    ]);
    expect(await count(client, `SELECT count(*) AS n FROM public.schema_migrations WHERE stream = ''`)).toBe(0);

    // The rollup is registered and refreshed by what is registered; maintenance and the health check work.
    expect((await client.query(`SELECT outcome FROM data_tier.refresh_materialized_views(p_all => true)`)).rows).toEqual([{ outcome: 'refreshed' }]);
    expect(await count(client, `SELECT sum(events) AS n FROM public.analytics_daily_rollup`)).toBe(before.rollup);
    expect((await client.query(`CALL data_tier.run_partition_maintenance()`)).rows[0].p_report.filter((s: { outcome: string }) => s.outcome === 'failed')).toEqual([]);
    expect((await client.query(`SELECT value FROM data_tier.health_check() WHERE metric = 'partitions_ahead_min'`)).rows).toEqual([{ value: 6 }]);

    const again = await runMigrations(client, { streams: PROJECT_STREAMS });
    expect(again.applied).toEqual([]);
    expect(again.carriedOver).toEqual([]);
  });
});

describe('a database migrated by an earlier version still (000-008, before the maintenance steps)', () => {
  it('runs what it lacks, which is safe on either side, and ends like a fresh database', async () => {
    const db = await createTestDatabase('before_steps');
    try {
      const client = await db.connect();
      await migrateBeforeStreams(client, sqlBeforeStreams((name) => name < '009'));
      await client.query(`INSERT INTO public.analytics_events (tenant_id, entity_id, event_type) SELECT gen_random_uuid(), gen_random_uuid(), 'x' FROM generate_series(1, 100)`);

      const result = await runMigrations(client, { streams: PROJECT_STREAMS });

      expect(result.carriedOver).not.toContain('data_tier/002_partition_maintenance_in_steps.sql');
      expect(result.applied.map((file) => file.name)).toContain('002_partition_maintenance_in_steps.sql');
      expect(await count(client, EVENTS)).toBe(100);
      const { rows } = await client.query(`SELECT parent_table::text, horizon FROM data_tier.partitioned_parents`);
      expect(rows).toEqual([{ parent_table: 'analytics_events', horizon: 12 }]);
      const { rows: kinds } = await client.query(`SELECT p.proname, p.prokind FROM pg_proc AS p WHERE p.proname = 'run_partition_maintenance'`);
      expect(kinds).toEqual([{ proname: 'run_partition_maintenance', prokind: 'p' }]);
    } finally {
      await db.drop();
    }
  });

  it('is refused, with nothing changed, when a file it applied is in no stream given', async () => {
    const db = await createTestDatabase('before_streams_unclaimed');
    try {
      const client = await db.connect();
      await migrateBeforeStreams(client, sqlBeforeStreams());

      await expect(runMigrations(client, { streams: migrationStreams(PLATFORM_SQL_DIR) })).rejects.toThrow(
        /003_analytics_events\.sql \(applied [^)]+\) is named by no -- migrate:replaces line[\s\S]*--migrations <directory>[\s\S]*Nothing was changed\./,
      );
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'schema_migrations' AND column_name = 'stream'`);
      expect(rows[0].n).toBe(0);
    } finally {
      await db.drop();
    }
  });
});

describe('an application that brings its own migrations', () => {
  let db: TestDatabase;
  let client: Client;
  let streams: MigrationStream[];
  let orders: string;
  beforeAll(async () => {
    db = await createTestDatabase('own_stream');
    client = await db.connect();
    orders = path.join(mkdtempSync(path.join(os.tmpdir(), 'shop-')), 'shop');
    mkdirSync(path.join(orders, 'repeatable'), { recursive: true });
    writeFileSync(
      path.join(orders, '001_orders.sql'),
      `CREATE TABLE shop.orders (id bigint GENERATED ALWAYS AS IDENTITY, placed_at timestamptz NOT NULL, total numeric NOT NULL, PRIMARY KEY (id, placed_at)) PARTITION BY RANGE (placed_at);
       SELECT data_tier.register_partitioned_parent('shop.orders', p_interval => 'day', p_premake => 3, p_retention => interval '30 days');
       CREATE MATERIALIZED VIEW shop.daily_sales AS SELECT (placed_at AT TIME ZONE 'UTC')::date AS day, sum(total) AS total FROM shop.orders GROUP BY 1;
       CREATE UNIQUE INDEX daily_sales_day ON shop.daily_sales (day);
       SELECT data_tier.register_materialized_view('shop.daily_sales', interval '1 minute');`,
    );
    writeFileSync(path.join(orders, 'repeatable', '010_order_total.sql'), `CREATE OR REPLACE FUNCTION shop.order_total() RETURNS numeric LANGUAGE sql AS $$ SELECT sum(total) FROM shop.orders $$;`);
    streams = migrationStreams(PLATFORM_SQL_DIR, [orders]);
  });
  afterAll(() => db.drop());

  it('is applied after the data tier\'s stream, and the platform maintains its table and view with no change to the platform', async () => {
    const result = await runMigrations(client, { streams });

    expect(streams.map((stream) => stream.name)).toEqual(['data_tier', 'shop']);
    expect(result.applied.filter((file) => file.stream === 'shop').map((file) => file.name)).toEqual(['001_orders.sql', 'repeatable/010_order_total.sql']);
    await client.query(`INSERT INTO shop.orders (placed_at, total) VALUES (now(), 10), (now() + interval '1 day', 5)`);

    const steps = await runMaintenance(client, new Date(Date.now() + 7 * 86_400_000).toISOString(), 'shop.orders');
    expect(steps.filter((step) => step.step === 'create' && step.outcome === 'done').length).toBeGreaterThanOrEqual(4);
    await client.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '1 hour' WHERE materialized_view = 'shop.daily_sales'::regclass`);
    const { rows: refreshed } = await client.query(`SELECT materialized_view, outcome FROM data_tier.refresh_materialized_views()`);
    expect(refreshed).toEqual([{ materialized_view: 'shop.daily_sales', outcome: 'refreshed' }]);
    expect((await client.query(`SELECT sum(total)::int AS total FROM shop.daily_sales`)).rows[0].total).toBe(15);

    const { rows: health } = await client.query(`SELECT metric, value FROM data_tier.health_check() WHERE metric LIKE '%shop.%' ORDER BY metric`);
    expect(health.map((row) => row.metric)).toEqual(['default_partition_rows:shop.orders', 'matview_overdue_seconds:shop.daily_sales', 'matview_staleness_seconds:shop.daily_sales', 'partitions_ahead:shop.orders']);
  });

  it('re-applies a repeatable definition once when it changes, recorded with its new checksum; an unchanged re-run applies nothing', async () => {
    writeFileSync(path.join(orders, 'repeatable', '010_order_total.sql'), `CREATE OR REPLACE FUNCTION shop.order_total() RETURNS numeric LANGUAGE sql AS $$ SELECT coalesce(sum(total), 0) FROM shop.orders $$;`);

    const changed = await runMigrations(client, { streams });
    const started = performance.now();
    const unchanged = await runMigrations(client, { streams });
    const noopMs = performance.now() - started;

    console.log(`no-op re-run of ${unchanged.skipped} files in two streams: ${noopMs.toFixed(1)} ms`);
    expect(changed.applied.map((file) => `${file.stream}/${file.name}`)).toEqual(['shop/repeatable/010_order_total.sql']);
    expect(unchanged.applied).toEqual([]);
    const { rows } = await client.query(`SELECT kind, checksum FROM public.schema_migrations WHERE stream = 'shop' AND name = 'repeatable/010_order_total.sql'`);
    expect(rows).toEqual([{ kind: 'repeatable', checksum: migrationChecksum(readFileSync(path.join(orders, 'repeatable', '010_order_total.sql'), 'utf8')) }]);
  });

  it('rolls a failing repeatable definition back, naming file and statement, and keeps the previous definition', async () => {
    writeFileSync(
      path.join(orders, 'repeatable', '010_order_total.sql'),
      `CREATE OR REPLACE FUNCTION shop.order_total() RETURNS numeric LANGUAGE sql AS $$ SELECT -1::numeric $$;\nSELECT no_such_function();`,
    );

    await expect(runMigrations(client, { streams })).rejects.toThrow(
      /^Migration repeatable\/010_order_total\.sql \(stream shop\) failed at statement 2 of 2 \(line 2\): function no_such_function\(\) does not exist[\s\S]*The file was rolled back, so the definitions it replaces stay as they were/,
    );
    await client.query(`INSERT INTO shop.orders (placed_at, total) VALUES (now(), 1)`);
    expect((await client.query(`SELECT shop.order_total()::int AS total`)).rows[0].total).toBe(16);
  });

  it('refuses a run whose applied repeatable file is gone, until the run is told to forget it', async () => {
    writeFileSync(path.join(orders, 'repeatable', '010_order_total.sql'), `CREATE OR REPLACE FUNCTION shop.order_total() RETURNS numeric LANGUAGE sql AS $$ SELECT coalesce(sum(total), 0) FROM shop.orders $$;`);
    writeFileSync(path.join(orders, 'repeatable', '020_orders_view.sql'), `CREATE OR REPLACE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 100;`);
    await runMigrations(client, { streams });
    rmSync(path.join(orders, 'repeatable', '020_orders_view.sql'));

    await expect(runMigrations(client, { streams })).rejects.toThrow(
      /applied repeatable definition is missing[\s\S]*repeatable\/020_orders_view\.sql[\s\S]*--forget repeatable\/020_orders_view\.sql/,
    );
    await client.query('DROP VIEW shop.big_orders');
    const forgotten = await runMigrations(client, { streams, forget: ['repeatable/020_orders_view.sql'] });
    expect(forgotten.applied).toEqual([]);
    expect(await count(client, `SELECT count(*) AS n FROM public.schema_migrations WHERE name = 'repeatable/020_orders_view.sql'`)).toBe(0);
  });

  it('refuses two directories that would be the same stream', async () => {
    const twin = path.join(mkdtempSync(path.join(os.tmpdir(), 'twin-')), 'shop');
    mkdirSync(twin);
    await expect(runMigrations(client, { streams: migrationStreams(PLATFORM_SQL_DIR, [orders, twin]) })).rejects.toThrow(
      /two migration streams are named "shop"/,
    );
  });
});
