// Polls the writer's WAL position and each replica's replay, on an interval with jitter, each
// poll on a connection of its own with a short timeout and through the node's circuit breaker (so
// a poll is also the probe that closes an open breaker). Only functions every role may execute:
// an application role has no rights on the data tier's schema.
import type { Client } from 'pg';
import type { DatabaseNode, BreakerState } from './database-node';
import { isFeatureNotSupported, messageOf } from './faults';
import { formatLsn, parseLsn, type Lsn } from './lsn';
import { replicaLag, WriterPositions, type ReplicaLag, type ReplicaObservation } from './replica-lag';

const WRITER_POLL = `SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS lsn`;
const REPLICA_POLL = `SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replay_lsn,
  (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS since_replay_ms`;

/**
 * An Aurora PostgreSQL reader, whose WAL functions fail with feature_not_supported: its own row of
 * aurora_replica_status() (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_replica_status.html:
 * replica_lag_in_msec, "the time in milliseconds that the reader instance lags behind the writer
 * instance"), found by aurora_db_instance_identifier(), as the health check finds it.
 */
const AURORA_REPLICA_POLL = `SELECT pg_is_in_recovery() AS in_recovery,
  (SELECT r.replica_lag_in_msec FROM aurora_replica_status() AS r WHERE r.server_id = aurora_db_instance_identifier())::float8 AS lag_ms`;

export interface HealthSettings {
  readonly pollIntervalMs: number;
  readonly pollJitter: number;
  readonly pollTimeoutMs: number;
}

/** What the client knows of a node: where results and errors name it from. */
export interface NodeStatus {
  /** `writer`, or the replica's name. */
  readonly name: string;
  /** The writer (through the proxy) or a read replica. */
  readonly role: 'writer' | 'replica';
  /** host:port */
  readonly address: string;
  /** Its circuit breaker: only a closed one lets reads go to a replica. */
  readonly breaker: BreakerState;
  /** When the last poll answered (ms since the epoch); undefined before the first, or since the node failed. */
  readonly observedAt?: number;
  /** The writer's WAL position, or the replica's replayed position, at that poll. */
  readonly lsn?: string;
  /** The replica's lag (an upper bound of its staleness); 0 for the writer. */
  readonly lagMs?: number;
  /** WAL bytes the replica is behind the writer; 0 for the writer. */
  readonly lagBytes?: number;
  /** Why the node is not used, when it is not. */
  readonly problem?: string;
}

interface ReplicaState {
  observation?: ReplicaObservation;
  problem?: string;
  /** An Aurora reader: polled with AURORA_REPLICA_POLL since its WAL functions answered feature_not_supported. */
  aurora?: boolean;
}

export class HealthMonitor {
  private readonly writerPositions = new WriterPositions();
  private writerObservedAt: number | undefined;
  private writerProblem: string | undefined;
  private readonly replicaStates = new Map<DatabaseNode, ReplicaState>();
  private readonly pollClients = new Map<DatabaseNode, { readonly client: Client; readonly connected: Promise<Client> }>();
  private rounds: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Increases whenever what the monitor knows changes, so routing can keep what it derived until then. */
  version = 0;

  constructor(
    private readonly writer: DatabaseNode,
    private readonly replicas: readonly DatabaseNode[],
    private readonly settings: HealthSettings,
  ) {
    for (const replica of replicas) {
      this.replicaStates.set(replica, {});
      replica.onUnavailable(() => this.forget(replica, 'it failed as unavailable; waiting for a poll to answer'));
    }
  }

  /** Polls now, then on the interval. */
  start(): void {
    void this.pollNow();
  }

  /** One round of polls after any running one; resolves when it is done. */
  pollNow(): Promise<void> {
    this.rounds = this.rounds.then(() => this.round());
    return this.rounds;
  }

  /** A replica's lag as of its last poll, or why it may not be used; undefined lag when not observed. */
  replica(node: DatabaseNode): { readonly observation?: ReplicaObservation; readonly lag: ReplicaLag; readonly problem?: string } {
    const state = this.replicaStates.get(node)!;
    const fresh = state.observation && Date.now() - state.observation.at <= this.staleAfterMs ? state.observation : undefined;
    const problem = state.problem ?? (state.observation && !fresh ? 'its last poll is too old' : undefined);
    return { observation: fresh, lag: fresh ? replicaLag(fresh, this.writerPositions) : { lagMs: undefined, lagBytes: undefined }, problem };
  }

  /** A replay position the client read on a replica between polls (a read-your-writes check). */
  noteReplayed(node: DatabaseNode, replayLsn: Lsn): void {
    const state = this.replicaStates.get(node);
    if (state?.observation && replayLsn > state.observation.replayLsn) {
      state.observation = { ...state.observation, replayLsn };
      this.version++;
    }
  }

  status(): NodeStatus[] {
    const writer: NodeStatus = {
      name: this.writer.name,
      role: 'writer',
      address: this.writer.address,
      breaker: this.writer.breakerState,
      observedAt: this.writerObservedAt,
      lsn: this.writerPositions.latest === undefined ? undefined : formatLsn(this.writerPositions.latest),
      lagMs: 0,
      lagBytes: 0,
      problem: this.writerProblem,
    };
    return [
      writer,
      ...this.replicas.map((node): NodeStatus => {
        const { observation, lag, problem } = this.replica(node);
        return {
          name: node.name,
          role: 'replica',
          address: node.address,
          breaker: node.breakerState,
          observedAt: observation?.at,
          lsn: observation && observation.reportedLagMs === undefined ? formatLsn(observation.replayLsn) : undefined,
          lagMs: lag.lagMs,
          lagBytes: lag.lagBytes,
          problem,
        };
      }),
    ];
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.rounds.catch(() => {});
    await Promise.allSettled([...this.pollClients.values()].map(({ client }) => client.end()));
  }

  /** How old a replica's last poll may be for it to be used. */
  get staleAfterMs(): number {
    return 3 * this.settings.pollIntervalMs + 2 * this.settings.pollTimeoutMs;
  }

  private async round(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timer);
    await Promise.all([this.pollWriter(), ...this.replicas.map((replica) => this.pollReplica(replica))]);
    if (this.closed) return;
    const { pollIntervalMs, pollJitter } = this.settings;
    this.timer = setTimeout(() => void this.pollNow(), pollIntervalMs * (1 + pollJitter * (2 * Math.random() - 1)));
    this.timer.unref();
  }

  private async pollWriter(): Promise<void> {
    const sentAt = Date.now();
    try {
      const { rows } = await this.poll(this.writer, WRITER_POLL);
      if (rows[0].lsn === null) throw new Error('the writer is in recovery (a standby): a failover is under way');
      // The position held at least from when the poll was sent: the earlier time is the safer one.
      this.writerPositions.record(sentAt, parseLsn(rows[0].lsn as string));
      this.version++;
      this.writerObservedAt = Date.now();
      this.writerProblem = undefined;
    } catch (error) {
      this.writerObservedAt = undefined;
      this.writerProblem = `its poll failed: ${messageOf(error)}`;
    }
  }

  private async pollReplica(replica: DatabaseNode): Promise<void> {
    const state = this.replicaStates.get(replica)!;
    if (state.aurora) return this.pollAuroraReplica(replica, state);
    try {
      const { rows } = await this.poll(replica, REPLICA_POLL);
      const row = rows[0] as { in_recovery: boolean; replay_lsn: string | null; since_replay_ms: number | null };
      if (!row.in_recovery || row.replay_lsn === null) {
        this.forget(replica, 'it is not in recovery: promoted, or not a replica of this writer');
        return;
      }
      // The replayed position held at least until the answer came: the later time is the safer one.
      const observation = { at: Date.now(), replayLsn: parseLsn(row.replay_lsn), sinceLastReplayedCommitMs: row.since_replay_ms };
      state.observation = observation;
      state.problem = undefined;
      this.version++;
    } catch (error) {
      if (isFeatureNotSupported(error)) {
        state.aurora = true;
        return this.pollAuroraReplica(replica, state);
      }
      this.forget(replica, `its poll failed: ${messageOf(error)}`);
    }
  }

  private async pollAuroraReplica(replica: DatabaseNode, state: ReplicaState): Promise<void> {
    try {
      const { rows } = await this.poll(replica, AURORA_REPLICA_POLL);
      const row = rows[0] as { in_recovery: boolean; lag_ms: number | null };
      if (!row.in_recovery) {
        this.forget(replica, 'it is not in recovery: the Aurora writer, or not a reader of this cluster');
        return;
      }
      if (row.lag_ms === null) {
        this.forget(replica, 'Aurora reports no lag for it (no row of aurora_replica_status() for aurora_db_instance_identifier())');
        return;
      }
      state.observation = { at: Date.now(), replayLsn: 0n, sinceLastReplayedCommitMs: null, reportedLagMs: Number(row.lag_ms) };
      state.problem = undefined;
      this.version++;
    } catch (error) {
      this.forget(replica, `its Aurora poll failed: ${messageOf(error)}`);
    }
  }

  private forget(replica: DatabaseNode, problem: string): void {
    const state = this.replicaStates.get(replica)!;
    state.observation = undefined;
    state.problem = problem;
    this.version++;
  }

  /** One poll statement on the node's own polling connection, through its breaker. */
  private poll(node: DatabaseNode, sql: string) {
    return node.breaker.execute(async () => {
      let client: Client;
      try {
        client = await this.pollClient(node);
      } catch (error) {
        throw node.failure('connecting', error);
      }
      try {
        return await client.query(sql);
      } catch (error) {
        this.dropPollClient(node, client);
        throw node.failure('running', error);
      }
    });
  }

  private pollClient(node: DatabaseNode): Promise<Client> {
    let held = this.pollClients.get(node);
    if (!held) {
      const { pollTimeoutMs } = this.settings;
      const client = node.newClient({ statement_timeout: pollTimeoutMs, query_timeout: pollTimeoutMs, connectionTimeoutMillis: pollTimeoutMs });
      client.on('error', () => this.dropPollClient(node, client));
      const connected = client.connect().then(() => client);
      connected.catch(() => this.dropPollClient(node, client));
      held = { client, connected };
      this.pollClients.set(node, held);
    }
    return held.connected;
  }

  private dropPollClient(node: DatabaseNode, client: Client): void {
    if (this.pollClients.get(node)?.client === client) this.pollClients.delete(node);
    client.end().catch(() => {});
  }
}
