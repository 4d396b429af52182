// RDS for PostgreSQL: each instance (instance-hours, gp3 storage and provisioned performance,
// Performance Insights retention, enhanced monitoring) and RDS Proxy.
import { CostLine } from '../cost-estimate';
import { PriceKey, VCPUS } from '../prices';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, round, SECONDS_PER_MONTH } from '../units';
import { DatabaseInstance, databaseInstance, PricingContext, Resource } from './context';

export function priceDatabaseInstances(instances: readonly Resource[], context: PricingContext): CostLine[] {
  return instances.map(databaseInstance).flatMap((db) => [
    ...instanceAndStorageLines(db, context),
    ...performanceInsightsLines(db, context),
    ...enhancedMonitoringLines(db, context),
  ]);
}

/**
 * A Multi-AZ deployment (primary + standby) has its own list rates for instance-hours, storage,
 * IOPS and throughput, about twice the Single-AZ ones.
 */
function deploymentSuffix(db: DatabaseInstance): '' | '.multiAz' {
  return db.multiAz ? '.multiAz' : '';
}

function instanceAndStorageLines(db: DatabaseInstance, context: PricingContext): CostLine[] {
  const role = db.replica ? 'read replica' : db.multiAz ? 'primary, Multi-AZ: primary + standby' : 'primary, Single-AZ';
  // A replica's storage is its source's allocated storage (autoscaling grows both).
  const storage = db.replica ? Number(context.primaries[0]?.props.AllocatedStorage ?? 0) : Number(db.props.AllocatedStorage ?? 0);
  return [
    context.line({
      key: `rds.instance:${db.id}`, item: `RDS PostgreSQL ${db.instanceClass} ${db.name} (${role})`, resources: [db.id],
      quantity: HOURS_PER_MONTH, unit: db.multiAz ? 'Multi-AZ instance-hour' : 'instance-hour',
      priceKey: `rds.instance.${db.instanceClass}${deploymentSuffix(db)}` as PriceKey,
    }),
    context.line({
      key: `rds.storage:${db.id}`, item: `RDS gp3 storage ${db.name}, ${storage} GiB${db.multiAz ? ', Multi-AZ (primary + standby)' : ''}`, resources: [db.id],
      quantity: storage, priceKey: `rds.gp3.storage${deploymentSuffix(db)}`,
      assumption: db.replica ? 'a replica is allocated its source\'s storage' : undefined,
    }),
    ...provisionedPerformanceLines(db, storage, context),
  ];
}

/** gp3 IOPS and throughput provisioned above the baseline that comes with the volume's size. */
function provisionedPerformanceLines(db: DatabaseInstance, storage: number, context: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  const baselineIops = storage >= 400 ? 12_000 : 3_000;
  if (db.props.Iops !== undefined && Number(db.props.Iops) > baselineIops) {
    lines.push(context.line({
      key: `rds.iops:${db.id}`, item: `RDS gp3 IOPS ${db.name} above the ${baselineIops} baseline`, resources: [db.id],
      quantity: Number(db.props.Iops) - baselineIops, priceKey: `rds.gp3.iops${deploymentSuffix(db)}`,
    }));
  }
  const baselineThroughput = storage >= 400 ? 500 : 125;
  if (db.props.StorageThroughput !== undefined && Number(db.props.StorageThroughput) > baselineThroughput) {
    lines.push(context.line({
      key: `rds.throughput:${db.id}`, item: `RDS gp3 throughput ${db.name} above the ${baselineThroughput} MiB/s baseline`, resources: [db.id],
      quantity: Number(db.props.StorageThroughput) - baselineThroughput, priceKey: `rds.gp3.throughput${deploymentSuffix(db)}`,
    }));
  }
  return lines;
}

/** Retention beyond the free 7 days, billed on the vCPUs of every copy (primary and standby). */
function performanceInsightsLines(db: DatabaseInstance, context: PricingContext): CostLine[] {
  const piDays = Number(db.props.PerformanceInsightsRetentionPeriod ?? 7);
  const extendedRetention = db.props.EnablePerformanceInsights === true && piDays > 7;
  if (!extendedRetention) return [];
  const perInstance = VCPUS[db.instanceClass];
  if (perInstance === undefined) throw new Error(`vCPUs of ${db.instanceClass} are not in lib/cli/cost/prices.ts VCPUS: add them (Performance Insights is priced per vCPU)`);
  const copies = db.multiAz ? 2 : 1;
  const vcpus = perInstance * copies;
  const months = Math.round(piDays / 30.5);
  const lines = [context.line({
    key: `rds.pi.first:${db.id}`, item: `Performance Insights ${db.name}, ${piDays}-day retention: first month, ${vcpus} vCPU`, resources: [db.id],
    quantity: vcpus, priceKey: 'rds.performanceInsights.firstMonth',
    assumption: copies === 2 ? 'billed on the vCPUs of primary and standby' : undefined,
  })];
  if (months > 1) {
    lines.push(context.line({
      key: `rds.pi.more:${db.id}`, item: `Performance Insights ${db.name}: ${months - 1} further months, ${vcpus} vCPU`, resources: [db.id],
      quantity: vcpus * (months - 1), priceKey: 'rds.performanceInsights.additionalMonth',
    }));
  }
  return lines;
}

function enhancedMonitoringLines(db: DatabaseInstance, context: PricingContext): CostLine[] {
  const interval = Number(db.props.MonitoringInterval ?? 0);
  const enabled = interval > 0;
  if (!enabled) return [];
  const { enhancedMonitoringEventBytes } = context.assumptions;
  const gb = (SECONDS_PER_MONTH / interval) * enhancedMonitoringEventBytes / 1e9;
  return [
    context.line({
      key: `rds.em:${db.id}`, item: `Enhanced monitoring ${db.name} every ${interval} s: log ingestion`, resources: [db.id],
      quantity: round(gb, 3), unit: 'GB ingested', priceKey: 'logs.vendedIngestion',
      assumption: `${(SECONDS_PER_MONTH / interval).toLocaleString('en-US')} samples a month of ${enhancedMonitoringEventBytes} bytes each; stored 30 days in RDSOSMetrics (storage in the log-storage line)`,
    }),
    context.line({
      key: `rds.em.storage:${db.id}`, item: `Enhanced monitoring ${db.name}: logs kept 30 days`, resources: [db.id],
      quantity: round(gb * 30 / DAYS_PER_MONTH, 3), unit: 'GB-month stored', priceKey: 'logs.storage',
      assumption: 'uncompressed size; CloudWatch Logs bills stored data compressed, so this is an upper bound',
    }),
  ];
}

export function priceProxies(proxies: readonly Resource[], context: PricingContext): CostLine[] {
  const target = context.primaries[0];
  const known = target ? VCPUS[target.instanceClass] : undefined;
  const vcpus = Math.max(2, known ?? 0);
  return proxies.map((proxy) => context.line({
    key: `rds.proxy:${proxy.id}`, item: `RDS Proxy over ${target?.instanceClass ?? 'its target'} (${vcpus} vCPU)`,
    resources: [proxy.id], quantity: vcpus * HOURS_PER_MONTH, unit: 'vCPU-hour', priceKey: 'rds.proxy.vcpu',
    assumption: known === undefined
      ? `vCPUs of ${target?.instanceClass ?? 'the target'} are not in lib/cli/cost/prices.ts VCPUS: the 2-vCPU minimum is assumed`
      : known <= 2 ? 'at the 2-vCPU minimum' : undefined,
  }));
}
