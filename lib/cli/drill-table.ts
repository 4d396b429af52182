// The table both drills write to: created by the drill itself after the migrations, so a drill
// needs no application table (`--migrations` adds the application's streams, not the drill's
// table). Range-partitioned by month and registered with data_tier, as an application's
// time-sliced table would be, so partition maintenance and health_check() see it.
import type { ClientBase } from 'pg';

/** Schema-qualified name of the drill's table. */
export const DRILL_TABLE = 'data_tier_drill.events';

/** Creates the drill's table on a database where the data_tier migrations have run. */
export async function createDrillTable(client: ClientBase): Promise<void> {
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS data_tier_drill;
    CREATE TABLE ${DRILL_TABLE} (
      id bigint GENERATED ALWAYS AS IDENTITY,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- One run of a drill (failover) or a random value per row (upgrade): what is counted after.
      run_id uuid NOT NULL,
      kind text NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}'::jsonb,
      PRIMARY KEY (id, created_at)
    ) PARTITION BY RANGE (created_at);
    SELECT data_tier.register_partitioned_parent('${DRILL_TABLE}', p_interval => 'month', p_premake => 6, p_retention => interval '12 months', p_retention_action => 'detach');`);
}
