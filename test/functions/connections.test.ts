import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Client } from 'pg';
import { ConnectionCache, type Endpoint, splitHostPort } from '../../lib/functions/shared/connections';
import type { TestDatabase } from '../support/database';
import { createTestDatabase } from '../support/database';
import { SECRET_ARN, databaseSecret, endpointOf, fakeDatabaseSecret, secrets } from './handler-fixtures';

let db: TestDatabase;
let cache: ConnectionCache;
let endpoint: Endpoint;

beforeAll(async () => {
  db = await createTestDatabase('connections');
  endpoint = { secretId: SECRET_ARN, host: endpointOf(db), tls: false, applicationName: 'connections test', connectTimeoutMs: 1_000, statementTimeoutMs: 2_000 };
});
beforeEach(() => {
  secrets.reset();
  fakeDatabaseSecret(db);
  cache = new ConnectionCache(new SecretsManagerClient({}));
});
afterEach(() => cache.closeAll());
afterAll(async () => {
  secrets.restore();
  await db.drop();
});

const backendPid = (client: Client) => client.query('SELECT pg_backend_pid() AS pid').then(({ rows }) => rows[0].pid as number);
const killOwnBackend = (client: Client) => client.query('SELECT pg_terminate_backend(pg_backend_pid())');

describe('ConnectionCache', () => {
  it('reuses one connection, and reads the secret once', async () => {
    const first = await cache.run(endpoint, backendPid);
    const second = await cache.run(endpoint, backendPid);

    expect(second).toBe(first);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('runs the work again on a new connection when the reused one turns out to be dead', async () => {
    const first = await cache.run(endpoint, backendPid);
    let attempts = 0;

    const second = await cache.run(endpoint, async (client) => {
      attempts += 1;
      if (attempts === 1) await killOwnBackend(client);
      return backendPid(client);
    });

    expect(attempts).toBe(2);
    expect(second).not.toBe(first);
  });

  it('does not retry on a connection it has just made', async () => {
    let attempts = 0;

    await expect(cache.run(endpoint, async (client) => {
      attempts += 1;
      return killOwnBackend(client);
    })).rejects.toThrow('terminating connection due to administrator command');
    expect(attempts).toBe(1);
    // The dead connection was dropped: the next run gets a working one.
    await expect(cache.run(endpoint, backendPid)).resolves.toEqual(expect.any(Number));
  });

  it('keeps the connection after an ordinary SQL error', async () => {
    const pid = await cache.run(endpoint, backendPid);

    await expect(cache.run(endpoint, (client) => client.query('SELECT * FROM nowhere'))).rejects.toThrow('relation "nowhere" does not exist');

    expect(await cache.run(endpoint, backendPid)).toBe(pid);
  });

  it('reads the secret again when the credentials changed since it was cached', async () => {
    // The embedded server trusts local connections, so a stale user (not a stale password) is refused.
    secrets.reset();
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolvesOnce({ SecretString: databaseSecret(db, { username: 'rotated_away' }) })
      .resolves({ SecretString: databaseSecret(db) });

    await expect(cache.run(endpoint, backendPid)).resolves.toEqual(expect.any(Number));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('splitHostPort', () => {
  it('reads host or host:port', () => {
    expect(splitHostPort('proxy.example.internal')).toEqual({ host: 'proxy.example.internal' });
    expect(splitHostPort('127.0.0.1:5433')).toEqual({ host: '127.0.0.1', port: 5433 });
  });
});
