/**
 * postgres-data-tier/client: the application client of a data tier. Reads are routed by the
 * consistency they need (writer, least-lagged replica within a staleness bound, a replica that has
 * replayed the session's own writes, an analytics replica); each node has a circuit breaker;
 * idempotent work is retried through a writer failover. It imports nothing of aws-cdk-lib.
 */
export {
  DataTierClient,
  type Consistency,
  type QueryOptions,
  type ReadYourWritesToken,
  type RoutedResult,
  type Transaction,
  type TransactionResult,
  type WriteOptions,
  type WriteResult,
  WRITER_ONLY_TOKEN,
} from './data-tier-client';
export type { BreakerState } from './database-node';
export { NodeUnavailableError, NoReplicaAvailableError } from './errors';
export type { NodeStatus } from './health-monitor';
export type {
  AnalyticsOptions,
  BreakerOptions,
  ClientBehaviourOptions,
  DataTierClientOptions,
  NodeAddress,
  PoolOptions,
  ReplicaAddress,
  RetryOptions,
  RoutingOptions,
  TlsOptions,
} from './options';
export { SignIn, type Credentials, type Endpoint, type IamSignInOptions, type SecretSignInOptions } from './sign-in';
export type { TierOutputs } from './topology';
export { cacheAuthTokenFromSecret } from './cache-auth-token';
export { RedisCache, type CacheCodec, type CacheConnectionOptions, type CacheRedisClient, type CacheStats, type RedisCacheOptions } from './cache';
export {
  ingest,
  IngestBatchError,
  Ingester,
  type IngestDatabase,
  type IngesterOptions,
  type IngestProgress,
  type IngestRow,
  type WrittenBatch,
} from './ingest';
