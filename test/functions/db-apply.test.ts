import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { dbApply, type Output } from '../../lib/cli/db-apply';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { addMigrations, migrationDirectory, removeMigration } from './migration-directory';
import { serverSilentAfterHandshake, silentServer, type UnresponsiveServer } from './unresponsive-servers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('db_apply');
});
afterAll(() => db.drop());

/** An Output that keeps what db:apply prints. */
function captured(): Output & { logged: string[]; errors: string[] } {
  const logged: string[] = [];
  const errors: string[] = [];
  return { logged, errors, log: (line) => logged.push(line), error: (line) => errors.push(line) };
}

describe('npm run db:apply', () => {
  it('passes --allow-out-of-order and --forget, each repeatable, to the runner', async () => {
    const directory = migrationDirectory({
      '001_a.sql': 'CREATE TABLE a (id bigint);',
      '003_c.sql': 'CREATE TABLE c (id bigint);',
      '004_gone.sql': 'CREATE TABLE gone (id bigint);',
      '005_gone_too.sql': 'CREATE TABLE gone_too (id bigint);',
    });
    const first = captured();
    expect(await dbApply(['--database-url', db.url, '--migrations', directory], {}, first)).toBe(0);
    removeMigration(directory, '004_gone.sql');
    removeMigration(directory, '005_gone_too.sql');
    addMigrations(directory, { '002_b.sql': 'CREATE TABLE b (id bigint);', '002_b2.sql': 'CREATE TABLE b2 (id bigint);' });
    const args = ['--database-url', db.url, '--migrations', directory];

    const refused = captured();
    expect(await dbApply(args, {}, refused)).toBe(1);
    expect(refused.errors.join('\n')).toContain('--forget 004_gone.sql --forget 005_gone_too.sql');
    expect(refused.errors.join('\n')).toContain('--allow-out-of-order 002_b.sql --allow-out-of-order 002_b2.sql');

    const accepted = captured();
    const code = await dbApply(
      [...args, '--allow-out-of-order', '002_b.sql', '--allow-out-of-order', '002_b2.sql', '--forget', '004_gone.sql', '--forget', '005_gone_too.sql'],
      {},
      accepted,
    );

    expect(accepted.errors).toEqual([]);
    expect(code).toBe(0);
    expect(accepted.logged).toEqual([
      expect.stringMatching(/^forgot 004_gone\.sql /),
      expect.stringMatching(/^forgot 005_gone_too\.sql /),
      expect.stringMatching(/^applying app\/002_b\.sql \(out of order, accepted\)$/),
      expect.stringMatching(/^applied app\/002_b\.sql/),
      expect.stringMatching(/^applying app\/002_b2\.sql \(out of order, accepted\)$/),
      expect.stringMatching(/^applied app\/002_b2\.sql/),
      expect.stringMatching(/^done: 2 applied, \d+ already applied/),
    ]);
  });
});

/** Runs db:apply in this process; returns its exit code, its error lines and how long it took. */
async function timed(args: string[]): Promise<{ code: number; errors: string[]; ms: number }> {
  const output = captured();
  const started = Date.now();
  const code = await dbApply(args, {}, output);
  return { code, errors: output.errors, ms: Date.now() - started };
}

describe('npm run db:apply against a server that does not answer', () => {
  let server: UnresponsiveServer;
  afterEach(() => server?.close());

  it('fails within --connect-timeout when the server accepts the connection and never answers', async () => {
    server = await silentServer();

    const { code, errors, ms } = await timed(['--database-url', `postgres://app@127.0.0.1:${server.port}/app`, '--connect-timeout', '1s']);

    console.log(`db:apply, silent server, --connect-timeout 1s: failed after ${ms} ms`);
    expect(code).toBe(1);
    expect(errors).toEqual([`cannot connect to PostgreSQL at 127.0.0.1:${server.port} as app: no connection within 1 s (connect timeout)`]);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(3000);
  });

  it('fails within --connect-timeout when TLS is on and the server never answers the TLS request', async () => {
    server = await silentServer();

    const { code, errors, ms } = await timed(['--database-url', `postgres://app@127.0.0.1:${server.port}/app?sslmode=verify-full`, '--connect-timeout', '500ms']);

    console.log(`db:apply, silent server, TLS on, --connect-timeout 500ms: failed after ${ms} ms`);
    expect(code).toBe(1);
    expect(errors).toEqual([`cannot connect to PostgreSQL at 127.0.0.1:${server.port} as app: no connection within 0.5 s (connect timeout)`]);
    expect(ms).toBeLessThan(2500);
  });

  it('fails within --connect-timeout when the server completes the handshake and never answers a query', async () => {
    server = await serverSilentAfterHandshake();

    const { code, errors, ms } = await timed(['--database-url', `postgres://app@127.0.0.1:${server.port}/app`, '--connect-timeout', '1s']);

    console.log(`db:apply, server silent after the handshake, --connect-timeout 1s: failed after ${ms} ms`);
    expect(code).toBe(1);
    expect(errors).toEqual([`connected to PostgreSQL at 127.0.0.1:${server.port} as app, but it answered no query within 1 s (connect timeout)`]);
    expect(ms).toBeLessThan(3000);
  });

  it('fails within --connect-timeout on a black-holed address', async () => {
    // 10.255.255.1 is not routed: packets vanish where there is a default route, and the
    // connection fails at once where there is none (an offline machine).
    const { code, errors, ms } = await timed(['--database-url', 'postgres://app@10.255.255.1:5432/app', '--connect-timeout', '1s']);

    console.log(`db:apply, black-holed 10.255.255.1, --connect-timeout 1s: failed after ${ms} ms (${errors[0]})`);
    expect(code).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^cannot connect to PostgreSQL at 10\.255\.255\.1:5432 as app: /)]);
    expect(ms).toBeLessThan(3000);
  });

  it('as a process, exits 1 within the bound with one line on stderr', async () => {
    server = await silentServer();
    const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const script = path.join(__dirname, '..', '..', 'lib', 'cli', 'index.ts');
    const started = Date.now();

    const run = spawnSync(tsx, [script, 'db', 'apply', '--database-url', `postgres://app@127.0.0.1:${server.port}/app`, '--connect-timeout', '1s'], {
      encoding: 'utf8',
      timeout: 20_000,
    });

    console.log(`db:apply process, silent server, --connect-timeout 1s: exited after ${Date.now() - started} ms, tsx start-up included`);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ as app: no connection within 1 s/)]);
  });
});

describe('npm run db:apply with a wrong setting', () => {
  const withDatabase = (database: string, user?: string, password?: string) => {
    const url = new URL(db.url);
    url.pathname = `/${database}`;
    if (user) url.username = user;
    if (password) url.password = password;
    return url.toString();
  };

  it.each([
    ['no URL', () => [], /^give --database-url <postgres:\/\/\.\.\.> or set DATABASE_URL$/],
    ['a URL that is not one', () => ['--database-url', 'app:secret@localhost:5432'], /^--database-url is not a postgres:\/\/ URL: give postgres:\/\/user:password@host:5432\/database$/],
    ['a closed port', () => ['--database-url', 'postgres://app@127.0.0.1:1/app'], /^cannot connect to PostgreSQL at 127\.0\.0\.1:1 as app: connect ECONNREFUSED 127\.0\.0\.1:1$/],
    ['an unknown host', () => ['--database-url', 'postgres://app@db.example.invalid/app'], /^cannot connect to PostgreSQL at db\.example\.invalid:5432 as app: .*ENOTFOUND/],
    ['an unknown database', () => ['--database-url', withDatabase('no_such_db')], /^cannot connect to PostgreSQL at .* as \w+: database "no_such_db" does not exist$/],
    ['an unknown role', () => ['--database-url', withDatabase(db.name, 'no_such_role')], /^cannot connect to PostgreSQL at .* as no_such_role: password authentication failed for user "no_such_role"$/],
    ['a wrong password', () => ['--database-url', withDatabase(db.name, undefined, 'wrong')], /^cannot connect to PostgreSQL at .* as \w+: password authentication failed for user "\w+"$/],
    ['a connect timeout that is no duration', () => ['--database-url', db.url, '--connect-timeout', 'soon'], /^--connect-timeout soon: give a duration such as 10s, 500ms or 1min$/],
  ])('says what is wrong with %s in one line', async (_case, args, message) => {
    const { code, errors } = await timed(args());

    expect(code).toBe(1);
    expect(errors).toEqual([expect.stringMatching(message)]);
  });
});

