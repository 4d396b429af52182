// The application client's cost, against what it replaces on the same servers:
// - each routed operation against a bare pg Pool doing the same work (a primary and two streaming
//   replicas, embedded PostgreSQL of the stack's major), at p50 and p99, and whether routed reads
//   stay within 5 % of the bare pool at p50;
// - the cache (a local redis-server with TLS and AUTH) against the database read it saves, and the
//   Ingester against a raw COPY of the same rows (goal: 90 %), on an embedded PostgreSQL with the
//   stack's settings and the project's migrations.
//   npm run bench:client [-- --runs 20000] [--quick]
// Writes scripts/bench/results/client.json (--quick: 2,000 runs, to .tmp/bench/client.json), which
// docs/benchmarks.md renders as its Client section; `npm run bench` runs this after its own rows.
// A new routed row is a ClientMeasurement added to CLIENT_MEASUREMENTS (scripts/bench/client.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { Client, Pool } from 'pg';
import type { DataTierClient as Routed } from '../lib/client';
import { startReplicaPair } from '../lib/cli/replica-pair';
import { runMigrations } from '../lib/functions/shared/migrations';
import { PROJECT_STREAMS } from '../app/migrations';
import { clientGoalsMissed, compareLatency, renderClientTable, type ClientBenchContext, type ClientBenchResults, type ClientMeasurement, type LatencyComparison } from './bench/client';
import { measureClientCache } from './bench/client-cache';
import { measureClientIngest } from './bench/client-ingest';
import { preparePartitions } from './bench/data';
import { benchSettings } from './bench/measure';
import type { Figure } from './bench/report';
import { startRedisServer } from './redis-server.cjs';

const ROLE = 'bench_app';
const PASSWORD = 'bench-app-only';
const ITEMS = 10_000;
const POINT_READ = 'SELECT id, payload FROM items WHERE id = $1';
const READ_GOAL = { p50Percent: 5 };

const itemId = (run: number) => 1 + ((run * 7919) % ITEMS);

/**
 * The client compiled as the package ships it: through tsx's loader every function the client
 * makes per query would also be given a name (esbuild's keepNames), a cost the package does not have.
 */
function compiledClient(): typeof Routed {
  const outfile = path.join(__dirname, '..', '.tmp', 'bench', 'client', 'index.js');
  buildSync({ entryPoints: [path.join(__dirname, '..', 'lib', 'client', 'index.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'error' });
  return (require(outfile) as { DataTierClient: typeof Routed }).DataTierClient;
}

/** Each row of the benchmark, in order. The cache and ingest rows of the client go here too. */
export const CLIENT_MEASUREMENTS: ClientMeasurement[] = [
  async ({ client, bare, runs }) => ({
    comparisons: [
      await compareLatency(
        { id: 'client.eventual', name: 'eventual read by key (least-lagged replica) vs bare pool on a replica', goal: READ_GOAL },
        runs,
        (run) => bare.replicas[run % bare.replicas.length].query(POINT_READ, [itemId(run)]),
        (run) => client.query(POINT_READ, [itemId(run)], { consistency: 'eventual' }),
      ),
    ],
  }),
  async ({ client, bare, runs }) => {
    const { token } = await client.write(`UPDATE items SET payload = payload WHERE id = 1`);
    await client.refreshStatus();
    return {
      comparisons: [
        await compareLatency(
          { id: 'client.readYourWrites', name: 'read-your-writes by key, token already replayed, vs bare pool on a replica', goal: READ_GOAL },
          runs,
          (run) => bare.replicas[run % bare.replicas.length].query(POINT_READ, [itemId(run)]),
          (run) => client.query(POINT_READ, [itemId(run)], { consistency: 'readYourWrites', token }),
        ),
      ],
    };
  },
  async ({ client, bare, runs }) => ({
    comparisons: [
      await compareLatency(
        { id: 'client.strong', name: 'strong read by key (writer, breaker and retry policy) vs bare pool on the writer', goal: READ_GOAL },
        runs,
        (run) => bare.writer.query(POINT_READ, [itemId(run)]),
        (run) => client.query(POINT_READ, [itemId(run)], { consistency: 'strong' }),
      ),
    ],
  }),
  async ({ client, bare, runs }) => ({
    comparisons: [
      await compareLatency(
        { id: 'client.write', name: 'write by key and its token (a second round trip) vs bare UPDATE', },
        Math.ceil(runs / 4),
        (run) => bare.writer.query(`UPDATE items SET payload = $2 WHERE id = $1`, [itemId(run), `bare ${run}`]),
        (run) => client.write(`UPDATE items SET payload = $2 WHERE id = $1`, [itemId(run), `routed ${run}`]),
      ),
    ],
  }),
];

/**
 * The client's own pools, for the bare side: the same connections, so the same server processes,
 * serve both sides. Separate pools measured each side's server processes as much as the client
 * (on a busy 2-core machine one side's could run at half the speed of the other's for a whole run).
 */
function samePools(client: Routed): ClientBenchContext['bare'] {
  const nodes = client as unknown as { readonly writer: { readonly pool: Pool }; readonly replicas: ReadonlyArray<{ readonly pool: Pool }> };
  return { writer: nodes.writer.pool, replicas: nodes.replicas.map((replica) => replica.pool) };
}

async function prepare(primaryUrl: string): Promise<void> {
  const admin = new Client({ connectionString: primaryUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE TABLE items (id int PRIMARY KEY, payload text NOT NULL)`);
    await admin.query(`INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, ${ITEMS}) AS i`);
    await admin.query(`GRANT SELECT, UPDATE ON items TO ${ROLE}`);
    await admin.query('VACUUM ANALYZE items');
  } finally {
    await admin.end();
  }
}

function asRole(url: string): string {
  const parsed = new URL(url);
  parsed.username = ROLE;
  parsed.password = PASSWORD;
  return parsed.toString();
}

/** The routed rows, on a primary and two streaming replicas; `sampleLoad` after each row. */
async function measureRouted(runs: number, sampleLoad: () => void, log: (line: string) => void): Promise<{ comparisons: LatencyComparison[]; figures: Figure[]; postgresVersion: string }> {
  const pair = await startReplicaPair({ standbys: 2, synchronous: false, applicationName: 'bench_standby' });
  let client: Routed | undefined;
  try {
    await prepare(pair.primary.url);
    const DataTierClient = compiledClient();
    client = new DataTierClient({ writer: asRole(pair.primary.url), replicas: pair.standbys.map((standby) => asRole(standby.url)), tls: false });
    const context: ClientBenchContext = { client, bare: samePools(client), itemCount: ITEMS, runs };
    // Every replica has the rows and the client has seen them caught up.
    for (let i = 0; ; i++) {
      const status = await client.refreshStatus();
      if (status.every((node) => node.lagBytes === 0)) break;
      if (i > 200) throw new Error(`the replicas did not catch up: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const comparisons: LatencyComparison[] = [];
    const figures: Figure[] = [];
    for (const measure of CLIENT_MEASUREMENTS) {
      const measured = await measure(context);
      comparisons.push(...(measured.comparisons ?? []));
      figures.push(...(measured.figures ?? []));
      sampleLoad();
      log(`measured ${[...(measured.comparisons ?? []), ...(measured.figures ?? [])].map((row) => row.id).join(', ')}`);
    }
    const admin = new Client({ connectionString: pair.primary.url });
    await admin.connect();
    const postgresVersion = (await admin.query<{ v: string }>('SELECT current_setting($1) AS v', ['server_version'])).rows[0].v;
    await admin.end();
    return { comparisons, figures, postgresVersion };
  } finally {
    await client?.close();
    await pair.stop();
  }
}

/**
 * The cache and ingest rows, on an embedded PostgreSQL with the settings and migrations of
 * `npm run bench` and a local redis-server with TLS; `sampleLoad` after each.
 */
async function measureCacheAndIngest(sampleLoad: () => void, log: (line: string) => void): Promise<Figure[]> {
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  const [postgres, redis] = await Promise.all([startEmbeddedPostgres({ settings: benchSettings() }), startRedisServer()]);
  const admin = new Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_client');
  const pool = new Pool({ connectionString: postgres.url.replace(/\/postgres$/, '/bench_client'), max: 4, application_name: 'bench-client' });
  pool.on('error', (error) => log(`an idle connection failed: ${error.message}`));
  try {
    const setup = await pool.connect();
    try {
      await runMigrations(setup, { streams: PROJECT_STREAMS });
      await preparePartitions(setup, new Date());
    } finally {
      setup.release();
    }
    const figures = await measureClientCache(pool, redis);
    sampleLoad();
    log(`measured ${figures.map((figure) => figure.id).join(', ')}`);
    const ingest = await measureClientIngest(pool);
    sampleLoad();
    log(`measured ${ingest.map((figure) => figure.id).join(', ')}`);
    return [...figures, ...ingest];
  } finally {
    await pool.end();
    await admin.end();
    await Promise.all([postgres.stop(), redis.remove()]);
  }
}

export interface ClientBenchOptions {
  /** Runs per side of each routed comparison. @default 20,000 (2,000 with quick) */
  readonly runs?: number;
  /** Fewer runs; the results go to .tmp/bench/, not the committed results. */
  readonly quick?: boolean;
  /** Progress lines. @default stderr */
  readonly log?: (line: string) => void;
}

/** Measures every client row, writes client.json and returns the results and where they are. */
export async function runClientBench(options: ClientBenchOptions = {}): Promise<{ results: ClientBenchResults; file: string }> {
  const quick = options.quick ?? false;
  const runs = options.runs ?? (quick ? 2_000 : 20_000);
  const log = options.log ?? ((line: string) => console.error(line));
  const loadAverage = [os.loadavg()[0]];
  const sampleLoad = () => loadAverage.push(os.loadavg()[0]);
  const routed = await measureRouted(runs, sampleLoad, log);
  const cacheAndIngest = await measureCacheAndIngest(sampleLoad, log);
  const results: ClientBenchResults = {
    generatedAt: new Date().toISOString(),
    machine: { cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.cpus().length, node: process.version, postgresVersion: routed.postgresVersion, loadAverage },
    comparisons: routed.comparisons,
    figures: [...routed.figures, ...cacheAndIngest],
  };
  const directory = quick ? path.join(__dirname, '..', '.tmp', 'bench') : path.join(__dirname, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'client.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  return { results, file };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, quick: { type: 'boolean', default: false } } });
  const { results, file } = await runClientBench({ quick: values.quick, runs: values.runs === undefined ? undefined : Number(values.runs) });
  console.log(renderClientTable(results));
  console.log(`results in ${path.relative(process.cwd(), file)}`);
  // Not process.exitCode: embedded-postgres's exit hook ends the process with 0 on beforeExit.
  if (clientGoalsMissed(results).length > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
