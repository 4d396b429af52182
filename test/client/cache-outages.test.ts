// The cache never fails a request: a Redis of this file's own is stopped, slowed, given a wrong
// token and has its AUTH token rotated (ElastiCache's ROTATE then SET, played with ACLs) while
// requests run, and every request gets its row.
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createClient } from 'redis';
import { RedisCache } from '../../lib/client/cache';
import { cacheAuthTokenFromSecret } from '../../lib/client/cache-auth-token';
import { startRedisServer, type RedisServer } from '../../scripts/redis-server.cjs';
import { entityDatabase, type EntityDatabase } from './cache-fixtures';
import { sleep, until } from '../support/waiting';

let data: EntityDatabase;
let server: RedisServer;
const caches: RedisCache[] = [];

function cacheOf(options: Partial<ConstructorParameters<typeof RedisCache>[0]> = {}): RedisCache {
  const cache = new RedisCache({
    host: server.host,
    port: server.tlsPort,
    tls: { ca: readFileSync(server.caFile!, 'utf8') },
    authToken: server.password,
    ...options,
  });
  caches.push(cache);
  return cache;
}

async function admin(password = server.password) {
  const client = createClient({ url: `redis://127.0.0.1:${server.port}`, password });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * `workers` loops reading random entities through the cache until `stop` resolves; every read
 * must come back with its own row. Returns how many reads there were; rejects if `stop` does.
 */
async function traffic(cache: RedisCache, stop: Promise<unknown>, workers = 8, keys = 40): Promise<number> {
  let done = false;
  const stopped = stop.finally(() => (done = true));
  let reads = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!done) {
        const id = 1 + Math.floor(Math.random() * keys);
        const entity = await cache.cached(`entity:${id}`, 300, () => data.loadEntity(id, 2));
        if (entity.id !== id) throw new Error(`read entity:${id}, got ${entity.id}`);
        reads++;
      }
    }),
  );
  await stopped;
  return reads;
}

beforeAll(async () => {
  data = await entityDatabase(100, 5);
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
  // Running again, and with its first password (a test may have rotated it).
  await server.stop();
  await server.start();
});
afterAll(async () => {
  await server.remove();
  await data.close();
});

describe('RedisCache when the cache fails', () => {
  it('answers every read from the loader while the server is stopped mid-load, and uses the cache again once it is back', async () => {
    const cache = cacheOf();
    await until(() => cache.available, 5_000, 'the cache is connected');
    const flush = await admin();
    await flush.flushAll();
    flush.destroy();

    const inFlight = Promise.all(Array.from({ length: 20 }, (_, i) => cache.cached(`slow:${i}`, 300, () => data.loadEntity(i + 1, 300))));
    const outage = (async () => {
      await sleep(100);
      await server.stop();
      await sleep(700);
      await server.start();
      await until(() => cache.available, 10_000, 'the cache has reconnected');
      const hitsBefore = cache.stats().hits;
      await until(() => cache.stats().hits > hitsBefore + 50, 10_000, 'reads are answered from the cache again');
    })();
    const reads = await traffic(cache, outage);

    expect((await inFlight).map((entity) => entity.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const stats = cache.stats();
    console.log(`server stopped mid-load: ${reads} reads, all answered; ${stats.unavailable} cache commands bypassed, ${stats.loads} loads, ${stats.hits} hits`);
    expect(stats.unavailable).toBeGreaterThan(0);
  });

  it('answers from the loader within the command timeout when the server is slow, then stops waiting for it', async () => {
    const errors: Error[] = [];
    const cache = cacheOf({ commandTimeoutMs: 50, failuresBeforeBypass: 3, bypassForMs: 5_000, onError: (error) => errors.push(error) });
    await until(() => cache.available, 5_000, 'the cache is connected');
    const blocker = await admin();

    const asleep = blocker.sendCommand(['DEBUG', 'SLEEP', '1.5']);
    await sleep(50);
    const timings: number[] = [];
    for (let id = 1; id <= 10; id++) {
      const started = performance.now();
      await expect(cache.cached(`entity:${id}`, 300, () => data.loadEntity(id))).resolves.toMatchObject({ id });
      timings.push(performance.now() - started);
    }
    await asleep;
    blocker.destroy();

    console.log(`slow cache: reads took ${timings.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    // The GETs of the first 3 reads wait out the 50 ms timeout; after 3 failures the cache is bypassed without being asked.
    expect(errors.map((error) => error.message)).toEqual(Array(3).fill('cache command GET failed; bypassing the cache: Command timed out after 50ms waiting for a reply; it may have been executed'));
    expect(cache.available).toBe(false);
    expect(Math.max(...timings)).toBeLessThan(500);
  });

  it('never serves the old row after an invalidation the cache did not confirm, and invalidates again once it answers', async () => {
    const cache = cacheOf({ firstFillAfterWriteMs: 100 });
    await until(() => cache.available, 5_000, 'the cache is connected');
    await cache.cached('entity:9', 300, () => data.loadEntity(9));
    const operator = await admin();
    const versions: number[] = [];
    try {
      // The cache loses its connection and cannot come back (its token is refused) while the row is written.
      await operator.sendCommand(['ACL', 'SETUSER', 'default', 'resetpass', '>locked-out-for-now']);
      await operator.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
      await until(() => !cache.available, 5_000, 'the cache has lost its connection');
      await data.rename(9);
      await cache.invalidate('entity:9');
      await operator.sendCommand(['ACL', 'SETUSER', 'default', 'resetpass', `>${server.password}`]);
      await until(() => cache.available, 5_000, 'the cache has reconnected');
      expect(JSON.parse((await operator.get('entity:9'))!)).toMatchObject({ version: 1 });
      // Read until the cache answers the key again: the invalidation has been confirmed by then.
      const hitsBefore = cache.stats().hits;
      for (let i = 0; i < 200 && cache.stats().hits === hitsBefore; i++) {
        versions.push((await cache.cached('entity:9', 300, () => data.loadEntity(9))).version);
        await sleep(20);
      }
    } finally {
      operator.destroy();
    }

    expect(versions.filter((version) => version !== 2)).toEqual([]);
    expect(versions.length).toBeGreaterThan(1);
    expect(cache.stats().hits).toBeGreaterThan(0);
  });

  it('answers from the loader when the server refuses the token, and never fails a read', async () => {
    const errors: Error[] = [];
    const cache = cacheOf({ authToken: 'not-the-token', onError: (error) => errors.push(error) });
    await until(() => errors.some((error) => /WRONGPASS/.test(error.message)), 5_000, 'the server has refused the token');

    for (let id = 1; id <= 5; id++) await expect(cache.cached(`entity:${id}`, 300, () => data.loadEntity(id))).resolves.toMatchObject({ id });
    expect(cache.stats()).toMatchObject({ hits: 0, loads: 5 });
  });

  it('follows an AUTH token rotated mid-load (ROTATE then SET) without losing a request', async () => {
    // The tier's cache auth secret, as the rotation function leaves it: the bare token.
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:tier/cache/auth-token-AbCdEf';
    const tokens = { current: server.password, reads: 0 };
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: secretArn }).callsFake(async () => {
      tokens.reads++;
      return { SecretString: tokens.current };
    });
    const cache = cacheOf({ authToken: cacheAuthTokenFromSecret(secretArn, new SecretsManagerClient({ region: 'eu-west-1' })) });
    await until(() => cache.available, 5_000, 'the cache is connected');
    const rotator = await admin();
    const reconnects: string[] = [];

    const rotation = (async () => {
      await sleep(200);
      // ROTATE: the new token is added beside the old one; the rotation's finishSecret makes it the secret's current value.
      await rotator.sendCommand(['ACL', 'SETUSER', 'default', 'on', '>rotated-token-0001']);
      tokens.current = 'rotated-token-0001';
      // Connections are dropped (a failover, a deploy): they come back with the token they hold, still valid.
      await rotator.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
      await until(() => cache.available, 10_000, 'the cache has reconnected after ROTATE');
      reconnects.push(`after ROTATE: token read ${tokens.reads} time(s)`);
      await sleep(200);
      // SET (the next rotation): only the new token is valid.
      await rotator.sendCommand(['ACL', 'SETUSER', 'default', 'resetpass', '>rotated-token-0001']);
      await rotator.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
      await sleep(20);
      await until(() => cache.available, 10_000, 'the cache has reconnected after SET');
      reconnects.push(`after SET: token read ${tokens.reads} time(s)`);
      const hitsBefore = cache.stats().hits;
      await until(() => cache.stats().hits > hitsBefore + 50, 10_000, 'reads are answered from the cache again');
    })();
    const reads = await traffic(cache, rotation).finally(() => secrets.restore());
    rotator.destroy();

    const stats = cache.stats();
    console.log(`token rotated mid-load: ${reads} reads, none lost; ${reconnects.join('; ')}; ${stats.unavailable} cache commands bypassed meanwhile`);
    expect(reconnects).toEqual(['after ROTATE: token read 1 time(s)', 'after SET: token read 2 time(s)']);
    const check = await admin('rotated-token-0001');
    await expect(check.ping()).resolves.toBe('PONG');
    check.destroy();
  });
});
