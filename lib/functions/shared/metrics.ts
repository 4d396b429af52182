// CloudWatch custom metrics for the data tier's functions: building MetricDatum arrays with
// the names, dimensions and units of lib/observability/contract.ts (whose MetricUnit is the
// SDK's StandardUnit: the compiler checks both ways), and publishing them in as few
// PutMetricData calls as the API allows. Used by the health-check and maintenance handlers.
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { dimensionsOf, type MetricDefinition, type MetricScope } from '../../observability/contract';

export type { MetricScope, Role } from '../../observability/contract';

/** PutMetricData accepts at most this many MetricDatum per call. */
export const MAX_DATA_PER_CALL = 1000;
/** A MetricDatum's Values/Counts hold at most this many distinct values. */
export const MAX_VALUES_PER_DATUM = 150;

const STANDARD_UNITS: ReadonlySet<string> = new Set(Object.values(StandardUnit));

export function isStandardUnit(unit: string): unit is StandardUnit {
  return STANDARD_UNITS.has(unit);
}

function dimensions(scope: MetricScope): MetricDatum['Dimensions'] {
  return Object.entries(dimensionsOf(scope)).map(([Name, Value]) => ({ Name, Value }));
}

/** One value of one metric. CloudWatch rejects NaN and infinities: the caller filters them. */
export function datum(scope: MetricScope, metric: MetricDefinition, value: number, timestamp: Date): MetricDatum {
  return { MetricName: metric.name, Dimensions: dimensions(scope), Timestamp: timestamp, Unit: metric.unit, Value: value };
}

/**
 * Raw samples as Values/Counts, so CloudWatch computes true percentiles over them. Equal values
 * are counted once; more than 150 distinct values take several data. No samples, no data.
 */
export function samples(scope: MetricScope, metric: MetricDefinition, values: readonly number[], timestamp: Date): MetricDatum[] {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return chunk([...counts], MAX_VALUES_PER_DATUM).map((part) => ({
    MetricName: metric.name,
    Dimensions: dimensions(scope),
    Timestamp: timestamp,
    Unit: metric.unit,
    Values: part.map(([value]) => value),
    Counts: part.map(([, count]) => count),
  }));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Publishes the data in ceil(n / 1000) PutMetricData calls, sent concurrently. Throws when any
 * call fails (after all have settled), so the function's Errors metric shows lost metrics.
 * Returns the number of calls made.
 */
export async function publishMetrics(cloudwatch: CloudWatchClient, namespace: string, data: readonly MetricDatum[]): Promise<number> {
  const batches = chunk(data, MAX_DATA_PER_CALL);
  const results = await Promise.allSettled(
    batches.map((MetricData) => cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData }))),
  );
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message ?? String(result.reason)] : []));
  if (failures.length > 0) {
    throw new Error(`PutMetricData failed for ${failures.length} of ${batches.length} calls to namespace ${namespace}: ${failures.join('; ')}`);
  }
  return batches.length;
}

/** Reads a required environment variable, naming it when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** One structured log line (JSON), so CloudWatch Logs Insights can filter on its fields. */
export function logJson(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
