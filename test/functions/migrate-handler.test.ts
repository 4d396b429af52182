import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { type CustomResourceEvent, onEvent as handle } from '../../lib/functions/migrate';
import { APPLICATION_ROLES_PROPERTY, STREAM_SCHEMAS_PROPERTY } from '../../lib/functions/shared/application-role-spec';
import { migrationStreamsHash } from '../../lib/functions/shared/sql-directory-hash';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { PROJECT_STREAMS } from '../sql/migrated-database';
import { databaseSecret } from './handler-fixtures';
import { addMigrations, migrationDirectory, removeMigration } from './migration-directory';
import { silentServer } from './unresponsive-servers';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:data-tier-db-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
let db: TestDatabase;
let log: jest.SpyInstance;

/** Fakes the RDS secret `secretId` as pointing at a test database. */
function fakeSecret(secretId: string, database: TestDatabase, overrides: Record<string, unknown> = {}): void {
  secrets.on(GetSecretValueCommand, { SecretId: secretId }).resolves({ SecretString: databaseSecret(database, overrides) });
}

beforeAll(async () => {
  db = await createTestDatabase('handler');
  fakeSecret(SECRET_ARN, db);
  process.env.DB_SECRET_ARN = SECRET_ARN;
  process.env.DB_TLS = 'disable';
  log = jest.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  log.mockRestore();
  secrets.restore();
  await db.drop();
});

/** What the stack's custom resource sends besides SqlHash: the streams' schemas, the application roles. */
let resourceProperties: Record<string, string> = {};
const onEvent = (event: CustomResourceEvent) => handle({ ...event, ResourceProperties: { ...resourceProperties, ...event.ResourceProperties } });

/** Points the handler at one test directory, bundled as an application stream that owns public. */
function useDirectory(directory: string): void {
  process.env.SQL_ROOT = path.dirname(directory);
  process.env.MIGRATION_STREAMS = path.basename(directory);
  resourceProperties = { [STREAM_SCHEMAS_PROPERTY]: JSON.stringify({ [path.basename(directory)]: ['public'] }) };
}

/** Points the handler at the project's streams, as the stack bundles them. */
function useProjectStreams(): void {
  const root = mkdtempSync(path.join(tmpdir(), 'bundle-'));
  for (const stream of PROJECT_STREAMS) symlinkSync(stream.directory, path.join(root, stream.name));
  process.env.SQL_ROOT = root;
  process.env.MIGRATION_STREAMS = PROJECT_STREAMS.map((stream) => stream.name).join(',');
  resourceProperties = { [STREAM_SCHEMAS_PROPERTY]: JSON.stringify(Object.fromEntries(PROJECT_STREAMS.filter((stream) => stream.owner).map((stream) => [stream.name, stream.schemas]))) };
}

const sqlDirectoryHash = (directory: string) => migrationStreamsHash([{ name: path.basename(directory), directory }]);

async function tables(): Promise<string[]> {
  const client = await db.connect();
  const { rows } = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((row) => row.tablename);
}

describe('the schema migrations custom resource handler', () => {
  // Files are added as the tests go, like commits between deploys.
  const directory = migrationDirectory({ '001_a.sql': 'CREATE TABLE a (id bigint);', '002_b.sql': 'CREATE TABLE b (id bigint);' });
  beforeAll(() => {
    useDirectory(directory);
  });

  it('Create reads the secret, applies every migration and reports how many', async () => {
    const response = await onEvent({ RequestType: 'Create', ResourceProperties: { SqlHash: sqlDirectoryHash(directory) } });

    expect(response).toEqual({ PhysicalResourceId: 'schema-migrations', Data: { Applied: 2, Skipped: 0, DurationMs: expect.any(Number) } });
    expect(secrets.commandCalls(GetSecretValueCommand, { SecretId: SECRET_ARN })).not.toHaveLength(0);
    expect(log).toHaveBeenCalledWith('applying 001_a.sql');
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('Update applies only the new file', async () => {
    addMigrations(directory, { '003_c.sql': 'CREATE TABLE c (id bigint);' });

    const response = await onEvent({ RequestType: 'Update', PhysicalResourceId: 'schema-migrations', ResourceProperties: { SqlHash: sqlDirectoryHash(directory) } });

    expect(response.Data).toMatchObject({ Applied: 1, Skipped: 2 });
    expect(await tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);
  });

  it('an Update asking for other SQL than it carries (the rollback of a failed deploy) applies nothing', async () => {
    addMigrations(directory, { '004_not_yet.sql': 'CREATE TABLE not_yet (id bigint);' });
    secrets.resetHistory();

    const response = await onEvent({ RequestType: 'Update', PhysicalResourceId: 'schema-migrations', ResourceProperties: { SqlHash: 'the-previous-deploy' } });

    expect(response).toEqual({ PhysicalResourceId: 'schema-migrations', Data: { Applied: 0, Skipped: 0, DurationMs: 0 } });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(await tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);
    removeMigration(directory, '004_not_yet.sql');
  });

  it('fails with the runner\'s message, naming the file, when a migration fails', async () => {
    addMigrations(directory, { '004_bad.sql': 'CREATE TABLE d (id bigint);\nALTER TABLE nowhere ADD COLUMN x int;' });

    await expect(onEvent({ RequestType: 'Update', PhysicalResourceId: 'schema-migrations', ResourceProperties: { SqlHash: sqlDirectoryHash(directory) } })).rejects.toThrow(
      /^Migration 004_bad\.sql \(stream [a-z_]+\) failed at statement 2 of 2 \(line 2\): relation "nowhere" does not exist/,
    );
    expect(await tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);
  });

  it('Delete is a no-op that keeps the schema and does not even read the secret', async () => {
    secrets.resetHistory();

    const response = await onEvent({ RequestType: 'Delete', PhysicalResourceId: 'schema-migrations' });

    expect(response).toEqual({ PhysicalResourceId: 'schema-migrations' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(await tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);
  });

  it('says where it could not connect', async () => {
    fakeSecret('closed-port', db, { host: 'writer.example.internal', port: 1 });
    process.env.DB_SECRET_ARN = 'closed-port';
    process.env.DB_HOST = '127.0.0.1';
    try {
      await expect(onEvent({ RequestType: 'Create' })).rejects.toThrow(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1 as \w+: .*ECONNREFUSED/);
    } finally {
      process.env.DB_SECRET_ARN = SECRET_ARN;
      delete process.env.DB_HOST;
    }
  });

  it('fails within CONNECT_TIMEOUT when the server accepts the connection and never answers', async () => {
    const server = await silentServer();
    fakeSecret('silent', db, { host: '127.0.0.1', port: server.port });
    process.env.DB_SECRET_ARN = 'silent';
    process.env.CONNECT_TIMEOUT = '1s';
    const started = Date.now();
    try {
      await expect(onEvent({ RequestType: 'Create' })).rejects.toThrow(
        `cannot connect to PostgreSQL at 127.0.0.1:${server.port} as ${new URL(db.url).username}: no connection within 1 s (connect timeout)`,
      );
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      process.env.DB_SECRET_ARN = SECRET_ARN;
      delete process.env.CONNECT_TIMEOUT;
      await server.close();
    }
  });

  it('refuses a file numbered before the last applied one unless ALLOW_OUT_OF_ORDER names it', async () => {
    removeMigration(directory, '004_bad.sql');
    addMigrations(directory, { '000_early.sql': 'CREATE TABLE early (id bigint);' });
    const update = () => onEvent({ RequestType: 'Update', PhysicalResourceId: 'schema-migrations', ResourceProperties: { SqlHash: sqlDirectoryHash(directory) } });

    await expect(update()).rejects.toThrow(/000_early\.sql sorts before 003_c\.sql/);
    process.env.ALLOW_OUT_OF_ORDER = '000_early.sql, 000_other.sql';
    try {
      await expect(update()).resolves.toMatchObject({ Data: { Applied: 1, Skipped: 3 } });
    } finally {
      delete process.env.ALLOW_OUT_OF_ORDER;
    }
    expect(await tables()).toEqual(['a', 'b', 'c', 'early', 'schema_migrations']);
  });
});

describe('the handler on the real sql/', () => {
  /** Runs the handler on a fresh database with a role secret in `envVariable`; `check` signs in as that role. */
  async function withRoleLogin(username: string, envVariable: string, check: (role: Client, fresh: TestDatabase) => Promise<void>): Promise<void> {
    const fresh = await createTestDatabase(`handler_${username}`);
    fakeSecret('fresh-master', fresh);
    const password = `${username}-${Date.now()}-Aa1`;
    fakeSecret(username, fresh, { username, password });
    process.env.DB_SECRET_ARN = 'fresh-master';
    process.env[envVariable] = username;
    useProjectStreams();
    const url = new URL(fresh.url);
    url.username = username;
    url.password = password;
    const role = new Client({ connectionString: url.toString() });
    try {
      await onEvent({ RequestType: 'Create' });
      await role.connect();
      await check(role, fresh);
    } finally {
      await role.end().catch(() => {});
      process.env.DB_SECRET_ARN = SECRET_ARN;
      delete process.env[envVariable];
      await fresh.drop();
    }
  }

  it('gives the health check its own least-privilege login, with the password of its secret', async () => {
    await withRoleLogin('data_tier_monitor', 'MONITOR_SECRET_ARN', async (monitor, fresh) => {
      const { rows } = await (await fresh.connect()).query(`SELECT rolcanlogin, rolpassword LIKE 'SCRAM-SHA-256$4096:%' AS scram FROM pg_authid WHERE rolname = 'data_tier_monitor'`);
      expect(rows).toEqual([{ rolcanlogin: true, scram: true }]);
      await monitor.query(`SELECT data_tier.record_heartbeat('health-check')`);
      const metrics = await monitor.query(`SELECT metric FROM data_tier.health_check()`);
      expect(metrics.rows.map((r) => r.metric)).toContain('partitions_ahead_min');
      await expect(monitor.query('SELECT count(*) FROM public.analytics_events')).rejects.toThrow(/permission denied/);
      await expect(monitor.query('CREATE TABLE public.not_allowed (id int)')).rejects.toThrow(/permission denied/);
    });
  });

  it('gives the runbooks\' operator role a read-only login, with the password of its secret', async () => {
    await withRoleLogin('data_tier_operator', 'OPERATOR_SECRET_ARN', async (operator) => {
      const metrics = await operator.query(`SELECT metric FROM data_tier.health_check()`);
      expect(metrics.rows.map((r) => r.metric)).toContain('partitions_ahead_min');
      await operator.query(`SELECT * FROM data_tier.partition_maintenance_plan()`);
      await expect(operator.query('SELECT count(*) FROM public.analytics_events')).rejects.toThrow(/permission denied/);
      await expect(operator.query(`SELECT data_tier.record_heartbeat('operator')`)).rejects.toThrow(/permission denied/);
    });
  });

  it('fails an application file that touches a platform object with permission denied, naming stream, file and line, and changes nothing', async () => {
    const fresh = await createTestDatabase('handler_owner');
    fakeSecret('fresh', fresh);
    process.env.DB_SECRET_ARN = 'fresh';
    const root = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    for (const stream of PROJECT_STREAMS) symlinkSync(stream.directory, path.join(root, stream.name));
    const shop = migrationDirectory({ '001_cleanup.sql': 'SELECT 1;\nDROP TABLE data_tier.partitioned_parents CASCADE;' });
    symlinkSync(shop, path.join(root, 'shop'));
    process.env.SQL_ROOT = root;
    process.env.MIGRATION_STREAMS = [...PROJECT_STREAMS.map((stream) => stream.name), 'shop'].join(',');
    resourceProperties = { [STREAM_SCHEMAS_PROPERTY]: JSON.stringify({ analytics: ['public'] }) };
    try {
      await expect(onEvent({ RequestType: 'Create' })).rejects.toThrow(
        /^Migration 001_cleanup\.sql \(stream shop\) failed at statement 2 of 2 \(line 2\): must be owner of table partitioned_parents \[SQLSTATE 42501\][\s\S]*runs as role shop_owner/,
      );
      const client = await fresh.connect();
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM data_tier.partitioned_parents`);
      expect(rows[0].n).toBe(1);
      await client.query(`SELECT * FROM data_tier.health_check()`);
    } finally {
      process.env.DB_SECRET_ARN = SECRET_ARN;
      await fresh.drop();
    }
  });

  it('gives the declared application roles their rights after the migrations, reading a secret role\'s password from its secret', async () => {
    const fresh = await createTestDatabase('handler_roles');
    fakeSecret('fresh', fresh);
    const reader = `analytics_reader_${Date.now().toString(36)}`;
    const password = `reader-${Date.now()}-Aa1`;
    fakeSecret('reader-secret', fresh, { username: reader, password });
    process.env.DB_SECRET_ARN = 'fresh';
    useProjectStreams();
    resourceProperties[APPLICATION_ROLES_PROPERTY] = JSON.stringify([{ name: reader, access: 'read-only', schemas: ['public'], signIn: 'secret', secretArn: 'reader-secret' }]);
    try {
      await onEvent({ RequestType: 'Create' });
      const url = new URL(fresh.url);
      url.username = reader;
      url.password = password;
      const role = new Client({ connectionString: url.toString() });
      await role.connect();
      try {
        const { rows } = await role.query('SELECT count(*)::int AS n FROM analytics_events');
        expect(rows).toEqual([{ n: 0 }]);
        await expect(role.query(`INSERT INTO analytics_events (tenant_id, entity_id, event_type) VALUES (gen_random_uuid(), gen_random_uuid(), 'x')`)).rejects.toThrow(/permission denied/);
        // public is the stream's, but the history in it is the platform's.
        await expect(role.query('SELECT count(*) FROM public.schema_migrations')).rejects.toThrow(/permission denied/);
      } finally {
        await role.end();
      }
    } finally {
      delete resourceProperties[APPLICATION_ROLES_PROPERTY];
      process.env.DB_SECRET_ARN = SECRET_ARN;
      await fresh.drop();
    }
  });

  it('applies the bundled migrations to a fresh database', async () => {
    const fresh = await createTestDatabase('handler_sql');
    fakeSecret('fresh', fresh);
    process.env.DB_SECRET_ARN = 'fresh';
    useProjectStreams();
    try {
      const response = await onEvent({ RequestType: 'Create' });
      expect(response.Data?.Applied).toBeGreaterThanOrEqual(7);
      const client = await fresh.connect();
      const { rows } = await client.query(`SELECT value FROM data_tier.health_check() WHERE metric = 'partitions_ahead_min'`);
      expect(rows).toEqual([{ value: 6 }]);
    } finally {
      process.env.DB_SECRET_ARN = SECRET_ARN;
      await fresh.drop();
    }
  });
});
