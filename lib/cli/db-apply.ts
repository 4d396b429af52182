// `data-tier db apply`: applies the data tier's migrations (sql/), then each application directory
// given, to any PostgreSQL and prints progress per file:
//   data-tier db apply --database-url postgres://user:pass@host:5432/db [--migrations DIR ...] [--schemas STREAM=SCHEMA ...]
//     [--connect-timeout 10s] [--lock-timeout 5s] [--statement-timeout 15min]
//     [--allow-out-of-order 005_x.sql ...] [--forget 004_removed.sql ...]
// DATABASE_URL is used when --database-url is absent. --connect-timeout bounds the connection
// (TCP, TLS, authentication) and then the server's answer to a first query, so an unresponsive
// or unreachable server fails in that time. Exits 1 with a one-line or the runner's message on failure.
import { parseArgs } from 'node:util';
import { connectWithin, durationMs } from '../functions/shared/database';
import { runMigrations } from '../functions/shared/migrations';
import { STREAM_OPTIONS, streamsOfOptions } from './stream-options';
import { type Output } from './output';

export type { Output };

/** The options of `data-tier db apply`. */
export const DB_APPLY_OPTIONS = {
  'database-url': { type: 'string' },
  ...STREAM_OPTIONS,
  'connect-timeout': { type: 'string', default: '10s' },
  'lock-timeout': { type: 'string', default: '5s' },
  'statement-timeout': { type: 'string', default: '15min' },
  'allow-out-of-order': { type: 'string', multiple: true, default: [] as string[] },
  forget: { type: 'string', multiple: true, default: [] as string[] },
} as const;

/** Runs db:apply with these arguments; resolves to the process's exit code. */
export async function dbApply(args: string[], env: NodeJS.ProcessEnv = process.env, output: Output = console): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      options: DB_APPLY_OPTIONS,
    });
    const url = values['database-url'] ?? env.DATABASE_URL;
    if (!url) throw new Error('give --database-url <postgres://...> or set DATABASE_URL');
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('--database-url is not a postgres:// URL: give postgres://user:password@host:5432/database');
    const connectTimeoutMs = durationMs(values['connect-timeout']!, '--connect-timeout');

    const client = await connectWithin({ connectionString: url, application_name: 'db-apply' }, connectTimeoutMs);
    try {
      const result = await runMigrations(client, {
        streams: streamsOfOptions(values),
        lockTimeout: values['lock-timeout'],
        statementTimeout: values['statement-timeout'],
        allowOutOfOrder: values['allow-out-of-order'],
        forget: values.forget,
        log: (line) => output.log(line),
      });
      const carried = result.carriedOver.length > 0 ? `, ${result.carriedOver.length} carried over from before migration streams` : '';
      output.log(`done: ${result.applied.length} applied, ${result.skipped} already applied${carried}, ${result.durationMs.toFixed(0)} ms`);
    } finally {
      await client.end().catch(() => {});
    }
    return 0;
  } catch (error) {
    output.error((error as Error).message);
    return 1;
  }
}
