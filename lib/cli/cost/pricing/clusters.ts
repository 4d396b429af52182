// RDS DB clusters. A Multi-AZ DB cluster of RDS for PostgreSQL: its deployment-hours (a writer and
// two readable standbys, one rate), storage and provisioned IOPS, Performance Insights and enhanced
// monitoring of its three instances. Aurora PostgreSQL: the storage its volume holds and Standard's
// I/O requests (clusters), and each instance (provisioned instance-hours or Serverless v2 ACU-hours,
// at the Standard or the I/O-Optimized rate). Their backups: backup.ts; RDS Proxy over them: here,
// for database.ts.
import { CostLine } from '../cost-estimate';
import { PriceKey, VCPUS } from '../prices';
import { HOURS_PER_MONTH, round, SECONDS_PER_MONTH } from '../units';
import { DatabaseCluster, DatabaseInstance, MULTI_AZ_CLUSTER_INSTANCES, PricingContext, Resource } from './context';
import { monitoringLines } from './monitoring';

/** RDS Proxy bills an Aurora Serverless v2 target for at least 8 ACUs (the source of `rds.proxy.acu`, lib/cli/cost/prices.ts). */
const PROXY_MINIMUM_ACUS = 8;

/** The instance class of an Aurora Serverless v2 instance. */
export const SERVERLESS_CLASS = 'db.serverless';

export function priceDatabaseClusters(_clusters: readonly Resource[], context: PricingContext): CostLine[] {
  return context.clusters.flatMap((c) => (c.kind === 'multi-az' ? multiAzClusterLines(c, context) : auroraClusterLines(c, context)));
}

function multiAzClusterLines(cluster: DatabaseCluster, context: PricingContext): CostLine[] {
  const instanceClass = String(cluster.props.DBClusterInstanceClass);
  const storage = Number(cluster.props.AllocatedStorage ?? 0);
  const type = cluster.storageType;
  return [
    context.line({
      key: `rds.cluster:${cluster.id}`, item: `RDS PostgreSQL Multi-AZ DB cluster ${instanceClass} ${cluster.name} (writer + two readable standbys)`, resources: [cluster.id],
      quantity: HOURS_PER_MONTH, unit: 'Multi-AZ DB cluster hour', priceKey: `rds.cluster.${instanceClass}` as PriceKey,
    }),
    context.line({
      key: `rds.cluster.storage:${cluster.id}`, item: `RDS ${type} storage ${cluster.name}, ${storage} GiB, Multi-AZ DB cluster (three copies)`, resources: [cluster.id],
      quantity: storage, priceKey: `rds.cluster.${type}.storage` as PriceKey,
    }),
    ...clusterIopsLines(cluster, storage, context),
    ...monitoringLines({
      id: cluster.id, name: cluster.name, instanceClass,
      copies: MULTI_AZ_CLUSTER_INSTANCES, copiesAssumption: 'billed on the vCPUs of the writer and both readable standbys', reporting: MULTI_AZ_CLUSTER_INSTANCES,
      performanceInsights: cluster.props.PerformanceInsightsEnabled === true,
      performanceInsightsDays: Number(cluster.props.PerformanceInsightsRetentionPeriod ?? 7),
      monitoringInterval: Number(cluster.props.MonitoringInterval ?? 0),
    }, context),
  ];
}

/** io1 and io2 bill every provisioned IOPS; gp3 only those above the volume's baseline. */
function clusterIopsLines(cluster: DatabaseCluster, storage: number, context: PricingContext): CostLine[] {
  const iops = Number(cluster.props.Iops ?? 0);
  if (cluster.storageType !== 'gp3') {
    if (iops === 0) return [];
    return [context.line({
      key: `rds.cluster.iops:${cluster.id}`, item: `RDS ${cluster.storageType} provisioned IOPS ${cluster.name}, Multi-AZ DB cluster`, resources: [cluster.id],
      quantity: iops, priceKey: `rds.cluster.${cluster.storageType}.iops` as PriceKey,
    })];
  }
  const baseline = storage >= 400 ? 12_000 : 3_000;
  if (iops <= baseline) return [];
  return [context.line({
    key: `rds.cluster.iops:${cluster.id}`, item: `RDS gp3 IOPS ${cluster.name} above the ${baseline} baseline, Multi-AZ DB cluster`, resources: [cluster.id],
    quantity: iops - baseline, priceKey: 'rds.cluster.gp3.iops',
    assumption: 'the baseline of an RDS gp3 volume (3,000 IOPS, 12,000 from 400 GiB) assumed for the cluster',
  })];
}

function auroraClusterLines(cluster: DatabaseCluster, context: PricingContext): CostLine[] {
  const { auroraDataGb: data, auroraIoPerSecondPerDataGb: perGb } = context.assumptions;
  const lines = [context.line({
    key: `aurora.storage:${cluster.id}`, item: `Aurora ${configuration(cluster)} storage ${cluster.name}, ${data} GB`, resources: [cluster.id],
    quantity: data, priceKey: cluster.ioOptimized ? 'aurora.storage.iopt' : 'aurora.storage',
    assumption: `the cluster volume holds ${data} GB (auroraDataGb); Aurora bills what it holds`,
  })];
  if (!cluster.ioOptimized) {
    const perSecond = data * perGb;
    lines.push(context.line({
      key: `aurora.io:${cluster.id}`, item: `Aurora I/O requests ${cluster.name}`, resources: [cluster.id],
      quantity: round(perSecond * SECONDS_PER_MONTH / 1e6, 1), unit: 'million I/O requests', priceKey: 'aurora.io',
      assumption: `${round(perSecond, 1)} billed I/O requests a second on average (${perGb} per GB of data, auroraIoPerSecondPerDataGb); I/O-Optimized would pay none`,
    }));
  }
  return lines;
}

function configuration(cluster: DatabaseCluster | undefined): string {
  return cluster?.ioOptimized ? 'I/O-Optimized' : 'Standard';
}

/** Average ACUs of a Serverless v2 instance: its cluster's minimum plus the assumed share of the range. */
export function averageAcus(cluster: DatabaseCluster | undefined, loadFraction: number): { average: number; explanation: string } {
  const range = cluster?.serverless;
  if (!range) return { average: 0, explanation: 'its cluster has no ServerlessV2ScalingConfiguration in the template: no capacity to price' };
  const average = round(range.min + loadFraction * (range.max - range.min), 2);
  return {
    average,
    explanation: `${average} ACU on average: MinCapacity ${range.min} plus ${loadFraction * 100} % of the range to MaxCapacity ${range.max} (serverlessV2LoadFraction)`,
  };
}

/** An Aurora instance: provisioned instance-hours, or Serverless v2 ACU-hours; its monitoring. */
export function auroraInstanceLines(db: DatabaseInstance, context: PricingContext): CostLine[] {
  const cluster = context.clusterOf(db);
  const iopt = cluster?.ioOptimized ? '.iopt' : '';
  const serverless = db.instanceClass === SERVERLESS_CLASS;
  const orphan = cluster ? undefined : 'its cluster is not in the template: the Standard rate is assumed';
  const compute = serverless
    ? serverlessLine(db, cluster, iopt, context, orphan)
    : context.line({
      key: `aurora.instance:${db.id}`, item: `Aurora PostgreSQL ${db.instanceClass} ${db.name} (${configuration(cluster)})`, resources: [db.id],
      quantity: HOURS_PER_MONTH, unit: 'instance-hour', priceKey: `aurora.instance.${db.instanceClass}${iopt}` as PriceKey, assumption: orphan,
    });
  const performanceInsightsDays = Number(db.props.PerformanceInsightsRetentionPeriod ?? 7);
  return [compute, ...(serverless ? serverlessPerformanceInsightsLines(db, cluster, performanceInsightsDays, context) : []), ...monitoringLines({
    id: db.id, name: db.name, instanceClass: db.instanceClass, copies: 1, reporting: 1,
    // A Serverless v2 instance's is billed on its ACUs: serverlessPerformanceInsightsLines.
    performanceInsights: !serverless && db.props.EnablePerformanceInsights === true,
    performanceInsightsDays,
    monitoringInterval: Number(db.props.MonitoringInterval ?? 0),
  }, context)];
}

/** Performance Insights retention beyond the free 7 days of a Serverless v2 instance: billed on its ACUs. */
function serverlessPerformanceInsightsLines(db: DatabaseInstance, cluster: DatabaseCluster | undefined, days: number, context: PricingContext): CostLine[] {
  if (db.props.EnablePerformanceInsights !== true || days <= 7) return [];
  const acus = averageAcus(cluster, context.assumptions.serverlessV2LoadFraction);
  const months = Math.round(days / 30.5);
  return [context.line({
    key: `rds.pi.acu:${db.id}`, item: `Performance Insights ${db.name}, ${days}-day retention: ${months} months of ${acus.average} ACU`, resources: [db.id],
    quantity: round(acus.average * months, 2), unit: 'ACU-month', priceKey: 'rds.performanceInsights.acuMonth',
    assumption: `${acus.explanation}; every month of the retention counted alike`,
  })];
}

function serverlessLine(db: DatabaseInstance, cluster: DatabaseCluster | undefined, iopt: string, context: PricingContext, orphan?: string): CostLine {
  const acus = averageAcus(cluster, context.assumptions.serverlessV2LoadFraction);
  const range = cluster?.serverless ? `, ${cluster.serverless.min}-${cluster.serverless.max} ACU` : '';
  return context.line({
    key: `aurora.acu:${db.id}`, item: `Aurora Serverless v2 ${db.name} (${configuration(cluster)}${range})`, resources: [db.id],
    quantity: round(acus.average * HOURS_PER_MONTH, 1), unit: 'ACU-hour', priceKey: `aurora.acu${iopt}` as PriceKey,
    assumption: [acus.explanation, orphan].filter(Boolean).join('; '),
  });
}

/** RDS Proxy over a cluster: the vCPUs of every instance of it, or the ACUs of its Serverless v2 instances. */
export function proxyTargetOfClusters(proxy: Resource, cluster: DatabaseCluster, context: PricingContext): CostLine[] {
  const perVcpu = (instanceClass: string) => VCPUS[instanceClass];
  const basis = 'billed on every instance of its target cluster (the instances associated with the proxy)';
  if (cluster.kind === 'multi-az') {
    const instanceClass = String(cluster.props.DBClusterInstanceClass);
    const known = perVcpu(instanceClass);
    const vcpus = Math.max(2, (known ?? 0) * MULTI_AZ_CLUSTER_INSTANCES);
    return [context.line({
      key: `rds.proxy:${proxy.id}`, item: `RDS Proxy over Multi-AZ DB cluster ${cluster.name}, ${MULTI_AZ_CLUSTER_INSTANCES} x ${instanceClass} (${vcpus} vCPU)`,
      resources: [proxy.id], quantity: vcpus * HOURS_PER_MONTH, unit: 'vCPU-hour', priceKey: 'rds.proxy.vcpu',
      assumption: known === undefined ? `vCPUs of ${instanceClass} are not in lib/cli/cost/prices.ts VCPUS: the 2-vCPU minimum is assumed` : basis,
    })];
  }
  const provisioned = cluster.instances.filter((i) => i.instanceClass !== SERVERLESS_CLASS);
  const serverless = cluster.instances.filter((i) => i.instanceClass === SERVERLESS_CLASS);
  const lines: CostLine[] = [];
  if (provisioned.length > 0 || serverless.length === 0) {
    const unknown = provisioned.filter((i) => perVcpu(i.instanceClass) === undefined).map((i) => i.instanceClass);
    const vcpus = Math.max(2, provisioned.reduce((sum, i) => sum + (perVcpu(i.instanceClass) ?? 0), 0));
    lines.push(context.line({
      key: `rds.proxy:${proxy.id}`, item: `RDS Proxy over Aurora cluster ${cluster.name}, ${provisioned.length} instances (${vcpus} vCPU)`,
      resources: [proxy.id], quantity: vcpus * HOURS_PER_MONTH, unit: 'vCPU-hour', priceKey: 'rds.proxy.vcpu',
      assumption: unknown.length > 0 ? `${basis}; vCPUs of ${unknown.join(', ')} are not in lib/cli/cost/prices.ts VCPUS (counted 0, at least 2 in all)` : basis,
    }));
  }
  if (serverless.length > 0) {
    const acus = averageAcus(cluster, context.assumptions.serverlessV2LoadFraction);
    const billed = Math.max(PROXY_MINIMUM_ACUS, acus.average * serverless.length);
    lines.push(context.line({
      key: `rds.proxy.acu:${proxy.id}`, item: `RDS Proxy over Aurora Serverless v2 cluster ${cluster.name}, ${serverless.length} instances`,
      resources: [proxy.id], quantity: round(billed * HOURS_PER_MONTH, 1), unit: 'ACU-hour', priceKey: 'rds.proxy.acu',
      assumption: `${basis}: ${acus.explanation}, each instance${billed === PROXY_MINIMUM_ACUS ? `; at least ${PROXY_MINIMUM_ACUS} ACUs are billed` : ''}`,
    }));
  }
  return lines;
}
