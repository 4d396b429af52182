import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../app/settings';
import { alarmTableInDocs } from '../../scripts/alarm-table';

const root = join(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('the README', () => {
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
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const missing = Object.keys(scripts).filter((name) => !(name in notForUsers) && !commands.includes(name));
    expect(missing).toEqual([]);
    for (const row of table.split('\n').slice(2)) expect(row.split(' | ')).toHaveLength(4);
  });

  it('gives the test command CI runs', () => {
    expect(readme).toContain('npm ci && npm test');
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/npm ci[^\n]*\nnpm test/);
  });
});

describe('docs/alarms.md', () => {
  it('shows the prod alarm table exactly as the code defines it (refresh: npx tsx scripts/alarm-table.ts prod)', () => {
    const doc = readFileSync(join(root, 'docs/alarms.md'), 'utf8');
    const shown = /<!-- alarm-table:prod -->\n([\s\S]*?)\n<!-- \/alarm-table:prod -->/.exec(doc)?.[1];
    expect(shown).toBe(alarmTableInDocs('prod'));
  });
});

describe('docs/app-settings.md', () => {
  it('has a row for every setting of app/settings.ts, and for no other', () => {
    const doc = readFileSync(join(root, 'docs/app-settings.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => line.startsWith('| `') && doc.indexOf('| setting in `app/environments/<env>.json`') < doc.indexOf(line));
    // A row names a setting, or siblings of one group: `database.slowStatementMs` / `idleInTransactionTimeoutMs`.
    const named = rows.flatMap((row) => {
      const head = row.split(' | ')[0].replace(/\([^()]*\)/g, '').split(':')[0];
      const names = [...head.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
      const group = names[0].slice(0, names[0].lastIndexOf('.') + 1);
      return names.map((name) => (name.includes('.') ? name : `${group}${name}`));
    });
    expect(named.sort()).toEqual(Object.keys(SETTINGS).sort());
  });
});
