import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { costTableMarkdown } from '../../scripts/cost/readme';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

describe('the README', () => {
  it('shows the cost of each environment exactly as the estimate computes it (refresh: npx tsx scripts/cost-table.ts)', () => {
    const shown = /<!-- cost:table -->\n([\s\S]*?)\n<!-- \/cost:table -->/.exec(readme)?.[1];
    expect(shown).toBe(costTableMarkdown());
  });
});
