// `data-tier review`: what deploying a tier's stack as the cloud assembly holds it would do, against
// the same stack in a base assembly directory (`--base <dir>`) or as deployed (`--deployed`).
import { type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { estimateMonthlyCost } from '../cost/estimate';
import { DEFAULT_COST_REGION } from '../cost/tier';
import { CliError } from '../errors';
import { deployedTemplate, otherTierPaths, stacksInAssembly, tierTemplate, type FoundTier, type StackTemplate } from '../tiers';
import { type TemplateJson } from './diff';
import { reviewEnvironment, reviewReport, type EnvironmentReview } from './report';

export interface TierReviewOptions {
  /** A cloud assembly directory holding the stack as it is now (the old templates). */
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

/**
 * Reviews the whole stack the tier is in (CloudFormation deploys the stack), with the cost of
 * the tier's own part of it. `tiers` are all the tiers found beside it, whose parts are left out
 * of its cost.
 */
export async function reviewTier(found: FoundTier, tiers: readonly FoundTier[], options: TierReviewOptions, cloudFormation?: () => Pick<CloudFormationClient, 'send'>): Promise<TierReview> {
  if ((options.base === undefined) === !options.deployed) throw new CliError('review compares with one of --base <assembly directory> or --deployed');
  let base: StackTemplate | undefined;
  let baseLabel: string;
  if (options.base !== undefined) {
    base = stacksInAssembly(options.base).find((s) => s.stackName === found.stackName);
    baseLabel = base ? `stack ${found.stackName} in \`${options.base}\`` : `nothing: stack ${found.stackName} is not in \`${options.base}\`, so all of it would be created`;
  } else {
    base = await deployedTemplate(cloudFormation!(), found.stackName, options.region ?? found.region);
    baseLabel = base ? `the deployed stack ${found.stackName}` : `nothing: stack ${found.stackName} is not deployed in this account and region, so all of it would be created`;
  }
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
    baseLabel,
    region: options.region ?? found.region ?? DEFAULT_COST_REGION,
    allowReplace: [...(options.allowReplace ?? [])],
    estimateCost: (template, region) => estimateMonthlyCost(tierParts.get(template) ?? template, { region }),
  });
  return { review, ...reviewReport([review]) };
}
