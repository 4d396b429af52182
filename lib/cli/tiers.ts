// Where the `data-tier` command finds tiers: only through what each tier records in its stack's
// template (Metadata "postgres-data-tier", written by recordTier in lib/outputs.ts), in a cloud
// assembly directory (cdk.out) or in the deployed stacks of an account and region. Stack names
// and output keys are whatever the consumer's app made of them.
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, ListStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TIER_METADATA_KEY, type TierMetadata } from '../outputs';
import { awsError, CliError, isMissingStack } from './errors';
import { references, type TemplateJson } from './review/diff';

/** A stack template, where it was found, and what is known of its resources' construct paths. */
export interface StackTemplate {
  /** The CloudFormation stack name. */
  readonly stackName: string;
  readonly template: TemplateJson;
  /** The stack's region, when the app or the account says it. */
  readonly region?: string;
  /** Logical ID → construct path (from the assembly manifest or `aws:cdk:path` metadata); empty when neither was recorded. */
  readonly paths: ReadonlyMap<string, string>;
}

/** A tier, as recorded in a stack template. */
export interface FoundTier extends StackTemplate {
  readonly tier: TierMetadata;
  /** Where it was found, for messages: `cdk.out`, `the deployed stacks`... */
  readonly where: string;
  /** The stack's outputs by OutputKey, when they were read already (deployed stacks). */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** The tiers a template records; none when it records none (or is not a data-tier stack at all). */
export function tiersIn(template: TemplateJson): TierMetadata[] {
  const recorded = template.Metadata?.[TIER_METADATA_KEY];
  if (!Array.isArray(recorded)) return [];
  return recorded
    .filter((t): t is TierMetadata => typeof t?.name === 'string' && typeof t?.path === 'string')
    .map((t) => ({ ...t, outputs: t.outputs ?? {} }));
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly directoryName?: string };
  readonly metadata?: ArtifactMetadata;
  /** Where newer CDK versions write the metadata instead. */
  readonly additionalMetadataFile?: string;
}

/** Construct path → its entries, among them the logical ID of each CloudFormation element. */
type ArtifactMetadata = Record<string, Array<{ readonly type: string; readonly data?: unknown }>>;

/** Every stack template of a cloud assembly directory, nested assemblies (stages) included. */
export function stacksInAssembly(directory: string): StackTemplate[] {
  const manifestFile = join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new CliError(`${directory} is not a cloud assembly (no manifest.json): synthesize your app first (cdk synth), or give its output directory with --app <dir>`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  const stacks: StackTemplate[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...stacksInAssembly(join(directory, artifact.properties.directoryName)));
    }
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(readFileSync(join(directory, artifact.properties.templateFile), 'utf8')) as TemplateJson;
    const paths = new Map(pathsInTemplate(template));
    const metadata: ArtifactMetadata = {
      ...(artifact.additionalMetadataFile ? (JSON.parse(readFileSync(join(directory, artifact.additionalMetadataFile), 'utf8')) as ArtifactMetadata) : {}),
      ...artifact.metadata,
    };
    for (const [path, entries] of Object.entries(metadata)) {
      for (const entry of entries) if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') paths.set(entry.data, path.replace(/^\//, ''));
    }
    const region = /^aws:\/\/[^/]+\/(.+)$/.exec(artifact.environment ?? '')?.[1];
    stacks.push({ stackName: artifact.properties.stackName ?? id, template, region: region === 'unknown-region' ? undefined : region, paths });
  }
  return stacks;
}

/** The tiers of a cloud assembly directory. */
export function tiersInAssembly(directory: string): FoundTier[] {
  const where = directory;
  return stacksInAssembly(resolve(directory)).flatMap((stack) => tiersIn(stack.template).map((tier) => ({ ...stack, tier, where })));
}

const DELETED: string[] = [StackStatus.DELETE_COMPLETE];

/**
 * The tiers of the deployed stacks: of `stacks` when given (each must exist), else of every
 * stack of the account and region (ListStacks, then one GetTemplate per stack).
 */
export async function deployedTiers(client: Pick<CloudFormationClient, 'send'>, options: { stacks?: readonly string[]; region?: string } = {}): Promise<FoundTier[]> {
  const where = options.stacks?.length ? `the deployed stack${options.stacks.length > 1 ? 's' : ''} ${options.stacks.join(', ')}` : `the deployed stacks${options.region ? ` of ${options.region}` : ''}`;
  const found: FoundTier[] = [];
  if (options.stacks?.length) {
    for (const stackName of options.stacks) {
      const outputs = await stackOutputs(client, stackName);
      const stack = await deployedTemplate(client, stackName, options.region);
      if (!stack) throw new CliError(`stack ${stackName} does not exist in this account and region (use --region?)`);
      const tiers = tiersIn(stack.template);
      if (tiers.length === 0) {
        throw new CliError(
          `stack ${stackName} records no data tier in its deployed template (Metadata "${TIER_METADATA_KEY}"; CloudFormation takes a template's Metadata only with a change to a resource): use the cloud assembly (--app <dir>) instead`,
        );
      }
      found.push(...tiers.map((tier) => ({ ...stack, tier, where, outputs })));
    }
    return found;
  }
  for (const stackName of await listStacks(client)) {
    const stack = await deployedTemplate(client, stackName, options.region);
    if (stack) found.push(...tiersIn(stack.template).map((tier) => ({ ...stack, tier, where })));
  }
  return found;
}

async function listStacks(client: Pick<CloudFormationClient, 'send'>): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListStacksCommand({ NextToken: token }));
    } catch (error) {
      throw awsError(error, 'the stacks of this account and region');
    }
    for (const s of page?.StackSummaries ?? []) if (s.StackName && !DELETED.includes(s.StackStatus ?? '')) names.push(s.StackName);
    token = page?.NextToken;
  } while (token);
  return names;
}

/** The template a stack was deployed with (as submitted: its Metadata intact), or undefined when the stack does not exist. */
export async function deployedTemplate(client: Pick<CloudFormationClient, 'send'>, stackName: string, region?: string): Promise<StackTemplate | undefined> {
  let body: string | undefined;
  try {
    body = (await client.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' })))?.TemplateBody;
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw awsError(error, `the template of stack ${stackName}`);
  }
  let template: TemplateJson;
  try {
    template = JSON.parse(body ?? '{}') as TemplateJson;
  } catch {
    template = {}; // a YAML template: not one a CDK app deployed
  }
  return { stackName, template, region, paths: new Map(pathsInTemplate(template)) };
}

/** A deployed stack's outputs, by OutputKey. */
export async function stackOutputs(client: Pick<CloudFormationClient, 'send'>, stackName: string): Promise<Record<string, string>> {
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = response?.Stacks?.[0];
    if (!stack) throw new CliError(`stack ${stackName} not found in this account and region`);
    return Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]));
  } catch (error) {
    throw awsError(error, `stack ${stackName}`);
  }
}

/** The tier's outputs by their names in OUTPUTS (`ProxyEndpoint`...), read under the OutputKeys its metadata records. */
export function tierOutputs(tier: TierMetadata, outputs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tier.outputs).filter(([, key]) => outputs[key] !== undefined).map(([name, key]) => [name, outputs[key]]));
}

/** `name (path, stack S)` of each tier, for messages. */
function describeTiers(tiers: readonly FoundTier[]): string {
  return tiers.map((t) => `${t.tier.name} (${t.tier.path}, stack ${t.stackName})`).join(', ');
}

/**
 * The tier `wanted` names (its name or its construct path); without `wanted`, the only tier.
 * Several tiers and none named, none at all, or a name that matches none or several: a one-line CliError.
 */
export function selectTier(tiers: readonly FoundTier[], wanted: string | undefined, where: string): FoundTier {
  if (tiers.length === 0) {
    throw new CliError(`no data tier in ${where}: no stack template records one (Metadata "${TIER_METADATA_KEY}", written by postgres-data-tier's DataTier)`);
  }
  if (wanted === undefined) {
    if (tiers.length === 1) return tiers[0];
    throw new CliError(`${tiers.length} data tiers in ${where}: ${describeTiers(tiers)}; pick one with --tier <name or construct path>`);
  }
  const matches = tiers.filter((t) => t.tier.name === wanted || t.tier.path === wanted);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new CliError(`no data tier "${wanted}" in ${where}; there are ${describeTiers(tiers)}`);
  throw new CliError(`${matches.length} data tiers named "${wanted}" in ${where}: ${describeTiers(matches)}; pick one by its construct path`);
}

function pathsInTemplate(template: TemplateJson): Array<[string, string]> {
  return Object.entries(template.Resources ?? {})
    .map(([id, resource]) => [id, (resource.Metadata as Record<string, unknown> | undefined)?.['aws:cdk:path']] as const)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

/**
 * The part of a stack template that is the tier's: the resources under its construct path, and
 * what they reference outside it (a caller's VPC and subnets, a stack-wide custom resource
 * provider) unless another tier of the stack holds it. The whole template when construct paths
 * were not recorded.
 */
export function tierTemplate(template: TemplateJson, paths: ReadonlyMap<string, string>, tierPath: string, otherTierPaths: readonly string[] = []): TemplateJson {
  const resources = template.Resources ?? {};
  const under = (id: string, path: string) => paths.get(id)?.startsWith(`${path}/`) ?? false;
  const own = Object.keys(resources).filter((id) => under(id, tierPath));
  if (own.length === 0) return template;
  const kept = new Set(own);
  for (let queue = [...own]; queue.length > 0; ) {
    for (const ref of references(resources[queue.pop()!])) {
      if (kept.has(ref) || !resources[ref] || otherTierPaths.some((other) => under(ref, other))) continue;
      kept.add(ref);
      queue.push(ref);
    }
  }
  return { ...template, Resources: Object.fromEntries(Object.entries(resources).filter(([id]) => kept.has(id))) };
}

/** The construct paths of the other tiers in the stack of `found`, whose parts are not its own. */
export function otherTierPaths(found: FoundTier, tiers: readonly FoundTier[]): string[] {
  return tiers.filter((t) => t.stackName === found.stackName && t.tier.path !== found.tier.path).map((t) => t.tier.path);
}
