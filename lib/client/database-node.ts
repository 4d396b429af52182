// One server the client uses (the writer through the proxy, or a replica): its connection pools,
// signed in as the application's role, and its circuit breaker. Every use of the node goes
// through the breaker, and a failure that says the node is unavailable comes out as a
// NodeFailure naming the node and how far the work got.
import { CircuitBreakerPolicy, CircuitState, circuitBreaker, ConsecutiveBreaker, handleWhen } from 'cockatiel';
import { Client, Pool, type ClientConfig, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { isAuthenticationFailure, isNodeUnavailable, NodeFailure, type FailurePhase, type NodeRole } from './faults';
import type { Endpoint, SignIn } from './sign-in';

export interface NodeSettings {
  readonly name: string;
  readonly role: NodeRole;
  readonly endpoint: Endpoint;
  readonly database: string;
  readonly signIn: SignIn;
  /** pg's `ssl`: false, or the TLS options of verify-full. */
  readonly ssl: ClientConfig['ssl'];
  readonly applicationName: string;
  readonly poolSize: number;
  readonly analyticsPoolSize: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly analyticsStatementTimeoutMs: number;
  readonly consecutiveFailures: number;
  readonly halfOpenAfterMs: number;
  readonly onBreakerChange?: (node: string, state: BreakerState) => void;
}

/** What a node's breaker shows: `closed` in use, `open` skipped, `half-open` being probed. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** Which of the node's pools a use takes its session from. */
export interface UseOptions {
  /** The analytics pool, whose sessions have the longer statement_timeout. */
  readonly analytics?: boolean;
}

/** Marks how far the work got, so a failure says whether running it again could run it twice. */
export type PhaseMarker = (phase: FailurePhase) => void;

export class DatabaseNode {
  readonly breaker: CircuitBreakerPolicy;
  /** Sessions for the work of applications. */
  readonly pool: Pool;
  private analytics: Pool | undefined;
  private readonly unavailableListeners: Array<() => void> = [];

  constructor(readonly settings: NodeSettings) {
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof NodeFailure),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.consecutiveFailures) },
    );
    const { onBreakerChange } = settings;
    if (onBreakerChange) this.breaker.onStateChange((state) => onBreakerChange(settings.name, BREAKER_STATES[state]));
    this.pool = this.newPool(settings.poolSize, {});
  }

  get name(): string {
    return this.settings.name;
  }

  get role(): NodeRole {
    return this.settings.role;
  }

  /** host:port, for messages. */
  get address(): string {
    return `${this.settings.endpoint.host}:${this.settings.endpoint.port}`;
  }

  get breakerState(): BreakerState {
    return BREAKER_STATES[this.breaker.state];
  }

  /** Called whenever the node fails as unavailable (a session lost, a connection refused). */
  onUnavailable(listener: () => void): void {
    this.unavailableListeners.push(listener);
  }

  /**
   * Runs `work` on a session of the node through its breaker. A failure that says the node is
   * unavailable becomes a NodeFailure at the phase `work` last marked (`running` from the start);
   * any other error is the work's own and is thrown as it is.
   */
  use<T>(work: (session: PoolClient, mark: PhaseMarker) => Promise<T>, options: UseOptions = {}): Promise<T> {
    return this.breaker.execute(async () => {
      let phase: FailurePhase = 'connecting';
      const pool = options.analytics ? this.analyticsPool() : this.pool;
      let session: PoolClient;
      try {
        session = await pool.connect();
      } catch (error) {
        session = await this.signInAgain(pool, error);
      }
      phase = 'running';
      let lost = false;
      try {
        return await work(session, (next) => (phase = next));
      } catch (error) {
        lost = isNodeUnavailable(error, this.role);
        throw lost ? this.failure(phase, error) : error;
      } finally {
        // A session that failed as unavailable is not given to the next caller.
        session.release(lost || undefined);
      }
    });
  }

  /**
   * One statement on a pooled session, through the breaker: pg's own `pool.query`, one promise
   * where `use` holds a session across several. Its failure cannot tell whether the statement
   * reached the server (it counts as `running`), so it serves work that may run again: reads.
   */
  query<R extends QueryResultRow>(sql: string, params: unknown[] | undefined, options: UseOptions = {}): Promise<QueryResult<R>> {
    const pool = options.analytics ? this.analyticsPool() : this.pool;
    return this.breaker.execute(() => pool.query<R>(sql, params).catch((error: unknown) => this.queryAfterRefusal(pool, sql, params, error)));
  }

  /** A connection of its own, outside the pools and signed in like them (the health poll). */
  newClient(config: Pick<ClientConfig, 'statement_timeout' | 'query_timeout' | 'connectionTimeoutMillis'>): Client {
    return new (this.signedInClient())({ ...this.baseConfig(), ...config });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.pool.end(), this.analytics?.end()]);
  }

  /** A failure that says the node is unavailable, as a NodeFailure; anything else as it is. */
  failure(phase: FailurePhase, error: unknown): unknown {
    if (!isNodeUnavailable(error, this.role)) return error;
    for (const listener of this.unavailableListeners) listener();
    return new NodeFailure(this.name, this.address, phase, error);
  }

  private analyticsPool(): Pool {
    this.analytics ??= this.newPool(this.settings.analyticsPoolSize, { statement_timeout: this.settings.analyticsStatementTimeoutMs });
    return this.analytics;
  }

  private queryAfterRefusal<R extends QueryResultRow>(pool: Pool, sql: string, params: unknown[] | undefined, error: unknown): Promise<QueryResult<R>> {
    const { signIn, endpoint } = this.settings;
    if (!isAuthenticationFailure(error) || !signIn.refused) throw this.failure('running', error);
    signIn.refused(endpoint);
    return pool.query<R>(sql, params).catch((again: unknown) => {
      throw this.failure('running', again);
    });
  }

  /** After a failed connect: when the server refused the credentials, the sign-in is told and asked once more. */
  private async signInAgain(pool: Pool, error: unknown): Promise<PoolClient> {
    const { signIn, endpoint } = this.settings;
    if (!isAuthenticationFailure(error) || !signIn.refused) throw this.failure('connecting', error);
    signIn.refused(endpoint);
    try {
      return await pool.connect();
    } catch (again) {
      throw this.failure('connecting', again);
    }
  }

  private baseConfig(): ClientConfig {
    const { endpoint, database, ssl, applicationName, connectTimeoutMs } = this.settings;
    return { host: endpoint.host, port: endpoint.port, database, ssl, application_name: applicationName, connectionTimeoutMillis: connectTimeoutMs };
  }

  private newPool(max: number, config: Pick<ClientConfig, 'statement_timeout'>): Pool {
    const pool = new Pool({ ...this.baseConfig(), ...config, max, idleTimeoutMillis: this.settings.idleTimeoutMs, Client: this.signedInClient() });
    // An idle session the server ended (a restart, a failover): pg drops it; the node is suspect.
    pool.on('error', (error) => this.failure('connecting', error));
    return pool;
  }

  /** pg's Client, asking the sign-in for credentials each time it opens a connection. */
  private signedInClient(): typeof Client {
    const { signIn, endpoint } = this.settings;
    return class SignedInClient extends Client {
      constructor(config?: ClientConfig) {
        super(config);
        // A session lost while checked out also emits 'error' after failing its query (which is
        // how the failure is reported); without a listener that event would end the process.
        this.on('error', () => {});
      }

      connect(): Promise<Client>;
      connect(callback: ((error: Error) => void) | ((error: null, client: Client) => void)): void;
      connect(callback?: ((error: Error) => void) | ((error: null, client: Client) => void)): Promise<Client> | void {
        const signedIn = signIn.credentials(endpoint).then(({ user, password }) => {
          this.user = user;
          (this as unknown as { connectionParameters: { user: string } }).connectionParameters.user = user;
          this.password = password;
        });
        if (!callback) return signedIn.then(() => super.connect());
        signedIn.then(
          () => super.connect(callback),
          (error: Error) => (callback as (error: Error) => void)(error),
        );
      }
    };
  }
}
