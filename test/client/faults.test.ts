// The client's faults on real servers: a replica's circuit breaker opening, probing and closing
// as its server stops and starts, and the writer restarting under work that is or is not
// idempotent. A primary and two streaming replicas of this file's own (embedded PostgreSQL).
import { DataTierClient, NodeUnavailableError, type BreakerState } from '../../lib/client';
import { eventually, startTierServers, type TierServers } from './tier-servers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DataTierClient faults, on a primary and two streaming replicas', () => {
  let servers: TierServers;
  let client: DataTierClient;
  const transitions: Array<{ node: string; state: BreakerState; at: number }> = [];

  beforeAll(async () => {
    servers = await startTierServers();
    client = new DataTierClient({
      writer: servers.appUrl('primary'),
      replicas: [servers.appUrl('standby1'), servers.appUrl('standby2')],
      tls: false,
      routing: { pollIntervalMs: 100, pollTimeoutMs: 500 },
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 500 },
      retry: { maxRetries: 8, initialDelayMs: 50, maxDelayMs: 1_000 },
      onBreakerChange: (node, state) => transitions.push({ node, state, at: Date.now() }),
    });
    await client.refreshStatus();
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await servers?.stop();
  });

  const nodeStatus = (name: string) => client.status().find((node) => node.name === name)!;

  test('a stopped replica opens its breaker after 3 consecutive failures and is skipped; probed half-open while down; closed once it answers', async () => {
    const since = Date.now();
    await servers.set.stopServer('standby2');
    await eventually(() => nodeStatus('replica-2').breaker === 'open', 10_000, "replica-2's breaker opening");
    const served: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      const { servedBy } = await client.query('SELECT 1', [], { consistency: 'eventual' });
      served[servedBy] = (served[servedBy] ?? 0) + 1;
    }
    expect(served['replica-2']).toBeUndefined();
    // Down for longer than halfOpenAfterMs: the probes (polls) fail and it opens again.
    await sleep(1_500);
    await servers.set.startServer('standby2');
    await eventually(() => nodeStatus('replica-2').breaker === 'closed' && nodeStatus('replica-2').observedAt !== undefined, 10_000, "replica-2's breaker closing");
    const sequence = transitions.filter((t) => t.node === 'replica-2' && t.at >= since).map((t) => t.state);
    console.log(`replica-2 stopped, then started 1.5 s later: breaker ${sequence.join(' → ')}; reads while open: ${JSON.stringify(served)}`);
    expect(sequence[0]).toBe('open');
    expect(sequence.slice(1, 3)).toEqual(['half-open', 'open']);
    expect(sequence.slice(-2)).toEqual(['half-open', 'closed']);
    await eventually(async () => (await client.query('SELECT 1', [], { consistency: 'eventual', maxStalenessMs: 60_000 })).servedBy === 'replica-2', 10_000, 'replica-2 serving again');
  }, 30_000);

  test('work that is not idempotent, cut by a writer restart, is not retried, and the error says so', async () => {
    const work = client.transaction(async (tx) => {
      await tx.query(`INSERT INTO counters (name, value) VALUES ('not idempotent', 1)`);
      await tx.query('SELECT pg_sleep(5)');
    });
    const outcome = work.catch((error: unknown) => error);
    await sleep(300);
    await servers.set.restartServer('primary');
    const error = (await outcome) as NodeUnavailableError;
    console.log(`not idempotent, writer restarted mid-transaction: ${error.name}: ${error.message}`);
    expect(error).toBeInstanceOf(NodeUnavailableError);
    expect({ node: error.node, attempts: error.attempts, nothingSent: error.nothingSent }).toEqual({ node: 'writer', attempts: 1, nothingSent: false });
    expect(error.message).toMatch(/^writer \(127\.0\.0\.1:\d+\) failed while running the work: .*\(57P01\)\. It was not retried because it is not marked idempotent/);
    const { rows } = await client.query(`SELECT 1 FROM counters WHERE name = 'not idempotent'`, [], { idempotent: true });
    expect(rows).toEqual([]);
  }, 30_000);

  test('idempotent work is retried through a writer restart and completes', async () => {
    const startedAt = Date.now();
    const work = client.write(
      `INSERT INTO counters (name, value) SELECT 'idempotent', 1 FROM pg_sleep(2) ON CONFLICT (name) DO UPDATE SET value = excluded.value RETURNING value`,
      [],
      { idempotent: true },
    );
    await sleep(300);
    await servers.set.restartServer('primary');
    const result = await work;
    console.log(`idempotent, writer restarted mid-statement: completed on the ${result.servedBy} in ${Date.now() - startedAt} ms, token ${result.token}`);
    expect(result.rows).toEqual([{ value: '1' }]);
    const read = await client.query<{ value: string }>(`SELECT value FROM counters WHERE name = 'idempotent'`, [], { consistency: 'readYourWrites', token: result.token });
    expect(read.rows).toEqual([{ value: '1' }]);
  }, 30_000);

  test('work that never reached the writer is retried even when not idempotent: the writer down for 700 ms', async () => {
    await servers.set.stopServer('primary');
    const startedAt = Date.now();
    const work = client.write(`INSERT INTO counters (name, value) VALUES ('sent once', 1) RETURNING value`);
    await sleep(700);
    await servers.set.startServer('primary');
    const result = await work;
    console.log(`not idempotent, writer down when sent: completed in ${Date.now() - startedAt} ms (retried while connecting)`);
    expect(result.rows).toEqual([{ value: '1' }]);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM counters WHERE name = 'sent once'`, [], { idempotent: true });
    expect(rows).toEqual([{ n: 1 }]);
  }, 30_000);
});
