// RedisCache on a real redis-server (password, TLS) and a real PostgreSQL to load from.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisCache } from '../../lib/client/cache';
import { entityDatabase, workerRedis, type Entity, type EntityDatabase } from './cache-fixtures';
import { sleep, until } from '../support/waiting';

let data: EntityDatabase;
const redis = workerRedis();
const caches: RedisCache[] = [];
/** Keys of this file's tests, apart from other files' on the same server. */
let prefix: string;

function cacheOf(options: Partial<ConstructorParameters<typeof RedisCache>[0]> = {}): RedisCache {
  const cache = new RedisCache({ url: redis.tlsUrl, tls: { ca: redis.ca }, keyPrefix: prefix, ...options });
  caches.push(cache);
  return cache;
}

async function ready(cache: RedisCache): Promise<RedisCache> {
  await until(() => cache.available, 5_000, 'the cache is connected');
  return cache;
}

beforeAll(async () => {
  data = await entityDatabase(100, 5);
});
beforeEach(() => {
  prefix = `test:${randomBytes(4).toString('hex')}:`;
  data.reads.count = 0;
});
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});
afterAll(() => data.close());

describe('RedisCache', () => {
  it('loads on a miss and answers the next read from Redis, over TLS with AUTH', async () => {
    const cache = await ready(cacheOf());

    const first = await cache.cached('entity:1', 300, () => data.loadEntity(1));
    const second = await cache.cached('entity:1', 300, () => data.loadEntity(1));

    expect(second).toEqual(first);
    expect(first).toMatchObject({ id: 1, name: 'entity 1' });
    expect(data.reads.count).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 1, loads: 1, sharedLoads: 0, hitRate: 0.5 });
  });

  it('bypasses a server whose certificate it cannot verify, and answers from the loader', async () => {
    const errors: Error[] = [];
    const cache = cacheOf({ tls: true, onError: (error) => errors.push(error) });
    await until(() => errors.length > 0, 5_000, 'the TLS handshake has failed');

    await expect(cache.cached('entity:2', 300, () => data.loadEntity(2))).resolves.toMatchObject({ id: 2 });
    expect(cache.available).toBe(false);
    expect(errors[0].message).toMatch(/certificate/i);
  });

  it('makes one database read for 100 concurrent misses of one key, and none for the next 100 reads', async () => {
    const cache = await ready(cacheOf());

    const concurrent = await Promise.all(Array.from({ length: 100 }, () => cache.cached('entity:3', 300, () => data.loadEntity(3, 50))));
    const readsAfterMisses = data.reads.count;
    await Promise.all(Array.from({ length: 100 }, () => cache.cached('entity:3', 300, () => data.loadEntity(3))));

    console.log(`single-flight: 100 concurrent misses of one key -> ${readsAfterMisses} database read(s); 100 reads after -> ${data.reads.count - readsAfterMisses}`);
    expect(readsAfterMisses).toBe(1);
    expect(data.reads.count).toBe(1);
    expect(new Set(concurrent.map((entity) => entity.version)).size).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 100, loads: 1, sharedLoads: 99 });
  });

  it('loads the written row after invalidate(), and keeps that first value at most firstFillAfterWriteMs', async () => {
    const cache = await ready(cacheOf({ firstFillAfterWriteMs: 300 }));
    await cache.cached('entity:4', 300, () => data.loadEntity(4));

    await data.rename(4);
    await cache.invalidate('entity:4');

    await expect(cache.cached('entity:4', 300, () => data.loadEntity(4))).resolves.toMatchObject({ version: 2 });
    await expect(cache.cached('entity:4', 300, () => data.loadEntity(4))).resolves.toMatchObject({ version: 2 });
    expect(data.reads.count).toBe(2);
    await sleep(350);
    await expect(cache.cached('entity:4', 300, () => data.loadEntity(4))).resolves.toMatchObject({ version: 2 });
    await expect(cache.cached('entity:4', 300, () => data.loadEntity(4))).resolves.toMatchObject({ version: 2 });
    expect(data.reads.count).toBe(3);
  });

  it('never stores a row loaded before a write, in this process or another', async () => {
    const here = await ready(cacheOf());
    const elsewhere = await ready(cacheOf());

    const loadedBefore = here.cached('entity:5', 300, () => data.loadEntity(5, 300));
    const loadedBeforeElsewhere = elsewhere.cached('entity:5', 300, () => data.loadEntity(5, 300));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await data.rename(5);
    await here.invalidate('entity:5');
    const readAfterWrite = here.cached('entity:5', 300, () => data.loadEntity(5));

    await expect(loadedBefore).resolves.toMatchObject({ version: 1 });
    await expect(loadedBeforeElsewhere).resolves.toMatchObject({ version: 1 });
    await expect(readAfterWrite).resolves.toMatchObject({ version: 2 });
    await expect(here.cached('entity:5', 300, () => data.loadEntity(5))).resolves.toMatchObject({ version: 2 });
    await expect(elsewhere.cached('entity:5', 300, () => data.loadEntity(5))).resolves.toMatchObject({ version: 2 });
  });

  it('stores a written value with set(), so the next read needs no load', async () => {
    const cache = await ready(cacheOf());
    const entity: Entity = { id: 6, tenant: 1, name: 'written through', version: 9 };

    await cache.set('entity:6', 300, entity);

    await expect(cache.cached('entity:6', 300, () => data.loadEntity(6))).resolves.toEqual(entity);
    expect(data.reads.count).toBe(0);
  });

  it('spreads TTLs over ±10 % so that entries cached together do not expire together', async () => {
    const cache = await ready(cacheOf());
    const keys = Array.from({ length: 200 }, (_, i) => `jitter:${i}`);
    await Promise.all(keys.map((key, i) => cache.cached(key, 100, async () => i)));

    const admin = createClient({ url: redis.url });
    await admin.connect();
    const ttls = await Promise.all(keys.map((key) => admin.pTTL(prefix + key)));
    admin.destroy();

    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(89_000);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(110_000);
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(10_000);
  });

  it('works on a node-redis client of your own', async () => {
    const client = createClient({ url: redis.url, disableOfflineQueue: true });
    await client.connect();
    try {
      const cache = cacheOf({ client, url: undefined, tls: undefined });

      await cache.cached('entity:7', 60, () => data.loadEntity(7));
      await cache.cached('entity:7', 60, () => data.loadEntity(7));

      expect(data.reads.count).toBe(1);
      expect(JSON.parse((await client.get(`${prefix}entity:7`))!)).toMatchObject({ id: 7 });
    } finally {
      client.destroy();
    }
  });

  it('refuses a TTL that is not a positive number of seconds', async () => {
    const cache = cacheOf();
    await expect(cache.cached('x', 0, async () => 1)).rejects.toThrow('ttlSeconds must be a positive number, got 0');
  });
});
