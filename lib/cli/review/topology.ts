// The database topology of each tier in a template, told from its database resources, so that the
// review can name a topology switch. CloudFormation cannot turn a tier's DB instances into a DB
// cluster, or one kind of cluster into the other, in place: the old resources are deleted (or
// replaced, when a logical ID is kept) and the new ones created empty. What AWS supports is a new
// tier restored from a snapshot of the old one, with a name of its own (runbooks/topology-switch.md).
import { tiersIn } from '../tiers';
import { renderString, type Resource, type TemplateJson } from './diff';

/** The runbook a refused topology switch points to, as the package ships it. */
export const TOPOLOGY_SWITCH_RUNBOOK = 'runbooks/topology-switch.md';

/** One row a topology: the resource that gives a tier that topology, with the engines it may name. */
export interface TopologySignature {
  /** The `kind` of `database.topology` (app/settings.ts). */
  readonly kind: 'instances' | 'multi-az-cluster' | 'aurora';
  readonly label: string;
  readonly type: string;
  /** `Engine` values, lower case; undefined stands for none (a read replica takes its source's). */
  readonly engines: ReadonlyArray<string | undefined>;
}

/**
 * What each topology's database looks like in a template. A DB instance that names a
 * `DBClusterIdentifier` is a member of a cluster (Aurora's writer and readers) and counts with it.
 */
export const TOPOLOGY_SIGNATURES: readonly TopologySignature[] = [
  { kind: 'instances', label: 'RDS for PostgreSQL DB instances', type: 'AWS::RDS::DBInstance', engines: ['postgres', undefined] },
  { kind: 'multi-az-cluster', label: 'Multi-AZ DB cluster', type: 'AWS::RDS::DBCluster', engines: ['postgres'] },
  { kind: 'aurora', label: 'Aurora PostgreSQL cluster', type: 'AWS::RDS::DBCluster', engines: ['aurora-postgresql'] },
];

/** The topology of one tier (or, in a template that records no tier, of the stack) and the resources that make it. */
export interface TierTopology {
  /** The tier's name; undefined for database resources no recorded tier's name prefixes. */
  readonly tier?: string;
  readonly signatures: TopologySignature[];
  /** Logical IDs of its DB instances and clusters. */
  readonly resources: string[];
}

/** A tier whose topology differs between two templates of its stack. */
export interface TopologySwitch {
  readonly tier?: string;
  readonly from: TopologySignature[];
  readonly to: TopologySignature[];
  /** Logical IDs of the old topology's DB instances and clusters. */
  readonly oldResources: string[];
}

// An Aurora instance names both: its own identifier says its tier.
const IDENTIFIERS = ['DBInstanceIdentifier', 'DBClusterIdentifier'];

function signatureOf(resource: Resource): TopologySignature | undefined {
  if (resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.DBClusterIdentifier !== undefined) return undefined;
  const engine = typeof resource.Properties?.Engine === 'string' ? resource.Properties.Engine.toLowerCase() : undefined;
  return TOPOLOGY_SIGNATURES.find((s) => s.type === resource.Type && s.engines.includes(engine));
}

/** The tier whose name prefixes a resource's physical identifier (`<name>-primary`, `<name>-cluster`...), the longest if several do. */
function tierOf(resource: Resource, names: readonly string[]): string | undefined {
  const id = IDENTIFIERS.map((p) => renderString(resource.Properties?.[p])).find((v) => v !== undefined);
  if (id === undefined) return undefined;
  return names.filter((name) => id.startsWith(`${name}-`)).sort((a, b) => b.length - a.length)[0];
}

/** Each tier's topology in a template; tiers are named by the tier metadata of `named` (both templates of a review). */
export function topologiesOf(template: TemplateJson, named: readonly TemplateJson[] = [template]): TierTopology[] {
  const names = [...new Set(named.flatMap((t) => tiersIn(t).map((tier) => tier.name)))];
  const byTier = new Map<string | undefined, TierTopology>();
  const databaseTypes = new Set(TOPOLOGY_SIGNATURES.map((s) => s.type));
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (!databaseTypes.has(resource.Type)) continue;
    const tier = tierOf(resource, names);
    const entry = byTier.get(tier) ?? { tier, signatures: [], resources: [] };
    byTier.set(tier, entry);
    entry.resources.push(id);
    const signature = signatureOf(resource);
    if (signature && !entry.signatures.includes(signature)) entry.signatures.push(signature);
  }
  return [...byTier.values()].filter((t) => t.signatures.length > 0);
}

const kinds = (signatures: readonly TopologySignature[]) => signatures.map((s) => s.kind).sort().join(',');

/** The tiers whose topology differs between the template last deployed and the new one. */
export function topologySwitches(before: TemplateJson, after: TemplateJson): TopologySwitch[] {
  const named = [before, after];
  const now = topologiesOf(after, named);
  return topologiesOf(before, named).flatMap((was) => {
    const is = now.find((t) => t.tier === was.tier);
    if (!is || kinds(is.signatures) === kinds(was.signatures)) return [];
    return [{ tier: was.tier, from: was.signatures, to: is.signatures, oldResources: was.resources }];
  });
}

/** `tier <name>: A → B`, or `the stack's database: A → B` where no tier is recorded. */
export function describeSwitch(change: TopologySwitch): string {
  const labels = (signatures: readonly TopologySignature[]) => signatures.map((s) => s.label).join(' + ');
  return `${change.tier === undefined ? "the stack's database" : `tier ${change.tier}`}: ${labels(change.from)} → ${labels(change.to)}`;
}
