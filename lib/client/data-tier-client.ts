// The application's way into the tier: reads routed by the consistency they need, writes and
// transactions on the writer that return a read-your-writes token, each node behind a circuit
// breaker, idempotent work retried through a writer's brief unavailability.
import { BrokenCircuitError, ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { RedisCache } from './cache';
import { ingest, Ingester, type IngesterOptions, type IngestProgress, type IngestRow } from './ingest';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { DatabaseNode, type NodeSettings, type PhaseMarker, type UseOptions } from './database-node';
import { NoReplicaAvailableError, unavailableError } from './errors';
import { isFeatureNotSupported, NodeFailure } from './faults';
import { HealthMonitor, type NodeStatus } from './health-monitor';
import { parseLsn } from './lsn';
import { DEFAULTS, type ClientBehaviourOptions, type DataTierClientOptions } from './options';
import { Router, type Candidate } from './router';
import { nodesFromOutputs, topologyOf, type TierOutputs } from './topology';

/**
 * What a read needs to see:
 * - `strong`: everything committed; runs on the writer.
 * - `eventual`: data at most `maxStalenessMs` old; the least-lagged replica within it, else the writer.
 * - `readYourWrites`: everything up to the `token` a write returned; a replica that has replayed it, else the writer.
 * - `analytics`: a long read on a replica (the one chosen for analytics first) with a longer
 *   statement timeout; never the writer unless `analytics.allowWriter`.
 */
export type Consistency = 'strong' | 'eventual' | 'readYourWrites' | 'analytics';

/**
 * A position in the writer's WAL at which a write was committed (`pg_lsn` text such as
 * `16/B374D848`): a replica that has replayed it shows the write. Keep it with the user's session
 * (a cookie, a header) to read one's own writes from any instance of the application. On a
 * writer that gives no WAL position (Aurora PostgreSQL), `WRITER_ONLY_TOKEN`: read back from the writer.
 */
export type ReadYourWritesToken = string;

/** How one query is routed. */
export interface QueryOptions {
  /**
   * What the read needs to see.
   * @default 'strong'
   */
  readonly consistency?: Consistency;
  /**
   * With `eventual`: how stale the data may be.
   * @default the client's `routing.maxStalenessMs`
   */
  readonly maxStalenessMs?: number;
  /**
   * With `readYourWrites`: the token of the session's last write. Without one (no write yet),
   * the read is `eventual`.
   */
  readonly token?: ReadYourWritesToken;
  /**
   * Whether running the work twice is safe: only then is it retried when the writer fails after
   * it was sent. Work that never reached the server is always retried.
   * @default true for reads other than `strong`, false otherwise
   */
  readonly idempotent?: boolean;
}

/** How writer work may be retried. */
export interface WriteOptions {
  /**
   * Cache keys the write makes stale: invalidated once it has committed (see `RedisCache.invalidate`).
   * @default none
   */
  readonly invalidates?: readonly string[];
  /**
   * Whether running the work twice is safe (an upsert, a delete by key): only then is it retried
   * when the writer fails after it was sent.
   * @default false
   */
  readonly idempotent?: boolean;
}

/** Rows and where they came from. */
export interface RoutedResult<R extends QueryResultRow = QueryResultRow> {
  /** The rows, as pg parsed them. */
  readonly rows: R[];
  /** Rows the statement returned or changed, as pg reports it. */
  readonly rowCount: number | null;
  /** `writer`, or the name of the replica that served the query. */
  readonly servedBy: string;
  /** The serving replica's lag when it was chosen (an upper bound of its staleness); 0 on the writer; undefined when only its byte distance was known. */
  readonly lagMs: number | undefined;
}

/** A write's rows, and the token to read it back. */
export interface WriteResult<R extends QueryResultRow = QueryResultRow> extends RoutedResult<R> {
  /** Read with `{ consistency: 'readYourWrites', token }` to see this write. */
  readonly token: ReadYourWritesToken;
}

/** A committed transaction: its function's value, and the token to read its writes back. */
export interface TransactionResult<T> {
  /** What the transaction's function returned. */
  readonly value: T;
  /** Read with `{ consistency: 'readYourWrites', token }` to see the transaction's writes. */
  readonly token: ReadYourWritesToken;
  /** Transactions run on the writer. */
  readonly servedBy: 'writer';
}

/** The writer session a transaction's function runs its statements on. */
export interface Transaction {
  /** Runs a statement in the transaction. */
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

const WRITER = 'writer';
const ANALYTICS: UseOptions = { analytics: true };
/** The writer's WAL insert position: at or past the end of every commit record before it, flushed or not (synchronous_commit off). */
const TOKEN_SQL = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';
const REPLAYED_SQL = 'SELECT pg_last_wal_replay_lsn()::text AS lsn';
/**
 * The token of a write on a writer that gives no WAL position, as Aurora PostgreSQL's (its WAL
 * functions fail with feature_not_supported). No replica replays this far, so the write is read
 * back from the writer.
 */
export const WRITER_ONLY_TOKEN: ReadYourWritesToken = 'FFFFFFFF/FFFFFFFF';
/** A replica asked whether it has replayed a token answered no. */
const NOT_CAUGHT_UP = Symbol('not caught up');

/** A query as the routing carries it. */
interface Statement {
  readonly sql: string;
  readonly params: unknown[] | undefined;
  /** Whether it may run again after the writer failed with it sent. */
  readonly idempotent: boolean;
}

/**
 * A client of a data tier: a pool per node signed in as the application's role, reads routed by
 * replica lag and WAL position, a circuit breaker per node, idempotent writer work retried
 * through a failover. Replicas are polled in the background from construction; `close()` ends it all.
 */
export class DataTierClient {
  /**
   * A client of the tier whose stack outputs are `outputs`: the writer through `ProxyEndpoint`,
   * every `Replica<n>Endpoint`, `DatabasePort` and `DatabaseName`.
   */
  static fromOutputs(outputs: TierOutputs, options: ClientBehaviourOptions = {}): DataTierClient {
    return new DataTierClient({ ...options, ...nodesFromOutputs(outputs) });
  }

  private readonly writer: DatabaseNode;
  private readonly replicas: readonly DatabaseNode[];
  private readonly health: HealthMonitor;
  private readonly router: Router;
  private readonly maxStalenessMs: number;
  private readonly analytics: Required<NonNullable<ClientBehaviourOptions['analytics']>>;
  private readonly retryIdempotent: RetryPolicy;
  private readonly retryUnsent: RetryPolicy;
  private readonly maxRetries: number;
  private readonly cache?: RedisCache;
  /** Whether close() ends the cache: only one the client made from options. */
  private readonly ownsCache: boolean;

  constructor(options: DataTierClientOptions) {
    const topology = topologyOf(options);
    const pool = { ...DEFAULTS.pool, ...options.pool };
    const breaker = { ...DEFAULTS.breaker, ...options.breaker };
    const routing = { ...DEFAULTS.routing, ...options.routing };
    const retries = { ...DEFAULTS.retry, ...options.retry };
    const analyticsReplica = options.analytics?.replica ?? topology.replicas[topology.replicas.length - 1]?.name ?? '';
    if (options.analytics?.replica !== undefined && !topology.replicas.some((replica) => replica.name === analyticsReplica)) {
      throw new Error(`analytics.replica is ${analyticsReplica}, which is none of the replicas (${topology.replicas.map((r) => r.name).join(', ') || 'none'})`);
    }
    this.analytics = { ...DEFAULTS.analytics, ...options.analytics, replica: analyticsReplica };
    const tls = options.tls ?? {};
    const common: Omit<NodeSettings, 'name' | 'role' | 'endpoint'> = {
      database: topology.database,
      signIn: topology.signIn,
      ssl: tls === false ? false : { rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) },
      applicationName: options.applicationName ?? DEFAULTS.applicationName,
      poolSize: pool.max,
      analyticsPoolSize: pool.analyticsMax,
      idleTimeoutMs: pool.idleTimeoutMs,
      connectTimeoutMs: pool.connectTimeoutMs,
      analyticsStatementTimeoutMs: options.analytics?.statementTimeoutMs ?? DEFAULTS.analytics.statementTimeoutMs,
      consecutiveFailures: breaker.consecutiveFailures,
      halfOpenAfterMs: breaker.halfOpenAfterMs,
      onBreakerChange: options.onBreakerChange,
    };
    this.writer = new DatabaseNode({ ...common, name: WRITER, role: 'writer', endpoint: topology.writer });
    this.replicas = topology.replicas.map((replica) => new DatabaseNode({ ...common, name: replica.name, role: 'replica', endpoint: replica.endpoint }));
    this.maxStalenessMs = routing.maxStalenessMs;
    this.health = new HealthMonitor(this.writer, this.replicas, routing);
    this.router = new Router(this.replicas, this.health, routing.maxLagBytes);
    const backoff = new ExponentialBackoff({ initialDelay: retries.initialDelayMs, maxDelay: retries.maxDelayMs });
    // The first retry is onWriter's own, at once: the session that failed is gone from the pool.
    this.maxRetries = retries.maxRetries;
    const maxAttempts = Math.max(0, retries.maxRetries - 1);
    this.retryIdempotent = retry(handleWhen((error) => mayRunAgain(error, true)), { maxAttempts, backoff });
    this.retryUnsent = retry(handleWhen((error) => mayRunAgain(error, false)), { maxAttempts, backoff });
    this.ownsCache = options.cache !== undefined && !(options.cache instanceof RedisCache);
    this.cache = options.cache === undefined ? undefined : options.cache instanceof RedisCache ? options.cache : new RedisCache(options.cache);
    this.health.start();
  }

  /**
   * `load`'s value, from the cache when it holds `key`, else loaded once (concurrent misses in
   * this process share one load) and kept for about `ttlSeconds`. A cache that is down, slow or
   * refusing its token is bypassed; without a cache, `load` runs every time. A read that must see
   * the caller's own writes passes their token to `query` instead.
   */
  cached<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    return this.cache ? this.cache.cached(key, ttlSeconds, load) : load();
  }

  /** Makes the cache forget `keys` (as a write's `invalidates` does after its commit). */
  async invalidate(...keys: string[]): Promise<void> {
    await this.cache?.invalidate(...keys);
  }

  /** An Ingester writing COPY batches to `table` on the writer, as the application's role. */
  ingester(table: string, options?: IngesterOptions): Ingester {
    return new Ingester(this.writer.pool, table, options);
  }

  /** Writes `rows` to `table` in COPY batches on the writer (see `ingest`). */
  ingest(table: string, rows: Iterable<IngestRow> | AsyncIterable<IngestRow>, options?: IngesterOptions): Promise<IngestProgress> {
    return ingest(this.writer.pool, table, rows, options);
  }

  /**
   * The writer's pool (through the proxy), signed in as the application's role, for work the
   * router does not shape: COPY streams, LISTEN. Its sessions bypass the breaker and retries.
   */
  get writerPool(): Pool {
    return this.writer.pool;
  }

  /** Runs `sql` where its consistency allows; the result says where and how stale. */
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: readonly unknown[], options: QueryOptions = {}): Promise<RoutedResult<R>> {
    const consistency = options.consistency ?? 'strong';
    const statement: Statement = { sql, params: params as unknown[] | undefined, idempotent: options.idempotent ?? consistency !== 'strong' };
    switch (consistency) {
      case 'strong':
        return this.readWriter<R>(statement);
      case 'eventual':
        return this.read<R>(this.router.fresh(options.maxStalenessMs ?? this.maxStalenessMs), statement);
      case 'readYourWrites':
        return options.token === undefined ? this.read<R>(this.router.fresh(options.maxStalenessMs ?? this.maxStalenessMs), statement) : this.readYourWrites<R>(options.token, statement);
      case 'analytics':
        return this.read<R>(this.router.freshPreferring(this.analytics.replica, this.analytics.maxStalenessMs), statement, ANALYTICS);
      default:
        return Promise.reject(new TypeError(`unknown consistency ${JSON.stringify(consistency)}: strong, eventual, readYourWrites or analytics`));
    }
  }

  /** Runs one statement on the writer (autocommit) and returns its rows with the token to read them back. */
  async write<R extends QueryResultRow = QueryResultRow>(sql: string, params?: readonly unknown[], options: WriteOptions = {}): Promise<WriteResult<R>> {
    const { result, token } = await this.withToken((session) => session.query<R>(sql, params as unknown[]), options.idempotent ?? false);
    await this.invalidate(...(options.invalidates ?? []));
    return { rows: result.rows, rowCount: result.rowCount, servedBy: WRITER, lagMs: 0, token };
  }

  /**
   * Runs `work` in a transaction on the writer: committed when it resolves, rolled back when it
   * throws. Returns what it returned and the token to read its writes back. With
   * `idempotent`, the whole function runs again when the writer fails; without, only when the
   * writer failed before BEGIN reached it.
   */
  async transaction<T>(work: (transaction: Transaction) => Promise<T>, options: WriteOptions = {}): Promise<TransactionResult<T>> {
    const { result, token } = await this.withToken(async (session, mark) => {
      mark('connecting');
      await session.query('BEGIN');
      mark('running');
      try {
        const value = await work({ query: (sql, params) => session.query(sql, params as unknown[]) });
        mark('committing');
        await session.query('COMMIT');
        return value;
      } catch (error) {
        await session.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }, options.idempotent ?? false);
    await this.invalidate(...(options.invalidates ?? []));
    return { value: result, token, servedBy: WRITER };
  }

  /** Each node as last polled: breaker, lag, and why it is skipped when it is. */
  status(): NodeStatus[] {
    return this.health.status();
  }

  /** Polls every node now (as the background polling does) and returns their status. */
  async refreshStatus(): Promise<NodeStatus[]> {
    await this.health.pollNow();
    return this.health.status();
  }

  /** Stops polling and ends every session. */
  async close(): Promise<void> {
    await this.health.close();
    await Promise.allSettled([this.writer, ...this.replicas].map((node) => node.close()));
    if (this.ownsCache) await this.cache?.close();
  }

  /** `work` on the writer, then the token; a lost token is read again without running the work twice. */
  private async withToken<T>(work: (session: PoolClient, mark: PhaseMarker) => Promise<T>, idempotent: boolean): Promise<{ result: T; token: ReadYourWritesToken }> {
    const done = await this.onWriter(
      () =>
        this.writer.use(async (session, mark) => {
          const result = await work(session, mark);
          // Committed: a writer that has no WAL position to give must not make the write look failed.
          const token = await session.query<{ lsn: string }>(TOKEN_SQL).then(
            ({ rows }) => rows[0].lsn,
            (error: unknown) => (isFeatureNotSupported(error) ? WRITER_ONLY_TOKEN : undefined),
          );
          return { result, token };
        }),
      idempotent,
    );
    const token = done.token ?? (await this.onWriter(() => this.writer.query<{ lsn: string }>(TOKEN_SQL, undefined), true)).rows[0].lsn;
    return { result: done.result, token };
  }

  /**
   * `attempt` on the writer; while the writer is unavailable, tried again at once, then with
   * exponential backoff, if the work is idempotent or was never sent.
   */
  private async onWriter<T>(attempt: () => Promise<T>, idempotent: boolean): Promise<T> {
    const startedAt = performance.now();
    try {
      return await attempt();
    } catch (error) {
      if (this.maxRetries === 0 || !mayRunAgain(error, idempotent)) throw unavailableError(this.writer, error, 1, idempotent, performance.now() - startedAt);
    }
    let attempts = 1;
    try {
      return await (idempotent ? this.retryIdempotent : this.retryUnsent).execute(() => {
        attempts++;
        return attempt();
      });
    } catch (error) {
      throw unavailableError(this.writer, error, attempts, idempotent, performance.now() - startedAt);
    }
  }

  /** A read on the writer: a work that may run twice takes pg's one-promise path, any other a held session that tells whether it was sent. */
  private async readWriter<R extends QueryResultRow>({ sql, params, idempotent }: Statement, options?: UseOptions): Promise<RoutedResult<R>> {
    const attempt = idempotent ? () => this.writer.query<R>(sql, params, options) : () => this.writer.use((session) => session.query<R>(sql, params), options);
    return served(await this.onWriter(attempt, idempotent), WRITER, 0);
  }

  /** On the first candidate that answers, a replica that fails being skipped; then the writer, if it may serve it. */
  private async read<R extends QueryResultRow>(candidates: Candidate[], statement: Statement, options?: UseOptions): Promise<RoutedResult<R>> {
    for (const { node, lagMs } of candidates) {
      try {
        return served(await node.query<R>(statement.sql, statement.params, options), node.name, lagMs);
      } catch (error) {
        skipUnavailable(error);
      }
    }
    if (options === ANALYTICS && !this.analytics.allowWriter) throw this.noAnalyticsReplica();
    return this.readWriter<R>(statement, options);
  }

  private async readYourWrites<R extends QueryResultRow>(tokenText: ReadYourWritesToken, statement: Statement): Promise<RoutedResult<R>> {
    // No replica can show that it has a write of a writer without WAL positions (Aurora).
    if (tokenText === WRITER_ONLY_TOKEN) return this.readWriter<R>(statement);
    const token = parseLsn(tokenText);
    const caughtUp = this.router.caughtUp(token);
    if (caughtUp.length > 0) return this.read<R>(caughtUp, statement);
    // Polls are a few hundred milliseconds apart: right after a write, ask the best replica itself.
    const [best] = this.router.any();
    if (!best) return this.readWriter<R>(statement);
    let result: QueryResult<R> | typeof NOT_CAUGHT_UP;
    try {
      result = await best.node.use(async (session) => {
        const replayed = parseLsn((await session.query<{ lsn: string }>(REPLAYED_SQL)).rows[0].lsn);
        this.health.noteReplayed(best.node, replayed);
        return replayed >= token ? session.query<R>(statement.sql, statement.params) : NOT_CAUGHT_UP;
      });
    } catch (error) {
      skipUnavailable(error);
      return this.readWriter<R>(statement);
    }
    return result === NOT_CAUGHT_UP ? this.readWriter<R>(statement) : served(result, best.node.name, best.lagMs);
  }

  private noAnalyticsReplica(): NoReplicaAvailableError {
    const skipped = this.health
      .status()
      .filter((node) => node.role === 'replica')
      .map((node) => `${node.name}: ${node.problem ?? (node.breaker !== 'closed' ? `circuit breaker ${node.breaker}` : `lag ${describeLag(node.lagMs)} over the ${this.analytics.maxStalenessMs} ms bound`)}`);
    return new NoReplicaAvailableError(
      `no replica can serve the analytics read (${skipped.join('; ') || 'the client has no replicas'}), and analytics reads do not go to the writer unless analytics.allowWriter is set`,
    );
  }
}

/** The writer was unavailable (or its breaker open) and the work may run again: idempotent, or never sent. */
function mayRunAgain(error: unknown, idempotent: boolean): boolean {
  return error instanceof BrokenCircuitError || (error instanceof NodeFailure && (idempotent || error.nothingSent));
}

/** A replica that is unavailable, or whose breaker is open, is skipped; any other error is the work's. */
function skipUnavailable(error: unknown): void {
  if (!(error instanceof NodeFailure || error instanceof BrokenCircuitError)) throw error;
}

function served<R extends QueryResultRow>(result: QueryResult<R>, servedBy: string, lagMs: number | undefined): RoutedResult<R> {
  return { rows: result.rows, rowCount: result.rowCount, servedBy, lagMs };
}

function describeLag(lagMs: number | undefined): string {
  return lagMs === undefined ? 'unknown' : `${Math.round(lagMs)} ms`;
}
