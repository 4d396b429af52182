// One real PostgreSQL for the whole jest run, unless DATABASE_URL points at one already.
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';

export default async function globalSetup() {
  if (process.env.DATABASE_URL) return;
  const pg = await startEmbeddedPostgres();
  globalThis.__EMBEDDED_PG__ = pg;
  process.env.DATABASE_URL = pg.url;
}
