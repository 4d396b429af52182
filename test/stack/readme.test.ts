import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alarmTableOf, resolveConfig } from '../../app/config';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

describe('the README', () => {
  it('shows the prod alarm table exactly as the code defines it (refresh: npx tsx scripts/alarm-table.ts prod)', () => {
    const shown = /<!-- alarm-table:prod -->\n([\s\S]*?)\n<!-- \/alarm-table:prod -->/.exec(readme)?.[1];
    expect(shown).toBe(alarmTableOf(resolveConfig({ context: { env: 'prod' }, environment: {} })));
  });

  it('has a row in the commands table for every script of package.json a user may run', () => {
    // Helpers npm or another script runs, never typed by a user:
    const notForUsers: Record<string, string> = {
      prepare: 'npm runs it on npm ci and npm pack (it is npm run build)',
      clean: 'the first step of npm run build',
    };
    const table = /<!-- commands:start -->\n([\s\S]*?)\n<!-- commands:end -->/.exec(readme)?.[1] ?? '';
    const commands = table
      .split('\n')
      .map((row) => /^\| `npm (?:run )?([^ `]+)/.exec(row)?.[1])
      .filter((name): name is string => name !== undefined);
    const { scripts } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> };
    const missing = Object.keys(scripts).filter((name) => !(name in notForUsers) && !commands.includes(name));
    expect(missing).toEqual([]);
    for (const row of table.split('\n').slice(2)) expect(row.split(' | ')).toHaveLength(4);
  });

  it('gives the test command CI runs', () => {
    expect(readme).toContain('npm ci && npm test');
    expect(readFileSync(join(__dirname, '../../.ci/run'), 'utf8')).toMatch(/npm ci[^\n]*\nnpm test/);
  });
});
