// The schema's figures against the design's targets, the figures of the source documents (docs/sources.md)
// and the machine's own limit, in one run on an embedded PostgreSQL (same major as the stack), then
// the application client's rows (npm run bench:client, scripts/bench-client.ts):
//   npm run bench
// Writes scripts/bench/results/latest.json and client.json, and the report: docs/benchmarks.md and
// its chart, docs/benchmarks.svg (both ship in the package). Options: --quick (100k/200k/500k rows
// instead of 100k/1M/5M and fewer client runs, for trying changes; the results then go to
// .tmp/bench/, which git ignores); --report-only (measure nothing: rewrite docs/benchmarks.md and
// the chart from the committed latest.json and client.json).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { runMigrations } from '../lib/functions/shared/migrations';
import { loadBothTables, preparePartitions } from './bench/data';
import { measureIngest } from './bench/ingest';
import { MAINTENANCE_PARENTS, measurePartitionMaintenance } from './bench/maintenance';
import { benchSettings, describeMachine, LoadSampler, median } from './bench/measure';
import { renderBenchmarksDoc } from './bench/document';
import { renderClientTable, type ClientBenchResults } from './bench/client';
import { runClientBench } from './bench-client';
import { explainMisses, SCHEMA_CHANGES } from './bench/notes';
import {
  measureDashboard,
  measureFullAggregate,
  measureHealthCheck,
  measureAfterRetention,
  measureLookup,
  measureRetention,
  measureTimeSliced,
} from './bench/queries';
import { renderSvg, renderTable, type BenchResults, type Figure, type QueryComparison } from './bench/report';
import { PROJECT_STREAMS } from '../app/migrations';

const RESULTS_DIR = path.join(__dirname, 'bench', 'results');
const MIGRATION_RUNS = 5;
const RETENTION_ROUNDS = 5;

const BENCHMARKS_DOC = path.join(__dirname, '..', 'docs', 'benchmarks.md');
const BENCHMARKS_CHART = path.join(__dirname, '..', 'docs', 'benchmarks.svg');

/** docs/benchmarks.md and its chart, from one run's results and the client's. */
function writeReport(results: BenchResults, client: ClientBenchResults): void {
  mkdirSync(path.dirname(BENCHMARKS_DOC), { recursive: true });
  writeFileSync(BENCHMARKS_CHART, renderSvg(results));
  writeFileSync(BENCHMARKS_DOC, renderBenchmarksDoc(results, client));
}

function readResults<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(RESULTS_DIR, name), 'utf8')) as T;
}

async function connect(url: string, database: string): Promise<Client> {
  const client = new Client({ connectionString: url.replace(/\/postgres$/, `/${database}`), application_name: 'bench' });
  await client.connect();
  return client;
}

async function measureMigrations(url: string, admin: Client): Promise<Figure[]> {
  const full: number[] = [];
  const noop: number[] = [];
  let files = 0;
  for (let run = 0; run < MIGRATION_RUNS; run++) {
    const name = `bench_migrate_${run}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const client = await connect(url, name);
    try {
      const first = await runMigrations(client, { streams: PROJECT_STREAMS });
      files = first.applied.length;
      full.push(first.durationMs);
      noop.push((await runMigrations(client, { streams: PROJECT_STREAMS })).durationMs);
    } finally {
      await client.end();
    }
    await admin.query(`DROP DATABASE ${name}`);
  }
  return [
    { id: 'migrations.full', section: 'migrations', name: `apply all ${files} files to an empty database`, value: median(full), unit: 'ms', samples: full },
    { id: 'migrations.noop', section: 'migrations', name: 'no-op re-run', value: median(noop), unit: 'ms', samples: noop },
  ];
}

/** In a database of its own, so the loaded analytics_events is not one of the parents. */
async function measureMaintenanceInOwnDatabase(url: string, admin: Client): Promise<Figure[]> {
  await admin.query('CREATE DATABASE bench_maintenance');
  const client = await connect(url, 'bench_maintenance');
  try {
    await runMigrations(client, { streams: PROJECT_STREAMS });
    return await measurePartitionMaintenance(client);
  } finally {
    await client.end();
    await admin.query('DROP DATABASE bench_maintenance');
  }
}

/** The whole database, catalogs included: the earlier steps' DDL churn (TRUNCATE, DROP, CREATE) leaves dead catalog rows that health_check() would otherwise read through at one size and not another. */
async function vacuumAnalyze(client: Client): Promise<void> {
  await client.query('VACUUM ANALYZE');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'report-only': { type: 'boolean', default: false } } });
  if (values['report-only']) {
    writeReport(readResults<BenchResults>('latest.json'), readResults<ClientBenchResults>('client.json'));
    console.log('wrote docs/benchmarks.md and docs/benchmarks.svg from scripts/bench/results/latest.json and client.json');
    return;
  }
  const sizes = values.quick ? { small: 100_000, medium: 200_000, large: 500_000 } : { small: 100_000, medium: 1_000_000, large: 5_000_000 };
  const outputName = values.quick ? 'quick' : 'latest';
  const resultsDir = values.quick ? path.join(__dirname, '..', '.tmp', 'bench') : RESULTS_DIR;
  const startedAt = Date.now();
  const load = new LoadSampler();
  const progress = (line: string) => console.error(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}`);

  const settings = benchSettings();
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  const server = await startEmbeddedPostgres({ settings });
  const admin = await connect(server.url, 'postgres');
  const figures: Figure[] = [];
  const queries: QueryComparison[] = [];
  const plans: Record<string, string> = {};
  const notes: string[] = [];
  let client: Client | undefined;
  let results: BenchResults;
  try {
    progress('migrations');
    figures.push(...(await measureMigrations(server.url, admin)));
    await admin.query('CREATE DATABASE bench');
    client = await connect(server.url, 'bench');
    await runMigrations(client, { streams: PROJECT_STREAMS });
    const end = new Date();
    await preparePartitions(client, end);

    progress('ingest');
    const ingest = await measureIngest(server.url.replace(/\/postgres$/, '/bench'), client);
    figures.push(...ingest.figures);

    const health: number[] = [];
    for (const rows of [sizes.small, sizes.medium, sizes.large]) {
      progress(`loading ${rows.toLocaleString('en-US')} rows over 12 months`);
      const compared = rows !== sizes.small;
      await loadBothTables(client, rows, end, compared);
      await vacuumAnalyze(client);
      progress(`measuring at ${rows.toLocaleString('en-US')} rows`);
      if (compared) {
        const sliced = await measureTimeSliced(client, rows, end, plans);
        figures.push(...sliced.figures, ...(await measureLookup(client, rows)));
        queries.push(...sliced.comparisons);
      }
      if (rows === sizes.medium) figures.push(await measureFullAggregate(client, rows));
      const checked = await measureHealthCheck(client, rows);
      health.push(checked.ms);
      figures.push(checked.figure);
    }
    const flatness = Math.max(...health) / Math.min(...health);
    figures.push({
      id: 'health.flatness',
      section: 'health_check()',
      name: `slowest / fastest over ${sizes.small.toLocaleString('en-US')} to ${sizes.large.toLocaleString('en-US')} rows`,
      value: flatness,
      unit: 'x',
      target: { text: 'within 1.5x', pass: flatness <= 1.5 },
    });

    progress('dashboard');
    figures.push(...(await measureDashboard(server.url.replace(/\/postgres$/, '/bench'), client, end)));
    progress('retention');
    figures.push(...(await measureRetention(client, RETENTION_ROUNDS)));
    progress(`partition maintenance over ${MAINTENANCE_PARENTS} parents`);
    figures.push(...(await measureMaintenanceInOwnDatabase(server.url, admin)));
    progress('time-sliced queries after the retention rounds and a month of new rows');
    const steady = await measureAfterRetention(client, sizes.large, end, plans);
    figures.push(...steady.figures);
    queries.push(...steady.comparisons);

    notes.push(...SCHEMA_CHANGES.map((change) => `Schema change: ${change}`), ...explainMisses(figures).map((e) => `${e.title}: ${e.text}`));
    if (Object.keys(plans).length > 0) {
      notes.push(
        `EXPLAIN (ANALYZE, BUFFERS) of both sides of every comparison that missed a target, and of the all-tenant week after retention: ${Object.keys(plans).join(', ')} in latest.json "plans".`,
      );
    }
    results = {
      generatedAt: new Date().toISOString(),
      wallTimeSeconds: (Date.now() - startedAt) / 1000,
      machine: await describeMachine(client, settings, load.stop()),
      figures,
      ingest: ingest.bars,
      queries,
      plans,
      notes,
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, `${outputName}.json`), JSON.stringify(results, null, 2) + '\n');
  } finally {
    await client?.end();
    await admin.end();
    await server.stop();
  }

  // The client's rows on servers of their own, once the schema's server has stopped.
  progress('the application client (npm run bench:client)');
  const clientRun = await runClientBench({ quick: values.quick, log: progress });
  if (values.quick) writeFileSync(path.join(resultsDir, `${outputName}.svg`), renderSvg(results));
  else writeReport(results, clientRun.results);
  console.log(renderTable(results));
  const missed = results.figures.filter((f) => f.target && !f.target.pass);
  console.log(missed.length === 0 ? '\nevery target met' : `\n${missed.length} target(s) missed: ${missed.map((f) => f.id).join(', ')}`);
  console.log(`\n${renderClientTable(clientRun.results)}`);
  console.log(
    values.quick
      ? `results in ${path.relative(process.cwd(), resultsDir)}/${outputName}.{json,svg} and client.json`
      : `results in ${path.relative(process.cwd(), resultsDir)}/${outputName}.json and client.json; report in docs/benchmarks.md and docs/benchmarks.svg`,
  );
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
