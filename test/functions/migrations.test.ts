import { Client } from 'pg';
import { MigrationError, migrationChecksum, runMigrations } from '../../lib/functions/shared/migrations';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { PROJECT_STREAMS } from '../sql/migrated-database';
import { addMigrations, migrationDirectory, removeMigration } from './migration-directory';

// Each test gets a pristine database: the runner's state is the database itself.
let db: TestDatabase;
let client: Client;
beforeEach(async () => {
  db = await createTestDatabase('runner');
  client = await db.connect();
});
afterEach(() => db.drop());

async function tables(): Promise<string[]> {
  const { rows } = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((row) => row.tablename);
}

async function recorded(): Promise<string[]> {
  const { rows } = await client.query('SELECT name FROM public.schema_migrations ORDER BY name');
  return rows.map((row) => row.name);
}

async function failure(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe('the migration runner', () => {
  it('applies files in lexical order and records name, sha256, duration and time of each', async () => {
    const first = 'CREATE TABLE a (id bigint PRIMARY KEY);';
    const directory = migrationDirectory({
      '010_b.sql': 'CREATE TABLE b (a_id bigint REFERENCES a (id));',
      '002_a.sql': first,
      'README.md': 'not a migration',
    });
    const lines: string[] = [];

    const result = await runMigrations(client, { directory, log: (line) => lines.push(line) });

    expect(result.applied.map((file) => file.name)).toEqual(['002_a.sql', '010_b.sql']);
    expect(result.skipped).toBe(0);
    expect(lines).toEqual(['applying 002_a.sql', expect.stringMatching(/^applied 002_a\.sql in \d+ ms$/), 'applying 010_b.sql', expect.stringMatching(/^applied 010_b\.sql/)]);
    const { rows } = await client.query('SELECT name, checksum, duration_ms, applied_at FROM public.schema_migrations ORDER BY name');
    expect(rows[0]).toEqual({ name: '002_a.sql', checksum: migrationChecksum(first), duration_ms: expect.any(Number), applied_at: expect.any(Date) });
    expect(migrationChecksum(first)).toMatch(/^[0-9a-f]{64}$/);
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('stops a file that reaches the run\'s deadline before its next statement, rolls it back and says how far it got', async () => {
    const directory = migrationDirectory({
      '001_first.sql': 'CREATE TABLE first (id bigint);',
      '002_long.sql': 'CREATE TABLE long_one (id bigint);\nSELECT pg_sleep(0.4);\nINSERT INTO long_one VALUES (1);',
    });
    const error = await failure(runMigrations(client, { directory, deadline: Date.now() + 200 }));
    expect(error.file).toBe('002_long.sql');
    expect(error.message).toMatch(/^Migration 002_long\.sql \(stream app\) stopped before statement 3 of 3 \(line 3\): the run's time budget ran out at \S+, 2 statements in\.\nThe file was rolled back; earlier migrations stay applied\./);
    expect(await tables()).toEqual(['first', 'schema_migrations']);
    expect(await recorded()).toEqual(['001_first.sql']);
  });

  it('does nothing when re-run with nothing new, and applies only the new file later', async () => {
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);' });
    await runMigrations(client, { directory });

    const lines: string[] = [];
    const again = await runMigrations(client, { directory, log: (line) => lines.push(line) });
    expect(again).toEqual({ applied: [], skipped: 1, carriedOver: [], durationMs: expect.any(Number) });
    expect(again.durationMs).toBeLessThan(500);
    expect(lines).toEqual(['up to date: 1 migrations already applied']);

    addMigrations(directory, { '002_b.sql': 'CREATE TABLE b (id bigint);' });
    const later = await runMigrations(client, { directory });
    expect(later.applied.map((file) => file.name)).toEqual(['002_b.sql']);
    expect(later.skipped).toBe(1);
  });

  it('refuses to run when an applied file changed, naming the file and the fix, and applies nothing', async () => {
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);' });
    await runMigrations(client, { directory });
    addMigrations(directory, { '001_a.sql': 'CREATE TABLE a (id bigint, extra text);', '002_b.sql': 'CREATE TABLE b (id bigint);' });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.file).toBe('001_a.sql');
    expect(error.message).toContain('changed after being applied');
    expect(error.message).toMatch(/001_a\.sql: applied .* with sha256 [0-9a-f]{12}…, file now [0-9a-f]{12}…/);
    expect(error.message).toContain('Restore it to the applied content');
    expect(error.message).toContain('new file ordered after 002_b.sql');
    expect(await tables()).toEqual(['a', 'schema_migrations']);
  });

  it('does not take a CRLF checkout of an applied file for a change', async () => {
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);\nCREATE TABLE b (id bigint);\n' });
    await runMigrations(client, { directory });
    addMigrations(directory, { '001_a.sql': 'CREATE TABLE a (id bigint);\r\nCREATE TABLE b (id bigint);\r\n' });
    await expect(runMigrations(client, { directory })).resolves.toMatchObject({ skipped: 1 });
  });

  it('rolls back a file that fails mid-way, names the file, statement and line, and keeps earlier files applied', async () => {
    const directory = migrationDirectory({
      '001_ok.sql': 'CREATE TABLE kept (id bigint);',
      '002_broken.sql': [
        '-- the second statement is wrong',
        'CREATE TABLE rolled_back (id bigint);',
        'INSERT INTO rolled_back VALUES (1);',
        'ALTER TABLE rolled_back',
        '  ADD COLUMN note txet;',
      ].join('\n'),
      '003_never.sql': 'CREATE TABLE never (id bigint);',
    });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.file).toBe('002_broken.sql');
    expect(error.message).toContain('Migration 002_broken.sql (stream app) failed at statement 3 of 3 (line 5): type "txet" does not exist [SQLSTATE 42704]');
    expect(error.message).toContain('ALTER TABLE rolled_back\n  ADD COLUMN note txet');
    expect(error.message).toContain('The file was rolled back; earlier migrations stay applied.');
    expect(await tables()).toEqual(['kept', 'schema_migrations']);
    expect(await recorded()).toEqual(['001_ok.sql']);
  });

  it('runs a file outside a transaction when its first line says so (CREATE INDEX CONCURRENTLY)', async () => {
    const directory = migrationDirectory({
      '001_table.sql': 'CREATE TABLE a (id bigint);',
      '002_index.sql': '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n',
    });
    const lines: string[] = [];

    await runMigrations(client, { directory, log: (line) => lines.push(line) });

    expect(lines).toContain('applying 002_index.sql (no transaction)');
    const { rows } = await client.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'a'`);
    expect(rows).toEqual([{ indexname: 'a_id' }]);
  });

  it('sets lock_timeout, so a statement stuck behind another session fails fast with the file named', async () => {
    await runMigrations(client, { directory: migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);' }) });
    const holder = await db.connect();
    await holder.query('BEGIN; LOCK TABLE a IN ACCESS SHARE MODE');
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);', '002_alter.sql': 'ALTER TABLE a ADD COLUMN note text;' });

    const started = Date.now();
    const error = await failure(runMigrations(client, { directory, lockTimeout: '200ms' }));

    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.message).toContain('Migration 002_alter.sql (stream app) failed at statement 1 of 1 (line 1): canceling statement due to lock timeout');
    await holder.query('ROLLBACK');
  });

  it('serialises concurrent runners: each file is applied exactly once and the second runner waits', async () => {
    const directory = migrationDirectory({
      '001_slow.sql': 'CREATE TABLE a (id bigint);\nSELECT pg_sleep(0.4);',
      '002_b.sql': 'CREATE TABLE b (id bigint);',
    });
    const other = await db.connect();
    const lines: string[] = [];

    const results = await Promise.all([
      runMigrations(client, { directory, log: (line) => lines.push(`one: ${line}`) }),
      runMigrations(other, { directory, log: (line) => lines.push(`two: ${line}`) }),
    ]);

    expect(results.flatMap((result) => result.applied.map((file) => file.name)).sort()).toEqual(['001_slow.sql', '002_b.sql']);
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 2]);
    expect(lines.filter((line) => line.endsWith('waiting for another migration runner to finish'))).toHaveLength(1);
    expect(await recorded()).toEqual(['001_slow.sql', '002_b.sql']);
  });

  it('refuses .sql files that do not follow NNN_description.sql', async () => {
    const error = await failure(runMigrations(client, { directory: migrationDirectory({ 'add-table.sql': 'SELECT 1;' }) }));
    expect(error.message).toContain('add-table.sql');
    expect(error.message).toContain('NNN_description.sql');
  });

  it('applies the project\'s streams to an empty database, data_tier first, then re-runs them as a no-op', async () => {
    const first = await runMigrations(client, { streams: PROJECT_STREAMS });
    expect(first.applied.length).toBeGreaterThanOrEqual(7);
    expect(first.applied[0]).toMatchObject({ stream: 'data_tier', name: '001_data_tier_schema.sql', kind: 'versioned' });
    const streams = first.applied.map((file) => file.stream);
    expect(streams.lastIndexOf('data_tier')).toBeLessThan(streams.indexOf('analytics'));

    const second = await runMigrations(client, { streams: PROJECT_STREAMS });
    expect(second.applied).toEqual([]);
    expect(second.skipped).toBe(first.applied.length);
  });
});

describe('files that would take the transaction out of the runner\'s hands', () => {
  it('refuses a file that commits part of itself, before any file runs, and says what to do', async () => {
    const directory = migrationDirectory({
      '001_ok.sql': 'CREATE TABLE ok (id bigint);',
      '002_commits.sql': ['CREATE TABLE half (id bigint);', 'COMMIT;', 'CREATE TABLE other (id bigint);', 'SELECT * FROM nowhere;'].join('\n'),
    });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.file).toBe('002_commits.sql');
    expect(error.message).toContain('002_commits.sql, statement 2 (line 2), COMMIT: remove it; the runner already runs the file in one transaction');
    expect(error.message).toContain('Nothing was applied.');
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await recorded()).toEqual([]);
  });

  it.each([
    ['BEGIN', 'BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;'],
    ['START TRANSACTION', 'start transaction isolation level serializable;\nCREATE TABLE t (id bigint);'],
    ['ROLLBACK', 'CREATE TABLE t (id bigint);\nROLLBACK;'],
    ['END', 'CREATE TABLE t (id bigint);\nEND;'],
    ['SAVEPOINT', 'SAVEPOINT before_t;\nCREATE TABLE t (id bigint);'],
  ])('refuses %s in a file', async (control, sql) => {
    const directory = migrationDirectory({ '001_ok.sql': 'CREATE TABLE ok (id bigint);', '002_control.sql': sql });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.message).toMatch(new RegExp(`002_control\\.sql, statement \\d \\(line \\d\\), ${control}:`));
    expect(await recorded()).toEqual([]);
  });

  it('refuses transaction control in a no-transaction file, which runs each statement on its own', async () => {
    const directory = migrationDirectory({
      '001_table.sql': 'CREATE TABLE a (id bigint);',
      '002_index.sql': '-- migrate:no-transaction\nBEGIN;\nCREATE INDEX a_id ON a (id);\nCOMMIT;\n',
    });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.message).toContain('002_index.sql, statement 1 (line 2), BEGIN: a -- migrate:no-transaction file runs each statement on its own');
    expect(await tables()).toEqual(['schema_migrations']);
  });

  it('refuses a BEGIN ATOMIC function body, which it cannot split, and points to $$ bodies', async () => {
    const directory = migrationDirectory({
      '001_ok.sql': 'CREATE TABLE ok (id bigint);',
      '002_atomic.sql': 'CREATE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\nEND;\n',
    });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.message).toContain('002_atomic.sql, statement 1 (line 1), BEGIN ATOMIC: the runner cannot tell where its body ends; write the body as a string (AS $$ ... $$)');
    expect(await recorded()).toEqual([]);
  });

  it('applies files that only mention transaction control in bodies, strings and quoted names', async () => {
    const directory = migrationDirectory({
      '001_words.sql': [
        'CREATE PROCEDURE batch() LANGUAGE plpgsql AS $$ BEGIN COMMIT; ROLLBACK; END $$;',
        'CREATE TABLE "end" ("begin" timestamptz, note text DEFAULT \'COMMIT;\');',
        'CREATE FUNCTION label() RETURNS text LANGUAGE sql AS $f$ SELECT \'BEGIN ATOMIC\' $f$;',
      ].join('\n'),
    });

    await runMigrations(client, { directory });

    expect(await recorded()).toEqual(['001_words.sql']);
  });
});

describe('indexes a file builds', () => {
  async function indexState(name: string): Promise<{ valid: boolean; ready: boolean } | undefined> {
    const { rows } = await client.query('SELECT indisvalid AS valid, indisready AS ready FROM pg_index WHERE indexrelid = to_regclass($1)', [name]);
    return rows[0];
  }

  const accounts = "CREATE TABLE accounts (email text);\nINSERT INTO accounts VALUES ('a@example.com'), ('a@example.com');";
  const uniqueEmail = '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_key ON accounts (email);\n';

  it('does not record a unique index build that failed on duplicates, nor its IF NOT EXISTS re-run, until the index is rebuilt valid', async () => {
    const directory = migrationDirectory({ '001_accounts.sql': accounts, '002_unique_email.sql': uniqueEmail });

    const failed = await failure(runMigrations(client, { directory }));
    expect(failed.message).toContain('Migration 002_unique_email.sql (stream app) failed at statement 1 of 1 (line 2): could not create unique index "accounts_email_key"');
    expect(failed.message).toContain('It left index public.accounts_email_key on public.accounts INVALID');
    expect(failed.message).toContain('drop it (DROP INDEX CONCURRENTLY public.accounts_email_key;)');
    expect(await indexState('accounts_email_key')).toMatchObject({ valid: false });

    // IF NOT EXISTS sees the invalid index and skips the build: the runner must not record the file.
    const rerun = await failure(runMigrations(client, { directory }));
    expect(rerun.file).toBe('002_unique_email.sql');
    expect(rerun.message).toContain('Migration 002_unique_email.sql is not recorded: index public.accounts_email_key on public.accounts (statement 1, line 2) is INVALID');
    expect(rerun.message).toContain('To recover: DROP INDEX CONCURRENTLY public.accounts_email_key; fix what made the build fail (for a unique index, the duplicate rows), then run again.');
    expect(await recorded()).toEqual(['001_accounts.sql']);

    await client.query('DROP INDEX CONCURRENTLY public.accounts_email_key');
    await client.query('DELETE FROM accounts WHERE ctid <> (SELECT min(ctid) FROM accounts)');
    await runMigrations(client, { directory });
    expect(await recorded()).toEqual(['001_accounts.sql', '002_unique_email.sql']);
    expect(await indexState('accounts_email_key')).toEqual({ valid: true, ready: true });
  });

  /** Runs the migrations while another session's write to accounts is open, so a concurrent build waits for it until lock_timeout. */
  async function runBehindAnOpenWrite(directory: string): Promise<MigrationError> {
    const writer = await db.connect();
    await writer.query("BEGIN; INSERT INTO accounts VALUES ('b@example.com')");
    try {
      return await failure(runMigrations(client, { directory, lockTimeout: '200ms' }));
    } finally {
      await writer.query('COMMIT');
    }
  }

  it('does not record an index build cancelled by lock_timeout, nor its re-run', async () => {
    const directory = migrationDirectory({ '001_accounts.sql': 'CREATE TABLE accounts (email text);' });
    await runMigrations(client, { directory });
    addMigrations(directory, { '002_email.sql': '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email ON accounts (email);\n' });

    const cancelled = await runBehindAnOpenWrite(directory);
    const rerun = await failure(runMigrations(client, { directory }));

    expect(cancelled.message).toContain('canceling statement due to lock timeout');
    expect(cancelled.message).toContain('It left index public.accounts_email on public.accounts INVALID');
    expect(rerun.message).toContain('index public.accounts_email on public.accounts (statement 1, line 2) is INVALID');
    expect(await recorded()).toEqual(['001_accounts.sql']);
  });

  it('does not record a REINDEX CONCURRENTLY whose failed first attempt left a _ccnew index behind', async () => {
    const directory = migrationDirectory({ '001_accounts.sql': 'CREATE TABLE accounts (email text);\nCREATE INDEX accounts_email ON accounts (email);' });
    await runMigrations(client, { directory });
    addMigrations(directory, { '002_reindex.sql': '-- migrate:no-transaction\nREINDEX INDEX CONCURRENTLY accounts_email;\n' });

    const cancelled = await runBehindAnOpenWrite(directory);
    const rerun = await failure(runMigrations(client, { directory }));

    expect(cancelled.message).toContain('It left index public.accounts_email_ccnew on public.accounts INVALID');
    expect(rerun.message).toContain('index public.accounts_email_ccnew on public.accounts (statement 1, line 2) is INVALID');
    expect(await recorded()).toEqual(['001_accounts.sql']);
  });

  it('resolves quoted, schema-qualified names the way PostgreSQL does', async () => {
    await client.query(`CREATE SCHEMA "Billing"; CREATE TABLE "Billing"."Accounts" (email text); INSERT INTO "Billing"."Accounts" VALUES ('a'), ('a')`);
    await client.query(`CREATE UNIQUE INDEX CONCURRENTLY "Accounts by email" ON "Billing"."Accounts" (email)`).catch(() => {});
    const directory = migrationDirectory({
      '001_unique.sql': '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Accounts by email"\n  ON ONLY "Billing"."Accounts" (email);\n',
    });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.message).toContain('index "Billing"."Accounts by email" on "Billing"."Accounts" (statement 1, line 2) is INVALID');
  });

  it('refuses a file whose IF NOT EXISTS skipped the build because the name belongs to another table\'s index', async () => {
    const directory = migrationDirectory({
      '001_tables.sql': 'CREATE TABLE accounts (email text);\nCREATE TABLE users (email text);\nCREATE INDEX by_email ON users (email);',
      '002_index.sql': '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS by_email ON accounts (email);\n',
    });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.message).toContain('index public.by_email (statement 1, line 2) is on public.users, not on public.accounts');
    expect(await recorded()).toEqual(['001_tables.sql']);
  });

  it('rolls back a transactional file whose CREATE INDEX IF NOT EXISTS skipped an invalid index', async () => {
    await client.query(accounts);
    await client.query('CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON accounts (email)').catch(() => {});
    const directory = migrationDirectory({ '001_unique.sql': 'CREATE UNIQUE INDEX IF NOT EXISTS accounts_email_key ON accounts (email);\nCREATE TABLE after_index (id bigint);' });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.message).toContain('Migration 001_unique.sql is not recorded: index public.accounts_email_key on public.accounts (statement 1, line 1) is INVALID');
    expect(error.message).toContain('The file was rolled back.');
    expect(await tables()).toEqual(['accounts', 'schema_migrations']);
  });

  it('heals itself when the file drops a leftover index before building it', async () => {
    const directory = migrationDirectory({
      '001_accounts.sql': accounts,
      '002_unique_email.sql': [
        '-- migrate:no-transaction',
        'DROP INDEX CONCURRENTLY IF EXISTS accounts_email_key;',
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_key ON accounts (email);',
      ].join('\n'),
    });
    await failure(runMigrations(client, { directory }));

    await client.query('DELETE FROM accounts WHERE ctid <> (SELECT min(ctid) FROM accounts)');
    await runMigrations(client, { directory });

    expect(await indexState('accounts_email_key')).toEqual({ valid: true, ready: true });
    expect(await recorded()).toEqual(['001_accounts.sql', '002_unique_email.sql']);
  });
});

describe('the applied history against the directory', () => {
  it('refuses an applied file that was renamed, naming both names, and applies nothing', async () => {
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);' });
    await runMigrations(client, { directory });
    removeMigration(directory, '001_a.sql');
    addMigrations(directory, { '001_accounts.sql': 'CREATE TABLE a (id bigint);', '002_b.sql': 'CREATE TABLE b (id bigint);' });

    const error = await failure(runMigrations(client, { directory }));

    expect(error.file).toBe('001_accounts.sql');
    expect(error.message).toMatch(/001_accounts\.sql has the content of 001_a\.sql, applied \S+ and no longer in /);
    expect(error.message).toContain('Rename it back to 001_a.sql');
    expect(await recorded()).toEqual(['001_a.sql']);
    expect(await tables()).toEqual(['a', 'schema_migrations']);
  });

  it('refuses when an applied file is gone, until the run is told to forget it', async () => {
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);', '002_b.sql': 'CREATE TABLE b (id bigint);' });
    await runMigrations(client, { directory });
    removeMigration(directory, '002_b.sql');
    addMigrations(directory, { '003_c.sql': 'CREATE TABLE c (id bigint);' });

    const error = await failure(runMigrations(client, { directory }));
    expect(error.file).toBe('002_b.sql');
    expect(error.message).toMatch(/002_b\.sql: applied \S+ with sha256 [0-9a-f]{12}…/);
    expect(error.message).toContain('npx data-tier db apply --forget 002_b.sql');
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);

    const lines: string[] = [];
    const result = await runMigrations(client, { directory, forget: ['002_b.sql'], log: (line) => lines.push(line) });

    expect(result.applied.map((file) => file.name)).toEqual(['003_c.sql']);
    expect(lines[0]).toMatch(/^forgot 002_b\.sql \(applied \S+, sha256 [0-9a-f]{12}…\): its row in public\.schema_migrations is deleted, what it did to the schema stays$/);
    expect(await recorded()).toEqual(['001_a.sql', '003_c.sql']);
    expect(await tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);
  });

  it('will not forget a file that is still in the directory', async () => {
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);' });
    await runMigrations(client, { directory });

    const error = await failure(runMigrations(client, { directory, forget: ['001_a.sql'] }));

    expect(error.message).toContain('Refusing to forget 001_a.sql: it is still in');
    expect(await recorded()).toEqual(['001_a.sql']);
  });

  it('refuses a new file numbered before the last applied one, unless that file is accepted out of order', async () => {
    const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);', '003_c.sql': 'CREATE TABLE c (id bigint);' });
    await runMigrations(client, { directory });
    addMigrations(directory, { '002_b.sql': 'CREATE TABLE b (id bigint);', '004_d.sql': 'CREATE TABLE d (id bigint);' });

    const error = await failure(runMigrations(client, { directory }));
    expect(error.file).toBe('002_b.sql');
    expect(error.message).toMatch(/002_b\.sql sorts before 003_c\.sql, applied \S+/);
    expect(error.message).toContain('Renumber it after 003_c.sql');
    expect(error.message).toContain('npx data-tier db apply --allow-out-of-order 002_b.sql');
    expect(await recorded()).toEqual(['001_a.sql', '003_c.sql']);

    const lines: string[] = [];
    const result = await runMigrations(client, { directory, allowOutOfOrder: ['002_b.sql'], log: (line) => lines.push(line) });

    expect(result.applied.map((file) => file.name)).toEqual(['002_b.sql', '004_d.sql']);
    expect(lines).toContain('applying 002_b.sql (out of order, accepted)');
    expect(await recorded()).toEqual(['001_a.sql', '002_b.sql', '003_c.sql', '004_d.sql']);
  });
});
