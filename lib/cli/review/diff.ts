// Compares two templates of one stack as CloudFormation would update the one into the other:
// which resources are added, modified (which properties), removed and replaced.
import { dashboardBodySubstitution } from './dashboard-body';
import { REPLACEMENT_RULES, UpdateBehavior } from './replacement-rules';

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
}

export interface Modification {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: PropertyChange[];
  /** Resource attributes other than Properties that changed (DeletionPolicy, DependsOn...). */
  readonly attributes: string[];
  readonly replacement: 'yes' | 'possibly' | 'no';
}

export interface TemplateDiff {
  readonly added: Array<{ logicalId: string; type: string }>;
  readonly removed: Array<{ logicalId: string; type: string }>;
  readonly modified: Modification[];
}

/** Types whose replacement or removal loses data or identity. */
export const STATEFUL_TYPES = ['AWS::RDS::DBInstance', 'AWS::ElastiCache::ReplicationGroup', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Backup::BackupVault'];

/** Log groups holding audit data: PostgreSQL's logs of each instance and the operator sessions. */
const AUDIT_LOG_GROUP = /^\/aws\/rds\/instance\/[^/]+\/postgresql$|^\/aws\/ssm\/[^/]+\/operator-sessions$/;

export function isStateful(resource: Resource | undefined): boolean {
  if (!resource) return false;
  if (STATEFUL_TYPES.includes(resource.Type)) return true;
  if (resource.Type === 'AWS::Logs::LogGroup') {
    const name = renderString(resource.Properties?.LogGroupName);
    return name !== undefined && AUDIT_LOG_GROUP.test(name);
  }
  return false;
}

/**
 * A DB or cache subnet group cannot move to another VPC in place: RDS refuses
 * ModifyDBSubnetGroup with "The new Subnets are not in the same Vpc as the existing subnet
 * group" (hashicorp/terraform-provider-aws#27459, #16419), so once its subnets are replaced with
 * their VPC, the group has to be replaced too. ElastiCache's subnet groups are taken to behave
 * alike (a cache subnet group belongs to one VPC).
 */
const SUBNET_GROUPS = ['AWS::RDS::DBSubnetGroup', 'AWS::ElastiCache::SubnetGroup'];

/**
 * The tier's own custom resources, which the rules table cannot know: their handlers answer every
 * Update with the physical id they were created with (lib/functions/migrate: PHYSICAL_RESOURCE_ID),
 * so CloudFormation updates them in place whatever property changes, except the ServiceToken.
 */
const OWN_CUSTOM_RESOURCES: Record<string, UpdateBehavior> = { 'Custom::SchemaMigrations': 'NoInterruption' };

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
  const possibly = new Set<string>();
  const renewed = () => new Set([...replaced, ...added.map((r) => r.logicalId), ...removed.map((r) => r.logicalId)]);
  const changesOf = (id: string): PropertyChange[] => {
    const { properties } = direct.get(id)!;
    const type = now[id].Type;
    const newIds = renewed();
    const changes: PropertyChange[] = [];
    const names = new Set([...properties, ...Object.keys(now[id].Properties ?? {})]);
    for (const name of [...names].sort()) {
      const via = [...references(now[id].Properties?.[name])].filter((ref) => replaced.has(ref));
      const changed = properties.includes(name);
      if (!changed && via.length === 0) continue;
      let behavior: UpdateBehavior | undefined = REPLACEMENT_RULES[type]?.[name] ?? (name === 'ServiceToken' ? undefined : OWN_CUSTOM_RESOURCES[type]);
      let note: string | undefined;
      const movesVpc = (ref: string) => newIds.has(ref) && now[ref]?.Type === 'AWS::EC2::Subnet' && [...references(now[ref].Properties?.VpcId)].some((vpc) => newIds.has(vpc));
      if (SUBNET_GROUPS.includes(type) && name === 'SubnetIds' && [...references(now[id].Properties?.[name])].some(movesVpc)) {
        behavior = 'Replacement';
        note = 'a subnet group cannot move to subnets of another VPC';
      }
      changes.push({ name, behavior, ...(changed ? {} : { via }), ...(note ? { note } : {}) });
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
        possibly.delete(id);
        grew = true;
      } else if (changes.some((c) => c.behavior === undefined)) possibly.add(id);
    }
  }

  const modified: Modification[] = [];
  for (const id of common) {
    const { attributes, typeChanged } = direct.get(id)!;
    const properties = changesOf(id);
    if (properties.length === 0 && attributes.length === 0 && !typeChanged) continue;
    const replacement = replaced.has(id) ? 'yes' : possibly.has(id) ? 'possibly' : 'no';
    modified.push({ logicalId: id, type: now[id].Type, properties, attributes: typeChanged ? ['Type', ...attributes] : attributes, replacement });
  }
  return { added, removed, modified };
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
