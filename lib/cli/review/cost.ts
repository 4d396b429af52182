// The review's one dependency on the cost estimator of `data-tier cost` (lib/cli/cost/estimate.ts).
import { type CostEstimate } from '../cost/cost-estimate';
import { estimateMonthlyCost } from '../cost/estimate';

/** Monthly cost of a synthesized template in a region, line by line. */
export type CostEstimator = (template: object, region: string) => CostEstimate;

export const estimateCost: CostEstimator = (template, region) => estimateMonthlyCost(template, { region });
