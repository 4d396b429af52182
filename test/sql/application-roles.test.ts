import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool, type Client } from 'pg';
import type { ApplicationRoleSpec } from '../../lib/functions/shared/application-role-spec';
import { applyApplicationRoles, type RoleCredentials } from '../../lib/functions/shared/application-roles';
import { migrationStreams, runMigrations, type MigrationStream } from '../../lib/functions/shared/migrations';
import { scramSha256Verifier } from '../../lib/functions/shared/scram';
import { PLATFORM_SQL_DIR } from '../../lib/platform-sql';
import { createRdsLikeDatabase, type RdsLikeDatabase } from '../support/rds-like-database';

// Application roles on a real PostgreSQL whose master user is, as on RDS, not a superuser: each
// declared role gets exactly the rights its access names, and nothing on the platform or on
// another stream's schema; IAM roles sign in only through rds_iam; a secret role survives its
// rotation with an open pool; a role removed from the configuration loses its login.

const suffix = randomBytes(3).toString('hex');
const shop = `shop_${suffix}`;
const billing = `billing_${suffix}`;
const writer = `shop_writer_${suffix}`;
const reader = `shop_reader_${suffix}`;
const iamUser = `shop_iam_${suffix}`;
const passwords = new Map<string, string>([
  [writer, `writer-${randomBytes(8).toString('hex')}`],
  [reader, `reader-${randomBytes(8).toString('hex')}`],
]);

function streamDirectory(name: string, files: Record<string, string>): string {
  const directory = path.join(mkdtempSync(path.join(os.tmpdir(), 'roles-')), name);
  mkdirSync(directory);
  for (const [file, sql] of Object.entries(files)) writeFileSync(path.join(directory, file), sql);
  return directory;
}

const roles: ApplicationRoleSpec[] = [
  { name: writer, access: 'read-write', schemas: [shop], signIn: 'secret', connectionLimit: 10, statementTimeoutMs: 30_000 },
  { name: reader, access: 'read-only', schemas: [shop], signIn: 'secret' },
  { name: iamUser, access: 'read-only', schemas: [shop], signIn: 'iam' },
];

describe('application roles, on a database whose master is not a superuser', () => {
  let db: RdsLikeDatabase;
  let master: Client;
  let streams: MigrationStream[];
  const credentialsOf = async (role: ApplicationRoleSpec): Promise<RoleCredentials> => ({ username: role.name, password: passwords.get(role.name)! });
  const ownership = () => streams.filter((s) => s.owner).map((s) => ({ stream: s.name, owner: s.owner!, schemas: s.schemas! }));

  beforeAll(async () => {
    db = await createRdsLikeDatabase('app_roles');
    master = await db.connectAsMaster();
    streams = migrationStreams(PLATFORM_SQL_DIR, [
      streamDirectory(shop, {
        '001_orders.sql': `
          CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric NOT NULL);
          CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
          SELECT data_tier.register_partitioned_parent('events', p_interval => 'day', p_premake => 2);
          INSERT INTO orders (total) VALUES (10), (20);`,
      }),
      streamDirectory(billing, { '001_invoices.sql': `CREATE TABLE invoices (id bigint PRIMARY KEY, amount numeric NOT NULL); INSERT INTO invoices VALUES (1, 5);` }),
    ]);
    await runMigrations(master, { streams });
    await applyApplicationRoles(master, roles, { streams: ownership(), credentialsOf });
    // A table the stream creates after the roles were applied: default privileges cover it.
    writeFileSync(path.join(streams[1].directory, '002_refunds.sql'), `CREATE TABLE refunds (id bigint PRIMARY KEY); INSERT INTO refunds VALUES (1);`);
    await runMigrations(master, { streams });
  });
  afterAll(() => db.drop());

  const operations: Array<[string, (schema: string) => string]> = [
    ['select', (s) => `SELECT count(*) FROM ${s}.orders`],
    ['select a table created after the roles', (s) => `SELECT count(*) FROM ${s}.refunds`],
    ['insert', (s) => `INSERT INTO ${s}.orders (total) VALUES (1)`],
    ['update', (s) => `UPDATE ${s}.orders SET total = total + 1`],
    ['delete', (s) => `DELETE FROM ${s}.orders WHERE total > 1000`],
    ['insert into a partitioned table', (s) => `INSERT INTO ${s}.events (at) VALUES (now())`],
    ['truncate', (s) => `TRUNCATE ${s}.orders`],
    ['create table in its schema', (s) => `CREATE TABLE ${s}.scratch (id int)`],
    ['create table in public', () => `CREATE TABLE public.scratch (id int)`],
    ['alter a platform table', () => `ALTER TABLE data_tier.heartbeat ADD COLUMN x int`],
    ['drop a platform table', () => `DROP TABLE data_tier.partitioned_parents CASCADE`],
    ['write a platform table', () => `DELETE FROM data_tier.partitioned_parents`],
    ['call maintenance', () => `CALL data_tier.run_partition_maintenance()`],
    ['register a table', (s) => `SELECT data_tier.register_partitioned_parent('${s}.events')`],
    ["read another stream's schema", () => `SELECT count(*) FROM ${billing}.invoices`],
    ['rewrite the migration history', () => `DELETE FROM public.schema_migrations`],
  ];
  const expected: Record<string, Record<string, 'allowed' | 'refused'>> = {
    'read-write': {
      select: 'allowed',
      'select a table created after the roles': 'allowed',
      insert: 'allowed',
      update: 'allowed',
      delete: 'allowed',
      'insert into a partitioned table': 'allowed',
    },
    'read-only': { select: 'allowed', 'select a table created after the roles': 'allowed' },
  };

  async function outcomes(client: Client): Promise<Record<string, string>> {
    const result: Record<string, string> = {};
    for (const [name, sql] of operations) {
      await client.query('BEGIN');
      try {
        await client.query(sql(shop));
        result[name] = 'allowed';
      } catch (error) {
        const { code, message } = error as { code?: string; message: string };
        // Refused means refused for want of a privilege, not some other error.
        result[name] = code === '42501' ? 'refused' : `error ${code}: ${message}`;
      }
      await client.query('ROLLBACK');
    }
    return result;
  }

  it.each([
    ['read-write', writer],
    ['read-only', reader],
  ])('a %s role may do exactly what its access names, and nothing on the platform or another schema', async (access, role) => {
    const client = await db.connectAs(role, passwords.get(role)!);
    const table = await outcomes(client);
    console.log(`${access} (${role}):\n${Object.entries(table).map(([op, outcome]) => `  ${op.padEnd(40)} ${outcome}`).join('\n')}`);
    expect(table).toEqual(Object.fromEntries(operations.map(([name]) => [name, expected[access][name] ?? 'refused'])));
  });

  it('holds no CREATE on any schema or on the database, and no privilege at all on data_tier', async () => {
    const { rows } = await master.query(
      `SELECT r.rolname, n.nspname, has_schema_privilege(r.rolname, n.nspname, 'CREATE') AS can_create, has_schema_privilege(r.rolname, n.nspname, 'USAGE') AS usage
       FROM pg_roles AS r CROSS JOIN pg_namespace AS n
       WHERE r.rolname = ANY ($1) AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'`,
      [roles.map((role) => role.name)],
    );
    expect(rows.filter((row) => row.can_create)).toEqual([]);
    expect(rows.filter((row) => row.usage).map((row) => `${row.rolname}:${row.nspname}`).sort()).toEqual(
      // public keeps PostgreSQL's default USAGE for everyone (it holds only the history, unwritable by them).
      roles.flatMap((role) => [`${role.name}:${shop}`, `${role.name}:public`]).sort(),
    );
    const database = await master.query(`SELECT bool_or(has_database_privilege(rolname, current_database(), 'CREATE')) AS any FROM pg_roles WHERE rolname = ANY ($1)`, [
      roles.map((role) => role.name),
    ]);
    expect(database.rows[0].any).toBe(false);
  });

  it('gives an IAM role rds_iam and no password, and a secret role a password and no rds_iam', async () => {
    const admin = await db.connect();
    const { rows } = await admin.query(
      `SELECT a.rolname, a.rolcanlogin, a.rolpassword IS NOT NULL AS has_password, pg_has_role(a.rolname, 'rds_iam', 'MEMBER') AS rds_iam
       FROM pg_authid AS a WHERE a.rolname = ANY ($1)`,
      [[iamUser, reader]],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { rolname: reader, rolcanlogin: true, has_password: true, rds_iam: false },
        { rolname: iamUser, rolcanlogin: true, has_password: false, rds_iam: true },
      ]),
    );
    expect(rows).toHaveLength(2);
  });

  it('sets the connection limit and statement timeout of the role and of its rotation twin', async () => {
    const { rows } = await master.query(
      `SELECT r.rolname, r.rolconnlimit, (SELECT array_agg(c) FROM pg_db_role_setting AS s, unnest(s.setconfig) AS c WHERE s.setrole = r.oid AND c LIKE 'statement_timeout=%') AS settings
       FROM pg_roles AS r WHERE r.rolname IN ($1, $2) ORDER BY r.rolname`,
      [writer, `${writer}_clone`],
    );
    expect(rows).toEqual([
      { rolname: writer, rolconnlimit: 10, settings: ['statement_timeout=30000'] },
      { rolname: `${writer}_clone`, rolconnlimit: 10, settings: ['statement_timeout=30000'] },
    ]);
  });

  it('records what was declared in data_tier.application_roles, which operators read', async () => {
    const { rows } = await master.query(`SELECT role_name, sign_in, access, schemas::text[] AS schemas, declared FROM data_tier.application_roles`);
    expect(rows).toEqual(expect.arrayContaining(roles.map((role) => ({ role_name: role.name, sign_in: role.signIn, access: role.access, schemas: [shop], declared: true }))));
    expect(rows).toHaveLength(roles.length);
  });

  it("keeps an open pool working through the secret's alternating-users rotation", async () => {
    // The steps of AWS's SecretsManagerRDSPostgreSQLRotationMultiUser function, on the database:
    // setSecret signs in as the master and sets the pending user's password (the _clone twin
    // exists, so ALTER USER), testSecret signs in as the pending user; finishSecret only moves
    // the AWSCURRENT label. The pool keeps the old credentials all along.
    // Idle connections close at once, so the pool signs in again with the old credentials all along.
    const pool = new Pool({ connectionString: urlOf(writer, passwords.get(writer)!), max: 3, idleTimeoutMillis: 1 });
    pool.on('error', () => {});
    let signIns = 0;
    pool.on('connect', () => signIns++);
    const failures: string[] = [];
    let queries = 0;
    let rotating = true;
    const load = (async () => {
      while (rotating) {
        await pool.query(`SELECT count(*) FROM ${shop}.orders`).then(() => queries++, (error: Error) => failures.push(error.message));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const pending = { username: `${writer}_clone`, password: `rotated-${randomBytes(8).toString('hex')}` };
    await master.query(`ALTER USER ${pending.username} WITH PASSWORD ${master.escapeLiteral(scramSha256Verifier(pending.password))}`);
    const tested = await db.connectAs(pending.username, pending.password);
    await tested.query('SELECT NOW()');
    const twin = await tested.query(`SELECT count(*)::int AS n FROM ${shop}.orders`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The next deploy reads AWSCURRENT, now the twin's, and keeps it.
    passwords.set(`${writer}_clone`, pending.password);
    await applyApplicationRoles(master, roles, {
      streams: ownership(),
      credentialsOf: async (role) => (role.name === writer ? pending : credentialsOf(role)),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    rotating = false;
    await load;
    await pool.end();
    expect(twin.rows[0].n).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThan(10);
    expect(signIns).toBeGreaterThan(10);
    await expect(db.connectAs(pending.username, pending.password)).resolves.toBeDefined();
  });

  it('takes the login of a role removed from the configuration, and drops it only when it owns nothing', async () => {
    const admin = await db.connect();
    // The reader owns a table (made by hand): it must stay, without login.
    await admin.query(`CREATE TABLE ${shop}.kept (id int)`);
    await admin.query(`ALTER TABLE ${shop}.kept OWNER TO ${reader}`);
    const result = await applyApplicationRoles(master, [roles[0]], { streams: ownership(), credentialsOf });
    expect(result.disabled.sort()).toEqual([iamUser, reader].sort());
    expect(result.dropped).toEqual([iamUser]);
    const { rows } = await master.query(`SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ($1, $2, $3) ORDER BY rolname`, [reader, `${reader}_clone`, iamUser]);
    expect(rows).toEqual([
      { rolname: reader, rolcanlogin: false },
      { rolname: `${reader}_clone`, rolcanlogin: false },
    ]);
    await expect(db.connectAs(reader, passwords.get(reader)!)).rejects.toThrow(/not permitted to log in/);
    const recorded = await master.query(`SELECT role_name, declared FROM data_tier.application_roles ORDER BY role_name`);
    expect(recorded.rows.filter((row) => !row.declared).map((row) => row.role_name).sort()).toEqual([iamUser, reader].sort());
  });

  function urlOf(user: string, password: string): string {
    const url = new URL(db.url);
    url.username = user;
    url.password = password;
    return url.toString();
  }
});

describe('a declared role that exists with more power than an application role', () => {
  let db: RdsLikeDatabase;
  afterAll(() => db.drop());

  it('is refused, naming what it has, and nothing changes', async () => {
    db = await createRdsLikeDatabase('app_roles_powerful');
    const master = await db.connectAsMaster();
    await runMigrations(master, { streams: migrationStreams(PLATFORM_SQL_DIR) });
    const name = `powerful_${suffix}`;
    await master.query(`CREATE ROLE ${name} LOGIN CREATEROLE`);
    const role: ApplicationRoleSpec = { name, access: 'read-only', schemas: [], signIn: 'iam' };
    await expect(applyApplicationRoles(master, [role], { streams: [], credentialsOf: async () => ({ username: name, password: 'x' }) })).rejects.toThrow(
      `application role ${name} exists with CREATEROLE: an application role has none of these`,
    );
    const { rows } = await master.query(`SELECT count(*)::int AS n FROM data_tier.application_roles`);
    expect(rows[0].n).toBe(0);
  });
});
