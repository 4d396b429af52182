// The upgrade preflight against the run's embedded PostgreSQL 17, the server itself standing in
// for the target (its pg_available_extensions): a clean database passes, and each check fails
// on the object it looks for. The logical-slot check fails in the upgrade drill, whose server
// runs with wal_level = logical (test/drill/upgrade.test.ts).
import { Client } from 'pg';
import { availableExtensions, formatPreflight, PreflightOptions, RDS_18_EXTENSIONS, runPreflight } from '../../lib/cli/upgrade-preflight';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let client: Client;
let options: PreflightOptions;

beforeAll(async () => {
  db = await createTestDatabase('preflight');
  client = await db.connect();
  await client.query('CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pgcrypto');
  options = { targetExtensions: await availableExtensions(client), targetSource: 'the test server' };
});
afterAll(() => db.drop());

const failed = async (opts = options) => (await runPreflight(client, opts)).checks.filter((c) => !c.ok);

test('a clean database passes every check, and the report says PASS for each', async () => {
  const report = await runPreflight(client, options);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.length).toBeGreaterThanOrEqual(8);
  expect(formatPreflight(report)).toMatch(/^PASS {2}extensions available in the target: .*pgcrypto/m);
});

test('an extension the target does not offer fails, named with its version', async () => {
  const { pgcrypto: _, ...withoutPgcrypto } = options.targetExtensions;
  const [check] = await failed({ ...options, targetExtensions: withoutPgcrypto });
  expect(check.name).toBe('extensions available in the target');
  expect(check.detail).toMatch(/pgcrypto 1\.\d/);
  // The RDS 18 table holds what the tier installs.
  for (const name of ['plpgsql', 'pg_stat_statements', 'pgcrypto', 'pg_trgm']) expect(RDS_18_EXTENSIONS[name]).toBeDefined();
});

test('an invalid index (a failed CREATE UNIQUE INDEX CONCURRENTLY) fails', async () => {
  await client.query('CREATE TABLE dup (v int); INSERT INTO dup VALUES (1), (1)');
  await expect(client.query('CREATE UNIQUE INDEX CONCURRENTLY dup_v ON dup (v)')).rejects.toThrow(/could not create unique index/);
  const checks = await failed();
  expect(checks.map((c) => c.name)).toEqual(['no invalid indexes']);
  expect(checks[0].detail).toContain('public.dup_v');
  await client.query('DROP TABLE dup');
});

test('a regproc column fails; regclass and regtype columns pass', async () => {
  await client.query('CREATE TABLE regs (ok1 regclass, ok2 regtype, bad regproc[])');
  const checks = await failed();
  expect(checks.map((c) => c.name)).toEqual([expect.stringMatching(/^no reg\* columns/)]);
  expect(checks[0].detail).toContain('public.regs.bad regproc[]');
  expect(checks[0].detail).not.toContain('ok1');
  await client.query('DROP TABLE regs');
});

test('an unlogged partitioned table fails', async () => {
  await client.query('CREATE UNLOGGED TABLE parts (at date) PARTITION BY RANGE (at)');
  const checks = await failed();
  expect(checks.map((c) => c.name)).toEqual(['no unlogged partitioned tables (PostgreSQL 18 refuses them)']);
  await client.query('DROP TABLE parts');
});

test('a transaction open longer than the limit fails, naming the session', async () => {
  const other = await db.connect();
  const { rows } = await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const session = `pid ${rows[0].pid} `;
  await other.query('BEGIN; SELECT txid_current()');
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  const checks = await failed({ ...options, longTransactionSeconds: 1 });
  expect(checks.map((c) => c.name)).toEqual(['no transaction open longer than 1 s, no prepared transaction']);
  expect(checks[0].detail).toMatch(new RegExp(`${session}.*idle in transaction \\d+ s`));
  await other.query('ROLLBACK');
  // The check is server-wide: test files running beside this one may hold transactions of their own.
  const after = await failed({ ...options, longTransactionSeconds: 1 });
  expect(after.filter((check) => check.detail.includes(session))).toEqual([]);
});
