// What the cache tests share: a table of entities on the real PostgreSQL to load from, and the
// Redis global setup started for this worker.
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';

export interface Entity {
  readonly id: number;
  readonly tenant: number;
  readonly name: string;
  readonly version: number;
}

export interface EntityDatabase {
  readonly db: TestDatabase;
  readonly pool: Pool;
  /** Database reads made through `load*`. */
  readonly reads: { count: number };
  loadEntity(id: number, delayMs?: number): Promise<Entity>;
  loadTenantList(tenant: number): Promise<Entity[]>;
  rename(id: number): Promise<void>;
  close(): Promise<void>;
}

/** `entities` rows 1..count, tenant = id % tenants. */
export async function entityDatabase(count: number, tenants: number): Promise<EntityDatabase> {
  const db = await createTestDatabase('cache');
  const pool = new Pool({ connectionString: db.url, max: 8 });
  // Idle connections are terminated when the database is dropped.
  pool.on('error', () => {});
  await pool.query(`CREATE TABLE entities (id int PRIMARY KEY, tenant int NOT NULL, name text NOT NULL, version int NOT NULL DEFAULT 1)`);
  await pool.query(`CREATE INDEX ON entities (tenant, id)`);
  await pool.query(`INSERT INTO entities (id, tenant, name) SELECT i, i % $2, 'entity ' || i FROM generate_series(1, $1) AS i`, [count, tenants]);
  const reads = { count: 0 };
  return {
    db,
    pool,
    reads,
    async loadEntity(id, delayMs = 0) {
      reads.count++;
      const sleep = delayMs > 0 ? `, pg_sleep(${delayMs / 1000})` : '';
      const { rows } = await pool.query<Entity>(`SELECT id, tenant, name, version${sleep} FROM entities WHERE id = $1`, [id]);
      const { id: rowId, tenant, name, version } = rows[0];
      return { id: rowId, tenant, name, version };
    },
    async loadTenantList(tenant) {
      reads.count++;
      const { rows } = await pool.query<Entity>(`SELECT id, tenant, name, version FROM entities WHERE tenant = $1 ORDER BY id LIMIT 20`, [tenant]);
      return rows;
    },
    async rename(id) {
      await pool.query(`UPDATE entities SET name = 'entity ' || id || ' v' || (version + 1), version = version + 1 WHERE id = $1`, [id]);
    },
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

/** The Redis global setup started for this worker (test/support/global-setup.mjs). */
export function workerRedis(): { url: string; tlsUrl: string; ca: string } {
  const { REDIS_URL: url, REDIS_TLS_URL: tlsUrl, REDIS_CA_FILE: caFile } = process.env;
  if (!url) throw new Error('REDIS_URL is not set: run the tests through jest, whose global setup starts redis-server');
  if (!tlsUrl || !caFile) throw new Error('REDIS_TLS_URL is not set: the global setup needs openssl to give Redis a TLS port');
  return { url, tlsUrl, ca: readFileSync(caFile, 'utf8') };
}
