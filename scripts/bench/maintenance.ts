// What partition maintenance costs over many registered parents: per partition it creates,
// and for a run with nothing to do (what the hourly schedule pays almost every time), set
// beside the bare DDL for the same partitions (CREATE TABLE ... PARTITION OF, no bookkeeping).
// Part of `npm run bench`; on its own, against any migration directory (to compare with
// another version of the SQL):
//   npx tsx scripts/bench/maintenance.ts [--sql-dir sql] [--parents 50]
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, type ClientBase } from 'pg';
import { runMigrations } from '../../lib/functions/shared/migrations';
import { benchSettings, median } from './measure';
import type { Figure } from './report';

export const MAINTENANCE_PARENTS = 50;
/** Months each creation round adds per parent (a half-year of premade partitions). */
const MONTHS_PER_ROUND = 6;
const CREATION_ROUNDS = 3;
const NOOP_RUNS = 7;

/**
 * Runs maintenance as of `asOf` for every parent. Works with both shapes the SQL has had: the
 * procedure (one transaction per step) and the older set-returning function.
 */
async function maintain(client: ClientBase, asOf: Date, procedure: boolean): Promise<number> {
  if (procedure) return (await client.query('CALL data_tier.run_partition_maintenance($1)', [asOf])).rows[0].p_report.length;
  return (await client.query('SELECT * FROM data_tier.run_partition_maintenance($1)', [asOf])).rowCount ?? 0;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

const monthsAfter = (start: Date, months: number) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 15));

/**
 * In a database of its own (it unregisters every other parent): registers `parents` tables shaped like analytics_events (identity key, three indexes) with
 * retention off, brings them to the current month plus the premade ones, then measures
 * rounds that each add six months per parent, and runs with nothing left to do.
 */
export async function measurePartitionMaintenance(client: ClientBase, parents = MAINTENANCE_PARENTS): Promise<Figure[]> {
  const { rows: kind } = await client.query(
    `SELECT p.prokind FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = 'data_tier' AND p.proname = 'run_partition_maintenance'`,
  );
  const procedure = kind[0]?.prokind === 'p';
  // Only the bench's parents: the migrations' own example table would add its steps to each run.
  await client.query(`DELETE FROM data_tier.partitioned_parents`);
  await client.query('CREATE SCHEMA bench_maintenance');
  for (let i = 0; i < parents; i++) {
    await client.query(`
      CREATE TABLE bench_maintenance.events_${i} (
        id bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (id, created_at)
      ) PARTITION BY RANGE (created_at)`);
    await client.query(`CREATE INDEX ON bench_maintenance.events_${i} USING brin (created_at)`);
    await client.query(`CREATE INDEX ON bench_maintenance.events_${i} (tenant_id, created_at DESC)`);
    await client.query(`SELECT data_tier.register_partitioned_parent('bench_maintenance.events_${i}', p_retention => NULL)`);
  }
  // A year of history, as a parent with 12 months' retention has: 19 partitions and the default.
  const start = new Date();
  await maintain(client, monthsAfter(start, -12), procedure);
  await maintain(client, start, procedure);

  const perPartition: number[] = [];
  for (let round = 1; round <= CREATION_ROUNDS; round++) {
    const { ms, result: steps } = await timed(() => maintain(client, monthsAfter(start, round * MONTHS_PER_ROUND), procedure));
    if (steps !== parents * MONTHS_PER_ROUND) throw new Error(`round ${round} expected ${parents * MONTHS_PER_ROUND} partitions created, did ${steps} steps`);
    perPartition.push(ms / steps);
  }
  const asOf = monthsAfter(start, CREATION_ROUNDS * MONTHS_PER_ROUND);
  const noop: number[] = [];
  for (let run = 0; run < NOOP_RUNS; run++) noop.push((await timed(() => maintain(client, asOf, procedure))).ms);

  // The same partitions by bare DDL, one autocommitted statement each, on fresh tables;
  // without waiting for each commit's WAL flush, as maintenance's steps do not.
  await client.query(`SET synchronous_commit = off`);
  const bare: number[] = [];
  for (let round = 1; round <= CREATION_ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < parents; i++) {
      for (let m = 0; m < MONTHS_PER_ROUND; m++) {
        const lower = monthsAfter(start, 100 * round + m);
        lower.setUTCDate(1);
        const upper = monthsAfter(start, 100 * round + m + 1);
        upper.setUTCDate(1);
        await client.query(
          `CREATE TABLE bench_maintenance.events_${i}_r${round}_${m} PARTITION OF bench_maintenance.events_${i} FOR VALUES FROM ('${lower.toISOString()}') TO ('${upper.toISOString()}')`,
        );
      }
    }
    bare.push((performance.now() - started) / (parents * MONTHS_PER_ROUND));
  }
  await client.query(`RESET synchronous_commit`);
  // One parent at a time: a single DROP SCHEMA would need more locks than max_locks_per_transaction.
  for (let i = 0; i < parents; i++) await client.query(`DROP TABLE bench_maintenance.events_${i}`);
  await client.query('DROP SCHEMA bench_maintenance');

  const section = `partition maintenance, ${parents} parents`;
  const perPartitionMs = median(perPartition);
  const bareMs = median(bare);
  return [
    {
      id: 'maintenance.perPartition',
      section,
      name: `one run creating ${MONTHS_PER_ROUND} months for each parent, per partition created (${procedure ? 'one transaction per step' : 'one transaction per run'})`,
      value: perPartitionMs,
      unit: 'ms',
      samples: perPartition,
    },
    {
      id: 'maintenance.bareDdl',
      section,
      name: 'the same partitions by bare CREATE TABLE ... PARTITION OF (synchronous_commit off), per partition',
      value: bareMs,
      unit: 'ms',
      samples: bare,
    },
    { id: 'maintenance.overhead', section, name: 'maintenance / bare DDL, per partition', value: perPartitionMs / bareMs, unit: 'x' },
    {
      id: 'maintenance.noop',
      section,
      name: `a run with nothing to do, all ${parents} parents`,
      value: median(noop),
      unit: 'ms',
      samples: noop,
    },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'sql-dir': { type: 'string', default: path.join(__dirname, '..', '..', 'sql') },
      parents: { type: 'string', default: String(MAINTENANCE_PARENTS) },
    },
  });
  const { startEmbeddedPostgres } = await import('../embedded-postgres.mjs');
  const server = await startEmbeddedPostgres({ settings: benchSettings() });
  const client = new Client({ connectionString: server.url, application_name: 'bench maintenance' });
  await client.connect();
  try {
    await runMigrations(client, { directory: values['sql-dir']! });
    for (const figure of await measurePartitionMaintenance(client, Number(values.parents))) {
      console.log(`${figure.name}: ${figure.value.toFixed(figure.unit === 'x' ? 2 : 3)} ${figure.unit}${figure.samples ? ` (samples ${figure.samples.map((s) => s.toFixed(3)).join(', ')})` : ''}`);
    }
  } finally {
    await client.end();
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });
}
