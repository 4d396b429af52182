// Signing in: an IAM token made by the real @aws-sdk/rds-signer (offline: signing needs no call)
// and reused for new connections; a role secret read from Secrets Manager (a loopback endpoint
// speaking its JSON protocol) and read again when PostgreSQL refuses it, across the
// alternating-users rotation, on the run's real server.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from 'pg';
import { DataTierClient, SignIn } from '../../lib/client';
import { ExpiringValue } from '../../lib/client/sign-in';
import { createTestDatabase, type TestDatabase } from '../support/database';

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('IAM sign-in', () => {
  test('signs a token for the endpoint and user, valid 15 minutes, and reuses it until refused', async () => {
    const signIn = SignIn.iam({ user: 'shop_app', region: 'eu-west-1', credentials: CREDENTIALS });
    const endpoint = { host: 'shop.proxy-abc.eu-west-1.rds.amazonaws.com', port: 5432 };
    const first = await signIn.credentials(endpoint);
    expect(first.user).toBe('shop_app');
    expect(first.password).toMatch(/^shop\.proxy-abc\.eu-west-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=shop_app&X-Amz-Algorithm=AWS4-HMAC-SHA256&/);
    expect(first.password).toContain('X-Amz-Expires=900');
    expect(first.password).toContain('%2Feu-west-1%2Frds-db%2Faws4_request');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await signIn.credentials(endpoint)).password).toBe(first.password);
    const other = await signIn.credentials({ host: 'replica-1.abc.eu-west-1.rds.amazonaws.com', port: 5432 });
    expect(other.password).toMatch(/^replica-1\.abc/);
    signIn.refused!(endpoint);
    const renewed = await signIn.credentials(endpoint);
    expect(renewed.password).not.toBe(first.password);
  });

  test('a value is shared while fresh, made again once old or dropped, and a failed one is not kept', async () => {
    let now = 0;
    let made = 0;
    let fail = false;
    const value = new ExpiringValue(
      async () => {
        made++;
        if (fail) throw new Error('no credentials');
        return made;
      },
      600_000,
      () => now,
    );
    expect(await Promise.all([value.get(), value.get()])).toEqual([1, 1]);
    now = 599_999;
    expect(await value.get()).toBe(1);
    now = 600_000;
    expect(await value.get()).toBe(2);
    value.drop();
    fail = true;
    await expect(value.get()).rejects.toThrow('no credentials');
    fail = false;
    expect(await value.get()).toBe(4);
  });
});

describe('secret sign-in, through the alternating-users rotation', () => {
  let db: TestDatabase;
  let admin: Client;
  let secretsManager: Server;
  let secret: { username: string; password: string };
  let reads = 0;
  const role = `client_app_${randomBytes(3).toString('hex')}`;
  const clone = `${role}_clone`;

  beforeAll(async () => {
    db = await createTestDatabase('client_secret');
    admin = await db.connect();
    secret = { username: role, password: randomBytes(9).toString('hex') };
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secret.password}'`);
    await admin.query(`CREATE ROLE ${clone} LOGIN IN ROLE ${role}`);
    secretsManager = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const target = request.headers['x-amz-target'];
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        reads++;
        response.writeHead(target === 'secretsmanager.GetSecretValue' ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ ARN: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${SecretId}`, Name: SecretId, SecretString: JSON.stringify(secret), VersionId: String(reads) }));
      });
    });
    await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    secretsManager?.close();
    await db?.drop();
    await admin?.query(`DROP ROLE IF EXISTS ${clone}`).catch(() => {});
    await admin?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  });

  test('keeps signing in as the secret changes user, and reads it again when PostgreSQL refuses the one it holds', async () => {
    const { port } = secretsManager.address() as AddressInfo;
    const client = new SecretsManagerClient({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}`, credentials: CREDENTIALS });
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'probe' }))).SecretString).toContain(role);
    reads = 0;
    const url = new URL(db.url);
    const tier = new DataTierClient({
      writer: { host: url.hostname, port: Number(url.port) },
      database: db.name,
      signIn: SignIn.secret({ secretId: `${role}/secret`, client }),
      tls: false,
      pool: { max: 1, idleTimeoutMs: 10 },
    });
    const sessionUser = async () => {
      // The pool's one session closes when idle: each call signs in anew.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return (await tier.query<{ user: string }>('SELECT session_user AS user')).rows[0].user;
    };
    try {
      expect(await sessionUser()).toBe(role);
      // Rotation 1 sets the clone's password and points the secret at it; the role's still works.
      secret = { username: clone, password: randomBytes(9).toString('hex') };
      await admin.query(`ALTER ROLE ${clone} PASSWORD '${secret.password}'`);
      expect(await sessionUser()).toBe(role);
      expect(reads).toBe(1);
      // Rotation 2 changes the role's password and points the secret back at it.
      secret = { username: role, password: randomBytes(9).toString('hex') };
      await admin.query(`ALTER ROLE ${role} PASSWORD '${secret.password}'`);
      expect(await sessionUser()).toBe(role);
      expect(reads).toBe(2);
      expect(await sessionUser()).toBe(role);
      expect(reads).toBe(2);
    } finally {
      await tier.close();
    }
  });
});
