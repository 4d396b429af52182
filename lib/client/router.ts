// Which replicas may serve a read, best first: healthy (breaker closed, last poll recent and
// answered), fresh enough for the read, the least lagged first; replicas within a few
// milliseconds of each other take turns, so that caught-up replicas share the reads. What the
// polls tell changes a few times a second, reads far more often: the healthy replicas, sorted,
// are kept until a poll, a breaker or the age of an observation changes them.
import type { DatabaseNode } from './database-node';
import type { HealthMonitor } from './health-monitor';
import type { Lsn } from './lsn';
import { isFreshEnough } from './replica-lag';

/** Replicas whose lags differ by no more than this are equally good. */
const EQUAL_LAG_MS = 5;

export interface Candidate {
  readonly node: DatabaseNode;
  /** Its lag as last observed; undefined when only its byte distance is known. */
  readonly lagMs: number | undefined;
}

interface Observed extends Candidate {
  readonly replayLsn: Lsn;
  readonly lagBytes: number | undefined;
  /** Whether it reports a replay position (not an Aurora reader, whose lag Aurora reports instead). */
  readonly replaysWal: boolean;
}

export class Router {
  private turn = 0;
  private healthyReplicas: Observed[] = [];
  /** The healthy replicas in each order their turns give: what most reads get, made once per change. */
  private rotations: Observed[][] = [[]];
  private derivedFrom = -1;
  private validUntil = 0;

  constructor(
    private readonly replicas: readonly DatabaseNode[],
    private readonly health: HealthMonitor,
    private readonly maxLagBytes: number,
  ) {
    for (const replica of replicas) replica.breaker.onStateChange(() => (this.derivedFrom = -1));
  }

  /** Replicas within `maxStalenessMs` of the writer (GitLab's rule), best first. */
  fresh(maxStalenessMs: number): Candidate[] {
    return this.those((replica) => isFreshEnough(replica, maxStalenessMs, this.maxLagBytes));
  }

  /** Replicas whose last poll showed `token` replayed, best first. */
  caughtUp(token: Lsn): Candidate[] {
    return this.those((replica) => replica.replayLsn >= token);
  }

  /** Every healthy replica that reports a replay position, however far behind, best first: the one to ask whether it has caught up. */
  any(): Candidate[] {
    return this.those((replica) => replica.replaysWal);
  }

  /** `fresh`, with the replica named `preferred` first when it is among them. */
  freshPreferring(preferred: string, maxStalenessMs: number): Candidate[] {
    const fresh = this.fresh(maxStalenessMs);
    const chosen = fresh.find((candidate) => candidate.node.name === preferred);
    return chosen ? [chosen, ...fresh.filter((candidate) => candidate !== chosen)] : fresh;
  }

  /** The healthy replicas, least lagged first. */
  private healthy(): Observed[] {
    const now = Date.now();
    if (this.derivedFrom === this.health.version && now < this.validUntil) return this.healthyReplicas;
    this.derivedFrom = this.health.version;
    this.validUntil = Infinity;
    const observed: Observed[] = [];
    for (const node of this.replicas) {
      if (node.breakerState !== 'closed') continue;
      const { observation, lag, problem } = this.health.replica(node);
      if (!observation || problem) continue;
      observed.push({ node, replayLsn: observation.replayLsn, lagMs: lag.lagMs, lagBytes: lag.lagBytes, replaysWal: observation.reportedLagMs === undefined });
      this.validUntil = Math.min(this.validUntil, observation.at + this.health.staleAfterMs);
    }
    this.healthyReplicas = observed.sort((a, b) => lagOf(a) - lagOf(b) || (a.lagBytes ?? Infinity) - (b.lagBytes ?? Infinity));
    const equals = equallyGood(this.healthyReplicas);
    this.rotations = Array.from({ length: Math.max(1, equals) }, (_, first) => rotated(this.healthyReplicas, first, equals));
    return this.healthyReplicas;
  }

  /** The healthy replicas that pass `test`, best first, equally good ones taking turns. */
  private those(test: (replica: Observed) => boolean): Candidate[] {
    const healthy = this.healthy();
    if (healthy.every(test)) return this.rotations[this.turn++ % this.rotations.length];
    return this.takingTurns(healthy.filter(test));
  }

  /** The candidates as sorted, the first ones of equal lag rotated by one each call. */
  private takingTurns(sorted: Observed[]): Candidate[] {
    const equals = equallyGood(sorted);
    return equals < 2 ? sorted : rotated(sorted, this.turn++ % equals, equals);
  }
}

function lagOf(candidate: Observed): number {
  return candidate.lagMs ?? Infinity;
}

/** How many of the sorted candidates, from the first, are as good as the first. */
function equallyGood(sorted: readonly Observed[]): number {
  let equals = Math.min(1, sorted.length);
  while (equals < sorted.length && lagOf(sorted[equals]) - lagOf(sorted[0]) <= EQUAL_LAG_MS) equals++;
  return equals;
}

/** The first `equals` candidates rotated to start at `first`, the rest after them. */
function rotated(sorted: Observed[], first: number, equals: number): Observed[] {
  return first === 0 ? sorted : [...sorted.slice(first, equals), ...sorted.slice(0, first), ...sorted.slice(equals)];
}
