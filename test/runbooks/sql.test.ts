import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from '../sql/migrated-database';
import { MASTER_MARK, OPERATOR, OPERATOR_FORBIDDEN, plan, type Report, SIGN_IN_RUNBOOK } from './run-sql-on-pair';
import { dataTierFunctions, readIndex, readRunbook, runbookFiles } from './runbooks';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

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

describe('SQL the runbooks run, on a local primary and streaming replica', () => {
  const planned = plan();
  let report: Report;

  beforeAll(async () => {
    const run = await promisify(execFile)(TSX, ['test/runbooks/run-sql-on-pair.ts'], { cwd: ROOT, timeout: 170_000, maxBuffer: 4 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`the runbook SQL run failed: ${error.message}\n${error.stderr ?? ''}`);
      },
    );
    report = JSON.parse(run.stdout) as Report;
    console.log(report.blocks.map((b) => `${b.file}:${b.line} ${b.section}: ${b.role} on the ${b.server}, ${b.mode}`).join('\n'));
  }, 180_000);

  it('finds blocks of every kind: operator read-only, on the replica, rolled back, outside a transaction', () => {
    expect(report.blocks).toHaveLength(planned.length);
    expect(new Set(report.blocks.map((b) => `${b.role} ${b.mode}`))).toEqual(
      new Set([`${OPERATOR} read-only`, 'master rolled back', 'master autocommit on a throwaway database']),
    );
    expect(report.blocks.some((b) => b.server === 'replica' && b.role === OPERATOR)).toBe(true);
  });

  it.each(planned.map((b) => [`${b.file}:${b.line}`, b.section, b.role, b.server, b.mode]))('%s (%s) runs as %s on the %s, %s', (where) => {
    const outcome = report.blocks.find((b) => `${b.file}:${b.line}` === where);
    expect({ where, error: outcome?.error }).toEqual({ where, error: undefined });
  });

  it('signs diagnosis and verification in as the operator unless the block says it needs the master user', () => {
    const elevated = planned.filter((b) => b.section !== 'Mitigation' && b.role !== OPERATOR);
    expect(elevated.filter((b) => !MASTER_MARK.test(b.text))).toEqual([]);
  });

  it(`runs ${SIGN_IN_RUNBOOK}'s diagnosis and verification as the operator, on the primary and on a replica, with nothing more than its grants`, () => {
    const blocks = report.blocks.filter((b) => b.file === SIGN_IN_RUNBOOK && b.section !== 'Mitigation');
    expect(blocks.filter((b) => b.role !== OPERATOR || b.mode !== 'read-only' || b.error !== undefined)).toEqual([]);
    expect(new Set(blocks.map((b) => b.server))).toEqual(new Set(['primary', 'replica']));
  });

  it(`finds with ${SIGN_IN_RUNBOOK}'s role check what keeps each application role from signing in`, () => {
    expect(report.applicationRoleProblems).toEqual({
      orders_app: [],
      billing_app: [],
      billing_app_clone: [],
      legacy_app: ['removed from the configuration'],
      reports_app: ['missing: the deploy that declared it did not create it'],
      stale_app: ['NOLOGIN although declared', 'not in rds_iam: IAM tokens are refused', 'connection limit differs from the configuration'],
    });
  });

  it.each(OPERATOR_FORBIDDEN)('refuses the operator: %s', (statement) => {
    expect(report.operatorRefused[statement]).toMatch(/permission denied/);
  });
});
