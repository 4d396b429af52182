// The alarm table of an environment as markdown, as docs/alarms.md shows prod's (its links
// written from docs/): `npx tsx scripts/alarm-table.ts prod`.
import { alarmTableOf, resolveConfig } from '../app/config';
import { linksFromDocs } from './repository';

/** The alarm table of `env` with its links as they read from docs/. */
export function alarmTableInDocs(env: string): string {
  return linksFromDocs(alarmTableOf(resolveConfig({ context: { env }, environment: {} })));
}

if (require.main === module) console.log(alarmTableInDocs(process.argv[2] ?? 'prod'));
