// A primary and two streaming replicas of a test file's own, prepared as a deployed tier is: an
// `app` database holding the data tier's stream (sql/) and an application stream `shop` with a
// table `orders`, migrated by the real runner, and an application role `shop_app` given its
// rights by the real applyApplicationRoles (read-write on shop, nothing on data_tier).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyApplicationRoles } from '../../lib/functions/shared/application-roles';
import { migrationStreams, runMigrations } from '../../lib/functions/shared/migrations';
import { PLATFORM_SQL_DIR } from '../../lib/platform-sql';
import { startTestReplicaSet, type TestReplicaSet, type TestServerName } from '../support/replica-pair';

export const ROLE = 'shop_app';
export const PASSWORD = 'shop-app-test-only';
export const DATABASE = 'app';

const SHOP_SQL = `
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
`;

export interface TierServers {
  readonly set: TestReplicaSet;
  /** The `app` database of a server, as the application role. */
  appUrl(server: TestServerName): string;
  /** A superuser session on a server's `app` database (pausing replay, checking rows), ended by stop(). */
  superuser(server: TestServerName): Promise<Client>;
  stop(): Promise<void>;
}

function urlOf(set: TestReplicaSet, server: TestServerName): string {
  return server === 'primary' ? set.primaryUrl : set.standbyUrls[Number(server.slice('standby'.length)) - 1];
}

function withDatabase(url: string, user?: string, password?: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${DATABASE}`;
  if (user) parsed.username = user;
  if (password) parsed.password = password;
  return parsed.toString();
}

export async function startTierServers(): Promise<TierServers> {
  const set = await startTestReplicaSet({ standbys: 2 });
  const sessions: Client[] = [];
  const superuser = async (server: TestServerName) => {
    const client = new Client({ connectionString: withDatabase(urlOf(set, server)) });
    client.on('error', () => {});
    await client.connect();
    sessions.push(client);
    return client;
  };
  const directory = mkdtempSync(path.join(os.tmpdir(), 'client-streams-'));
  try {
    const admin = new Client({ connectionString: set.primaryUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const shop = path.join(directory, 'shop');
    mkdirSync(shop);
    writeFileSync(path.join(shop, '001_orders.sql'), SHOP_SQL);
    const streams = migrationStreams(PLATFORM_SQL_DIR, [shop]);
    const master = await superuser('primary');
    await runMigrations(master, { streams });
    await applyApplicationRoles(master, [{ name: ROLE, access: 'read-write', schemas: ['shop'], signIn: 'secret' }], {
      streams: streams.filter((s) => s.owner).map((s) => ({ stream: s.name, owner: s.owner!, schemas: s.schemas! })),
      credentialsOf: async () => ({ username: ROLE, password: PASSWORD }),
    });
  } catch (error) {
    await set.stop();
    throw error;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return {
    set,
    appUrl: (server) => withDatabase(urlOf(set, server), ROLE, PASSWORD),
    superuser,
    async stop() {
      await Promise.all(sessions.map((session) => session.end().catch(() => {})));
      await set.stop();
    },
  };
}

/** Waits until `check` holds, polling every 20 ms. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
