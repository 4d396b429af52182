// Applies sql/ to any PostgreSQL and prints progress per file:
//   npm run db:apply -- --database-url postgres://user:pass@host:5432/db [--dir sql]
//     [--lock-timeout 5s] [--statement-timeout 15min]
// DATABASE_URL is used when --database-url is absent. Exits 1 with the runner's message on failure.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { runMigrations } from '../lib/functions/shared/migrations';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      dir: { type: 'string', default: path.join(__dirname, '..', 'sql') },
      'lock-timeout': { type: 'string', default: '5s' },
      'statement-timeout': { type: 'string', default: '15min' },
    },
  });
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  if (!url) throw new Error('give --database-url <postgres://...> or set DATABASE_URL');

  const client = new Client({ connectionString: url, application_name: 'db-apply' });
  await client.connect();
  try {
    const result = await runMigrations(client, {
      directory: values.dir!,
      lockTimeout: values['lock-timeout'],
      statementTimeout: values['statement-timeout'],
      log: (line) => console.log(line),
    });
    console.log(`done: ${result.applied.length} applied, ${result.skipped} already applied, ${result.durationMs.toFixed(0)} ms`);
  } finally {
    await client.end();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
