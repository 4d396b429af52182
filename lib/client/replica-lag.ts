// How far behind the writer a replica is, from what the client itself observes: the writer's
// WAL position over time (pg_current_wal_lsn(), polled) and each replica's replayed position
// and last replayed commit (pg_last_wal_replay_lsn(), pg_last_xact_replay_timestamp()).
//
// A replica that has replayed the writer's latest position is not behind at all, however old its
// last replayed commit is: on an idle writer, now() - pg_last_xact_replay_timestamp() grows
// without bound on a replica that is fully caught up (runbooks/replica-lag.md). Behind, the lag
// is the smaller of two upper bounds of its staleness, each sound on its own:
//   - the writer was at a position the replica has replayed when the client last saw it there:
//     every commit made before that moment is on the replica (client clock only);
//   - the replica has replayed a commit made at pg_last_xact_replay_timestamp(): every commit
//     made before it is there too (the servers' clocks, synchronized on RDS).
// When neither is known (no writer position old enough, no commit replayed since the replica
// started), the byte distance to the writer decides, as in GitLab's load balancer.
import type { Lsn } from './lsn';

/** How long the client remembers the writer's positions: a replica behind all of them has a lag of unknown length. */
const HISTORY_MS = 10 * 60_000;
const HISTORY_ENTRIES = 4096;

/** A WAL position of the writer and the last time the client saw the writer there. */
interface WriterPosition {
  readonly lsn: Lsn;
  lastSeenAt: number;
}

/** The writer's WAL positions as the client polled them, newest last. */
export class WriterPositions {
  private readonly positions: WriterPosition[] = [];

  record(at: number, lsn: Lsn): void {
    const newest = this.positions[this.positions.length - 1];
    if (newest && newest.lsn >= lsn) {
      // Unchanged (an idle writer), or an older answer that arrived late: the position held until now.
      if (newest.lsn === lsn) newest.lastSeenAt = Math.max(newest.lastSeenAt, at);
    } else {
      this.positions.push({ lsn, lastSeenAt: at });
    }
    while (this.positions.length > HISTORY_ENTRIES || (this.positions.length > 1 && this.positions[0].lastSeenAt < at - HISTORY_MS)) this.positions.shift();
  }

  get latest(): Lsn | undefined {
    return this.positions[this.positions.length - 1]?.lsn;
  }

  /** The last time the writer was seen at a position no further than `lsn`. */
  lastSeenAtOrBefore(lsn: Lsn): number | undefined {
    for (let i = this.positions.length - 1; i >= 0; i--) if (this.positions[i].lsn <= lsn) return this.positions[i].lastSeenAt;
    return undefined;
  }
}

/** One successful poll of a replica. */
export interface ReplicaObservation {
  /** Client time of the poll (ms since the epoch). */
  readonly at: number;
  readonly replayLsn: Lsn;
  /** now() - pg_last_xact_replay_timestamp() on the replica; null when it has replayed no commit since it started. */
  readonly sinceLastReplayedCommitMs: number | null;
  /**
   * An Aurora PostgreSQL reader's lag as Aurora reports it (its row of aurora_replica_status(),
   * `replica_lag_in_msec`): Aurora readers have no replay position (`replayLsn` is 0), so this is their lag.
   */
  readonly reportedLagMs?: number;
}

export interface ReplicaLag {
  /** An upper bound of the replica's staleness; undefined when it cannot be told. */
  readonly lagMs: number | undefined;
  /** WAL bytes between the writer's latest position and the replica's replayed one; undefined before the writer was seen. */
  readonly lagBytes: number | undefined;
}

export function replicaLag(observation: ReplicaObservation, writer: WriterPositions): ReplicaLag {
  if (observation.reportedLagMs !== undefined) return { lagMs: Math.max(0, observation.reportedLagMs), lagBytes: undefined };
  const latest = writer.latest;
  if (latest === undefined) return { lagMs: undefined, lagBytes: undefined };
  if (observation.replayLsn >= latest) return { lagMs: 0, lagBytes: 0 };
  const lagBytes = Number(latest - observation.replayLsn);
  const seenAt = writer.lastSeenAtOrBefore(observation.replayLsn);
  const bounds = [seenAt === undefined ? Infinity : Math.max(0, observation.at - seenAt), observation.sinceLastReplayedCommitMs ?? Infinity];
  const lagMs = Math.min(...bounds);
  return { lagMs: Number.isFinite(lagMs) ? Math.max(0, lagMs) : undefined, lagBytes };
}

/** GitLab's rule: within the staleness bound; failing a lag in time, within the byte distance. */
export function isFreshEnough(lag: ReplicaLag, maxStalenessMs: number, maxLagBytes: number): boolean {
  if (lag.lagMs !== undefined) return lag.lagMs <= maxStalenessMs;
  return lag.lagBytes !== undefined && lag.lagBytes <= maxLagBytes;
}
