// The client's routing on real servers: a primary and two streaming replicas (embedded
// PostgreSQL), signed in as an application role that has no rights on the data tier's schema.
// Replicas are paused with pg_wal_replay_pause() and stopped, never faked.
import type { Client } from 'pg';
import { DataTierClient, NoReplicaAvailableError, SignIn, WRITER_ONLY_TOKEN } from '../../lib/client';
import { eventually, PASSWORD, ROLE, startTierServers, type TierServers } from './tier-servers';

const ROUNDS = 1_000;

describe('DataTierClient routing, on a primary and two streaming replicas', () => {
  let servers: TierServers;
  let client: DataTierClient;
  let replayControl: Client[];

  beforeAll(async () => {
    servers = await startTierServers();
    replayControl = [await servers.superuser('standby1'), await servers.superuser('standby2')];
    client = new DataTierClient({
      writer: servers.appUrl('primary'),
      replicas: [servers.appUrl('standby1'), servers.appUrl('standby2')],
      tls: false,
      routing: { pollIntervalMs: 100 },
    });
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await servers?.stop();
  });

  const pause = (replica: 0 | 1) => replayControl[replica].query('SELECT pg_wal_replay_pause()');
  const resume = (replica: 0 | 1) => replayControl[replica].query('SELECT pg_wal_replay_resume()');
  const caughtUp = async () => {
    await eventually(async () => (await client.refreshStatus()).every((node) => node.lagBytes === 0 && node.breaker === 'closed'), 15_000, 'every replica caught up');
  };

  test('signs in as the application role, which may not read the data tier schema, and polls every node', async () => {
    const status = await client.refreshStatus();
    expect(status.map(({ name, role, breaker, problem }) => ({ name, role, breaker, problem }))).toEqual([
      { name: 'writer', role: 'writer', breaker: 'closed', problem: undefined },
      { name: 'replica-1', role: 'replica', breaker: 'closed', problem: undefined },
      { name: 'replica-2', role: 'replica', breaker: 'closed', problem: undefined },
    ]);
    const { rows, servedBy } = await client.query<{ user: string }>('SELECT current_user AS user');
    expect({ user: rows[0].user, servedBy }).toEqual({ user: ROLE, servedBy: 'writer' });
    await expect(client.query('SELECT * FROM data_tier.heartbeat')).rejects.toMatchObject({ code: '42501' });
  });

  test('an idle, caught-up replica has lag 0 although its last replayed commit grows old, and serves eventual reads', async () => {
    await client.write('INSERT INTO orders (note) VALUES ($1)', ['before the idle second']);
    await caughtUp();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sinceLastCommit = Number((await replayControl[0].query<{ ms: string }>('SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 AS ms')).rows[0].ms);
    const status = await client.refreshStatus();
    expect(sinceLastCommit).toBeGreaterThan(1_000);
    expect(status.filter((node) => node.role === 'replica').map((node) => node.lagMs)).toEqual([0, 0]);
    const served = new Set<string>();
    for (let i = 0; i < 20; i++) served.add((await client.query('SELECT 1', [], { consistency: 'eventual' })).servedBy);
    expect([...served].sort()).toEqual(['replica-1', 'replica-2']);
  });

  test(`read-your-writes: ${ROUNDS} write-then-read rounds with replica-1's replay paused return the written row every time`, async () => {
    await pause(0);
    try {
      const tally = await writeThenRead(client, ROUNDS);
      console.log(`read-your-writes, replica-1 paused: ${tally.correct}/${ROUNDS} reads returned the row just written; served by ${formatShares(tally.servedBy, ROUNDS)}`);
      expect(tally.correct).toBe(ROUNDS);
      expect(tally.servedBy['replica-1'] ?? 0).toBe(0);
    } finally {
      await resume(0);
    }
    await caughtUp();
    const streaming = await writeThenRead(client, ROUNDS);
    const replicaShare = ROUNDS - (streaming.servedBy.writer ?? 0);
    console.log(
      `read-your-writes, both replicas streaming: ${streaming.correct}/${ROUNDS} correct; ${((100 * replicaShare) / ROUNDS).toFixed(1)} % served by replicas (${formatShares(streaming.servedBy, ROUNDS)})`,
    );
    expect(streaming.correct).toBe(ROUNDS);
  }, 120_000);

  test('eventual reads within 1 s go only to the streaming replica while the other is paused, and to the writer when both are', async () => {
    await caughtUp();
    await pause(0);
    try {
      await client.write('INSERT INTO orders (note) VALUES ($1)', ['replica-1 does not have this']);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      await client.refreshStatus();
      const onePaused = await servedByOf(client, 100, { consistency: 'eventual', maxStalenessMs: 1_000 });
      const lags = (await client.refreshStatus()).map((node) => `${node.name} ${node.lagMs === undefined ? '?' : Math.round(node.lagMs)} ms`);
      console.log(`eventual reads within 1 s, replica-1 paused: ${formatShares(onePaused.servedBy, 100)} (lags: ${lags.join(', ')})`);
      expect(onePaused.servedBy).toEqual({ 'replica-2': 100 });
      expect(onePaused.maxLagMs).toBeLessThanOrEqual(1_000);

      await pause(1);
      await client.write('INSERT INTO orders (note) VALUES ($1)', ['neither replica has this']);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      await client.refreshStatus();
      const bothPaused = await servedByOf(client, 100, { consistency: 'eventual', maxStalenessMs: 1_000 });
      console.log(`eventual reads within 1 s, both replicas paused past it: ${formatShares(bothPaused.servedBy, 100)}`);
      expect(bothPaused.servedBy).toEqual({ writer: 100 });
      // A looser bound still takes the replicas.
      const loose = await servedByOf(client, 20, { consistency: 'eventual', maxStalenessMs: 60_000 });
      expect(loose.servedBy.writer ?? 0).toBe(0);
    } finally {
      await resume(0);
      await resume(1);
    }
    await caughtUp();
  }, 60_000);

  test('analytics reads go to the last replica with the longer statement timeout, to another when it is gone, to the writer only when allowed', async () => {
    const analytics = await client.query<{ statement_timeout: string }>('SHOW statement_timeout', [], { consistency: 'analytics' });
    expect({ servedBy: analytics.servedBy, timeout: analytics.rows[0].statement_timeout }).toEqual({ servedBy: 'replica-2', timeout: '5min' });
    const strict = new DataTierClient({
      writer: servers.appUrl('primary'),
      replicas: [servers.appUrl('standby1'), servers.appUrl('standby2')],
      signIn: SignIn.password(ROLE, PASSWORD),
      tls: false,
      routing: { pollIntervalMs: 100 },
      analytics: { replica: 'replica-1', maxStalenessMs: 500, statementTimeoutMs: 60_000 },
    });
    const lenient = new DataTierClient({
      writer: servers.appUrl('primary'),
      replicas: [servers.appUrl('standby1'), servers.appUrl('standby2')],
      tls: false,
      analytics: { maxStalenessMs: 500, statementTimeoutMs: 60_000, allowWriter: true },
    });
    try {
      await strict.refreshStatus();
      expect((await strict.query('SELECT 1', [], { consistency: 'analytics' })).servedBy).toBe('replica-1');
      await pause(0);
      await strict.write('INSERT INTO orders (note) VALUES ($1)', ['after replica-1 paused']);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await strict.refreshStatus();
      expect((await strict.query('SELECT 1', [], { consistency: 'analytics' })).servedBy).toBe('replica-2');
      await pause(1);
      await strict.write('INSERT INTO orders (note) VALUES ($1)', ['after both paused']);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await strict.refreshStatus();
      const refused = strict.query('SELECT 1', [], { consistency: 'analytics' });
      await expect(refused).rejects.toBeInstanceOf(NoReplicaAvailableError);
      await expect(refused).rejects.toThrow(/replica-1: lag \d+ ms over the 500 ms bound; replica-2: lag \d+ ms over the 500 ms bound.*allowWriter/);
      await lenient.refreshStatus();
      const onWriter = await lenient.query<{ statement_timeout: string }>('SHOW statement_timeout', [], { consistency: 'analytics' });
      expect({ servedBy: onWriter.servedBy, timeout: onWriter.rows[0].statement_timeout }).toEqual({ servedBy: 'writer', timeout: '1min' });
    } finally {
      await resume(0);
      await resume(1);
      await strict.close();
      await lenient.close();
    }
    await caughtUp();
  });

  test("a Multi-AZ DB cluster's three instances given as replicas (docs/client.md): the one that writes is left out, the two standbys serve reads", async () => {
    await caughtUp();
    // As the cluster's instance endpoints: which of them writes changes with every failover, so all three are given.
    const cluster = new DataTierClient({
      writer: servers.appUrl('primary'),
      replicas: [
        { ...hostAndPort(servers.appUrl('primary')), name: 'instance-1' },
        { ...hostAndPort(servers.appUrl('standby1')), name: 'instance-2' },
        { ...hostAndPort(servers.appUrl('standby2')), name: 'instance-3' },
      ],
      signIn: SignIn.password(ROLE, PASSWORD),
      database: 'app',
      tls: false,
      routing: { pollIntervalMs: 100 },
    });
    try {
      const status = await cluster.refreshStatus();
      expect(status.find((node) => node.name === 'instance-1')?.problem).toMatch(/not in recovery/);
      const tally = await writeThenRead(cluster, 200);
      const eventual = await servedByOf(cluster, 200, { consistency: 'eventual' });
      console.log(`cluster instances as replicas: read-your-writes ${tally.correct}/200 correct, served by ${formatShares(tally.servedBy, 200)}; eventual served by ${formatShares(eventual.servedBy, 200)}`);
      expect(tally.correct).toBe(200);
      expect(tally.servedBy['instance-1'] ?? 0).toBe(0);
      expect(eventual.servedBy['instance-1'] ?? 0).toBe(0);
      expect((eventual.servedBy['instance-2'] ?? 0) + (eventual.servedBy['instance-3'] ?? 0)).toBe(200);
    } finally {
      await cluster.close();
    }
  }, 60_000);

  test("on stand-ins of Aurora PostgreSQL (no WAL position functions; each reader's lag in aurora_replica_status()): writes succeed, read-your-writes reads the writer, eventual reads follow the lag Aurora reports", async () => {
    // Aurora answers the WAL functions with SQLSTATE 0A000 "... is currently not supported for Aurora",
    // and reports each reader's lag in aurora_replica_status().replica_lag_in_msec, found by
    // aurora_db_instance_identifier(). Stand-ins in a schema ahead of pg_catalog, for a role of its
    // own with the application role's rights; which server answers is its port.
    const master = await servers.superuser('primary');
    await master.query('CREATE SCHEMA aurora_stand_ins');
    for (const fn of ['pg_current_wal_insert_lsn', 'pg_current_wal_lsn', 'pg_last_wal_replay_lsn']) {
      await master.query(`CREATE FUNCTION aurora_stand_ins.${fn}() RETURNS pg_lsn LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'Function ${fn}() is currently not supported for Aurora' USING ERRCODE = '0A000'; END $$`);
    }
    // Only the columns the client reads, by their documented names.
    await master.query('CREATE TABLE aurora_stand_ins.replica_status (server_id text PRIMARY KEY, replica_lag_in_msec real)');
    await master.query(`CREATE FUNCTION aurora_stand_ins.aurora_replica_status() RETURNS SETOF aurora_stand_ins.replica_status
      LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM aurora_stand_ins.replica_status $$`);
    await master.query(`CREATE FUNCTION aurora_stand_ins.aurora_db_instance_identifier() RETURNS varchar
      LANGUAGE sql STABLE AS $$ SELECT 'instance-' || current_setting('port') $$`);
    await master.query(`CREATE ROLE aurora_app LOGIN PASSWORD '${PASSWORD}' IN ROLE ${ROLE}`);
    await master.query('GRANT USAGE ON SCHEMA aurora_stand_ins TO aurora_app');
    await master.query('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA aurora_stand_ins TO aurora_app');
    await master.query('ALTER ROLE aurora_app SET search_path = aurora_stand_ins, shop, pg_catalog');
    const reader = (server: 'standby1' | 'standby2') => `instance-${hostAndPort(servers.appUrl(server)).port}`;
    const reportLag = async (first: number, second: number) => {
      await master.query('TRUNCATE aurora_stand_ins.replica_status');
      await master.query('INSERT INTO aurora_stand_ins.replica_status VALUES ($1, $2), ($3, $4)', [reader('standby1'), first, reader('standby2'), second]);
      await eventually(async () => JSON.stringify((await aurora.refreshStatus()).filter((node) => node.role === 'replica').map((node) => node.lagMs)) === JSON.stringify([first, second]), 15_000, `lags ${first} and ${second} ms`);
    };
    await caughtUp();
    const aurora = new DataTierClient({
      writer: servers.appUrl('primary'),
      replicas: [hostAndPort(servers.appUrl('standby1')), hostAndPort(servers.appUrl('standby2'))],
      signIn: SignIn.password('aurora_app', PASSWORD),
      database: 'app',
      tls: false,
      routing: { pollIntervalMs: 100 },
    });
    try {
      const written = await aurora.write<{ id: string }>('INSERT INTO orders (note) VALUES ($1) RETURNING id', ['on aurora']);
      expect(written.token).toBe(WRITER_ONLY_TOKEN);
      const { value, token } = await aurora.transaction(async (tx) => (await tx.query('UPDATE orders SET note = note WHERE id = $1', [written.rows[0].id])).rowCount);
      expect({ value, token }).toEqual({ value: 1, token: WRITER_ONLY_TOKEN });

      await reportLag(20, 5_000);
      const mine = await aurora.query<{ note: string }>('SELECT note FROM orders WHERE id = $1', [written.rows[0].id], { consistency: 'readYourWrites', token: written.token });
      expect({ note: mine.rows[0]?.note, servedBy: mine.servedBy }).toEqual({ note: 'on aurora', servedBy: 'writer' });
      const status = await aurora.refreshStatus();
      expect(status.filter((node) => node.role === 'replica').map(({ lsn, problem }) => ({ lsn, problem }))).toEqual([{ lsn: undefined, problem: undefined }, { lsn: undefined, problem: undefined }]);
      expect((await servedByOf(aurora, 50, { consistency: 'eventual' })).servedBy).toEqual({ 'replica-1': 50 });
      await reportLag(5_000, 20);
      expect((await servedByOf(aurora, 50, { consistency: 'eventual' })).servedBy).toEqual({ 'replica-2': 50 });
      await reportLag(5_000, 5_000);
      expect((await servedByOf(aurora, 50, { consistency: 'eventual' })).servedBy).toEqual({ writer: 50 });

      // Two seconds of failing writer polls (every 100 ms) later, the writer still takes writes and strong reads.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await aurora.write('INSERT INTO orders (note) VALUES ($1)', ['later on aurora'])).token).toBe(WRITER_ONLY_TOKEN);
      expect((await aurora.query('SELECT count(*) FROM orders', [], { consistency: 'strong' })).servedBy).toBe('writer');
      expect((await aurora.refreshStatus()).find((node) => node.role === 'writer')?.breaker).toBe('closed');
    } finally {
      await aurora.close();
      await master.query('DROP OWNED BY aurora_app');
      await master.query('DROP ROLE aurora_app');
      await master.query('DROP SCHEMA aurora_stand_ins CASCADE');
    }
  }, 60_000);

  test('a replica whose server is stopped mid-traffic is skipped, and no read fails', async () => {
    await caughtUp();
    const failures: unknown[] = [];
    const served: Record<string, number> = {};
    let reads = 0;
    let running = true;
    const reader = async () => {
      while (running) {
        try {
          const { servedBy } = await client.query('SELECT count(*) FROM orders', [], { consistency: 'eventual' });
          served[servedBy] = (served[servedBy] ?? 0) + 1;
        } catch (error) {
          failures.push(error);
        }
        reads++;
      }
    };
    const readers = [reader(), reader(), reader(), reader()];
    await eventually(() => reads > 200);
    await servers.set.killServer('standby2');
    const killedAt = reads;
    await eventually(() => reads > killedAt + 500, 20_000);
    running = false;
    await Promise.all(readers);
    const status = client.status().find((node) => node.name === 'replica-2')!;
    console.log(`replica-2 killed mid-traffic: ${reads} reads, ${failures.length} failed; served by ${formatShares(served, reads)}; replica-2 now: breaker ${status.breaker}, ${status.problem}`);
    expect(failures).toEqual([]);
    expect(status.problem).toBeDefined();
    await servers.set.startServer('standby2');
    await caughtUp();
  }, 60_000);
});

interface Tally {
  correct: number;
  servedBy: Record<string, number>;
}

/** Writes a row and reads it back with the write's token, `rounds` times. */
function hostAndPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

async function writeThenRead(client: DataTierClient, rounds: number): Promise<Tally> {
  const tally: Tally = { correct: 0, servedBy: {} };
  for (let i = 0; i < rounds; i++) {
    const written = await client.write<{ id: string }>('INSERT INTO orders (note) VALUES ($1) RETURNING id', [`round ${i}`]);
    const id = written.rows[0].id;
    const read = await client.query<{ note: string }>('SELECT note FROM orders WHERE id = $1', [id], { consistency: 'readYourWrites', token: written.token });
    if (read.rows[0]?.note === `round ${i}`) tally.correct++;
    tally.servedBy[read.servedBy] = (tally.servedBy[read.servedBy] ?? 0) + 1;
  }
  return tally;
}

async function servedByOf(client: DataTierClient, reads: number, options: Parameters<DataTierClient['query']>[2]): Promise<{ servedBy: Record<string, number>; maxLagMs: number }> {
  const servedBy: Record<string, number> = {};
  let maxLagMs = 0;
  for (let i = 0; i < reads; i++) {
    const result = await client.query('SELECT count(*) FROM orders', [], options);
    servedBy[result.servedBy] = (servedBy[result.servedBy] ?? 0) + 1;
    maxLagMs = Math.max(maxLagMs, result.lagMs ?? Infinity);
  }
  return { servedBy, maxLagMs };
}

function formatShares(servedBy: Record<string, number>, total: number): string {
  return Object.entries(servedBy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count} (${((100 * count) / total).toFixed(1)} %)`)
    .join(', ');
}
