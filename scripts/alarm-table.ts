// Prints the alarm table of an environment as markdown: `npx tsx scripts/alarm-table.ts prod`.
import { alarmTableMarkdown } from '../lib/alarm-table';
import { resolveConfig } from '../lib/config';

console.log(alarmTableMarkdown(resolveConfig({ context: { env: process.argv[2] ?? 'prod' }, environment: {} })));
