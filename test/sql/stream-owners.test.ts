import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { EXAMPLE_APPLICATION_STREAM, PROJECT_STREAMS } from '../../app/migrations';
import { dbApply } from '../../lib/cli/db-apply';
import { migrationStreams, runMigrations, type MigrationStream } from '../../lib/functions/shared/migrations';
import { PLATFORM_SQL_DIR } from '../../lib/platform-sql';
import { createTestDatabase } from '../support/database';
import { createRdsLikeDatabase, type RdsLikeDatabase } from '../support/rds-like-database';

// Application streams run as their own owner roles: a file can change only what its stream
// created. What breaking the platform took before (one application file, applied with exit 0,
// after which health_check() and maintenance failed on every run) now fails, rolled back, with
// the stream, file and line; and a tier migrated before owners existed is handed over in one step.

/** The sql/ and app/sql/ of main before streams had owners (commit 0b98d9a), as `git archive 0b98d9a sql app/sql | gzip -n`. */
const BEFORE_OWNERS = path.join(__dirname, '..', 'fixtures', 'sql-before-owners.tar.gz');

const BREAKS_THE_PLATFORM = `-- cleans up what it should not
SELECT 1;

DROP TABLE data_tier.partitioned_parents CASCADE;
`;

function stream(name: string, files: Record<string, string>): string {
  const directory = path.join(mkdtempSync(path.join(os.tmpdir(), 'owners-')), name);
  mkdirSync(directory);
  for (const [file, sql] of Object.entries(files)) writeFileSync(path.join(directory, file), sql);
  return directory;
}

async function platformStillWorks(client: Client): Promise<void> {
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM data_tier.partitioned_parents`);
  expect(rows[0].n).toBeGreaterThan(0);
  await client.query(`SELECT * FROM data_tier.health_check()`);
}

describe('an application file that touches a platform object', () => {
  let db: RdsLikeDatabase;
  let master: Client;
  beforeAll(async () => {
    db = await createRdsLikeDatabase('owners_refuse');
    master = await db.connectAsMaster();
  });
  afterAll(() => db.drop());

  it('fails with permission denied, naming stream, file and line, and leaves the database as it was', async () => {
    const directory = stream('shop', { '001_orders.sql': `CREATE TABLE orders (id bigint PRIMARY KEY, at timestamptz NOT NULL);` });
    const streams = [...PROJECT_STREAMS, ...migrationStreams(PLATFORM_SQL_DIR, [directory]).slice(1)];
    await runMigrations(master, { streams });
    writeFileSync(path.join(directory, '002_cleanup.sql'), BREAKS_THE_PLATFORM);

    for (let run = 1; run <= 2; run++) {
      // Refused the same way on every run: nothing is recorded, so a re-run never says "up to date".
      await expect(runMigrations(master, { streams })).rejects.toThrow(
        /^Migration 002_cleanup\.sql \(stream shop\) failed at statement 2 of 2 \(line 4\): must be owner of table partitioned_parents \[SQLSTATE 42501\][\s\S]*Stream shop runs as role shop_owner, which owns schema shop[\s\S]*The file was rolled back/,
      );
    }
    await platformStillWorks(master);
    const { rows } = await master.query(`SELECT name FROM public.schema_migrations WHERE stream = 'shop'`);
    expect(rows).toEqual([{ name: '001_orders.sql' }]);
  });

  it('cannot sign the stream back in as the master user: RESET ROLE and SET ROLE reach no further than its owner', async () => {
    const directory = stream('sneaky', { '001_escape.sql': `RESET ROLE;\nDROP TABLE data_tier.heartbeat;` });
    const streams = [...PROJECT_STREAMS, ...migrationStreams(PLATFORM_SQL_DIR, [directory]).slice(1)];
    await expect(runMigrations(master, { streams })).rejects.toThrow(/001_escape\.sql \(stream sneaky\) failed at statement 2 of 2 \(line 2\): must be owner of table heartbeat/);
    const escalate = stream('sneakier', { '001_escape.sql': `SET ROLE ${db.master};` });
    await expect(runMigrations(master, { streams: [...PROJECT_STREAMS, ...migrationStreams(PLATFORM_SQL_DIR, [escalate]).slice(1)] })).rejects.toThrow(
      /permission denied to set role/,
    );
  });

  it('is refused the same way by data-tier db apply on a local database', async () => {
    const local = await createTestDatabase('owners_db_apply');
    try {
      const directory = stream('shop', { '001_cleanup.sql': BREAKS_THE_PLATFORM });
      const errors: string[] = [];
      const code = await dbApply(['--database-url', local.url, '--migrations', directory], {}, { log: () => {}, error: (line) => errors.push(line) });
      expect(code).toBe(1);
      expect(errors.join('\n')).toMatch(/^Migration 001_cleanup\.sql \(stream shop\) failed at statement 2 of 2 \(line 4\): must be owner of table partitioned_parents \[SQLSTATE 42501\]/);
      await platformStillWorks(await local.connect()).catch(async () => {
        // A fresh database has no registered parent yet: the registry must still be there.
        const { rows } = await (await local.connect()).query(`SELECT to_regclass('data_tier.partitioned_parents') IS NOT NULL AS present`);
        expect(rows[0].present).toBe(true);
      });
    } finally {
      await local.drop();
    }
  });
});

describe('a tier migrated before streams had owners', () => {
  let db: RdsLikeDatabase;
  let master: Client;
  let oldStreams: MigrationStream[];
  beforeAll(async () => {
    db = await createRdsLikeDatabase('owners_upgrade');
    master = await db.connectAsMaster();
    const root = mkdtempSync(path.join(os.tmpdir(), 'before-owners-'));
    execFileSync('tar', ['-xzf', BEFORE_OWNERS, '-C', root]);
    // What main applied: the same streams, every file as the master user.
    oldStreams = [
      { name: 'data_tier', directory: path.join(root, 'sql') },
      { name: 'analytics', directory: path.join(root, 'app', 'sql', 'analytics') },
    ];
    await runMigrations(master, { streams: oldStreams });
    await master.query(`
      INSERT INTO public.analytics_events (tenant_id, entity_id, event_type, created_at)
      SELECT gen_random_uuid(), gen_random_uuid(), 'view', now() - (i % 40) * interval '1 day' FROM generate_series(1, 3000) AS i`);
  });
  afterAll(() => db.drop());

  async function snapshot(): Promise<{ rows: number; sum: string; partitions: number; refreshes: number }> {
    const { rows } = await master.query(`
      SELECT (SELECT count(*)::int FROM public.analytics_events) AS rows,
             (SELECT md5(string_agg(id::text || event_type || created_at::text, ',' ORDER BY id)) FROM public.analytics_events) AS sum,
             (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'public.analytics_events'::regclass) AS partitions,
             (SELECT count(*)::int FROM data_tier.materialized_view_refreshes) AS refreshes`);
    return rows[0];
  }

  it("hands every object of the application's stream to its owner in one step, and loses no row", async () => {
    const before = await snapshot();
    const logged: string[] = [];
    await runMigrations(master, { streams: PROJECT_STREAMS, log: (line) => logged.push(line) });
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(logged.filter((line) => line.startsWith('analytics_owner now owns'))).toHaveLength(1);

    const { rows } = await master.query(`
      SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class AS c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm', 'v', 'S')
        AND c.relname <> 'schema_migrations' AND c.relname NOT LIKE 'pg_stat_statements%'`);
    expect(rows.length).toBeGreaterThan(before.partitions);
    expect(rows.filter((row) => row.owner !== 'analytics_owner')).toEqual([]);
    const history = await master.query(`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'public.schema_migrations'::regclass`);
    expect(history.rows[0].owner).toBe(db.master);
    const recorded = await master.query(`SELECT stream, owner_role, schemas::text[] AS schemas FROM data_tier.migration_stream_owners`);
    expect(recorded.rows).toEqual([{ stream: 'analytics', owner_role: 'analytics_owner', schemas: [...EXAMPLE_APPLICATION_STREAM.schemas] }]);
  });

  it('leaves the history table alone on a run with nothing to hand over: no policy dropped and made again', async () => {
    const policies = async () => (await master.query(`SELECT polname, oid::int FROM pg_policy WHERE polrelid = 'public.schema_migrations'::regclass ORDER BY polname`)).rows;
    const before = await policies();
    expect(before.map((row) => row.polname)).toEqual(['analytics_owner_writes_analytics', 'history_readable']);
    await runMigrations(master, { streams: PROJECT_STREAMS });
    expect(await policies()).toEqual(before);
  });

  it('keeps maintenance and the health check working on the handed-over tables, and new partitions follow the owner', async () => {
    // A year on: maintenance (as the master user) creates and detaches partitions of the owner's table.
    await master.query(`CALL data_tier.run_partition_maintenance(p_now => now() + interval '400 days')`);
    await master.query(`SELECT data_tier.refresh_materialized_views(true)`);
    const { rows } = await master.query(`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE pg_get_userbyid(c.relowner) = 'analytics_owner')::int AS owned
      FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.analytics_events'::regclass`);
    expect(rows[0].owned).toBe(rows[0].n);
    await platformStillWorks(master);
    // The stream's next file can alter its partitioned table: ALTER recurses into every partition it owns.
    const extended = path.join(mkdtempSync(path.join(os.tmpdir(), 'owners-')), 'analytics');
    cpSync(PROJECT_STREAMS[1].directory, extended, { recursive: true });
    writeFileSync(path.join(extended, '003_add_source.sql'), `ALTER TABLE public.analytics_events ADD COLUMN source text;`);
    await runMigrations(master, { streams: [PROJECT_STREAMS[0], { ...PROJECT_STREAMS[1], directory: extended }] });
    const column = await master.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name LIKE 'analytics_events%' AND column_name = 'source'`);
    expect(column.rows[0].n).toBeGreaterThan(1);
  });
});
