// The tier's topologies side by side, priced by the same estimate as `npm run cost`
// (lib/cli/cost/estimate.ts and its price table): RDS instances (today's shape), a Multi-AZ DB
// cluster, Aurora provisioned and Aurora Serverless v2, for the size of each environment.
//
// Until the topology prop lands, the other topologies cannot be synthesized: topologyTemplate()
// makes each from the environment's committed template (app/templates/<env>.template.json) by
// replacing its DB instances with the resources that topology declares (AWS::RDS::DBCluster, and
// Aurora's AWS::RDS::DBInstance resources), sized from the template's own primary and replicas.
// Everything else of the tier (proxy, cache, endpoints, functions, alarms, logs, backup plan) is
// kept as it is. estimateTopology() takes any template: when the real templates can be
// synthesized, pass them instead (topologyEstimates(env, templatesOf)).
import { readFileSync } from 'node:fs';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../../app/config';
import { snapshotPath } from '../../app/template-snapshot';
import { CostAssumptions, DEFAULT_ASSUMPTIONS } from '../../lib/cli/cost/assumptions';
import { CostEstimate, CostLine } from '../../lib/cli/cost/cost-estimate';
import { estimateMonthlyCost } from '../../lib/cli/cost/estimate';
import { formatEstimate } from '../../lib/cli/cost/report';
import { SERVERLESS_CLASS } from '../../lib/cli/cost/pricing/clusters';
import { Json } from '../../lib/cli/cost/pricing/context';
import { round } from '../../lib/cli/cost/units';

export const TOPOLOGIES = ['instances', 'multi-az-cluster', 'aurora-provisioned', 'aurora-serverless-v2'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export const TOPOLOGY_TITLES: Readonly<Record<Topology, string>> = {
  'instances': 'RDS instances (today): Multi-AZ primary + read replicas',
  'multi-az-cluster': 'RDS Multi-AZ DB cluster: writer + two readable standbys',
  'aurora-provisioned': 'Aurora PostgreSQL provisioned (Standard storage)',
  'aurora-serverless-v2': 'Aurora PostgreSQL Serverless v2 (Standard storage)',
};

/** What an environment's database is, read from its template: the size every topology is given. */
export interface TierSize {
  readonly identifierPrefix: string;
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly replicas: number;
  readonly allocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly performanceInsightsRetentionDays: number;
  readonly monitoringIntervalSeconds: number;
}

/**
 * The local-NVMe class of a Multi-AZ DB cluster with the vCPUs and memory of each instance class
 * the environments use (db.r6gd: the r7g's vCPUs and memory). Multi-AZ DB clusters have no db.t* or
 * db.r7g classes; db.m6gd.large (2 vCPUs, 8 GiB) is the smallest 2-vCPU one for db.t4g.medium.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html#multi-az-db-clusters-concepts.InstanceAvailability
 */
export const MULTI_AZ_CLUSTER_CLASS: Readonly<Record<string, string>> = {
  'db.t4g.medium': 'db.m6gd.large',
  'db.r7g.large': 'db.r6gd.large',
  'db.r7g.xlarge': 'db.r6gd.xlarge',
  'db.r7g.2xlarge': 'db.r6gd.2xlarge',
};

/**
 * GiB of memory of the classes the environments use (hardware specifications of the RDS DB
 * instance classes), for the Serverless v2 capacity that matches them: 1 ACU is about 2 GiB
 * ("Each ACU is a combination of approximately 2 gibibytes (GiB) of memory",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html).
 */
export const MEMORY_GIB: Readonly<Record<string, number>> = {
  'db.t4g.medium': 4, 'db.r7g.large': 16, 'db.r7g.xlarge': 32, 'db.r7g.2xlarge': 64,
};

const resourcesOf = (template: object): Record<string, Json> => (template as Json).Resources ?? {};

/** The size of the tier's database in a template of today's topology (its primary and replicas). */
export function sizeOf(template: object): TierSize {
  const instances = Object.values(resourcesOf(template)).filter((r) => r.Type === 'AWS::RDS::DBInstance').map((r) => r.Properties ?? {});
  const primary = instances.find((p) => p.SourceDBInstanceIdentifier === undefined);
  if (!primary) throw new Error('no primary AWS::RDS::DBInstance in the template: its size cannot be read');
  const identifier = typeof primary.DBInstanceIdentifier === 'string' ? primary.DBInstanceIdentifier : 'data-tier-primary';
  return {
    identifierPrefix: identifier.replace(/-primary$/, ''),
    instanceClass: String(primary.DBInstanceClass),
    multiAz: primary.MultiAZ === true,
    replicas: instances.length - 1,
    allocatedStorageGiB: Number(primary.AllocatedStorage ?? 0),
    backupRetentionDays: Number(primary.BackupRetentionPeriod ?? 1),
    performanceInsightsRetentionDays: primary.EnablePerformanceInsights === true ? Number(primary.PerformanceInsightsRetentionPeriod ?? 7) : 0,
    monitoringIntervalSeconds: Number(primary.MonitoringInterval ?? 0),
  };
}

/** Aurora readers: the replicas, and one more as the failover target where the primary is Multi-AZ and has none. */
export function auroraReaders(size: TierSize): number {
  return Math.max(size.replicas, size.multiAz ? 1 : 0);
}

/** Serverless v2 capacity of an environment: up to its class's memory in ACUs, down to a quarter of that (at least 0.5). */
export function serverlessCapacity(size: TierSize): { min: number; max: number } {
  const memory = MEMORY_GIB[size.instanceClass];
  if (memory === undefined) throw new Error(`memory of ${size.instanceClass} is not in MEMORY_GIB (scripts/cost/topologies.ts)`);
  const max = memory / 2;
  return { min: Math.max(0.5, max / 4), max };
}

/** The data the environment holds, for Aurora's billed storage: the estimate's used share of its allocated storage. */
export function assumptionsFor(size: TierSize): Partial<CostAssumptions> {
  return { auroraDataGb: round(size.allocatedStorageGiB * DEFAULT_ASSUMPTIONS.databaseUsedFraction, 1) };
}

/** What each topology declares for a tier of this size: the resources that replace its DB instances. */
function databaseResources(topology: Exclude<Topology, 'instances'>, size: TierSize): Record<string, Json> {
  const pi = size.performanceInsightsRetentionDays > 0;
  const monitoring = size.monitoringIntervalSeconds > 0 ? { MonitoringInterval: size.monitoringIntervalSeconds } : {};
  if (topology === 'multi-az-cluster') {
    const instanceClass = MULTI_AZ_CLUSTER_CLASS[size.instanceClass];
    if (instanceClass === undefined) throw new Error(`no Multi-AZ DB cluster class for ${size.instanceClass} in MULTI_AZ_CLUSTER_CLASS (scripts/cost/topologies.ts)`);
    return {
      DatabaseCluster: {
        Type: 'AWS::RDS::DBCluster',
        Properties: {
          Engine: 'postgres', DBClusterIdentifier: `${size.identifierPrefix}-cluster`, DBClusterInstanceClass: instanceClass,
          // A Multi-AZ DB cluster needs Iops with its StorageType (CfnDBClusterProps.storageType): gp3's baseline.
          StorageType: 'gp3', AllocatedStorage: size.allocatedStorageGiB, Iops: size.allocatedStorageGiB >= 400 ? 12_000 : 3_000,
          BackupRetentionPeriod: size.backupRetentionDays,
          ...(pi ? { PerformanceInsightsEnabled: true, PerformanceInsightsRetentionPeriod: size.performanceInsightsRetentionDays } : {}),
          ...monitoring,
        },
      },
    };
  }
  const serverless = topology === 'aurora-serverless-v2';
  const capacity = serverlessCapacity(size);
  const resources: Record<string, Json> = {
    DatabaseCluster: {
      Type: 'AWS::RDS::DBCluster',
      Properties: {
        Engine: 'aurora-postgresql', DBClusterIdentifier: `${size.identifierPrefix}-cluster`, StorageType: 'aurora',
        BackupRetentionPeriod: size.backupRetentionDays,
        ...(serverless ? { ServerlessV2ScalingConfiguration: { MinCapacity: capacity.min, MaxCapacity: capacity.max } } : {}),
      },
    },
  };
  const names = ['writer', ...Array.from({ length: auroraReaders(size) }, (_, i) => `reader-${i + 1}`)];
  names.forEach((name, i) => {
    resources[i === 0 ? 'DatabaseWriter' : `DatabaseReader${i}`] = {
      Type: 'AWS::RDS::DBInstance',
      Properties: {
        Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'DatabaseCluster' }, DBInstanceIdentifier: `${size.identifierPrefix}-${name}`,
        DBInstanceClass: serverless ? SERVERLESS_CLASS : size.instanceClass, PromotionTier: i === 0 ? 0 : 1,
        ...(pi ? { EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: size.performanceInsightsRetentionDays } : {}),
        ...monitoring,
      },
    };
  });
  return resources;
}

/** The tier's template with its database as `topology`: today's template for instances. */
export function topologyTemplate(template: object, topology: Topology): object {
  if (topology === 'instances') return template;
  const size = sizeOf(template);
  const kept = Object.entries(resourcesOf(template)).filter(([, r]) => r.Type !== 'AWS::RDS::DBInstance');
  return { ...template, Resources: { ...Object.fromEntries(kept), ...databaseResources(topology, size) } };
}

/** The estimate of one topology's template, and the part of it that is the database. */
export interface TopologyEstimate {
  readonly topology: Topology;
  readonly estimate: CostEstimate;
  /** Lines of the database itself: instances or clusters, storage, I/O, backups, Performance Insights, monitoring, the proxy over it. */
  readonly databaseLines: readonly CostLine[];
  /** Sum of the priced database lines. */
  readonly database: number;
}

/** Keys of the lines that belong to the database (lib/cli/cost/pricing: database.ts, clusters.ts, monitoring.ts, backup.ts). */
export function isDatabaseLine(line: CostLine): boolean {
  return /^(rds|aurora)\./.test(line.key);
}

/** The estimate of any template of the tier, of any topology: the function the real templates go through once they can be synthesized. */
export function estimateTopology(topology: Topology, template: object, region: string, assumptions?: Partial<CostAssumptions>): TopologyEstimate {
  const estimate = estimateMonthlyCost(template, { region, assumptions });
  const databaseLines = estimate.lines.filter(isDatabaseLine);
  return { topology, estimate, databaseLines, database: round(databaseLines.reduce((sum, l) => sum + (l.monthly ?? 0), 0)) };
}

export const TOPOLOGY_REGION = 'us-east-1';

export function committedTemplate(env: EnvironmentName): object {
  return JSON.parse(readFileSync(snapshotPath(env), 'utf8'));
}

/**
 * Every topology of an environment, from its committed template. `templateOf` makes a topology's
 * template from it; it defaults to the replacement above and is where the synthesized templates go.
 */
export function topologyEstimates(
  env: EnvironmentName,
  region = TOPOLOGY_REGION,
  templateOf: (template: object, topology: Topology) => object = topologyTemplate,
): TopologyEstimate[] {
  const template = committedTemplate(env);
  const assumptions = assumptionsFor(sizeOf(template));
  return TOPOLOGIES.map((topology) => estimateTopology(topology, templateOf(template, topology), region, assumptions));
}

/** The shape each topology gives an environment's size, e.g. "db.r6gd.xlarge x 3, 500 GiB gp3". */
export function shapeOf(topology: Topology, size: TierSize): string {
  switch (topology) {
    case 'instances':
      return `${size.instanceClass} ${size.multiAz ? 'Multi-AZ' : 'Single-AZ'} + ${size.replicas} replica${size.replicas === 1 ? '' : 's'}, ${size.allocatedStorageGiB} GiB gp3 each`;
    case 'multi-az-cluster':
      return `${MULTI_AZ_CLUSTER_CLASS[size.instanceClass]} x 3, ${size.allocatedStorageGiB} GiB gp3`;
    case 'aurora-provisioned':
      return `${size.instanceClass} x ${1 + auroraReaders(size)} (writer + ${auroraReaders(size)} reader${auroraReaders(size) === 1 ? '' : 's'}), ${assumptionsFor(size).auroraDataGb} GB used`;
    case 'aurora-serverless-v2': {
      const { min, max } = serverlessCapacity(size);
      return `${1 + auroraReaders(size)} x ${min}-${max} ACU (writer + ${auroraReaders(size)} reader${auroraReaders(size) === 1 ? '' : 's'}), ${assumptionsFor(size).auroraDataGb} GB used`;
    }
  }
}

function money(value: number): string {
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A cell of the cost table: database and tier totals, and what is left out of them. */
function costCell(t: TopologyEstimate): string {
  const unpriced = [...new Set(t.databaseLines.filter((l) => l.monthly === null).map((l) => `\`${l.priceKey}\``))];
  const cell = `${money(t.database)} of ${money(t.estimate.total)}`;
  return unpriced.length === 0 ? cell : `${cell}; not sourced: ${unpriced.join(', ')}`;
}

/** The side-by-side tables of docs/topologies.md (refresh: npx tsx scripts/topologies-table.ts). */
export function topologiesTableMarkdown(): string {
  const byEnv = ENVIRONMENT_NAMES.map((env) => ({ env, size: sizeOf(committedTemplate(env)), estimates: topologyEstimates(env) }));
  const header = `| topology | ${byEnv.map((e) => e.env).join(' | ')} |`;
  const rule = `|---|${byEnv.map(() => '---').join('|')}|`;
  return [
    'What each topology is at each environment\'s size:',
    '',
    header, rule,
    ...TOPOLOGIES.map((topology) => `| ${TOPOLOGY_TITLES[topology]} | ${byEnv.map((e) => shapeOf(topology, e.size)).join(' | ')} |`),
    '',
    `Per month on demand in ${TOPOLOGY_REGION}: the database's priced lines (instances or clusters, storage, I/O, backups, Performance Insights, enhanced monitoring, the proxy over it) of the tier's priced total. A price that is not sourced leaves its line out of both and is named.`,
    '',
    header, rule,
    ...TOPOLOGIES.map((topology, i) => `| ${TOPOLOGY_TITLES[topology]} | ${byEnv.map((e) => costCell(e.estimates[i])).join(' | ')} |`),
  ].join('\n');
}

/** The report of `npm run cost -- --topologies`: each topology's itemised estimate, then the assumptions and sources of all of them. */
export function formatTopologyReport(env: string, estimates: readonly TopologyEstimate[]): string {
  const out: string[] = [];
  for (const t of estimates) {
    const { estimate } = t;
    out.push(
      `## ${env}: ${TOPOLOGY_TITLES[t.topology]}`, '',
      `${money(estimate.total)} a month on demand in ${estimate.region}, of which the database ${money(t.database)} (${estimate.lines.length - estimate.unpriced.length} priced lines; ${estimate.unpriced.length} not sourced, left out of the total)`, '',
      formatEstimate(estimate), '',
    );
  }
  const lines = estimates.flatMap((t) => t.estimate.lines);
  const assumed = [...new Set(lines.filter((l) => l.assumption && isDatabaseLine(l)).map((l) => `- ${l.item}: ${l.assumption}`))];
  if (assumed.length > 0) out.push(`Assumptions of the database lines (${env}):`, ...assumed, '');
  out.push(`Sources (${env}):`, ...[...new Set(lines.map((l) => `- ${l.priceKey}: ${l.source}`))].sort());
  return out.join('\n');
}
