import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { costTableMarkdown } from '../../scripts/cost/readme';

const doc = readFileSync(join(__dirname, '../../docs/cost.md'), 'utf8');

describe('docs/cost.md', () => {
  it('shows the cost of each environment exactly as the estimate computes it (refresh: npx tsx scripts/cost-table.ts)', () => {
    const shown = /<!-- cost:table -->\n([\s\S]*?)\n<!-- \/cost:table -->/.exec(doc)?.[1];
    expect(shown).toBe(costTableMarkdown());
  });
});
