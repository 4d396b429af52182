// One real PostgreSQL per jest worker, unless DATABASE_URL points at one already. Several checks
// of the tier read the whole server (pg_stat_activity, pg_locks): a test file's assertions on them
// must not see the sessions of a file running beside it in another worker.
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';

export default async function globalSetup(globalConfig) {
  if (process.env.DATABASE_URL) return;
  const workers = Math.max(1, globalConfig.maxWorkers ?? 1);
  const servers = await Promise.all(Array.from({ length: workers }, () => startEmbeddedPostgres()));
  globalThis.__EMBEDDED_PG__ = servers;
  // Workers are numbered from 1 (JEST_WORKER_ID); test/support/environment.ts picks its own.
  servers.forEach((pg, i) => (process.env[`DATABASE_URL_WORKER_${i + 1}`] = pg.url));
  process.env.DATABASE_URL = servers[0].url;
}
