// `data-tier upgrade preflight`: preflight of a PostgreSQL major-version upgrade (17 -> 18 by an
// RDS blue/green deployment, or pg_upgrade): one pass/fail line per check, exit status 1 when any
// check fails, 2 when it cannot run.
//
//   data-tier upgrade preflight --url postgres://...                       target extensions: RDS for PostgreSQL 18's table below
//   data-tier upgrade preflight --url postgres://... --target-url postgres://...   target extensions: that server's pg_available_extensions
//   data-tier upgrade preflight --url ... --json
//
// Through the tunnel (runbooks/README.md, Before you start) --url is
// "postgres://data_tier_operator:$PGPASSWORD@127.0.0.1:$TUNNEL_PORT/app?sslmode=no-verify".
import { parseArgs } from 'node:util';
import { Client, ClientBase } from 'pg';
import { type Output } from './output';

/**
 * Extensions this tier installs or may install, with the versions RDS for PostgreSQL 18 offers
 * (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-extensions.html,
 * "PostgreSQL extensions supported on Amazon RDS", column 18). The check needs only the names; the
 * versions (which say when ALTER EXTENSION ... UPDATE is due) were transcribed without a fresh look
 * at that page: check it again before an upgrade, or pass --target-url to ask a target instance itself.
 */
export const RDS_18_EXTENSIONS: Readonly<Record<string, string>> = {
  plpgsql: '1.0',
  pg_stat_statements: '1.12',
  pgcrypto: '1.3',
  pg_trgm: '1.6',
  btree_gin: '1.3',
  btree_gist: '1.8',
  citext: '1.6',
  hstore: '1.8',
  'uuid-ossp': '1.1',
  postgis: '3.6.0',
  pg_partman: '5.2.4',
  pg_cron: '1.6',
};

export interface PreflightOptions {
  /** Extensions the target offers: name -> newest version. */
  readonly targetExtensions: Readonly<Record<string, string>>;
  /** Where the target list came from, for the report. */
  readonly targetSource: string;
  /** A transaction open longer than this fails the check. @default 300 */
  readonly longTransactionSeconds?: number;
}

export interface PreflightCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was found; on failure, what to do. */
  readonly detail: string;
}

export interface PreflightReport {
  readonly serverVersion: string;
  readonly targetSource: string;
  readonly checks: PreflightCheck[];
  readonly ok: boolean;
}

type Row = Record<string, unknown>;
const list = (rows: Row[], format: (row: Row) => string, max = 10) =>
  rows.slice(0, max).map(format).join('; ') + (rows.length > max ? `; and ${rows.length - max} more` : '');

/** pg_upgrade accepts these reg* types in user columns (their values are names, not OIDs); the others it refuses. */
const ALLOWED_REG_TYPES = ['regclass', 'regrole', 'regtype'];
const REFUSED_REG_TYPES = ['regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper', 'regoperator', 'regproc', 'regprocedure'];
/** Types pg_upgrade refuses in user tables of older clusters; none exists on 17, so their presence means something odd. */
const OBSOLETE_TYPES = ['unknown', 'sql_identifier', 'abstime', 'reltime', 'tinterval'];

/** User columns (tables, matviews, composite types) of one of `types`, directly or through an array or domain. */
async function columnsOfTypes(client: ClientBase, types: string[]): Promise<Row[]> {
  const { rows } = await client.query(
    `WITH RECURSIVE bad(oid) AS (
       SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname IN ('pg_catalog', 'information_schema') AND t.typname = ANY($1)
       UNION
       SELECT t.oid FROM pg_type t JOIN bad ON t.typelem = bad.oid OR (t.typtype = 'd' AND t.typbasetype = bad.oid)
     )
     SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS col, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE a.atttypid IN (SELECT oid FROM bad) AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relkind IN ('r', 'p', 'm', 'c')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY 1`,
    [types],
  );
  return rows;
}

export async function runPreflight(client: ClientBase, options: PreflightOptions): Promise<PreflightReport> {
  const checks: PreflightCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const serverVersion = (await client.query('SHOW server_version')).rows[0].server_version as string;

  // 1. Extensions: each installed one must exist in the target (pg_upgrade needs its library there).
  const extensions = (await client.query('SELECT extname, extversion FROM pg_extension ORDER BY 1')).rows as Array<{ extname: string; extversion: string }>;
  const missing = extensions.filter((e) => options.targetExtensions[e.extname] === undefined);
  const toUpdate = extensions.filter((e) => options.targetExtensions[e.extname] !== undefined && options.targetExtensions[e.extname] !== e.extversion);
  check(
    'extensions available in the target',
    missing.length === 0,
    missing.length > 0
      ? `not offered by the target (${options.targetSource}): ${missing.map((e) => `${e.extname} ${e.extversion}`).join(', ')}; drop them or pick a target that has them`
      : `${extensions.map((e) => `${e.extname} ${e.extversion}`).join(', ')} all offered` +
          (toUpdate.length > 0 ? `; after the upgrade run ALTER EXTENSION ... UPDATE for ${toUpdate.map((e) => `${e.extname} (${e.extversion} -> ${options.targetExtensions[e.extname]})`).join(', ')}` : ''),
  );

  // 2. Replication slots: a logical slot (a publisher for someone else) blocks the blue/green deployment,
  //    which itself replicates logically for a major upgrade; an inactive one also holds WAL back.
  const slots = (await client.query(`SELECT slot_name, slot_type, active, database FROM pg_replication_slots ORDER BY 1`)).rows;
  const logical = slots.filter((s) => s.slot_type === 'logical');
  check(
    'no logical replication slots',
    logical.length === 0,
    logical.length > 0
      ? `logical slots: ${list(logical, (s) => `${s.slot_name} (database ${s.database}, ${s.active ? 'active' : 'inactive'})`)}; drop them (SELECT pg_drop_replication_slot(name)) once their consumers are stopped`
      : `none${slots.length > 0 ? ` (physical: ${list(slots, (s) => String(s.slot_name))})` : ''}`,
  );

  // 3. Long-running and prepared transactions: they hold the snapshot the copy and the switchover wait for.
  const limit = options.longTransactionSeconds ?? 300;
  const long = (
    await client.query(
      `SELECT pid, usename, state, round(extract(epoch FROM now() - xact_start))::int AS seconds, left(query, 60) AS query
         FROM pg_stat_activity WHERE xact_start < now() - make_interval(secs => $1) AND pid <> pg_backend_pid() ORDER BY xact_start`,
      [limit],
    )
  ).rows;
  const prepared = (await client.query(`SELECT gid, round(extract(epoch FROM now() - prepared))::int AS seconds FROM pg_prepared_xacts`)).rows;
  check(
    `no transaction open longer than ${limit} s, no prepared transaction`,
    long.length === 0 && prepared.length === 0,
    long.length === 0 && prepared.length === 0
      ? 'none'
      : [
          long.length > 0 ? `open: ${list(long, (r) => `pid ${r.pid} ${r.usename} ${r.state} ${r.seconds} s "${r.query}"`)} (runbooks/long-transactions.md)` : '',
          prepared.length > 0 ? `prepared (pg_upgrade refuses them): ${list(prepared, (r) => `${r.gid} ${r.seconds} s`)}; COMMIT PREPARED or ROLLBACK PREPARED` : '',
        ]
          .filter(Boolean)
          .join('; '),
  );

  // 4. Invalid indexes: an interrupted CREATE INDEX CONCURRENTLY; rebuild before, not after, the upgrade.
  const invalid = (
    await client.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS index FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT (i.indisvalid AND i.indisready) ORDER BY 1`,
    )
  ).rows;
  check(
    'no invalid indexes',
    invalid.length === 0,
    invalid.length > 0 ? `${list(invalid, (r) => String(r.index))}: REINDEX INDEX CONCURRENTLY or drop and recreate (runbooks/invalid-indexes.md)` : 'none',
  );

  // 5. Data types pg_upgrade refuses in user tables: reg* types holding OIDs, and obsolete types.
  const regColumns = await columnsOfTypes(client, REFUSED_REG_TYPES);
  check(
    `no reg* columns pg_upgrade refuses (only ${ALLOWED_REG_TYPES.join(', ')} are kept)`,
    regColumns.length === 0,
    regColumns.length > 0 ? `${list(regColumns, (r) => `${r.col} ${r.type}`)}: change them to text or oid before the upgrade` : 'none',
  );
  const obsolete = await columnsOfTypes(client, OBSOLETE_TYPES);
  check(
    `no columns of ${OBSOLETE_TYPES.join(', ')}`,
    obsolete.length === 0,
    obsolete.length > 0 ? `${list(obsolete, (r) => `${r.col} ${r.type}`)}: convert them (ALTER TABLE ... ALTER COLUMN ... TYPE text)` : 'none',
  );

  // 6. What PostgreSQL 18 changed (release notes, "Migration to Version 18"): unlogged partitioned
  //    tables are refused, MD5 passwords are deprecated.
  const unloggedPartitioned = (
    await client.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'p' AND c.relpersistence = 'u' ORDER BY 1`,
    )
  ).rows;
  check(
    'no unlogged partitioned tables (PostgreSQL 18 refuses them)',
    unloggedPartitioned.length === 0,
    unloggedPartitioned.length > 0 ? `${list(unloggedPartitioned, (r) => String(r.rel))}: ALTER TABLE ... SET LOGGED on the partitions, recreate the parent logged` : 'none',
  );
  const md5 = await client
    .query(`SELECT rolname FROM pg_authid WHERE rolpassword LIKE 'md5%' ORDER BY 1`)
    .then((r) => ({ readable: true, rows: r.rows }))
    .catch(() => ({ readable: false, rows: [] as Row[] }));
  check(
    'no MD5 passwords (deprecated in PostgreSQL 18)',
    md5.rows.length === 0,
    !md5.readable
      ? 'not readable by this role (pg_authid); RDS sets password_encryption = scram-sha-256 by default'
      : md5.rows.length > 0
        ? `${list(md5.rows, (r) => String(r.rolname))}: reset their passwords with password_encryption = scram-sha-256`
        : 'none',
  );

  return { serverVersion, targetSource: options.targetSource, checks, ok: checks.every((c) => c.ok) };
}

/** The newest available version of each extension on a server (the target itself). */
export async function availableExtensions(client: ClientBase): Promise<Record<string, string>> {
  const { rows } = await client.query(`SELECT name, default_version FROM pg_available_extensions`);
  return Object.fromEntries(rows.map((r) => [r.name as string, r.default_version as string]));
}

export function formatPreflight(report: PreflightReport): string {
  return [
    `Upgrade preflight of PostgreSQL ${report.serverVersion}; target extensions from ${report.targetSource}`,
    ...report.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`),
    report.ok ? 'All checks passed.' : `${report.checks.filter((c) => !c.ok).length} check(s) failed.`,
  ].join('\n');
}

/** The options of `data-tier upgrade preflight`. */
export const PREFLIGHT_OPTIONS = { url: { type: 'string' }, 'target-url': { type: 'string' }, 'long-transaction-seconds': { type: 'string' }, json: { type: 'boolean', default: false } } as const;

const USAGE = 'usage: data-tier upgrade preflight --url <postgres connection string> [--target-url <postgres connection string>] [--long-transaction-seconds N] [--json]';

/** Runs the preflight with these arguments; resolves to the exit code: 0 all passed, 1 a check failed, 2 it could not run. */
export async function upgradePreflight(args: string[], env: NodeJS.ProcessEnv = process.env, output: Output = console): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: PREFLIGHT_OPTIONS,
    }).values;
  } catch (error) {
    output.error(`${(error as Error).message}; ${USAGE}`);
    return 2;
  }
  const url = values.url ?? env.DATABASE_URL;
  if (!url) {
    output.error(USAGE);
    return 2;
  }
  try {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      let targetExtensions = RDS_18_EXTENSIONS;
      let targetSource = 'the RDS for PostgreSQL 18 extension table of postgres-data-tier';
      const targetUrl = values['target-url'];
      if (targetUrl) {
        const target = new Client({ connectionString: targetUrl });
        await target.connect();
        try {
          targetExtensions = await availableExtensions(target);
          targetSource = `pg_available_extensions of ${(await target.query('SHOW server_version')).rows[0].server_version}`;
        } finally {
          await target.end();
        }
      }
      const seconds = values['long-transaction-seconds'];
      const report = await runPreflight(client, { targetExtensions, targetSource, longTransactionSeconds: seconds ? Number(seconds) : undefined });
      output.log(values.json ? JSON.stringify(report, null, 2) : formatPreflight(report));
      return report.ok ? 0 : 1;
    } finally {
      await client.end();
    }
  } catch (error) {
    output.error(`upgrade preflight failed to run: ${(error as Error).message}`);
    return 2;
  }
}
