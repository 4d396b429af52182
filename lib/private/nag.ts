import { CfnResource, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/** A cdk-nag finding that is wrong for this design, and why. */
export interface Acknowledgement {
  /** Rule id as cdk-nag reports it, including any `[finding]` suffix. */
  readonly id: string;
  /** Why the finding does not apply, for a security reviewer. */
  readonly reason: string;
}

/**
 * Acknowledges findings on one construct (keep it the narrowest one the finding names). An id
 * that names an ARN is written with `arn:<AWS::Partition>:` and acknowledged in each of its
 * {@link partitionForms}.
 */
export function acknowledge(construct: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  Validations.of(construct).acknowledge(...acknowledgements.flatMap(({ id, reason }) => partitionForms(construct, id).map((form) => ({ id: form, reason }))));
}

/** An ARN's partition as cdk-nag writes it where the template reads it from the `AWS::Partition` pseudo parameter. */
const ANY_PARTITION_ARN = 'arn:<AWS::Partition>:';

/**
 * The ids cdk-nag can report a finding that names an ARN under, given the id written with
 * `arn:<AWS::Partition>:`. cdk-nag writes the ARN as the template has it: `<AWS::Partition>`
 * where the template reads the pseudo parameter, the literal partition where aws-cdk-lib wrote
 * one, as `Stack.partition` does under `@aws-cdk/core:enablePartitionLiterals` (a flag
 * `cdk init` sets) for a stack in a known region. So: the id itself, the same with `aws`, and
 * with the partition of the stack's region when that is known and another (`aws-cn`,
 * `aws-us-gov`...). Any other id is its only form.
 */
export function partitionForms(scope: IConstruct, id: string): string[] {
  if (!id.includes(ANY_PARTITION_ARN)) return [id];
  const partitions = new Set(['<AWS::Partition>', 'aws']);
  const known = knownPartition(scope);
  if (known !== undefined) partitions.add(known);
  return [...partitions].map((partition) => id.split(ANY_PARTITION_ARN).join(`arn:${partition}:`));
}

/** The literal partition of the scope's stack: the one it writes, else its region's; undefined when the region is unknown. */
function knownPartition(scope: IConstruct): string | undefined {
  let stack: IConstruct | undefined = scope;
  while (stack !== undefined && !Stack.isStack(stack)) stack = stack.node.scope;
  if (stack === undefined) return undefined;
  if (!Token.isUnresolved(stack.partition)) return stack.partition;
  return Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
}

/** The rule's id in each pack that carries it, without the pack's prefix. */
export interface RuleInPacks {
  readonly awsSolutions?: string;
  readonly nist?: string;
  readonly hipaa?: string;
  readonly pci?: string;
  readonly serverless?: string;
}

/** The prefix each pack puts before its rule ids. */
const PACK_PREFIXES: Record<keyof RuleInPacks, string> = {
  awsSolutions: 'AwsSolutions',
  nist: 'NIST.800.53.R5',
  hipaa: 'HIPAA.Security',
  pci: 'PCI.DSS.321',
  serverless: 'Serverless',
};

/** The same finding as reported by each pack that carries it. */
export function acrossPacks(rule: RuleInPacks, reason: string): Acknowledgement[] {
  return (Object.keys(PACK_PREFIXES) as Array<keyof RuleInPacks>)
    .filter((pack) => rule[pack] !== undefined)
    .map((pack) => ({ id: `${PACK_PREFIXES[pack]}-${rule[pack]}`, reason }));
}

/** Zones are pinned on purpose: they come from validated config, so every zone holds a node. */
export const PINNED_ZONE: Acknowledgement = {
  id: 'CloudFormation-Validate::W3010',
  reason: 'Availability zones are pinned on purpose from the validated config (three explicit zones) so that every zone holds a node.',
};

/** One acknowledgement as the template records it: the reason once, with the rules and resources it covers. */
export interface RecordedAcknowledgement {
  readonly reason: string;
  readonly rules: string[];
  /** Logical ids of the resources it applies to, or `['*']` when it is recorded on the stack itself. */
  readonly resources: string[];
}

/** Key of the template's top-level Metadata under which {@link recordAcknowledgements} writes. */
export const ACKNOWLEDGEMENTS_METADATA_KEY = 'cdk_nag';

/**
 * Writes every acknowledgement in the stack once, in the template's top-level Metadata, as
 * `cdk_nag.acknowledgements: [{ reason, rules, resources }]`: the reason once, with the rule ids
 * it answers and the logical ids of the resources it covers (`*` for one recorded on the stack,
 * such as aws-cdk-lib's own `CloudFormation-Validate::W3010` note, which it adds to any stack
 * whose `availabilityZones` are read).
 *
 * cdk-nag's `writeSuppressionsToCloudFormation` copies each acknowledgement, with its reason,
 * onto every resource below the construct that records it, ancestors included: the W3010 note
 * alone was repeated on every resource of the stack, and the acknowledgements took a third of
 * each template's bytes. This keeps them all visible to a reviewer at a tenth of that.
 *
 * An acknowledgement of an ARN is recorded once, in its `arn:<AWS::Partition>:` form: the
 * other {@link partitionForms} that {@link acknowledge} adds are the same acknowledgement.
 */
export function recordAcknowledgements(stack: Stack): void {
  const previous = stack.templateOptions.metadata ?? {};
  stack.templateOptions.metadata = {
    ...previous,
    [ACKNOWLEDGEMENTS_METADATA_KEY]: { acknowledgements: Lazy.any({ produce: () => acknowledgementsOf(stack) }) },
  };
}

function acknowledgementsOf(stack: Stack): RecordedAcknowledgement[] {
  // reason -> rule id -> resources
  const byReason = new Map<string, Map<string, Set<string>>>();
  const add = (id: string, reason: string, resource: string) => {
    const rules = byReason.get(reason) ?? new Map<string, Set<string>>();
    byReason.set(reason, rules);
    const resources = rules.get(id) ?? new Set<string>();
    rules.set(id, resources);
    resources.add(resource);
  };
  const recordedOn = (construct: IConstruct) => {
    const recorded = construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason] as const);
    // The partition forms acknowledge() added beside an `arn:<AWS::Partition>:` id, with its reason.
    const otherForms = new Set(recorded.flatMap(([id, reason]) => partitionForms(construct, id).filter((form) => form !== id).map((form) => `${form}\n${reason}`)));
    return recorded.filter(([id, reason]) => !otherForms.has(`${id}\n${reason}`));
  };

  for (let scope: IConstruct | undefined = stack; scope; scope = scope.node.scope) {
    for (const [id, reason] of recordedOn(scope)) add(id, reason, '*');
  }
  for (const resource of stack.node.findAll().filter(CfnResource.isCfnResource)) {
    if (Stack.of(resource) !== stack) continue;
    const logicalId: string = stack.resolve(resource.logicalId);
    for (let scope: IConstruct | undefined = resource; scope && scope !== stack; scope = scope.node.scope) {
      for (const [id, reason] of recordedOn(scope)) add(id, reason, logicalId);
    }
  }

  // Group rules that cover the same resources with the same reason (one finding across packs).
  const records: RecordedAcknowledgement[] = [];
  for (const [reason, rules] of byReason) {
    const groups = new Map<string, string[]>();
    for (const [id, resources] of rules) {
      const key = resources.has('*') ? '*' : [...resources].sort().join(',');
      groups.set(key, [...(groups.get(key) ?? []), id]);
    }
    for (const [key, ids] of groups) records.push({ reason, rules: ids.sort(), resources: key.split(',') });
  }
  return records.sort((a, b) => a.rules[0].localeCompare(b.rules[0]) || a.reason.localeCompare(b.reason) || a.resources[0].localeCompare(b.resources[0]));
}
