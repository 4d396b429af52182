// The tier's topologies side by side, priced by the same estimate as `npm run cost`
// (lib/cli/cost/estimate.ts and its price table): RDS instances (today's shape), a Multi-AZ DB
// cluster, Aurora provisioned and Aurora Serverless v2, for the size of each environment.
//
// Each is the app's own stack, synthesized offline (no Lambda bundling, no cdk-nag, no built-in
// CloudFormation validation) from the environment's settings: as they are for instances, and for
// the others with `database.topology` set, sized from the instances' primary and replicas, and
// what the topology refuses taken out (app/topology-settings.ts).
import { rmSync } from 'node:fs';
import { ENVIRONMENT_NAMES, EnvironmentName, EnvironmentSettings } from '../../app/config';
import { synthesizeTemplate } from '../../app/template-snapshot';
import { environmentsDirectoryWith, settingsOnTopology } from '../../app/topology-settings';
import { CostAssumptions, DEFAULT_ASSUMPTIONS } from '../../lib/cli/cost/assumptions';
import { CostEstimate, CostLine } from '../../lib/cli/cost/cost-estimate';
import { estimateMonthlyCost } from '../../lib/cli/cost/estimate';
import { formatEstimate } from '../../lib/cli/cost/report';
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

/** What an environment's database is, read from its template on instances: the size every topology is given. */
export interface TierSize {
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly replicas: number;
  readonly allocatedStorageGiB: number;
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
  return {
    instanceClass: String(primary.DBInstanceClass),
    multiAz: primary.MultiAZ === true,
    replicas: instances.length - 1,
    allocatedStorageGiB: Number(primary.AllocatedStorage ?? 0),
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

/**
 * An environment's settings on a topology, at its size on instances: a Multi-AZ DB cluster of the
 * local-NVMe class of the same vCPUs and memory, its storage gp3 at its baseline IOPS (the
 * topology's defaults); Aurora on Standard storage (its default) with {@link auroraReaders}
 * readers, provisioned at the same class or Serverless v2 over {@link serverlessCapacity}.
 */
export function settingsFor(topology: Topology, size: TierSize, settings: EnvironmentSettings): EnvironmentSettings {
  switch (topology) {
    case 'instances':
      return settings;
    case 'multi-az-cluster': {
      const instanceClass = MULTI_AZ_CLUSTER_CLASS[size.instanceClass];
      if (instanceClass === undefined) throw new Error(`no Multi-AZ DB cluster class for ${size.instanceClass} in MULTI_AZ_CLUSTER_CLASS (scripts/cost/topologies.ts)`);
      return settingsOnTopology(settings, { kind: 'multi-az-cluster' }, { instanceClass });
    }
    case 'aurora-provisioned':
      return settingsOnTopology(settings, { kind: 'aurora' }, { replicaCount: auroraReaders(size) });
    case 'aurora-serverless-v2': {
      const { min, max } = serverlessCapacity(size);
      return settingsOnTopology(settings, { kind: 'aurora', capacity: 'serverless-v2', serverlessV2MinCapacity: min, serverlessV2MaxCapacity: max }, { replicaCount: auroraReaders(size) });
    }
  }
}

/** The region the tables of docs/topologies.md are priced (and synthesized) in. */
export const TOPOLOGY_REGION = 'us-east-1';

const synthesized = new Map<string, object>();

/** The app's stack of `env` on `topology` in `region`, as synthesized (once per process). */
export function topologyTemplate(env: EnvironmentName, topology: Topology, region = TOPOLOGY_REGION): object {
  const key = `${env} ${topology} ${region}`;
  const known = synthesized.get(key);
  if (known) return known;
  const size = topology === 'instances' ? undefined : sizeOf(topologyTemplate(env, 'instances', region));
  const environmentsDirectory = size === undefined ? undefined : environmentsDirectoryWith((e, settings) => (e === env ? settingsFor(topology, size, settings) : settings), topology);
  try {
    const { text } = synthesizeTemplate(env, { region }, { registerNagPacks: false, builtinCloudFormationValidation: false, environmentsDirectory });
    const template = JSON.parse(text) as object;
    synthesized.set(key, template);
    return template;
  } finally {
    if (environmentsDirectory !== undefined) rmSync(environmentsDirectory, { recursive: true, force: true });
  }
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

/** The estimate of a template of the tier on any topology. */
export function estimateTopology(topology: Topology, template: object, region: string, assumptions?: Partial<CostAssumptions>): TopologyEstimate {
  const estimate = estimateMonthlyCost(template, { region, assumptions });
  const databaseLines = estimate.lines.filter(isDatabaseLine);
  return { topology, estimate, databaseLines, database: round(databaseLines.reduce((sum, l) => sum + (l.monthly ?? 0), 0)) };
}

/** Every topology of an environment, each from its synthesized template. */
export function topologyEstimates(env: EnvironmentName, region = TOPOLOGY_REGION): TopologyEstimate[] {
  const assumptions = assumptionsFor(sizeOf(topologyTemplate(env, 'instances', region)));
  return TOPOLOGIES.map((topology) => estimateTopology(topology, topologyTemplate(env, topology, region), region, assumptions));
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
  const byEnv = ENVIRONMENT_NAMES.map((env) => ({ env, size: sizeOf(topologyTemplate(env, 'instances')), estimates: topologyEstimates(env) }));
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
