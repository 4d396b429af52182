// The cost table of docs/cost.md, computed from the committed templates
// (app/templates/<env>.template.json, synthesized for us-east-1): each environment's total of
// priced lines, what is left unpriced, and its five largest priced lines.
// Refresh: npx tsx scripts/cost-table.ts (test/cost/readme.test.ts fails when it is stale).
import { readFileSync } from 'node:fs';
import { ENVIRONMENT_NAMES } from '../../app/config';
import { snapshotPath } from '../../app/template-snapshot';
import { CostEstimate } from '../../lib/cli/cost/cost-estimate';
import { estimateMonthlyCost } from '../../lib/cli/cost/estimate';

export const README_REGION = 'us-east-1';

export function snapshotEstimates(): Array<{ env: string; estimate: CostEstimate }> {
  return ENVIRONMENT_NAMES.map((env) => ({
    env,
    estimate: estimateMonthlyCost(JSON.parse(readFileSync(snapshotPath(env), 'utf8')), { region: README_REGION }),
  }));
}

export function costTableMarkdown(estimates = snapshotEstimates()): string {
  const out: string[] = [
    `| environment | priced lines, per month (${README_REGION}, on demand) | not sourced, left out of the total |`,
    '|---|---|---|',
  ];
  for (const { env, estimate } of estimates) {
    out.push(`| ${env} | $${estimate.total.toFixed(2)} | ${[...new Set(estimate.unpriced.map((l) => l.priceKey))].join(', ')} |`);
  }
  for (const { env, estimate } of estimates) {
    out.push('', `Top five priced lines, ${env}:`, '', '| line | quantity | per month | share of priced total |', '|---|---|---|---|');
    const top = [...estimate.lines].filter((l) => l.monthly !== null).sort((a, b) => (b.monthly ?? 0) - (a.monthly ?? 0)).slice(0, 5);
    for (const l of top) {
      out.push(`| ${l.item} | ${l.quantity.toLocaleString('en-US', { maximumFractionDigits: 3 })} ${l.unit} | $${(l.monthly ?? 0).toFixed(2)} | ${Math.round(((l.monthly ?? 0) / estimate.total) * 100)} % |`);
    }
  }
  return out.join('\n');
}
