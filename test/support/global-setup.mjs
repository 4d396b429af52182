// One real PostgreSQL and one real Redis per jest worker, unless DATABASE_URL / REDIS_URL point at
// servers already. Several checks of the tier read the whole server (pg_stat_activity, pg_locks): a
// test file's assertions on them must not see the sessions of a file running beside it in another
// worker; the cache's hit counts likewise read the whole Redis.
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';
import { startRedisServer } from '../../scripts/redis-server.cjs';

export default async function globalSetup(globalConfig) {
  const workers = Math.max(1, globalConfig.maxWorkers ?? 1);
  await Promise.all([startPostgres(workers), startRedis(workers)]);
}

async function startPostgres(workers) {
  if (process.env.DATABASE_URL) return;
  const servers = await Promise.all(Array.from({ length: workers }, () => startEmbeddedPostgres()));
  globalThis.__EMBEDDED_PG__ = servers;
  // Workers are numbered from 1 (JEST_WORKER_ID); test/support/environment.ts picks its own.
  servers.forEach((pg, i) => (process.env[`DATABASE_URL_WORKER_${i + 1}`] = pg.url));
  process.env.DATABASE_URL = servers[0].url;
}

/** Each with a password and a TLS port (self-signed certificate, REDIS_CA_FILE_WORKER_n). */
async function startRedis(workers) {
  if (process.env.REDIS_URL) return;
  const servers = await Promise.all(Array.from({ length: workers }, () => startRedisServer()));
  globalThis.__REDIS_SERVERS__ = servers;
  servers.forEach((redis, i) => {
    process.env[`REDIS_URL_WORKER_${i + 1}`] = redis.url;
    if (redis.tlsUrl) process.env[`REDIS_TLS_URL_WORKER_${i + 1}`] = redis.tlsUrl;
    if (redis.caFile) process.env[`REDIS_CA_FILE_WORKER_${i + 1}`] = redis.caFile;
  });
  process.env.REDIS_URL = servers[0].url;
}
