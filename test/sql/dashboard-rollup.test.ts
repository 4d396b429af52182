import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';

let db: TestDatabase;
let client: Client;
beforeAll(async () => {
  db = await migratedDatabase('rollup');
  client = await db.connect();
});
afterAll(() => db.drop());

const TENANT = '00000000-0000-0000-0000-00000000000a';

async function insertEvents(count: number, eventType: string, createdAt = 'now()'): Promise<void> {
  await client.query(
    `INSERT INTO analytics_events (tenant_id, entity_id, event_type, created_at)
     SELECT $1, gen_random_uuid(), $2, ${createdAt} FROM generate_series(1, $3)`,
    [TENANT, eventType, count],
  );
}

async function rollup(): Promise<{ event_type: string; events: string }[]> {
  const { rows } = await client.query(
    `SELECT event_type, events FROM analytics_daily_rollup WHERE tenant_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date ORDER BY event_type`,
    [TENANT],
  );
  return rows;
}

describe('the dashboard rollup', () => {
  it('counts events per tenant, UTC day and type over the last 90 days once refreshed, and records the refresh', async () => {
    await insertEvents(3, 'pin.viewed');
    await insertEvents(2, 'pin.shared');
    // Before the window: the partition manager keeps 12 months, the rollup shows 90 days.
    await client.query(`CALL data_tier.run_partition_maintenance(now() - interval '4 months', 'public.analytics_events')`);
    await insertEvents(5, 'pin.viewed', `now() - interval '120 days'`);
    await client.query(`UPDATE data_tier.materialized_view_refreshes SET refreshed_at = now() - interval '1 hour'`);

    const { rows } = await client.query(`SELECT data_tier.refresh_materialized_view('public.analytics_daily_rollup') AS duration_ms`);

    expect(rows[0].duration_ms).toBeGreaterThanOrEqual(0);
    expect(await rollup()).toEqual([
      { event_type: 'pin.shared', events: '2' },
      { event_type: 'pin.viewed', events: '3' },
    ]);
    const { rows: total } = await client.query(`SELECT sum(events)::int AS events FROM analytics_daily_rollup`);
    expect(total[0].events).toBe(5);
    const { rows: refreshes } = await client.query(
      `SELECT materialized_view::text, clock_timestamp() - refreshed_at < interval '5 seconds' AS recent FROM data_tier.materialized_view_refreshes`,
    );
    expect(refreshes).toEqual([{ materialized_view: 'analytics_daily_rollup', recent: true }]);
  });

  it('refreshes concurrently: a reader holding the view open does not block the refresh', async () => {
    const reader = await db.connect();
    const refresher = await db.connect();
    await refresher.query(`SET lock_timeout = '1s'`);
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM analytics_daily_rollup');
    await insertEvents(4, 'pin.saved');

    // A plain REFRESH needs ACCESS EXCLUSIVE and would wait behind the reader.
    await expect(refresher.query('REFRESH MATERIALIZED VIEW analytics_daily_rollup')).rejects.toThrow('lock timeout');
    await refresher.query(`SELECT data_tier.refresh_materialized_view('analytics_daily_rollup')`);

    const { rows } = await reader.query(`SELECT events FROM analytics_daily_rollup WHERE event_type = 'pin.saved'`);
    expect(rows).toEqual([{ events: '4' }]);
    await reader.query('COMMIT');
  });
});
