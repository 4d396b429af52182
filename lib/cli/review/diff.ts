// Compares two templates of one stack as CloudFormation would update the one into the other:
// which resources are added, modified (which properties), removed and replaced.
import { CONDITIONAL_RULES } from './conditional-rules';
import { dashboardBodySubstitution } from './dashboard-body';
import { REPLACEMENT_RULES, UpdateBehavior } from './replacement-rules';
import { GROUP_TYPES, STATEFUL_TYPES } from './stateful-types';

export { GROUP_TYPES, STATEFUL_TYPES } from './stateful-types';

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  [attribute: string]: unknown;
}
export interface TemplateJson {
  Resources?: Record<string, Resource>;
  Metadata?: Record<string, unknown>;
  [section: string]: unknown;
}

/** How CloudFormation would update one changed property, and why. */
export interface PropertyChange {
  readonly name: string;
  /** From the rules table; undefined when the table does not know the property (possibly replacing). */
  readonly behavior: UpdateBehavior | undefined;
  /** Set when the value itself is unchanged but references a replaced resource. */
  readonly via?: string[];
  /** Set when a rule beyond the table decides the behavior. */
  readonly note?: string;
  /** Set when the service refuses the new value, so the update fails and rolls back: why. */
  readonly fails?: string;
}

export interface Modification {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: PropertyChange[];
  /** Resource attributes other than Properties that changed (DeletionPolicy, DependsOn...). */
  readonly attributes: string[];
  readonly replacement: 'yes' | 'possibly' | 'no';
  /** The changes the service refuses (the update would fail and roll back). */
  readonly failing: PropertyChange[];
}

export interface TemplateDiff {
  readonly added: Array<{ logicalId: string; type: string }>;
  readonly removed: Array<{ logicalId: string; type: string }>;
  readonly modified: Modification[];
}

/**
 * Log groups holding audit data: PostgreSQL's logs of each instance, or of a cluster (a Multi-AZ DB
 * cluster or Aurora exports its instances' logs to the cluster's group), and the operator sessions.
 */
const AUDIT_LOG_GROUP = /^\/aws\/rds\/(instance|cluster)\/[^/]+\/postgresql$|^\/aws\/ssm\/[^/]+\/operator-sessions$/;

/**
 * Whether losing the resource `id` of `resources` (a template's) loses data or identity: a type of
 * STATEFUL_TYPES, an audit log group, or a group of GROUP_TYPES that a resource of STATEFUL_TYPES in
 * the same template uses.
 */
export function isStateful(id: string, resources: Record<string, Resource>): boolean {
  const resource = resources[id];
  if (!resource) return false;
  if (STATEFUL_TYPES.includes(resource.Type)) return true;
  if (GROUP_TYPES.includes(resource.Type)) {
    return Object.values(resources).some((user) => STATEFUL_TYPES.includes(user.Type) && references(user.Properties).has(id));
  }
  if (resource.Type === 'AWS::Logs::LogGroup') {
    const name = renderString(resource.Properties?.LogGroupName);
    return name !== undefined && AUDIT_LOG_GROUP.test(name);
  }
  return false;
}

/**
 * A DB or cache subnet group cannot move to another VPC in place: RDS refuses
 * ModifyDBSubnetGroup with "The new Subnets are not in the same Vpc as the existing subnet
 * group" (hashicorp/terraform-provider-aws#27459, #16419), so the update fails unless the group, and
 * with it every instance in it (`DBSubnetGroupName` is create-only), is replaced. ElastiCache's
 * subnet groups are taken to behave alike (a cache subnet group belongs to one VPC). The subnets of
 * a group are all in one VPC: a subnet kept keeps the VPC; otherwise the VPC of each side is read
 * from the subnets the template creates, and a subnet it does not create (an id, an import) is of a
 * VPC the review cannot see, unless the VPC of the old subnets leaves the template.
 */
const SUBNET_GROUPS = ['AWS::RDS::DBSubnetGroup', 'AWS::ElastiCache::SubnetGroup'];

/**
 * Changes the services refuse, so the update fails and rolls back (not allowed by --allow-replace:
 * no deploy can make them). RDS: "You can't reduce the amount of storage on a volume after you have
 * allocated storage for it" (Amazon RDS User Guide, Scaling up DB instance storage,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.ModifyingExisting.ScalingUp.html);
 * the resource provider sends the template's AllocatedStorage to ModifyDBInstance for gp3, io1 and
 * io2 (aws-cloudformation-resource-providers-rds, aws-rds-dbinstance Translator.modifyDbInstanceRequest).
 */
const REFUSED_CHANGES: Record<string, Record<string, (before: unknown, after: unknown) => string | undefined>> = {
  'AWS::RDS::DBInstance': { AllocatedStorage: shrinks, AdditionalStorageVolumes: volumesShrink },
  'AWS::RDS::DBCluster': { AllocatedStorage: shrinks },
};

function shrinks(before: unknown, after: unknown): string | undefined {
  const [a, b] = [Number(before), Number(after)];
  const literal = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '');
  return literal(before) && literal(after) && b < a ? `${a} → ${b}: RDS cannot reduce allocated storage` : undefined;
}

/** The additional storage volumes (RDS for Oracle and SQL Server), each by its VolumeName. */
function volumesShrink(before: unknown, after: unknown): string | undefined {
  type Volume = { VolumeName?: unknown; AllocatedStorage?: unknown };
  const list = (v: unknown) => (Array.isArray(v) ? (v as Volume[]) : []);
  const reasons = list(after).flatMap((volume) => {
    const was = list(before).find((w) => canonical(w.VolumeName) === canonical(volume.VolumeName));
    const why = was && shrinks(was.AllocatedStorage, volume.AllocatedStorage);
    return why ? [`${String(volume.VolumeName)} ${why}`] : [];
  });
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/**
 * The tier's own custom resources, which the rules table cannot know: their handlers answer every
 * Update with the physical id they were created with (lib/functions/migrate: PHYSICAL_RESOURCE_ID),
 * so CloudFormation updates them in place whatever property changes, except the ServiceToken.
 */
const OWN_CUSTOM_RESOURCES: Record<string, UpdateBehavior> = { 'Custom::SchemaMigrations': 'NoInterruption' };

/** Stands for a value that references a replaced resource: new at deploy time, unknown now. */
const RENEWED_VALUE = { 'data-tier:renewed': true };

export function diffTemplates(before: TemplateJson, after: TemplateJson): TemplateDiff {
  const old = before.Resources ?? {};
  const now = after.Resources ?? {};
  const added = Object.keys(now).filter((id) => !(id in old)).map((id) => ({ logicalId: id, type: now[id].Type }));
  const removed = Object.keys(old).filter((id) => !(id in now)).map((id) => ({ logicalId: id, type: old[id].Type }));
  const common = Object.keys(now).filter((id) => id in old);

  const direct = new Map<string, { properties: string[]; attributes: string[]; typeChanged: boolean }>();
  for (const id of common) {
    const [a, b] = [old[id], now[id]];
    const names = new Set([...Object.keys(a.Properties ?? {}), ...Object.keys(b.Properties ?? {})]);
    const properties = [...names].filter((p) => !sameValue(a.Properties?.[p], b.Properties?.[p], p)).sort();
    const attributeNames = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !['Type', 'Properties', 'Metadata'].includes(k)));
    const attributes = [...attributeNames].filter((k) => canonical(a[k]) !== canonical(b[k])).sort();
    direct.set(id, { properties, attributes, typeChanged: a.Type !== b.Type });
  }

  // Replacement propagates: a property whose value references a replaced (or newly created,
  // or removed) resource gets a new value at deploy time. Iterate to a fixed point.
  const replaced = new Set(common.filter((id) => direct.get(id)!.typeChanged));
  const renewed = () => new Set([...replaced, ...added.map((r) => r.logicalId), ...removed.map((r) => r.logicalId)]);
  const changesOf = (id: string): PropertyChange[] => {
    const { properties } = direct.get(id)!;
    const type = now[id].Type;
    const newIds = renewed();
    const changes: PropertyChange[] = [];
    const names = new Set([...properties, ...Object.keys(now[id].Properties ?? {})]);
    const [was, is] = [old[id].Properties ?? {}, now[id].Properties ?? {}];
    for (const name of [...names].sort()) {
      const via = [...references(is[name])].filter((ref) => replaced.has(ref));
      const changed = properties.includes(name);
      if (!changed && via.length === 0) continue;
      let behavior: UpdateBehavior | undefined = REPLACEMENT_RULES[type]?.[name] ?? (name === 'ServiceToken' ? undefined : OWN_CUSTOM_RESOURCES[type]);
      let note: string | undefined;
      const conditional = CONDITIONAL_RULES[type]?.[name]?.(was, changed ? is : { ...is, [name]: RENEWED_VALUE }, now[id]);
      if (conditional) [behavior, note] = [conditional.behavior === 'possibly' ? undefined : conditional.behavior, conditional.note];
      if (SUBNET_GROUPS.includes(type) && name === 'SubnetIds') {
        const move = vpcMove(was.SubnetIds, is.SubnetIds, old, now, newIds);
        if (move) [behavior, note] = [move.behavior === 'possibly' ? undefined : move.behavior, move.note];
      }
      const fails = changed ? REFUSED_CHANGES[type]?.[name]?.(was[name], is[name]) : undefined;
      changes.push({ name, behavior, ...(changed ? {} : { via }), ...(note ? { note } : {}), ...(fails ? { fails } : {}) });
    }
    return changes;
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of common) {
      if (replaced.has(id)) continue;
      const changes = changesOf(id);
      if (changes.some((c) => c.behavior === 'Replacement')) {
        replaced.add(id);
        grew = true;
      }
    }
  }

  const modified: Modification[] = [];
  for (const id of common) {
    const { attributes, typeChanged } = direct.get(id)!;
    const properties = changesOf(id);
    if (properties.length === 0 && attributes.length === 0 && !typeChanged) continue;
    const replacement = replaced.has(id) ? 'yes' : properties.some((c) => c.behavior === undefined) ? 'possibly' : 'no';
    // A replaced resource is created anew with the new values: nothing is refused as an update.
    const failing = replacement === 'yes' ? [] : properties.filter((p) => p.fails);
    modified.push({ logicalId: id, type: now[id].Type, properties, attributes: typeChanged ? ['Type', ...attributes] : attributes, replacement, failing });
  }
  return { added, removed, modified };
}

/**
 * Whether a subnet group's SubnetIds moves it to another VPC: Replacement when it surely does,
 * 'possibly' when the review cannot see the VPC of the new or old subnets, undefined when it stays.
 */
function vpcMove(
  before: unknown,
  after: unknown,
  old: Record<string, Resource>,
  now: Record<string, Resource>,
  newIds: Set<string>,
): { behavior: 'Replacement' | 'possibly'; note: string } | undefined {
  const [was, is] = [Array.isArray(before) ? before : [before], Array.isArray(after) ? after : [after]];
  const kept = is.some((subnet) => was.some((w) => canonical(w) === canonical(subnet)) && ![...references(subnet)].some((ref) => newIds.has(ref)));
  if (kept) return undefined;
  const vpcOf = (subnet: unknown, resources: Record<string, Resource>, renewedIds: Set<string>) => {
    const refs = [...references(subnet)];
    const resource = refs.length === 1 ? resources[refs[0]] : undefined;
    if (resource?.Type !== 'AWS::EC2::Subnet') return undefined;
    const vpc = resource.Properties?.VpcId;
    const vpcRefs = [...references(vpc)];
    return { key: canonical(vpc), renewed: vpcRefs.some((ref) => renewedIds.has(ref)), gone: vpcRefs.some((ref) => !(ref in now)) };
  };
  const oldVpcs = was.map((subnet) => vpcOf(subnet, old, new Set()));
  const newVpcs = is.map((subnet) => vpcOf(subnet, now, newIds));
  const moved = { behavior: 'Replacement' as const, note: 'a subnet group cannot move to subnets of another VPC' };
  if (oldVpcs.some((v) => v?.gone) || newVpcs.some((v) => v?.renewed)) return moved;
  if (oldVpcs.some((v) => v === undefined) || newVpcs.some((v) => v === undefined)) {
    return { behavior: 'possibly', note: 'its new subnets may be in another VPC, which a subnet group cannot move to' };
  }
  const keys = new Set([...oldVpcs, ...newVpcs].map((v) => v!.key));
  return keys.size > 1 ? moved : undefined;
}

/** Logical ids a value references through Ref, Fn::GetAtt or Fn::Sub. */
export function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => references(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof v === 'string' && !v.startsWith('AWS::')) found.add(v);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{(?!!)([A-Za-z0-9]+)[.}]/g)) found.add(m[1]);
        if (Array.isArray(v)) references(v[1], found);
      } else references(v, found);
    }
  }
  return found;
}

/** A string value with intrinsic functions written as `${...}`, or undefined when not a string. */
export function renderString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [[fn, arg]] = Object.entries(value as Record<string, unknown>);
    if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) return arg[1].map((p) => renderString(p) ?? '${…}').join(String(arg[0]));
    if (fn === 'Ref') return '${' + String(arg) + '}';
    if (fn === 'Fn::GetAtt') return '${' + (Array.isArray(arg) ? arg.join('.') : String(arg)) + '}';
    if (fn === 'Fn::Sub' && typeof arg === 'string') return arg;
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown, property: string): boolean {
  if (property === 'DashboardBody') {
    const [x, y] = [dashboardBodySubstitution(a), dashboardBodySubstitution(b)];
    if (x !== undefined && y !== undefined) return x === y;
  }
  return canonical(a) === canonical(b);
}

export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null);
}
