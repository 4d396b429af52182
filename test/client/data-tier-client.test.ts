// The client as an application uses it: its cache and its ingest composed with its routing, on a
// real PostgreSQL and the worker's real redis-server (password, TLS).
import { randomBytes } from 'node:crypto';
import { DataTierClient, RedisCache } from '../../lib/client';
import { until } from '../support/waiting';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { workerRedis } from './cache-fixtures';

describe('DataTierClient with a cache, on a real PostgreSQL and Redis', () => {
  const redis = workerRedis();
  let db: TestDatabase;
  let client: DataTierClient;
  let cache: RedisCache;

  beforeAll(async () => {
    db = await createTestDatabase('client_composed');
    const setup = await db.connect();
    await setup.query(`CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL); INSERT INTO products VALUES (1, 'kettle')`);
    await setup.query(`CREATE TABLE readings (sensor int NOT NULL, at timestamptz NOT NULL, value double precision NOT NULL)`);
    cache = new RedisCache({ url: redis.tlsUrl, tls: { ca: redis.ca }, keyPrefix: `composed-${randomBytes(4).toString('hex')}:` });
    await until(() => cache.available, 5_000, 'the cache is connected');
    client = new DataTierClient({ writer: db.url, tls: false, cache });
  });
  afterAll(async () => {
    await client?.close();
    // A cache given to the client stays the caller's to close.
    expect(cache.available).toBe(true);
    await cache?.close();
    await db?.drop();
  });

  const product = () =>
    client.cached('product:1', 300, async () => {
      loads++;
      return (await client.query<{ name: string }>('SELECT name FROM products WHERE id = 1')).rows[0].name;
    });
  let loads = 0;

  it('serves a cached read from the cache, and a write that names the key makes the next read load the new row', async () => {
    expect(await product()).toBe('kettle');
    expect(await product()).toBe('kettle');
    expect(loads).toBe(1);
    await client.write(`UPDATE products SET name = 'teapot' WHERE id = 1`, [], { invalidates: ['product:1'] });
    expect(await product()).toBe('teapot');
    expect(loads).toBe(2);
  });

  it('ingests rows in COPY batches on the writer', async () => {
    const rows = Array.from({ length: 25_000 }, (_, i) => ({ sensor: i % 10, at: new Date(1_700_000_000_000 + i * 1000), value: i / 2 }));
    const progress = await client.ingest('readings', rows, { batchRows: 10_000 });
    expect(progress).toMatchObject({ rowsWritten: 25_000 });
    const { rows: counted } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
    expect(counted[0].n).toBe(25_000);
  });
});
