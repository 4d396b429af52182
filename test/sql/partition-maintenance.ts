import type { ClientBase } from 'pg';
import type { PartitionStep } from '../../lib/functions/maintenance';

export type MaintenanceStep = PartitionStep;

/** One maintenance run of `parent` as of `now`, and the steps it reports. */
export async function runMaintenance(client: ClientBase, now: string, parent: string): Promise<MaintenanceStep[]> {
  const { rows } = await client.query(`CALL data_tier.run_partition_maintenance($1, $2)`, [now, parent]);
  return rows[0].p_report;
}
