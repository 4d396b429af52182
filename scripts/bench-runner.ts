// The migration runner on large files: how long splitting a file into statements and applying it
// (one transaction, on an embedded PostgreSQL of the stack's major) take, for 1k, 10k and 50k
// statements. Both must grow in proportion to the file: npm run bench:runner
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '../lib/functions/shared/migrations';
import { splitSqlStatements } from '../lib/functions/shared/sql-statements';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';

const SIZES = [1_000, 10_000, 50_000];

/** A seed file of `count` INSERTs, each with a semicolon inside its literal, as a data load would be. */
function seedFile(count: number): string {
  return Array.from({ length: count }, (_, i) => `INSERT INTO seed (id, note) VALUES (${i}, 'row ${i}; seeded');`).join('\n');
}

async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres();
  const rows: string[] = ['| statements | split | apply (one transaction) | statements/s applied |', '|---:|---:|---:|---:|'];
  try {
    for (const count of SIZES) {
      const sql = seedFile(count);
      const splitStarted = performance.now();
      const statements = splitSqlStatements(sql);
      const splitMs = performance.now() - splitStarted;
      if (statements.length !== count) throw new Error(`split ${statements.length} statements, expected ${count}`);

      const directory = mkdtempSync(join(tmpdir(), 'bench-runner-'));
      writeFileSync(join(directory, '001_table.sql'), 'CREATE TABLE seed (id bigint PRIMARY KEY, note text NOT NULL);\n');
      writeFileSync(join(directory, '002_seed.sql'), sql);
      const admin = new Client({ connectionString: pg.url });
      await admin.connect();
      const database = `bench_runner_${count}`;
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const client = new Client({ connectionString: pg.url.replace(/\/postgres$/, `/${database}`) });
      await client.connect();
      try {
        const result = await runMigrations(client, { directory });
        const applyMs = result.applied.find((file) => file.name === '002_seed.sql')!.durationMs;
        const { rows: counted } = await client.query<{ n: string }>('SELECT count(*) AS n FROM seed');
        if (Number(counted[0].n) !== count) throw new Error(`applied ${counted[0].n} rows, expected ${count}`);
        rows.push(`| ${count.toLocaleString('en-US')} | ${splitMs.toFixed(0)} ms | ${(applyMs / 1000).toFixed(2)} s | ${Math.round(count / (applyMs / 1000)).toLocaleString('en-US')} |`);
      } finally {
        await client.end();
        rmSync(directory, { recursive: true, force: true });
      }
    }
  } finally {
    await pg.stop();
  }
  console.log(rows.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
