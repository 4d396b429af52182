// Prints the alarm table of an environment as markdown: `npx tsx scripts/alarm-table.ts prod`.
import { alarmTableOf, resolveConfig } from '../app/config';

console.log(alarmTableOf(resolveConfig({ context: { env: process.argv[2] ?? 'prod' }, environment: {} })));
