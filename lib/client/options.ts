import type { RedisCache, RedisCacheOptions } from './cache';
// What an application configures, with the defaults filled in once, here.
import type { BreakerState } from './database-node';
import type { SignIn } from './sign-in';

/** A node by address; the port defaults to the client's `port`. */
export interface NodeAddress {
  /** Host name (TLS verifies the certificate against it) or IP address. */
  readonly host: string;
  /**
   * @default the client's `port`
   */
  readonly port?: number;
}

/** A read replica by address, with the name results and errors give it. */
export interface ReplicaAddress extends NodeAddress {
  /**
   * How `servedBy` and errors name it.
   * @default `replica-<n>`, n counting from 1 in the order given
   */
  readonly name?: string;
}

/**
 * TLS to every node. The server's certificate must chain to a trusted CA and name the host
 * (verify-full). RDS's CAs are not among Node's: give them here, or in `NODE_EXTRA_CA_CERTS`.
 */
export interface TlsOptions {
  /**
   * The CA certificates (PEM) to trust, e.g. the RDS global bundle.
   * @default Node's CAs and NODE_EXTRA_CA_CERTS
   */
  readonly ca?: string | Buffer;
}

/** Connection pools, one per node (and one per replica for analytics). */
export interface PoolOptions {
  /**
   * Sessions per node (the writer's go through RDS Proxy, which pools them again).
   * @default 10
   */
  readonly max?: number;
  /**
   * Sessions per replica for analytics reads, apart from the others.
   * @default 2
   */
  readonly analyticsMax?: number;
  /**
   * How long an unused session stays open.
   * @default 30000
   */
  readonly idleTimeoutMs?: number;
  /**
   * How long opening a session may take before the node counts as unavailable.
   * @default 5000
   */
  readonly connectTimeoutMs?: number;
}

/** How replicas are watched and chosen. */
export interface RoutingOptions {
  /**
   * How stale an `eventual` read may be, unless the query says otherwise.
   * @default 1000
   */
  readonly maxStalenessMs?: number;
  /**
   * A replica whose lag in time cannot be told (no writer position old enough, no commit
   * replayed since it started) is used while its replayed WAL is within this many bytes of the
   * writer's, as GitLab's load balancer does.
   * @default 1048576 (1 MiB)
   */
  readonly maxLagBytes?: number;
  /**
   * How often the writer's WAL position and each replica's replay are polled, give or take the jitter.
   * @default 500
   */
  readonly pollIntervalMs?: number;
  /**
   * The share of `pollIntervalMs` by which each wait varies at random, so that many clients do not poll in step.
   * @default 0.2
   */
  readonly pollJitter?: number;
  /**
   * Statement and connection timeout of a poll: a replica that does not answer within it is skipped.
   * @default 1000
   */
  readonly pollTimeoutMs?: number;
}

/** Where `analytics` reads run, and how long they may take. */
export interface AnalyticsOptions {
  /**
   * The replica that serves `analytics` reads while it is healthy; the others take over when it is not.
   * @default the last replica
   */
  readonly replica?: string;
  /**
   * statement_timeout of analytics sessions.
   * @default 300000 (5 minutes)
   */
  readonly statementTimeoutMs?: number;
  /**
   * How stale an analytics read may be.
   * @default 300000 (5 minutes)
   */
  readonly maxStalenessMs?: number;
  /**
   * Whether analytics reads may run on the writer when no replica can serve them.
   * @default false
   */
  readonly allowWriter?: boolean;
}

/** The circuit breaker of each node (cockatiel's ConsecutiveBreaker). */
export interface BreakerOptions {
  /**
   * Consecutive failures of a node, as unavailable, that open its circuit breaker.
   * @default 5
   */
  readonly consecutiveFailures?: number;
  /**
   * How long an open breaker skips its node before one call (a poll, usually) probes it.
   * @default 2000
   */
  readonly halfOpenAfterMs?: number;
}

/** Retries on the writer of work that is idempotent or was never sent: the first at once, the others with exponential backoff. */
export interface RetryOptions {
  /**
   * Retries of idempotent work when the writer is unavailable (a failover, a restart), after the first attempt.
   * @default 8
   */
  readonly maxRetries?: number;
  /**
   * The first wait between attempts after the immediate retry; each next one is about twice as long, with jitter.
   * @default 100
   */
  readonly initialDelayMs?: number;
  /**
   * The longest wait between two attempts.
   * @default 3000
   */
  readonly maxDelayMs?: number;
}

/** Everything but where the nodes are: what `DataTierClient.fromOutputs` takes besides the outputs. */
export interface ClientBehaviourOptions {
  /**
   * How the client signs in as the application's role.
   * @default the user and password of the writer's URL
   */
  readonly signIn?: SignIn;
  /**
   * TLS to every node, or false for none (a local server).
   * @default verify-full with Node's CAs
   */
  readonly tls?: TlsOptions | false;
  /**
   * application_name of the client's sessions.
   * @default 'data-tier-client'
   */
  readonly applicationName?: string;
  /** @default see each option */
  readonly pool?: PoolOptions;
  /** @default see each option */
  readonly routing?: RoutingOptions;
  /** @default see each option */
  readonly analytics?: AnalyticsOptions;
  /** @default see each option */
  readonly breaker?: BreakerOptions;
  /** @default see each option */
  readonly retry?: RetryOptions;
  /**
   * Called whenever a node's circuit breaker changes state (`writer` or the replica's name), to log or count it.
   * @default nothing is called
   */
  readonly onBreakerChange?: (node: string, state: BreakerState) => void;
  /**
   * The cache for `cached()` and the keys writes invalidate: a `RedisCache` of yours, or the
   * options of one the client makes and closes (the tier's `CachePrimaryEndpoint`, port 6380,
   * TLS, the AUTH token from `CacheAuthSecretArn` through `cacheAuthTokenFromSecret`).
   * @default none: `cached()` always loads from the database
   */
  readonly cache?: RedisCache | RedisCacheOptions;
}

/** Where the tier's nodes are, and how to use them. */
export interface DataTierClientOptions extends ClientBehaviourOptions {
  /** The writer: the tier's `ProxyEndpoint`, as a URL (`postgres://user:password@host:port/database`) or an address. */
  readonly writer: string | NodeAddress;
  /**
   * The read replicas (`Replica<n>Endpoint`), as URLs or addresses.
   * @default none: every read goes to the writer
   */
  readonly replicas?: ReadonlyArray<string | ReplicaAddress>;
  /**
   * The database.
   * @default the writer URL's, else 'app'
   */
  readonly database?: string;
  /**
   * The port of addresses given without one.
   * @default 5432
   */
  readonly port?: number;
}

export const DEFAULTS = {
  port: 5432,
  database: 'app',
  applicationName: 'data-tier-client',
  pool: { max: 10, analyticsMax: 2, idleTimeoutMs: 30_000, connectTimeoutMs: 5_000 },
  routing: { maxStalenessMs: 1_000, maxLagBytes: 1024 * 1024, pollIntervalMs: 500, pollJitter: 0.2, pollTimeoutMs: 1_000 },
  analytics: { statementTimeoutMs: 300_000, maxStalenessMs: 300_000, allowWriter: false },
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 2_000 },
  retry: { maxRetries: 8, initialDelayMs: 100, maxDelayMs: 3_000 },
} as const;
