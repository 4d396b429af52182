// The lag model, the routing inputs and the topology, on values: no server.
import { formatLsn, parseLsn } from '../../lib/client/lsn';
import { isFreshEnough, replicaLag, WriterPositions } from '../../lib/client/replica-lag';
import { nodesFromOutputs, topologyOf } from '../../lib/client/topology';
import { DataTierClient } from '../../lib/client';

const lsn = parseLsn;

describe('WAL positions', () => {
  test('parse and print as pg_lsn does, and compare as numbers', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(formatLsn(parseLsn('0/3000148'))).toBe('0/3000148');
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(() => parseLsn('3000148')).toThrow(/not a WAL position \(pg_lsn\): "3000148"/);
  });
});

describe('replica lag', () => {
  const writerAt = (...samples: Array<[number, string]>) => {
    const positions = new WriterPositions();
    for (const [at, position] of samples) positions.record(at, lsn(position));
    return positions;
  };

  test('a replica that has replayed the writer\'s latest position has lag 0, however old its last replayed commit', () => {
    const writer = writerAt([0, '0/100'], [60_000, '0/100']);
    expect(replicaLag({ at: 60_000, replayLsn: lsn('0/100'), sinceLastReplayedCommitMs: 3_600_000 }, writer)).toEqual({ lagMs: 0, lagBytes: 0 });
  });

  test('behind: since the writer was last seen at a position the replica has replayed', () => {
    // Idle at 0/100 until 10 s, then 0/200 from 11 s: a replica still at 0/100 at 12.5 s misses at most 2.5 s of commits.
    const writer = writerAt([0, '0/100'], [10_000, '0/100'], [11_000, '0/200'], [12_000, '0/200']);
    expect(replicaLag({ at: 12_500, replayLsn: lsn('0/100'), sinceLastReplayedCommitMs: null }, writer)).toEqual({ lagMs: 2_500, lagBytes: 0x100 });
  });

  test('behind: the age of the last replayed commit when it is the tighter bound', () => {
    const writer = writerAt([0, '0/100'], [1_000, '0/200'], [9_000, '0/900']);
    expect(replicaLag({ at: 9_500, replayLsn: lsn('0/880'), sinceLastReplayedCommitMs: 40 }, writer).lagMs).toBe(40);
  });

  test('unknown in time when the replica is behind every position seen and has replayed no commit: the byte distance decides (GitLab)', () => {
    const writer = writerAt([5_000, '0/5000']);
    const lag = replicaLag({ at: 5_100, replayLsn: lsn('0/1000'), sinceLastReplayedCommitMs: null }, writer);
    expect(lag).toEqual({ lagMs: undefined, lagBytes: 0x4000 });
    expect(isFreshEnough(lag, 1_000, 0x4000)).toBe(true);
    expect(isFreshEnough(lag, 1_000, 0x3fff)).toBe(false);
    expect(isFreshEnough({ lagMs: 1_200, lagBytes: 10 }, 1_000, 1 << 20)).toBe(false);
    expect(isFreshEnough(replicaLag({ at: 0, replayLsn: lsn('0/1'), sinceLastReplayedCommitMs: null }, new WriterPositions()), 1_000, 1 << 20)).toBe(false);
  });

  test("a poll answer that arrives after a newer one does not move the writer's position back", () => {
    const writer = writerAt([0, '0/100'], [1_000, '0/300'], [900, '0/200']);
    expect(writer.latest).toBe(lsn('0/300'));
    expect(writer.lastSeenAtOrBefore(lsn('0/250'))).toBe(0);
  });
});

describe('topology', () => {
  test("from the tier's stack outputs, by output name or as data-tier outputs prints them", () => {
    const byName = nodesFromOutputs({ ProxyEndpoint: 'proxy.example', Replica1Endpoint: 'r1.example', Replica2Endpoint: 'r2.example', DatabasePort: '5433', DatabaseName: 'app' });
    const asVariables = nodesFromOutputs({ PROXY_ENDPOINT: 'proxy.example', REPLICA1_ENDPOINT: 'r1.example', REPLICA2_ENDPOINT: 'r2.example', DATABASE_PORT: '5433', DATABASE_NAME: 'app' });
    expect(byName).toEqual({
      writer: { host: 'proxy.example' },
      replicas: [
        { host: 'r1.example', name: 'replica-1' },
        { host: 'r2.example', name: 'replica-2' },
      ],
      database: 'app',
      port: 5433,
    });
    expect(asVariables).toEqual(byName);
    expect(() => nodesFromOutputs({ WriterEndpoint: 'primary.example' })).toThrow(/no ProxyEndpoint \(or PROXY_ENDPOINT\)/);
    expect(() => nodesFromOutputs({ ProxyEndpoint: 'p', DatabasePort: 'x' })).toThrow(/DatabasePort is not a port/);
  });

  test('an endpoint output may carry its own port, as through a tunnel or on a local server', () => {
    expect(nodesFromOutputs({ PROXY_ENDPOINT: '127.0.0.1:15432', REPLICA1_ENDPOINT: '127.0.0.1:15433', REPLICA2_ENDPOINT: 'r2.example', DATABASE_PORT: '5432' })).toEqual({
      writer: { host: '127.0.0.1', port: 15432 },
      replicas: [
        { host: '127.0.0.1', port: 15433, name: 'replica-1' },
        { host: 'r2.example', name: 'replica-2' },
      ],
      database: undefined,
      port: 5432,
    });
    expect(() => nodesFromOutputs({ ProxyEndpoint: 'p:70000' })).toThrow(/ProxyEndpoint has a port out of range: "p:70000"/);
  });

  test('from URLs: the writer URL gives the database and, without signIn, the user and password', async () => {
    const topology = topologyOf({ writer: 'postgres://shop_app:s%40cret@writer.example:5433/shop', replicas: ['postgres://r1.example', { host: 'r2.example', port: 6432, name: 'reporting' }] });
    expect({ writer: topology.writer, replicas: topology.replicas, database: topology.database }).toEqual({
      writer: { host: 'writer.example', port: 5433 },
      replicas: [
        { name: 'replica-1', endpoint: { host: 'r1.example', port: 5432 } },
        { name: 'reporting', endpoint: { host: 'r2.example', port: 6432 } },
      ],
      database: 'shop',
    });
    expect(await topology.signIn.credentials(topology.writer)).toEqual({ user: 'shop_app', password: 's@cret' });
    expect(() => topologyOf({ writer: { host: 'w' } })).toThrow(/needs a way to sign in/);
    expect(() => topologyOf({ writer: 'postgres://u:p@w', replicas: [{ host: 'a', name: 'x' }, { host: 'b', name: 'x' }] })).toThrow(/two nodes are named x/);
    expect(() => topologyOf({ writer: 'mysql://u:p@w' })).toThrow(/must be postgres:\/\/host/);
  });

  test('an analytics replica that is not one of the replicas is refused when the client is made', () => {
    expect(() => new DataTierClient({ writer: 'postgres://u:p@127.0.0.1:1/app', replicas: ['postgres://127.0.0.1:2'], analytics: { replica: 'replica-3' }, tls: false })).toThrow(
      /analytics.replica is replica-3, which is none of the replicas \(replica-1\)/,
    );
  });
});
