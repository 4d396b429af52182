// `data-tier review`: what deploying the stacks a cloud assembly holds would do, each against the
// template last deployed from it: the same stack in a base cloud assembly directory, a directory of
// recorded templates (`<stack name>.template.json`) or one template file (`--base`), or the deployed
// stack itself (`--deployed`). A tier's stack by default; any stack of any CDK app with --stack or --all.
import { type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { estimateMonthlyCost } from '../cost/estimate';
import { DEFAULT_COST_REGION } from '../cost/tier';
import { CliError } from '../errors';
import { deployedTemplate, otherTierPaths, stacksInAssembly, tiersIn, tierTemplate, type FoundTier, type StackTemplate } from '../tiers';
import { type TemplateJson } from './diff';
import { reviewEnvironment, reviewReport, type EnvironmentReview } from './report';

export interface TierReviewOptions {
  /**
   * What was last deployed: a cloud assembly directory (manifest.json), a directory of recorded
   * templates (`<stack name>.template.json`), or one template file.
   */
  readonly base?: string;
  /** Compare with the deployed stack instead (GetTemplate). */
  readonly deployed?: boolean;
  readonly allowReplace?: readonly string[];
  /** Region of the prices. @default the stack's, else us-east-1 */
  readonly region?: string;
}

export interface TierReview {
  readonly review: EnvironmentReview;
  readonly markdown: string;
  readonly exitCode: number;
}

/** A CloudFormation client for a stack's region (undefined: the default). */
type CloudFormation = (region?: string) => Pick<CloudFormationClient, 'send'>;

/** The template last deployed from a stack, and how the report names it. */
async function lastDeployed(stackName: string, region: string | undefined, options: TierReviewOptions, reviewed: number, cloudFormation?: CloudFormation): Promise<{ base?: StackTemplate; label: string }> {
  if ((options.base === undefined) === !options.deployed) {
    throw new CliError('review compares with one of --base <assembly directory | directory of recorded templates | template file> or --deployed');
  }
  if (options.deployed) {
    const base = await deployedTemplate(cloudFormation!(options.region ?? region), stackName, options.region ?? region);
    return { base, label: base ? `the deployed stack ${stackName}` : `nothing: stack ${stackName} is not deployed in this account and region, so all of it would be created` };
  }
  const path = options.base!;
  if (!existsSync(path)) throw new CliError(`--base ${path}: no such file or directory`);
  if (statSync(path).isFile()) {
    if (reviewed > 1) throw new CliError(`--base ${path} is one template: review one stack with it (--stack <name> or --tier <name>), or give a directory`);
    const template = JSON.parse(readFileSync(path, 'utf8')) as TemplateJson;
    return { base: { stackName, template, paths: new Map() }, label: `\`${path}\`` };
  }
  if (existsSync(join(path, 'manifest.json'))) {
    const base = stacksInAssembly(path).find((s) => s.stackName === stackName);
    return { base, label: base ? `stack ${stackName} in \`${path}\`` : `nothing: stack ${stackName} is not in \`${path}\`, so all of it would be created` };
  }
  const file = join(path, `${stackName}.template.json`);
  if (!existsSync(file)) return { label: `nothing: no \`${file}\`, so ${stackName} is a new stack and all of it would be created` };
  return { base: { stackName, template: JSON.parse(readFileSync(file, 'utf8')) as TemplateJson, paths: new Map() }, label: `the recorded template \`${file}\`` };
}

/**
 * Reviews the whole stack the tier is in (CloudFormation deploys the stack), with the cost of
 * the tier's own part of it. `tiers` are all the tiers found beside it, whose parts are left out
 * of its cost.
 */
export async function reviewTier(found: FoundTier, tiers: readonly FoundTier[], options: TierReviewOptions, cloudFormation?: CloudFormation): Promise<TierReview> {
  const { base, label } = await lastDeployed(found.stackName, found.region, options, 1, cloudFormation);
  const after = found.template;
  const before: TemplateJson = base?.template ?? {};
  const others = otherTierPaths(found, tiers);
  const tierParts = new Map<object, TemplateJson>([
    [after, tierTemplate(after, found.paths, found.tier.path, others)],
    [before, tierTemplate(before, new Map([...found.paths, ...(base?.paths ?? [])]), found.tier.path, others)],
  ]);
  const review = reviewEnvironment({
    envName: `${found.stackName} (tier ${found.tier.name})`,
    before,
    after,
    baseLabel: label,
    region: options.region ?? found.region ?? DEFAULT_COST_REGION,
    allowReplace: [...(options.allowReplace ?? [])],
    estimateCost: (template, region) => estimateMonthlyCost(tierParts.get(template) ?? template, { region }),
  });
  return { review, ...reviewReport([review]) };
}

/** Reviews whole stacks of any app (a tier's or not), each against the template last deployed from it; the cost is the stack's. */
export async function reviewStacks(stacks: readonly StackTemplate[], options: TierReviewOptions, cloudFormation?: CloudFormation): Promise<{ reviews: EnvironmentReview[]; markdown: string; exitCode: number }> {
  const reviews: EnvironmentReview[] = [];
  for (const stack of stacks) {
    const { base, label } = await lastDeployed(stack.stackName, stack.region, options, stacks.length, cloudFormation);
    const tiers = tiersIn(stack.template).map((t) => t.name);
    reviews.push(
      reviewEnvironment({
        envName: `${stack.stackName}${tiers.length > 0 ? ` (tier${tiers.length > 1 ? 's' : ''} ${tiers.join(', ')})` : ''}`,
        before: base?.template ?? {},
        after: stack.template,
        baseLabel: label,
        region: options.region ?? stack.region ?? DEFAULT_COST_REGION,
        allowReplace: [...(options.allowReplace ?? [])],
        estimateCost: (template, region) => estimateMonthlyCost(template, { region }),
      }),
    );
  }
  return { reviews, ...reviewReport(reviews) };
}
