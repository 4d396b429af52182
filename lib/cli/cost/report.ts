// The estimate for people: the difference of two estimates line by line (for review), the
// Markdown table and the full report of `data-tier cost`.
import { CostEstimate } from './cost-estimate';
import { round } from './units';

/** Line-by-line difference of two estimates (for review): keyed by CostLine.key. */
export interface CostDifference {
  readonly key: string;
  readonly item: string;
  readonly unit: string;
  /** 0 when the line is absent on that side. */
  readonly quantityBefore: number;
  readonly quantityAfter: number;
  /** USD per month; 0 when the line is absent on that side, null when it is unpriced. */
  readonly before: number | null;
  readonly after: number | null;
  /** after - before, null when either side is unpriced (the quantities still show the change). */
  readonly difference: number | null;
}

/** The lines that differ between two estimates (quantity or price), and the totals of priced lines. */
export function diffEstimates(before: CostEstimate, after: CostEstimate): { lines: CostDifference[]; totalBefore: number; totalAfter: number; totalDifference: number } {
  const keys = [...new Set([...before.lines.map((l) => l.key), ...after.lines.map((l) => l.key)])];
  const byKey = (estimate: CostEstimate) => new Map(estimate.lines.map((l) => [l.key, l]));
  const b = byKey(before), a = byKey(after);
  const lines = keys.map((key): CostDifference => {
    const x = b.get(key), y = a.get(key);
    const bm = x ? x.monthly : 0, am = y ? y.monthly : 0;
    return {
      key, item: (y ?? x)!.item, unit: (y ?? x)!.unit,
      quantityBefore: x?.quantity ?? 0, quantityAfter: y?.quantity ?? 0,
      before: bm, after: am, difference: bm === null || am === null ? null : round(am - bm),
    };
  }).filter((d) => d.quantityBefore !== d.quantityAfter || d.before !== d.after || (b.get(d.key)?.item !== a.get(d.key)?.item));
  return { lines, totalBefore: before.total, totalAfter: after.total, totalDifference: round(after.total - before.total) };
}

/** The estimate as a markdown table, largest priced lines first, unpriced lines last. */
export function formatEstimate(estimate: CostEstimate, options: { top?: number } = {}): string {
  const sorted = [...estimate.lines].sort((x, y) => (y.monthly ?? -1) - (x.monthly ?? -1));
  const shown = options.top === undefined ? sorted : sorted.filter((l) => l.monthly !== null).slice(0, options.top);
  const rows = shown.map((l) => `| ${l.item} | ${formatNumber(l.quantity)} ${l.unit} | ${l.unitPrice === null ? 'not sourced' : `$${formatPrice(l.unitPrice)}`} | ${l.monthly === null ? '–' : `$${l.monthly.toFixed(2)}`} |`);
  return [
    '| line | quantity | unit price | per month |',
    '|---|---|---|---|',
    ...rows,
    `| **total of priced lines** | | | **$${estimate.total.toFixed(2)}** |`,
  ].join('\n');
}

/** The full report of `data-tier cost`: table, unpriced lines, assumptions and sources. */
export function formatReport(estimate: CostEstimate, title: string): string {
  const out = [`${title}: $${estimate.total.toFixed(2)} a month on demand in ${estimate.region} (${estimate.lines.length - estimate.unpriced.length} priced lines; ${estimate.unpriced.length} not sourced, left out of the total)`, '', formatEstimate(estimate), ''];
  const assumed = estimate.lines.filter((l) => l.assumption);
  if (assumed.length > 0) {
    out.push('Assumptions:');
    for (const l of assumed) out.push(`- ${l.item}: ${l.assumption}`);
    out.push('');
  }
  out.push('Sources:');
  for (const source of [...new Set(estimate.lines.map((l) => `${l.priceKey}: ${l.source}`))].sort()) out.push(`- ${source}`);
  return out.join('\n');
}

function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function formatPrice(value: number): string {
  return value >= 0.01 ? value.toFixed(value >= 1 ? 2 : 3) : value.toPrecision(3);
}
