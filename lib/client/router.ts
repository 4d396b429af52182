// Which replicas may serve a read, best first: healthy (breaker closed, last poll recent and
// answered), fresh enough for the read, the least lagged first; replicas within a few
// milliseconds of each other take turns, so that caught-up replicas share the reads.
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
}

export class Router {
  private turn = 0;

  constructor(
    private readonly replicas: readonly DatabaseNode[],
    private readonly health: HealthMonitor,
    private readonly maxLagBytes: number,
  ) {}

  /** Replicas within `maxStalenessMs` of the writer (GitLab's rule), best first. */
  fresh(maxStalenessMs: number): Candidate[] {
    return this.best(this.healthy().filter((replica) => isFreshEnough(replica, maxStalenessMs, this.maxLagBytes)));
  }

  /** Replicas whose last poll showed `token` replayed, best first. */
  caughtUp(token: Lsn): Candidate[] {
    return this.best(this.healthy().filter((replica) => replica.replayLsn >= token));
  }

  /** Every healthy replica, however far behind, best first: the one to ask whether it has caught up. */
  any(): Candidate[] {
    return this.best(this.healthy());
  }

  /** `fresh`, with the replica named `preferred` first when it is among them. */
  freshPreferring(preferred: string, maxStalenessMs: number): Candidate[] {
    const fresh = this.fresh(maxStalenessMs);
    const chosen = fresh.find((candidate) => candidate.node.name === preferred);
    return chosen ? [chosen, ...fresh.filter((candidate) => candidate !== chosen)] : fresh;
  }

  private healthy(): Observed[] {
    const observed: Observed[] = [];
    for (const node of this.replicas) {
      if (node.breakerState !== 'closed') continue;
      const { observation, lag, problem } = this.health.replica(node);
      if (!observation || problem) continue;
      observed.push({ node, replayLsn: observation.replayLsn, lagMs: lag.lagMs, lagBytes: lag.lagBytes });
    }
    return observed;
  }

  private best(candidates: Observed[]): Candidate[] {
    if (candidates.length < 2) return candidates;
    const lagOf = (c: Observed) => c.lagMs ?? Infinity;
    const sorted = [...candidates].sort((a, b) => lagOf(a) - lagOf(b) || (a.lagBytes ?? Infinity) - (b.lagBytes ?? Infinity));
    const equals = sorted.filter((c) => lagOf(c) - lagOf(sorted[0]) <= EQUAL_LAG_MS).length;
    if (equals < 2) return sorted;
    const first = this.turn++ % equals;
    return [...sorted.slice(first, equals), ...sorted.slice(0, first), ...sorted.slice(equals)];
  }
}
