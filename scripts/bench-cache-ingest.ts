// The application client's cache and ingest against what they replace, on an embedded PostgreSQL
// (the stack's major and settings, the project's migrations) and a local redis-server with TLS:
//   npm run bench:client
// Prints the rows in the format of `npm run bench` (scripts/bench/report.ts); measureClientCache
// and measureClientIngest return the same Figure rows for that report.
import { Client, Pool } from 'pg';
import { runMigrations } from '../lib/functions/shared/migrations';
import { PROJECT_STREAMS } from '../app/migrations';
import { measureClientCache } from './bench/client-cache';
import { measureClientIngest } from './bench/client-ingest';
import { preparePartitions } from './bench/data';
import { benchSettings, describeMachine, LoadSampler } from './bench/measure';
import { renderTable, type Figure } from './bench/report';
import { startRedisServer } from './redis-server.cjs';

async function main(): Promise<void> {
  const startedAt = Date.now();
  const load = new LoadSampler();
  const settings = benchSettings();
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  const [postgres, redis] = await Promise.all([startEmbeddedPostgres({ settings }), startRedisServer()]);
  const url = postgres.url.replace(/\/postgres$/, '/bench_client');
  const admin = new Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_client');
  const pool = new Pool({ connectionString: url, max: 4, application_name: 'bench-client' });
  pool.on('error', (error) => console.error(`an idle connection failed: ${error.message}`));
  try {
    const setup = await pool.connect();
    try {
      await runMigrations(setup, { streams: PROJECT_STREAMS });
      await preparePartitions(setup, new Date());
    } finally {
      setup.release();
    }
    console.error('measuring the cache');
    const figures: Figure[] = [...(await measureClientCache(pool, redis))];
    console.error('measuring ingest');
    figures.push(...(await measureClientIngest(pool)));
    const machine = await describeMachine(admin, settings, load.stop());
    console.log(renderTable({ generatedAt: new Date().toISOString(), wallTimeSeconds: (Date.now() - startedAt) / 1000, machine, figures, ingest: [], queries: [], plans: {}, notes: [] }));
    const missed = figures.filter((figure) => (figure.target && !figure.target.pass) || (figure.designNote && !figure.designNote.pass));
    console.log(missed.length === 0 ? '\nevery goal met' : `\n${missed.length} goal(s) missed: ${missed.map((figure) => figure.id).join(', ')}`);
  } finally {
    await pool.end();
    await admin.end();
    await Promise.all([postgres.stop(), redis.remove()]);
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
