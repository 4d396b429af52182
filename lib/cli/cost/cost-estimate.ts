// What an estimate is: its options, its lines and its totals.
import { CostAssumptions } from './assumptions';
import { PriceKey } from './prices';

export interface CostOptions {
  readonly region: string;
  readonly assumptions?: Partial<CostAssumptions>;
}

export interface CostLine {
  /** Stable across templates: what review diffs on. */
  readonly key: string;
  /** What is paid for, e.g. "RDS instance db.r7g.xlarge (Multi-AZ: primary + standby)". */
  readonly item: string;
  /** Logical ids of the resources the line prices. */
  readonly resources: readonly string[];
  readonly quantity: number;
  /** Unit of `quantity` and `unitPrice`, e.g. "instance-hour". */
  readonly unit: string;
  /** USD per unit, null when the price table has no sourced figure. */
  readonly unitPrice: number | null;
  /** USD per month, null when unpriced. */
  readonly monthly: number | null;
  /** What a usage-driven quantity assumes. */
  readonly assumption?: string;
  /** Where the unit price comes from (URL and date), or why there is none. */
  readonly source: string;
  readonly priceKey: PriceKey;
}

export interface CostEstimate {
  readonly region: string;
  readonly currency: 'USD';
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines. */
  readonly total: number;
  /** Lines left out of the total because their price is not sourced. */
  readonly unpriced: readonly CostLine[];
  readonly assumptions: CostAssumptions;
}
