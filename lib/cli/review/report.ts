// The review of one environment: what a deploy of the new template over the old would do, as
// Markdown for a pull-request comment.
import { type CostEstimate } from '../cost/cost-estimate';
import { diffEstimates } from '../cost/report';
import { CostEstimator } from './cost';
import { diffTemplates, isStateful, Modification, PropertyChange, renderString, Resource, TemplateDiff, TemplateJson } from './diff';
import { REPLACEMENT_RULE_SOURCES } from './replacement-rules';
import { describeSwitch, TOPOLOGY_SWITCH_RUNBOOK, topologySwitches, type TopologySwitch } from './topology';

export interface NagStatus {
  /** Pack name → unacknowledged findings (`rule: resource, ...`). */
  readonly findings: Record<string, string[]>;
}

export interface EnvironmentReview {
  readonly envName: string;
  readonly diff: TemplateDiff;
  /**
   * Stateful resources that would be replaced (or possibly replaced) or deleted, not allowed, and
   * updates the service would refuse (which --allow-replace cannot allow); first, the topology
   * switch that would lose them, if that is why.
   */
  readonly blocking: string[];
  /** Stateful resources that would be replaced or deleted, allowed by --allow-replace. */
  readonly allowed: string[];
  /** Tiers whose database would move to another topology (DB instances, Multi-AZ DB cluster, Aurora); refused when it would lose their database. */
  readonly topologySwitches: Array<TopologySwitch & { readonly refused: boolean }>;
  readonly markdown: string;
}

export interface ReviewInput {
  readonly envName: string;
  readonly before: TemplateJson;
  readonly after: TemplateJson;
  /** What the old template is: "the committed snapshot", "main"... */
  readonly baseLabel: string;
  readonly region: string;
  readonly allowReplace: string[];
  readonly nag?: NagStatus;
  readonly estimateCost: CostEstimator;
}

const IAM_TYPES = /^AWS::IAM::/;
const POLICY_PROPERTIES = ['AssumeRolePolicyDocument', 'KeyPolicy', 'ManagedPolicyArns', 'Policies', 'PolicyDocument', 'ResourcePolicy', 'Roles'];
const SG_TYPES = ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress'];
const SG_PROPERTIES = ['SecurityGroupIngress', 'SecurityGroupEgress', 'SecurityGroupIds', 'VPCSecurityGroups', 'VpcSecurityGroupIds'];

export function reviewEnvironment(input: ReviewInput): EnvironmentReview {
  const { before, after } = input;
  const diff = diffTemplates(before, after);
  const old = before.Resources ?? {};
  const now = after.Resources ?? {};

  const endangered = [
    ...diff.modified.filter((m) => m.replacement !== 'no' && isStateful(m.logicalId, now)).map((m) => ({ id: m.logicalId, what: m.replacement === 'yes' ? 'replaced' : 'possibly replaced' })),
    ...diff.removed.filter((r) => isStateful(r.logicalId, old)).map((r) => ({ id: r.logicalId, what: 'deleted' })),
  ];
  const describe = (e: { id: string; what: string }) => `${e.id} (${(now[e.id] ?? old[e.id]).Type}) would be ${e.what}`;
  const refused = diff.modified.flatMap((m) => m.failing.map((p) => `${m.logicalId} (${m.type}) cannot be updated: ${p.name} ${p.fails}`));
  const lost = endangered.filter((e) => !input.allowReplace.includes(e.id));
  // A switch is refused when the old topology's database is among what would be lost.
  const switches = topologySwitches(before, after).map((change) => ({ ...change, refused: lost.some((e) => change.oldResources.includes(e.id)) }));
  const switchLines = switches.filter((s) => s.refused).map((s) => `${describeSwitch(s)} is a topology switch, which no deploy makes in place (${TOPOLOGY_SWITCH_RUNBOOK})`);
  const blocking = [...switchLines, ...lost.map(describe), ...refused];
  const allowed = endangered.filter((e) => input.allowReplace.includes(e.id)).map(describe);

  const md: string[] = [];
  const replaced = diff.modified.filter((m) => m.replacement !== 'no');
  md.push(`## ${input.envName}: ${diff.added.length} added, ${diff.modified.length} modified, ${diff.removed.length} removed, ${replaced.length} replaced`);
  md.push('', `Compared with ${input.baseLabel}.`);
  for (const change of switches) {
    const losing = endangered.some((e) => change.oldResources.includes(e.id));
    const what = losing
      ? `CloudFormation cannot move a deployed tier to another topology: it deletes or replaces the old topology's database (${change.oldResources.join(', ')}) and creates the new one empty${change.refused ? '' : ' (allowed by `--allow-replace`)'}.`
      : `The old topology's database (${change.oldResources.join(', ')}) stays: this deploy loses none of it.`;
    md.push('', `> **${change.refused ? 'Refused: a topology switch' : 'A topology switch'}.** ${describeSwitch(change)}. ${what} Keep this tier as it is and deploy the new topology as a new tier, with a name of its own, restored from a snapshot of this one: ${TOPOLOGY_SWITCH_RUNBOOK}.`);
  }
  if (lost.length > 0) {
    md.push('', `> **Refused: stateful resources would be lost.** Pass \`--allow-replace ${lost.map((e) => e.id).join(',')}\` only with a migration plan.`, '>');
    for (const e of lost) md.push(`> - ${describe(e)}`);
  }
  if (refused.length > 0) {
    md.push('', '> **Refused: the update would fail and roll back.** Change the template back; no flag allows this.', '>');
    for (const r of refused) md.push(`> - ${r}`);
  }
  if (allowed.length > 0) {
    md.push('', 'Allowed by `--allow-replace`:');
    for (const a of allowed) md.push(`- ${a}`);
  }

  md.push('', '### Resources');
  if (diff.added.length + diff.modified.length + diff.removed.length === 0) md.push('', 'No change.');
  if (replaced.length > 0) {
    md.push('', '| replaced | type | because of |', '|---|---|---|');
    for (const m of replaced) md.push(`| ${m.logicalId}${isStateful(m.logicalId, now) ? ' **(stateful)**' : ''} | ${m.type} | ${m.replacement === 'possibly' ? 'possibly: ' : ''}${replacingReasons(m)} |`);
    const named = replaced.filter((m) => m.replacement === 'yes').map((m) => [m.logicalId, customName(old[m.logicalId], now[m.logicalId])] as const).filter(([, name]) => name);
    if (named.length > 0) {
      md.push('', `"You can't perform an update that causes a custom-named resource to be replaced" ([Name type](https://github.com/awsdocs/aws-cloudformation-user-guide/blob/6c68a17a/doc_source/aws-properties-name.md)): the update fails and rolls back unless these are renamed: ${named.map(([id, name]) => `${id} (${name})`).join(', ')}.`);
    }
    const sources = [...new Set(replaced.map((m) => m.type))].filter((t) => REPLACEMENT_RULE_SOURCES[t]).map((t) => `[${t}](${REPLACEMENT_RULE_SOURCES[t]})`);
    if (sources.length > 0) md.push('', `Update behaviors from the CloudFormation User Guide: ${sources.join(', ')}.`);
  }
  if (diff.added.length > 0) {
    md.push('', '| added | type |', '|---|---|');
    for (const r of diff.added) md.push(`| ${r.logicalId} | ${r.type} |`);
  }
  const inPlace = diff.modified.filter((m) => m.replacement === 'no');
  if (inPlace.length > 0) {
    md.push('', '| modified in place | type | changed |', '|---|---|---|');
    const detail = (p: PropertyChange) => (p.fails ? ` (**refused**: ${p.fails})` : p.behavior === 'SomeInterruptions' ? ' (some interruption)' : '');
    for (const m of inPlace) md.push(`| ${m.logicalId} | ${m.type} | ${[...m.properties.map((p) => `${p.name}${detail(p)}`), ...m.attributes].join(', ')} |`);
  }
  if (diff.removed.length > 0) {
    md.push('', '| removed | type |', '|---|---|');
    for (const r of diff.removed) md.push(`| ${r.logicalId}${isStateful(r.logicalId, old) ? ' **(stateful)**' : ''} | ${r.type} |`);
    const renamed = diff.removed.filter((r) => diff.added.some((a) => a.type === r.type));
    if (renamed.length > 0) md.push('', `A changed logical id is a removal and an addition: ${renamed.map((r) => r.logicalId).join(', ')} may have been renamed.`);
  }

  md.push('', '### IAM and security groups');
  const security = securityChanges(diff, old, now);
  md.push('', ...(security.length > 0 ? security.map((s) => `- ${s}`) : ['No change.']));

  md.push('', '### Alarms');
  const alarms = alarmChanges(old, now);
  md.push('', ...(alarms.length > 0 ? alarms.map((s) => `- ${s}`) : ['No change.']));

  md.push('', '### cdk-nag');
  md.push('', ...nagLines(input.nag, before, after));

  md.push('', '### Monthly cost');
  md.push('', ...costLines(input.estimateCost, before, after, input.region));

  return { envName: input.envName, diff, blocking, allowed, topologySwitches: switches, markdown: md.join('\n') };
}

/** The reviews of several stacks as one report; exit code 1 when any would lose a stateful resource or fail to update one. */
export function reviewReport(reviews: readonly EnvironmentReview[]): { markdown: string; exitCode: number } {
  const blocking = reviews.flatMap((r) => r.blocking.map((b) => `${r.envName}: ${b}`));
  const resources = reviews.reduce((n, r) => n + r.blocking.length - r.topologySwitches.filter((s) => s.refused).length, 0);
  const summary = blocking.length > 0 ? `**Refused**: ${resources} stateful resource(s) would be replaced, deleted or fail to update:\n${blocking.map((b) => `- ${b}`).join('\n')}` : 'No stateful resource would be replaced or deleted.';
  const markdown = [`# Infrastructure review`, '', summary, ...reviews.map((r) => `\n${r.markdown}`)].join('\n');
  return { markdown, exitCode: blocking.length > 0 ? 1 : 0 };
}

/** Properties that set a resource's physical name. */
const NAME_PROPERTIES = ['AlarmName', 'AliasName', 'AutoScalingGroupName', 'BackupVaultName', 'DashboardName', 'DBInstanceIdentifier', 'DBProxyName', 'FunctionName', 'LogGroupName', 'Name', 'QueueName', 'ReplicationGroupId', 'RoleName', 'SubscriptionName', 'TopicName'];

/** `Property = value` of a physical name that stays the same, if any. */
function customName(before: Resource | undefined, after: Resource | undefined): string | undefined {
  for (const property of NAME_PROPERTIES) {
    const [a, b] = [renderString(before?.Properties?.[property]), renderString(after?.Properties?.[property])];
    if (a !== undefined && a === b) return `${property} = ${b}`;
  }
  return undefined;
}

function replacingReasons(m: Modification): string {
  if (m.attributes.includes('Type')) return 'type changed';
  const reasons = m.properties
    .filter((p) => p.behavior === 'Replacement' || p.behavior === undefined)
    .map((p) => `${p.name}${p.behavior === undefined ? ' (not in the rules table)' : ''}${p.via ? ` → replaced ${p.via.join(', ')}` : ''}${p.note ? ` (${p.note})` : ''}`);
  return reasons.join(', ');
}

function securityChanges(diff: TemplateDiff, old: Record<string, Resource>, now: Record<string, Resource>): string[] {
  const lines: string[] = [];
  const isSecurity = (type: string) => IAM_TYPES.test(type) || SG_TYPES.includes(type);
  for (const r of diff.added.filter((r) => isSecurity(r.type))) lines.push(`added ${r.type} ${r.logicalId}${ruleSummary(now[r.logicalId])}`);
  for (const r of diff.removed.filter((r) => isSecurity(r.type))) lines.push(`removed ${r.type} ${r.logicalId}${ruleSummary(old[r.logicalId])}`);
  for (const m of diff.modified) {
    const relevant = isSecurity(m.type) ? m.properties : m.properties.filter((p) => POLICY_PROPERTIES.includes(p.name) || SG_PROPERTIES.includes(p.name));
    if (relevant.length > 0) lines.push(`modified ${m.type} ${m.logicalId}: ${relevant.map((p) => p.name).join(', ')}${m.replacement === 'yes' ? ' (replaced)' : ''}`);
  }
  return lines;
}

function ruleSummary(r: Resource | undefined): string {
  if (!r || !['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress'].includes(r.Type)) return '';
  const p = r.Properties ?? {};
  const peer = renderString(p.SourceSecurityGroupId) ?? renderString(p.DestinationSecurityGroupId) ?? renderString(p.CidrIp) ?? renderString(p.DestinationPrefixListId) ?? '?';
  const ports = p.FromPort === p.ToPort ? `${p.FromPort}` : `${p.FromPort}-${p.ToPort}`;
  return `: ${p.IpProtocol} ${ports} ${r.Type.endsWith('Ingress') ? 'from' : 'to'} ${peer} on ${renderString(p.GroupId)}`;
}

function alarmsOf(resources: Record<string, Resource>): Map<string, { threshold: unknown; id: string }> {
  const alarms = new Map<string, { threshold: unknown; id: string }>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    alarms.set(renderString(r.Properties?.AlarmName) ?? id, { threshold: r.Properties?.Threshold, id });
  }
  return alarms;
}

function alarmChanges(old: Record<string, Resource>, now: Record<string, Resource>): string[] {
  const [a, b] = [alarmsOf(old), alarmsOf(now)];
  const lines: string[] = [];
  for (const [name, { threshold }] of b) if (!a.has(name)) lines.push(`added \`${name}\` (threshold ${threshold})`);
  for (const [name, { threshold }] of a) if (!b.has(name)) lines.push(`removed \`${name}\` (threshold ${threshold})`);
  for (const [name, { threshold }] of b) {
    const was = a.get(name);
    if (was && JSON.stringify(was.threshold) !== JSON.stringify(threshold)) lines.push(`re-thresholded \`${name}\`: ${was.threshold} → ${threshold}`);
  }
  return lines;
}

/** `rule on LogicalId` of every acknowledgement a template records, in either form. */
export function acknowledgedRules(template: TemplateJson): Set<string> {
  const recorded = ((template.Metadata?.cdk_nag as { acknowledgements?: Array<{ rules: string[]; resources: string[] }> } | undefined)?.acknowledgements ?? []).flatMap((a) =>
    a.rules.flatMap((rule) => (a.resources.includes('*') ? Object.keys(template.Resources ?? {}) : a.resources).map((resource) => `${rule} on ${resource}`)),
  );
  // Templates written by cdk-nag's writeSuppressionsToCloudFormation (older snapshots).
  const perResource = Object.entries(template.Resources ?? {}).flatMap(([id, r]) =>
    (((r.Metadata as any)?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string }>).map((s) => `${s.id} on ${id}`),
  );
  return new Set([...recorded, ...perResource]);
}

function nagLines(nag: NagStatus | undefined, before: TemplateJson, after: TemplateJson): string[] {
  const lines: string[] = [];
  if (nag) {
    const failing = Object.entries(nag.findings).filter(([, f]) => f.length > 0);
    lines.push(failing.length === 0 ? `Five packs (${Object.keys(nag.findings).join(', ')}): no unacknowledged finding.` : '**Unacknowledged findings:**');
    for (const [pack, findings] of failing) for (const f of findings) lines.push(`- ${pack}: ${f}`);
  }
  const [a, b] = [acknowledgedRules(before), acknowledgedRules(after)];
  // A stack-wide acknowledgement (aws-cdk-lib's W3010 note) covers new resources as it covered the old.
  const stackWide = (t: TemplateJson) => new Set(((t.Metadata?.cdk_nag as { acknowledgements?: Array<{ rules: string[]; resources: string[] }> } | undefined)?.acknowledgements ?? []).filter((x) => x.resources.includes('*')).flatMap((x) => x.rules));
  const wide = stackWide(after);
  const listed = (x: string) => !wide.has(x.slice(0, x.lastIndexOf(' on ')));
  const added = [...b].filter((x) => !a.has(x) && listed(x));
  const removed = [...a].filter((x) => !b.has(x) && listed(x));
  lines.push('', `Acknowledgements: ${b.size} (rule, resource) pairs, ${added.length} new, ${removed.length} gone.`);
  for (const x of added.slice(0, 30)) lines.push(`- new: ${x}`);
  if (added.length > 30) lines.push(`- … and ${added.length - 30} more new`);
  for (const x of removed.slice(0, 30)) lines.push(`- gone: ${x}`);
  if (removed.length > 30) lines.push(`- … and ${removed.length - 30} more gone`);
  return lines;
}

function costLines(estimate: CostEstimator, before: TemplateJson, after: TemplateJson, region: string): string[] {
  let estimates: [CostEstimate, CostEstimate];
  try {
    estimates = [estimate(before, region), estimate(after, region)];
  } catch (error) {
    return [`Not estimated: ${(error as Error).message}`];
  }
  const difference = diffEstimates(...estimates);
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${usd(Math.abs(n))}`;
  const cell = (monthly: number | null, quantity: number, unit: string) => (monthly === null ? `not priced (${quantity.toLocaleString('en-US')} ${unit})` : usd(monthly));
  const lines = ['| line | before | after | difference |', '|---|---:|---:|---:|'];
  for (const d of difference.lines) {
    lines.push(`| ${d.item} | ${cell(d.before, d.quantityBefore, d.unit)} | ${cell(d.after, d.quantityAfter, d.unit)} | ${d.difference === null ? 'not priced' : signed(d.difference)} |`);
  }
  const unpriced = estimates[1].unpriced.length;
  lines.push(`| **total of priced lines** (${region}) | **${usd(difference.totalBefore)}** | **${usd(difference.totalAfter)}** | **${signed(difference.totalDifference)}** |`);
  if (unpriced > 0) lines.push('', `${unpriced} lines of the new template have no sourced price yet (\`data-tier cost\` lists them); their quantities are shown above when they change.`);
  return lines;
}
