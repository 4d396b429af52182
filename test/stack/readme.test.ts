import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alarmTableOf, resolveConfig } from '../../app/config';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

describe('the README', () => {
  it('shows the prod alarm table exactly as the code defines it (refresh: npx tsx scripts/alarm-table.ts prod)', () => {
    const shown = /<!-- alarm-table:prod -->\n([\s\S]*?)\n<!-- \/alarm-table:prod -->/.exec(readme)?.[1];
    expect(shown).toBe(alarmTableOf(resolveConfig({ context: { env: 'prod' }, environment: {} })));
  });

  it('gives the test command CI runs', () => {
    expect(readme).toContain('npm ci && npm test');
    expect(readFileSync(join(__dirname, '../../.ci/run'), 'utf8')).toMatch(/npm ci[^\n]*\nnpm test/);
  });
});
