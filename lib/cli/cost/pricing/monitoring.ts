// Performance Insights retention and enhanced monitoring, for RDS instances, Multi-AZ DB clusters
// and Aurora instances alike.
import { CostLine } from '../cost-estimate';
import { VCPUS } from '../prices';
import { DAYS_PER_MONTH, round, SECONDS_PER_MONTH } from '../units';
import { PricingContext } from './context';

/**
 * What Performance Insights and enhanced-monitoring lines are priced on: an instance, or the
 * instances of a deployment that the template declares as one resource.
 */
export interface MonitoredDatabase {
  readonly id: string;
  readonly name: string;
  readonly instanceClass: string;
  /** Instances whose vCPUs Performance Insights bills: 2 for a Multi-AZ primary (primary + standby), 3 for a Multi-AZ DB cluster. */
  readonly copies: number;
  readonly copiesAssumption?: string;
  /** Instances that publish enhanced-monitoring samples. */
  readonly reporting: number;
  readonly performanceInsights: boolean;
  readonly performanceInsightsDays: number;
  readonly monitoringInterval: number;
}

/** Performance Insights retention beyond 7 days and enhanced-monitoring logs. */
export function monitoringLines(db: MonitoredDatabase, context: PricingContext): CostLine[] {
  return [...performanceInsightsLines(db, context), ...enhancedMonitoringLines(db, context)];
}

/** Retention beyond the free 7 days, billed on the vCPUs of every copy (primary and standby). */
function performanceInsightsLines(db: MonitoredDatabase, context: PricingContext): CostLine[] {
  const piDays = db.performanceInsightsDays;
  const extendedRetention = db.performanceInsights && piDays > 7;
  if (!extendedRetention) return [];
  const perInstance = VCPUS[db.instanceClass];
  if (perInstance === undefined) throw new Error(`vCPUs of ${db.instanceClass} are not in lib/cli/cost/prices.ts VCPUS: add them (Performance Insights is priced per vCPU)`);
  const copies = db.copies;
  const vcpus = perInstance * copies;
  const months = Math.round(piDays / 30.5);
  const lines = [context.line({
    key: `rds.pi.first:${db.id}`, item: `Performance Insights ${db.name}, ${piDays}-day retention: first month, ${vcpus} vCPU`, resources: [db.id],
    quantity: vcpus, priceKey: 'rds.performanceInsights.firstMonth',
    assumption: copies > 1 ? db.copiesAssumption : undefined,
  })];
  if (months > 1) {
    lines.push(context.line({
      key: `rds.pi.more:${db.id}`, item: `Performance Insights ${db.name}: ${months - 1} further months, ${vcpus} vCPU`, resources: [db.id],
      quantity: vcpus * (months - 1), priceKey: 'rds.performanceInsights.additionalMonth',
    }));
  }
  return lines;
}

function enhancedMonitoringLines(db: MonitoredDatabase, context: PricingContext): CostLine[] {
  const interval = db.monitoringInterval;
  const enabled = interval > 0;
  if (!enabled) return [];
  const { enhancedMonitoringEventBytes } = context.assumptions;
  const gb = db.reporting * (SECONDS_PER_MONTH / interval) * enhancedMonitoringEventBytes / 1e9;
  const who = db.reporting > 1 ? `${db.name} (${db.reporting} instances)` : db.name;
  return [
    context.line({
      key: `rds.em:${db.id}`, item: `Enhanced monitoring ${who} every ${interval} s: log ingestion`, resources: [db.id],
      quantity: round(gb, 3), unit: 'GB ingested', priceKey: 'logs.vendedIngestion',
      assumption: `${(SECONDS_PER_MONTH / interval).toLocaleString('en-US')} samples a month${db.reporting > 1 ? ' per instance' : ''} of ${enhancedMonitoringEventBytes} bytes each; stored 30 days in RDSOSMetrics (storage in the log-storage line)`,
    }),
    context.line({
      key: `rds.em.storage:${db.id}`, item: `Enhanced monitoring ${who}: logs kept 30 days`, resources: [db.id],
      quantity: round(gb * 30 / DAYS_PER_MONTH, 3), unit: 'GB-month stored', priceKey: 'logs.storage',
      assumption: 'uncompressed size; CloudWatch Logs bills stored data compressed, so this is an upper bound',
    }),
  ];
}
