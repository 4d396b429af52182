// RDS for PostgreSQL: each instance (instance-hours, gp3 storage and provisioned performance,
// Performance Insights retention, enhanced monitoring; Aurora instances in clusters.ts) and RDS Proxy.
import { CostLine } from '../cost-estimate';
import { PriceKey, VCPUS } from '../prices';
import { HOURS_PER_MONTH } from '../units';
import { auroraInstanceLines, proxyTargetOfClusters } from './clusters';
import { DatabaseInstance, databaseInstance, isAuroraInstance, PricingContext, Resource } from './context';
import { MonitoredDatabase, monitoringLines } from './monitoring';

export function priceDatabaseInstances(instances: readonly Resource[], context: PricingContext): CostLine[] {
  return instances.map(databaseInstance).flatMap((db) => isAuroraInstance(db)
    ? auroraInstanceLines(db, context)
    : [...instanceAndStorageLines(db, context), ...monitoringLines(monitoredInstance(db), context)]);
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

function monitoredInstance(db: DatabaseInstance): MonitoredDatabase {
  return {
    id: db.id, name: db.name, instanceClass: db.instanceClass,
    copies: db.multiAz ? 2 : 1, copiesAssumption: 'billed on the vCPUs of primary and standby', reporting: 1,
    performanceInsights: db.props.EnablePerformanceInsights === true,
    performanceInsightsDays: Number(db.props.PerformanceInsightsRetentionPeriod ?? 7),
    monitoringInterval: Number(db.props.MonitoringInterval ?? 0),
  };
}

export function priceProxies(proxies: readonly Resource[], context: PricingContext): CostLine[] {
  const target = context.primaries[0];
  if (target === undefined && context.clusters.length > 0) return proxies.flatMap((proxy) => proxyTargetOfClusters(proxy, context.clusters[0], context));
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
