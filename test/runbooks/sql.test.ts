import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { splitSqlStatements } from '../../lib/functions/shared/sql-statements';
import { migratedDatabase } from '../sql/migrated-database';
import { dataTierFunctions, readIndex, readRunbook, runbookFiles } from './runbooks';

const files = runbookFiles();
let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await migratedDatabase('runbooks');
  client = await db.connect();
});

afterAll(async () => {
  await db.drop();
});

describe('SQL functions the runbooks call', () => {
  const called = [...new Set([...files.map((file) => readRunbook(file).text), readIndex()].flatMap(dataTierFunctions))].sort();

  it('finds the schema functions in the runbooks', () => {
    expect(called).toEqual(expect.arrayContaining(['health_check', 'run_partition_maintenance', 'refresh_materialized_views']));
  });

  it('exist in the data_tier schema after the migrations', async () => {
    const { rows } = await client.query<{ proname: string }>(
      `SELECT p.proname FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = 'data_tier'`,
    );
    const existing = new Set(rows.map((row) => row.proname));
    expect(called.filter((name) => !existing.has(name))).toEqual([]);
  });
});

describe('SQL the runbooks run', () => {
  /**
   * Runs a section's sql blocks in a transaction that is rolled back; diagnosis runs read-only.
   * Blocks there are plain SQL: psql meta-commands (`\gexec`) belong in Mitigation.
   */
  async function run(file: string, section: 'Diagnosis' | 'Verification'): Promise<string[]> {
    const outcomes: string[] = [];
    for (const block of readRunbook(file).blocks.filter((b) => b.language === 'sql' && b.section === section)) {
      if (/^\\|\\g/m.test(block.text)) {
        outcomes.push(`line ${block.line}: psql meta-command`);
        continue;
      }
      // psql runs each statement in its own transaction; a CALL of a procedure that commits
      // per step (partition maintenance) can only run so. Everything else is rolled back.
      for (const statement of splitSqlStatements(block.text)) {
        const line = block.line + statement.line;
        if (/^CALL\b/i.test(statement.text)) {
          if (section === 'Diagnosis') outcomes.push(`line ${line}: CALL changes the database; it belongs in Mitigation`);
          else outcomes.push(await client.query(statement.text).then(() => 'ran', (error: Error) => `line ${line}: ${error.message}`));
          continue;
        }
        await client.query(section === 'Diagnosis' ? 'BEGIN READ ONLY' : 'BEGIN');
        outcomes.push(await client.query(statement.text).then(() => 'ran', (error: Error) => `line ${line}: ${error.message}`));
        await client.query('ROLLBACK');
      }
    }
    return outcomes.filter((outcome) => outcome !== 'ran');
  }

  it.each(files)('%s: diagnosis queries run read-only on the migrated schema', async (file) => {
    expect(await run(file, 'Diagnosis')).toEqual([]);
  });

  it.each(files)('%s: verification queries run on the migrated schema', async (file) => {
    expect(await run(file, 'Verification')).toEqual([]);
  });
});
