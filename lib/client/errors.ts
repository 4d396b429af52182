// What the client throws when a node cannot do the work: which node, what happened, and whether
// the work was tried again. Errors of the work itself (a constraint, a syntax error) are pg's own.
import { BrokenCircuitError } from 'cockatiel';
import { NodeFailure } from './faults';

/** The work did not run to completion because the node it needed was unavailable. */
export class NodeUnavailableError extends Error {
  /** `writer` or the replica's name. */
  readonly node: string;
  /** How many times the work was tried. */
  readonly attempts: number;
  /** Nothing of the work reached the server (it failed while connecting). */
  readonly nothingSent: boolean;

  constructor(message: string, options: { readonly node: string; readonly attempts: number; readonly nothingSent: boolean; readonly cause: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'NodeUnavailableError';
    this.node = options.node;
    this.attempts = options.attempts;
    this.nothingSent = options.nothingSent;
  }
}

/** No replica may serve the read and the writer may not either (analytics, without `analytics.allowWriter`). */
export class NoReplicaAvailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoReplicaAvailableError';
  }
}

/** What a node's failure means for the caller, as an error that says it. */
export function unavailableError(node: { readonly name: string; readonly address: string }, error: unknown, attempts: number, idempotent: boolean, elapsedMs: number): unknown {
  const tries = attempts > 1 ? ` after ${attempts} attempts over ${(elapsedMs / 1000).toFixed(1)} s` : '';
  if (error instanceof BrokenCircuitError) {
    return new NodeUnavailableError(`${node.name} (${node.address}) is not being used: its circuit breaker is open after consecutive failures${tries}`, {
      node: node.name,
      attempts,
      nothingSent: true,
      cause: error,
    });
  }
  if (!(error instanceof NodeFailure)) return error;
  const notRetried =
    !idempotent && !error.nothingSent
      ? '. It was not retried because it is not marked idempotent: pass { idempotent: true } if running it twice is safe'
      : '';
  return new NodeUnavailableError(`${error.message}${tries}${notRetried}`, { node: error.node, attempts, nothingSent: error.nothingSent, cause: error.cause });
}
