import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';

let db: TestDatabase;
let client: Client;
beforeAll(async () => {
  db = await migratedDatabase('events');
  client = await db.connect();
});
afterAll(() => db.drop());

const TENANT = '00000000-0000-0000-0000-00000000000a';
const ENTITY = '00000000-0000-0000-0000-0000000000e1';

describe('analytics_events', () => {
  it('is registered with the partition manager: monthly, six ahead, detached after 12 months', async () => {
    const { rows } = await client.query(
      `SELECT partition_column, partition_interval, premake, retention, retention_action
       FROM data_tier.partitioned_parents WHERE parent_table = 'public.analytics_events'::regclass`,
    );
    expect(rows).toEqual([{ partition_column: 'created_at', partition_interval: 'month', premake: 6, retention: { years: 1 }, retention_action: 'detach' }]);
  });

  it('has its default, current and next six monthly partitions right after the migration', async () => {
    const { rows } = await client.query(
      `SELECT count(*) FILTER (WHERE is_default)::int AS defaults,
              count(*) FILTER (WHERE NOT is_default)::int AS monthly,
              min(lower_bound) = date_trunc('month', now(), 'UTC') AS starts_this_month
       FROM data_tier.partition_bounds('public.analytics_events')`,
    );
    expect(rows[0]).toEqual({ defaults: 1, monthly: 7, starts_this_month: true });
  });

  it('routes an event to the partition of its UTC month and fills id and created_at', async () => {
    const { rows } = await client.query(
      `INSERT INTO analytics_events (tenant_id, entity_id, event_type, payload)
       VALUES ($1, $2, 'pin.viewed', '{"source": "web"}')
       RETURNING id, data_tier.qualified_name(tableoid) AS partition, to_char(created_at AT TIME ZONE 'UTC', 'YYYY_MM') AS month`,
      [TENANT, ENTITY],
    );
    expect(rows[0].id).toEqual(expect.any(String));
    expect(rows[0].partition).toBe(`public.analytics_events_p${rows[0].month}`);
  });

  it('keeps a lean index set: primary key with the partition key, BRIN on time, tenant and entity feeds', async () => {
    const { rows } = await client.query(
      `SELECT indexname, regexp_replace(indexdef, '^.* USING ', '') AS definition
       FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'analytics_events' ORDER BY indexname`,
    );
    expect(rows).toEqual([
      { indexname: 'analytics_events_created_at_brin', definition: 'brin (created_at)' },
      { indexname: 'analytics_events_entity_created_at', definition: 'btree (entity_id, created_at DESC)' },
      { indexname: 'analytics_events_pkey', definition: 'btree (id, created_at)' },
      { indexname: 'analytics_events_tenant_created_at', definition: 'btree (tenant_id, created_at DESC)' },
    ]);
  });

  it('gives partitions created later by maintenance the same indexes', async () => {
    await client.query(`CALL data_tier.run_partition_maintenance(now() + interval '1 month', 'public.analytics_events')`);
    const { rows } = await client.query(
      `SELECT count(*)::int AS indexes FROM pg_index
       WHERE indrelid = (SELECT partition_table FROM data_tier.partition_bounds('public.analytics_events') WHERE NOT is_default ORDER BY lower_bound DESC LIMIT 1)`,
    );
    expect(rows[0].indexes).toBe(4);
  });
});
