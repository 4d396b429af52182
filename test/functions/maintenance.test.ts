import type { Client } from 'pg';
import { closeConnections, handler } from '../../lib/functions/maintenance';
import type { TestDatabase } from '../support/database';
import {
  SECRET_ARN, acceptMetrics, backendPids, captureConsole, dimensionsOf, endpointOf, handlerDatabase, publishedData, putMetricDataCalls,
  startRun, tearDown,
} from './handler-fixtures';

let db: TestDatabase;
let sql: Client;
let output: ReturnType<typeof captureConsole>;

beforeAll(async () => {
  ({ db, sql } = await handlerDatabase('maintenance_handler'));
});
beforeEach(() => {
  Object.assign(process.env, {
    DB_SECRET_ARN: SECRET_ARN,
    DB_HOST: endpointOf(db),
    DB_TLS: 'disable',
    METRIC_NAMESPACE: 'DataTier',
    ENVIRONMENT: 'dev',
    PRIMARY_INSTANCE_ID: 'data-tier-primary',
  });
  output = startRun();
});
afterEach(() => output.restore());
afterAll(() => tearDown(db, closeConnections));

const dimensions = (task: string) => ({ Environment: 'dev', DBInstance: 'data-tier-primary', Role: 'primary', Task: task });

/** The two data every run publishes, as { name: [value, unit, dimensions] }. */
function published() {
  return Object.fromEntries(publishedData().map((d) => [d.MetricName, [d.Value, d.Unit, dimensionsOf(d)]]));
}

async function partitions(): Promise<string[]> {
  const { rows } = await sql.query(`SELECT partition_table::text FROM data_tier.partition_bounds('public.analytics_events') WHERE NOT is_default`);
  return rows.map((row) => row.partition_table);
}

describe('the maintenance handler', () => {
  it('partition-maintenance creates a missing partition and publishes success and duration', async () => {
    const before = await partitions();
    const newest = before[before.length - 1];
    await sql.query(`DROP TABLE ${newest}`);

    const result = await handler({ task: 'partition-maintenance' });

    expect(await partitions()).toEqual(before);
    expect(result.summary.actions).toEqual({ create: 1 });
    expect(published()).toEqual({
      maintenance_failed: [0, 'Count', dimensions('partition-maintenance')],
      maintenance_duration: [expect.any(Number), 'Milliseconds', dimensions('partition-maintenance')],
    });
    expect(putMetricDataCalls()).toHaveLength(1);
    const [summary] = output.lines('log').map((line) => JSON.parse(line));
    expect(summary).toMatchObject({ level: 'info', task: 'partition-maintenance', actions: { create: 1 } });
  });

  it('partition-maintenance that cannot get its locks publishes maintenance_failed = 1 and throws, naming the step', async () => {
    const before = await partitions();
    await sql.query(`DROP TABLE ${before[before.length - 1]}`);
    const writer = await db.connect();
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO analytics_events (tenant_id, entity_id, event_type) VALUES (gen_random_uuid(), gen_random_uuid(), 'held open')`);
    try {
      await expect(handler({ task: 'partition-maintenance' })).rejects.toThrow(
        /^partition maintenance could not do 1 step: create public\.analytics_events \[\d{4}-\d\d-01, \d{4}-\d\d-01\): could not get its locks in 5 attempts/,
      );
    } finally {
      await writer.query('ROLLBACK');
    }

    expect(published().maintenance_failed).toEqual([1, 'Count', dimensions('partition-maintenance')]);
    acceptMetrics();
    await handler({ task: 'partition-maintenance' });
    expect(await partitions()).toEqual(before);
  });

  it('partition-maintenance run again has nothing to do', async () => {
    const result = await handler({ task: 'partition-maintenance' });

    expect(result.summary.actions).toEqual({});
    expect(published().maintenance_failed[0]).toBe(0);
  });

  it('materialized-view-refresh refreshes the rollup and records when', async () => {
    await sql.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '1 day'`);

    const result = await handler({ task: 'materialized-view-refresh' });

    const { rows } = await sql.query(`SELECT extract(epoch FROM now() - refreshed_at)::float8 AS age FROM data_tier.materialized_view_refreshes`);
    expect(rows[0].age).toBeLessThan(5);
    expect(result.summary).toEqual({ views: [{ view: 'public.analytics_daily_rollup', outcome: 'refreshed', refreshMs: expect.any(Number) }] });
    expect(published()).toEqual({
      maintenance_failed: [0, 'Count', dimensions('materialized-view-refresh')],
      maintenance_duration: [expect.any(Number), 'Milliseconds', dimensions('materialized-view-refresh')],
    });
  });

  it('publishes maintenance_failed = 1, logs why, then throws when the database cannot be reached', async () => {
    process.env.DB_HOST = '127.0.0.1:1';

    await expect(handler({ task: 'materialized-view-refresh' })).rejects.toThrow(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1 .*ECONNREFUSED/);

    expect(published().maintenance_failed).toEqual([1, 'Count', dimensions('materialized-view-refresh')]);
    expect(published().maintenance_duration[1]).toBe('Milliseconds');
    expect(output.lines('error').map((line) => JSON.parse(line))).toEqual([
      { level: 'error', task: 'materialized-view-refresh', durationMs: expect.any(Number), host: '127.0.0.1:1', error: expect.stringMatching(/ECONNREFUSED/) },
    ]);
  });

  it('reports a failing statement the same way, and keeps the connection for the next run', async () => {
    const before = await backendPids(sql, 'maintenance materialized-view-refresh');
    await sql.query('ALTER FUNCTION data_tier.refresh_materialized_views(boolean) RENAME TO refresh_renamed');
    try {
      await expect(handler({ task: 'materialized-view-refresh' })).rejects.toThrow('function data_tier.refresh_materialized_views() does not exist');
      expect(published().maintenance_failed[0]).toBe(1);
    } finally {
      await sql.query('ALTER FUNCTION data_tier.refresh_renamed(boolean) RENAME TO refresh_materialized_views');
    }
    acceptMetrics();

    await handler({ task: 'materialized-view-refresh' });

    expect(published().maintenance_failed[0]).toBe(0);
    expect(before).toHaveLength(1);
    expect(await backendPids(sql, 'maintenance materialized-view-refresh')).toEqual(before);
  });

  it('refreshes every registered view that is due, and fails the task naming a view that could not refresh', async () => {
    await sql.query(`CREATE MATERIALIZED VIEW public.broken_view AS SELECT 1 AS id`);
    await sql.query(`CREATE UNIQUE INDEX ON public.broken_view (id)`);
    await sql.query(`SELECT data_tier.register_materialized_view('public.broken_view', interval '1 minute')`);
    await sql.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '1 day'`);
    // REFRESH ... CONCURRENTLY of a view never populated fails; the other view still refreshes.
    await sql.query(`REFRESH MATERIALIZED VIEW public.broken_view WITH NO DATA`);
    try {
      await expect(handler({ task: 'materialized-view-refresh' })).rejects.toThrow(
        /^materialized view refresh could not do 1 step: refresh public\.broken_view: CONCURRENTLY cannot be used when the materialized view is not populated/,
      );
      expect(published().maintenance_failed[0]).toBe(1);
      const { rows } = await sql.query(`SELECT materialized_view::text AS view FROM data_tier.materialized_view_refreshes WHERE refreshed_at > now() - interval '1 minute'`);
      expect(rows).toEqual([{ view: 'analytics_daily_rollup' }]);
    } finally {
      await sql.query(`DELETE FROM data_tier.materialized_view_refreshes WHERE materialized_view = 'public.broken_view'::regclass`);
      await sql.query(`DROP MATERIALIZED VIEW public.broken_view`);
    }
  });

  it('refuses an unknown task before touching the database or CloudWatch', async () => {
    await expect(handler({ task: 'vacuum' } as never)).rejects.toThrow(
      'unknown maintenance task "vacuum": expected one of partition-maintenance, materialized-view-refresh',
    );
    expect(putMetricDataCalls()).toEqual([]);
  });
});
