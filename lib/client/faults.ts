// Which failures say a node is unavailable (its circuit breaker counts them; a read moves on to
// another node; the writer's work may be retried) and which are the work's own (a constraint, a
// syntax error, a statement timeout): those go back to the caller as they are.

/** SQLSTATEs of a node going away or refusing sessions: admin_shutdown, crash_shutdown, cannot_connect_now, and class 08 (connection exception). */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);
/** read_only_sql_transaction: on the writer, the proxy's target is (still) a standby during a failover. */
const READ_ONLY = '25006';
/** invalid_password, invalid_authorization_specification (an IAM token refused). */
const AUTHENTICATION_STATES = new Set(['28P01', '28000']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
/** What pg says when a connection ends or never opens (its errors carry no code). */
const PG_CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection timeout|Query read timeout/i;

/** A node's place in the tier. */
export type NodeRole = 'writer' | 'replica';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The failure says the node is unavailable, not that the work is wrong. */
export function isNodeUnavailable(error: unknown, role: NodeRole): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    if (UNAVAILABLE_STATES.has(code) || code.startsWith('08') || NETWORK_CODES.has(code)) return true;
    if (code === READ_ONLY) return role === 'writer';
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  return PG_CONNECTION_MESSAGES.test(messageOf(error));
}

/**
 * feature_not_supported: how Aurora PostgreSQL answers its writer's and readers' WAL position
 * functions ("... is currently not supported for Aurora", the SQLSTATE postgres_exporter's
 * collector/pg_replication.go falls back on).
 */
export function isFeatureNotSupported(error: unknown): boolean {
  return codeOf(error) === '0A000';
}

export function isAuthenticationFailure(error: unknown): boolean {
  return AUTHENTICATION_STATES.has(codeOf(error) ?? '');
}

/** How far the work got before the node failed. */
export type FailurePhase = 'connecting' | 'running' | 'committing';

/** A node failed while the client used it: which node, at which phase, with what. */
export class NodeFailure extends Error {
  constructor(
    readonly node: string,
    readonly address: string,
    readonly phase: FailurePhase,
    cause: unknown,
  ) {
    super(`${node} (${address}) failed ${PHASE_WORDS[phase]}: ${describe(cause)}`, { cause });
    this.name = 'NodeFailure';
  }

  /** Nothing of the work reached the server: running it again cannot run it twice. */
  get nothingSent(): boolean {
    return this.phase === 'connecting';
  }
}

const PHASE_WORDS: Record<FailurePhase, string> = {
  connecting: 'before the work was sent',
  running: 'while running the work',
  committing: 'while committing (the transaction may or may not have committed)',
};

/** An error's message, also of an Error from another realm (a test runner's sandbox). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** The message, with the SQLSTATE or system code when there is one. */
export function describe(error: unknown): string {
  const code = codeOf(error);
  return code ? `${messageOf(error)} (${code})` : messageOf(error);
}
