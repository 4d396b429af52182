// Why an estimate cannot be made: a region without prices, or a resource type no one has accounted for.
import { PRICED_REGIONS } from './prices';

export class UnpricedRegionError extends Error {
  constructor(readonly region: string) {
    super(`no prices for region ${region}: lib/cli/cost/prices.ts has ${PRICED_REGIONS.join(', ')}; add the region's figures (with their sources) there first`);
  }
}

export class UncoveredResourceTypeError extends Error {
  constructor(readonly types: readonly string[]) {
    super(`resource types neither priced nor listed as free or usage-only in lib/cli/cost/resource-types.ts RESOURCE_TYPES: ${types.join(', ')}`);
  }
}
