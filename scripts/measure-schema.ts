// Measures the schema's costs on an embedded PostgreSQL (same major as the stack):
//   npm run db:measure [-- --rows 1000000]
// time to apply sql/ to an empty database, time of a no-op re-run, health_check() duration on
// the empty database and with --rows events in analytics_events spread over the last 12 months
// (after ANALYZE), plus partition maintenance and rollup refresh at that size.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { runMigrations } from '../lib/functions/shared/migrations';
import { PROJECT_STREAMS } from '../app/migrations';

const HEALTH_CHECK_SAMPLES = 20;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/** Median and maximum of `samples` health_check() calls, each in its own transaction. */
async function measureHealthCheck(client: Client): Promise<string> {
  const durations: number[] = [];
  for (let i = 0; i < HEALTH_CHECK_SAMPLES; i++) {
    const [, ms] = await timed(() => client.query('SELECT * FROM data_tier.health_check()'));
    durations.push(ms);
  }
  durations.sort((a, b) => a - b);
  return `median ${durations[Math.floor(durations.length / 2)].toFixed(1)} ms, max ${durations[durations.length - 1].toFixed(1)} ms over ${HEALTH_CHECK_SAMPLES} calls`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
  const rows = Number(values.rows);
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  const server = await startEmbeddedPostgres();
  const client = new Client({ connectionString: server.url, application_name: 'measure-schema' });
  await client.connect();
  const report = (label: string, value: string) => console.log(`${label.padEnd(48)} ${value}`);
  try {
    const { rows: version } = await client.query(`SELECT current_setting('server_version') AS v`);
    console.log(`PostgreSQL ${version[0].v} (embedded, default settings plus the stack's preload list)\n`);

    const [first] = await timed(() => runMigrations(client, { streams: PROJECT_STREAMS }));
    report(`apply all ${first.applied.length} migrations to an empty database`, `${first.durationMs.toFixed(0)} ms`);
    const [again] = await timed(() => runMigrations(client, { streams: PROJECT_STREAMS }));
    report('no-op re-run', `${again.durationMs.toFixed(1)} ms`);
    report('health_check(), empty database', await measureHealthCheck(client));

    // Partitions for the past 12 months first (maintenance "as of" a year ago, then now, which fills the gap).
    await client.query(`CALL data_tier.run_partition_maintenance(now() - interval '12 months')`);
    await client.query('CALL data_tier.run_partition_maintenance()');
    const [, loadMs] = await timed(() =>
      client.query(
        `INSERT INTO analytics_events (tenant_id, entity_id, event_type, created_at, payload)
         SELECT ('00000000-0000-0000-0000-' || lpad((i % 50)::text, 12, '0'))::uuid,
                ('00000000-0000-0000-0001-' || lpad((i % 20000)::text, 12, '0'))::uuid,
                (ARRAY['pin.viewed', 'pin.shared', 'pin.saved', 'profile.viewed'])[1 + i % 4],
                now() - (interval '365 days' * i / $1),
                jsonb_build_object('n', i)
         FROM generate_series(1, $1) AS i`,
        [rows],
      ),
    );
    report(`insert ${rows.toLocaleString('en')} events over 12 months`, `${(loadMs / 1000).toFixed(1)} s`);
    const [, analyzeMs] = await timed(() => client.query('ANALYZE'));
    report('ANALYZE', `${(analyzeMs / 1000).toFixed(1)} s`);
    const { rows: estimate } = await client.query(
      `SELECT sum(c.reltuples)::bigint AS rows, count(*) AS partitions
       FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.analytics_events'::regclass`,
    );
    report('analytics_events (estimate from pg_class)', `${Number(estimate[0].rows).toLocaleString('en')} rows in ${estimate[0].partitions} partitions`);
    report(`health_check(), ${rows.toLocaleString('en')} events`, await measureHealthCheck(client));
    const [maintenance, maintenanceMs] = await timed(() => client.query('CALL data_tier.run_partition_maintenance()'));
    report(`run_partition_maintenance(), ${maintenance.rows[0].p_report.length} steps`, `${maintenanceMs.toFixed(1)} ms`);
    const { rows: refresh } = await client.query('SELECT data_tier.refresh_materialized_view(\'public.analytics_daily_rollup\') AS ms');
    report('refresh_materialized_view() (90-day rollup)', `${Number(refresh[0].ms).toFixed(0)} ms`);
  } finally {
    await client.end();
    await server.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
