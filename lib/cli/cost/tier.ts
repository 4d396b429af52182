// The cost of one tier: the estimate of its part of its stack's template.
import { otherTierPaths, tierTemplate, type FoundTier } from '../tiers';
import { type CostEstimate } from './cost-estimate';
import { estimateMonthlyCost } from './estimate';

/** Region of the prices when neither --region nor the stack names one. */
export const DEFAULT_COST_REGION = 'us-east-1';

/** The monthly cost of the tier's resources (and what they use outside it), in `region` or its stack's. */
export function estimateTierCost(found: FoundTier, tiers: readonly FoundTier[], region?: string): CostEstimate {
  const template = tierTemplate(found.template, found.paths, found.tier.path, otherTierPaths(found, tiers));
  return estimateMonthlyCost(template, { region: region ?? found.region ?? DEFAULT_COST_REGION });
}
