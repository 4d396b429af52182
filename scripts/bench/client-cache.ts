// The application client's RedisCache (lib/client/cache.ts): the latency of a cache hit, over TLS
// with AUTH as ElastiCache is reached, against the database read it saves, for the design's two
// cached query classes: an entity by id (cached 300 s) and a tenant's list (cached 60 s).
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { RedisCache } from '../../lib/client/cache';
import type { RedisServer } from '../redis-server.cjs';
import { percentile } from './measure';
import type { Figure } from './report';

export const CLIENT_CACHE = { entities: 100_000, tenants: 500, keys: 1_000, samples: 5_000 } as const;

const TABLE = 'bench_cache_entities';

interface Read {
  readonly label: string;
  readonly id: string;
  readonly ttlSeconds: number;
  readonly key: (k: number) => string;
  readonly query: (k: number) => { name: string; text: string; values: unknown[] };
}

const READS: readonly Read[] = [
  {
    label: 'an entity by id',
    id: 'entity',
    ttlSeconds: 300,
    key: (k) => `entity:${k}`,
    query: (k) => ({ name: 'bench-cache-entity', text: `SELECT id, tenant, name, version, attributes FROM ${TABLE} WHERE id = $1`, values: [k + 1] }),
  },
  {
    label: "a tenant's newest 20 entities",
    id: 'list',
    ttlSeconds: 60,
    key: (k) => `list:${k % CLIENT_CACHE.tenants}`,
    query: (k) => ({
      name: 'bench-cache-list',
      text: `SELECT id, name, version FROM ${TABLE} WHERE tenant = $1 ORDER BY id DESC LIMIT 20`,
      values: [k % CLIENT_CACHE.tenants],
    }),
  },
];

/** `redis` must listen with TLS (its tlsUrl and caFile). Creates and drops its own table. */
export async function measureClientCache(pool: Pool, redis: RedisServer): Promise<Figure[]> {
  if (!redis.tlsUrl || !redis.caFile) throw new Error('the cache benchmark needs a Redis with TLS (openssl to make its certificate)');
  await pool.query(`
    CREATE TABLE ${TABLE} (id int PRIMARY KEY, tenant int NOT NULL, name text NOT NULL, version int NOT NULL DEFAULT 1, attributes jsonb NOT NULL);
    INSERT INTO ${TABLE} (id, tenant, name, attributes)
      SELECT i, i % ${CLIENT_CACHE.tenants}, 'entity ' || i, jsonb_build_object('color', 'blue', 'size', i % 7, 'tags', jsonb_build_array('a', 'b'))
      FROM generate_series(1, ${CLIENT_CACHE.entities}) AS i;
    CREATE INDEX ON ${TABLE} (tenant, id);`);
  await pool.query(`VACUUM ANALYZE ${TABLE}`);
  const cache = new RedisCache({ url: redis.tlsUrl, tls: { ca: readFileSync(redis.caFile, 'utf8') }, keyPrefix: 'bench:' });
  try {
    const deadline = Date.now() + 10_000;
    while (!cache.available) {
      if (Date.now() > deadline) throw new Error('the cache benchmark could not connect to Redis');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const figures: Figure[] = [];
    for (const read of READS) {
      const load = async (k: number) => (await pool.query(read.query(k))).rows;
      for (let k = 0; k < CLIENT_CACHE.keys; k++) await cache.cached(read.key(k), read.ttlSeconds, () => load(k));
      const loadsBefore = cache.stats().loads;
      const hitMs: number[] = [];
      const databaseMs: number[] = [];
      // Alternated, so both see the same moments of a shared machine; the first fifth warms up (JIT, plans, buffers).
      const warmup = CLIENT_CACHE.samples / 5;
      for (let i = -warmup; i < CLIENT_CACHE.samples; i++) {
        const k = ((i + warmup) * 7919) % CLIENT_CACHE.keys;
        let started = performance.now();
        await cache.cached(read.key(k), read.ttlSeconds, () => load(k));
        const hit = performance.now() - started;
        started = performance.now();
        await load(k);
        const database = performance.now() - started;
        if (i < 0) continue;
        hitMs.push(hit);
        databaseMs.push(database);
      }
      if (cache.stats().loads !== loadsBefore) throw new Error(`the cache missed ${cache.stats().loads - loadsBefore} of its warmed keys`);
      figures.push(...latencyFigures(read, hitMs, databaseMs));
    }
    return figures;
  } finally {
    await cache.close();
    await pool.query(`DROP TABLE ${TABLE}`);
  }
}

function latencyFigures(read: Read, hitMs: readonly number[], databaseMs: readonly number[]): Figure[] {
  const section = 'client: cache';
  const samples = hitMs.length.toLocaleString('en-US');
  const figures: Figure[] = [];
  for (const p of [50, 99]) {
    const hit = percentile(hitMs, p);
    const database = percentile(databaseMs, p);
    figures.push(
      {
        id: `client.cache.${read.id}.hitP${p}`,
        section,
        name: `${read.label}: cache hit (TLS, AUTH, JSON decode), p${p} of ${samples}`,
        value: hit,
        unit: 'ms',
        designNote: p === 99 ? { text: 'Redis cache sub-10 ms', pass: hit < 10 } : undefined,
      },
      {
        id: `client.cache.${read.id}.databaseP${p}`,
        section,
        name: `${read.label}: the database read it saves (prepared, same connection pool), p${p}`,
        value: database,
        unit: 'ms',
      },
      {
        id: `client.cache.${read.id}.speedupP${p}`,
        section,
        name: `${read.label}: database read / cache hit, p${p}`,
        value: database / hit,
        unit: 'x',
        // At p99 both are the machine's hiccups (GC, scheduling), not the cache's.
        target: p === 50 ? { text: 'a hit no slower than the read it saves', pass: hit <= database } : undefined,
      },
    );
  }
  return figures;
}
