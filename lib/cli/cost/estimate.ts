// The monthly on-demand cost of a synthesized data-tier template, line by line.
//
// A pure function of a CloudFormation template (the JSON of `cdk synth`, a committed snapshot, or
// `Template.fromStack(...).toJSON()`) and a region: no AWS call, no synthesis. `data-tier cost`
// prints it for a tier; `data-tier review` and `npm run review` price the base and the new template with it and
// shows the difference line by line (diffEstimates, in report.ts).
//
// Prices come only from lib/cli/cost/prices.ts. A line whose price was not found in a source keeps
// its quantity, shows "not sourced" and stays out of the total (which says how many lines it
// leaves out). Usage-driven lines (logs, Lambda, API calls, backups) state the assumption that
// gives their quantity; every assumption can be overridden through `options.assumptions`.
//
// Every resource type in a template is either priced or listed in RESOURCE_TYPES
// (resource-types.ts) as free or usage-only with a reason; an unknown type fails the estimate (and
// test/cost/cost.test.ts), so a new kind of resource can never be silently left out. Each priced
// type has its pricer in PRICERS (pricing/pricers.ts); pricing/ holds the pricers, one file per
// family of services. What an estimate is: cost-estimate.ts; its default assumptions:
// assumptions.ts; its difference and its report: report.ts.
import { CostAssumptions, DEFAULT_ASSUMPTIONS } from './assumptions';
import { CostEstimate, CostOptions } from './cost-estimate';
import { UncoveredResourceTypeError, UnpricedRegionError } from './errors';
import { PRICES } from './prices';
import { pricingContext, resourcesOf } from './pricing/context';
import { PRICERS } from './pricing/pricers';
import { RESOURCE_TYPES } from './resource-types';
import { round } from './units';

/** Itemised monthly on-demand cost of a template in a region. */
export function estimateMonthlyCost(template: object, options: CostOptions): CostEstimate {
  const prices = PRICES[options.region];
  if (!prices) throw new UnpricedRegionError(options.region);
  const assumptions: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, ...options.assumptions };
  const resources = resourcesOf(template);
  const uncovered = [...new Set(resources.map((r) => r.type))].filter((type) => !RESOURCE_TYPES[type]).sort();
  if (uncovered.length > 0) throw new UncoveredResourceTypeError(uncovered);

  const context = pricingContext(resources, prices, assumptions);
  const lines = PRICERS.flatMap(([type, price]) => price(context.ofType(type), context));
  const pricedLines = lines.filter((l) => l.monthly !== null);
  return {
    region: options.region,
    currency: 'USD',
    lines,
    total: round(pricedLines.reduce((sum, l) => sum + (l.monthly ?? 0), 0)),
    unpriced: lines.filter((l) => l.monthly === null),
    assumptions,
  };
}
