/**
 * Typed environment presets for the data tier, and their validation.
 *
 * Every value a platform engineer may change lives here, one preset per environment.
 * `resolveConfig` merges the preset with CDK context overrides and validates the result
 * before any construct is built, so a bad value fails with a message that names the
 * field, the value and what is allowed.
 */

/** The environments this app knows how to build. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/**
 * PostgreSQL major versions the stack and the SQL support: `sql/` needs 17 or later
 * (identity columns on partitioned tables).
 */
export const SUPPORTED_ENGINE_MAJOR_VERSIONS = [17, 18] as const;
export type EngineMajorVersion = (typeof SUPPORTED_ENGINE_MAJOR_VERSIONS)[number];

/** Redis-compatible engines ElastiCache offers for the cache. */
export const CACHE_ENGINES = ['redis', 'valkey'] as const;
export type CacheEngine = (typeof CACHE_ENGINES)[number];

/** Enhanced monitoring intervals RDS accepts, in seconds (0 would switch it off, which we do not allow). */
export const MONITORING_INTERVALS_SECONDS = [1, 5, 10, 15, 30, 60] as const;

/** Performance Insights retention RDS accepts: 7 days (free tier), whole months up to 24, or 731 days. */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = [7, ...Array.from({ length: 24 }, (_, i) => (i + 1) * 31), 731];

export const MIN_AZ_COUNT = 3;
export const MAX_REPLICA_COUNT = 5;
export const MIN_BACKUP_RETENTION_DAYS = 1;
export const MAX_BACKUP_RETENTION_DAYS = 35;
export const MIN_GP3_STORAGE_GIB = 20;
export const MAX_STORAGE_GIB = 65_536;

/** An existing VPC to build into instead of creating one. */
export interface ExistingVpcConfig {
  /** VPC id, e.g. `vpc-0abc...`. */
  readonly vpcId: string;
  /** Isolated subnets for the database and cache, one per availability zone, in the order of `availabilityZones`. */
  readonly dataSubnetIds: string[];
  /** Subnets for the functions, one per availability zone; they reach AWS APIs through the VPC's own endpoints. */
  readonly functionSubnetIds: string[];
}

export interface NetworkConfig {
  /**
   * CIDR of the VPC the stack creates.
   * @default '10.40.0.0/16'
   */
  readonly vpcCidr: string;
  /**
   * Build into an existing VPC instead; its interface endpoints and flow logs are the owner's.
   * @default - a new VPC is created
   */
  readonly existingVpc?: ExistingVpcConfig;
  /**
   * Days of VPC flow logs kept in CloudWatch Logs.
   */
  readonly flowLogRetentionDays: number;
}

export interface DatabaseConfig {
  /** PostgreSQL major version; RDS applies minor versions automatically. @default 17 */
  readonly engineMajorVersion: EngineMajorVersion;
  /** Instance class of the primary, e.g. `db.r7g.large`. */
  readonly instanceClass: string;
  /** Instance class of each read replica. */
  readonly replicaInstanceClass: string;
  /** Read replicas, placed round the availability zones so all three hold a node. */
  readonly replicaCount: number;
  /** Synchronous standby in a second availability zone. */
  readonly multiAz: boolean;
  /** Initial gp3 storage in GiB. */
  readonly allocatedStorageGiB: number;
  /** Ceiling for storage autoscaling in GiB. */
  readonly maxAllocatedStorageGiB: number;
  /** Days of automated backups, which is also the point-in-time recovery window (1 to 35). */
  readonly backupRetentionDays: number;
  /** Performance Insights retention in days (7, a multiple of 31 up to 744, or 731). */
  readonly performanceInsightsRetentionDays: number;
  /** Enhanced monitoring interval in seconds. */
  readonly monitoringIntervalSeconds: number;
  /** Listener port; not the default 5432, to stay out of the way of untargeted scans. @default 5433 */
  readonly port: number;
  /** Refuse DeleteDBInstance and keep a final snapshot when the stack is deleted. */
  readonly deletionProtection: boolean;
  /** Statements slower than this are logged (`log_min_duration_statement`), in ms. */
  readonly slowStatementMs: number;
  /** Sessions idle inside a transaction longer than this are ended, in ms. */
  readonly idleInTransactionTimeoutMs: number;
  /** Days the PostgreSQL log exports are kept in CloudWatch Logs. */
  readonly logRetentionDays: number;
}

export interface ProxyConfig {
  /** Clients must authenticate with IAM end to end (proxy to database too) instead of the secret. @default false */
  readonly iamAuthEndToEnd: boolean;
  /** Seconds a client connection may sit idle before the proxy closes it. */
  readonly idleClientTimeoutSeconds: number;
  /** Share of the database's `max_connections` the proxy may open (1 to 100). */
  readonly maxConnectionsPercent: number;
}

export interface CacheConfig {
  /** `redis` (Redis OSS, the default) or `valkey`. */
  readonly engine: CacheEngine;
  /** Engine version, e.g. `7.1` for Redis OSS or `8.0` for Valkey. */
  readonly engineVersion: string;
  /** Node type, e.g. `cache.r7g.large`. */
  readonly nodeType: string;
  /** Listener port; not the default 6379. @default 6380 */
  readonly port: number;
  /** Days of automatic snapshots kept (15 to 35). */
  readonly snapshotRetentionDays: number;
}

export interface BackupConfig {
  /** Days AWS Backup keeps each daily recovery point. */
  readonly retentionDays: number;
  /**
   * ARN of a backup vault in another region to copy each recovery point to (the DR copy
   * for region loss). Name it anything but `data-tier-<env>-vault`, which the stack itself
   * creates when it is deployed in that region during a recovery.
   * @default - no cross-region copy
   */
  readonly copyToVaultArn?: string;
}

/**
 * Alarm thresholds, in the units people think in; the alarm table converts each to its
 * metric's real unit (RDS ReplicaLag is seconds, RDS Proxy latency is microseconds).
 */
export interface AlarmThresholds {
  /** CPU of an instance, percent. Seeds: 80. */
  readonly cpuPercent: number;
  /** Free storage floor in GiB; the alarm fires below this or below `freeStoragePercent`, whichever is larger. Seeds: 10. */
  readonly freeStorageGiB: number;
  /** Free storage floor as a percent of allocated storage. */
  readonly freeStoragePercent: number;
  /** Freeable memory floor in MiB. */
  readonly freeableMemoryMiB: number;
  /** Outstanding I/O requests waiting for disk. */
  readonly diskQueueDepth: number;
  /** Client connections as a percent of max_connections (health check). Seeds: 80. */
  readonly connectionsPercent: number;
  /** Highest transaction ID age RDS reports (wraparound at 2^31). */
  readonly maximumUsedTransactionIds: number;
  /** WAL kept on disk, GiB. */
  readonly transactionLogsDiskUsageGiB: number;
  /** WAL held by the oldest replication slot, GiB. */
  readonly replicationSlotLagGiB: number;
  /** Replica lag, seconds. Seeds: 3. */
  readonly replicaLagSeconds: number;
  /** p95 of client-side query latency measured by the health check, ms. Seeds: 300. */
  readonly queryLatencyP95Ms: number;
  /** p95 of RDS Proxy query response latency, ms. */
  readonly proxyLatencyP95Ms: number;
  /** Client connections open on the proxy. */
  readonly proxyClientConnections: number;
  /** Failed client or database connection setups on the proxy per 5 minutes. */
  readonly proxySetupFailuresPer5Min: number;
  /** Engine CPU of a cache node, percent. Seeds: 75. */
  readonly cacheEngineCpuPercent: number;
  /** Memory used by a cache node's data, percent of maxmemory. */
  readonly cacheMemoryPercent: number;
  /** Keys evicted per 5 minutes on a cache node. */
  readonly cacheEvictionsPer5Min: number;
  /** Replication lag of a cache replica node, seconds. */
  readonly cacheReplicationLagSeconds: number;
  /** Sessions waiting on a lock longer than 1 s. Seeds: lock waits > 1 s. */
  readonly lockWaitsOver1s: number;
  /** Deadlocks per 5 minutes. */
  readonly deadlocksPer5Min: number;
  /** Age of the oldest open transaction, seconds. */
  readonly longestTransactionSeconds: number;
  /** Transaction ID age as a percent of the wraparound limit. */
  readonly transactionIdWraparoundPercent: number;
  /** Fewest future monthly partitions allowed; seeds: "partition missing for current month". */
  readonly partitionsAheadMin: number;
  /**
   * Rows allowed in default partitions (rows there are out of range). Below
   * `DEFAULT_PARTITION_ROWS_COUNTED_UP_TO`, where health_check() stops counting.
   */
  readonly defaultPartitionRows: number;
  /**
   * Seconds a registered materialized view may be past its own refresh interval (the refresh
   * task runs every 5 minutes, so 600 is two missed runs).
   */
  readonly materializedViewOverdueSeconds: number;
}

export interface MonitoringConfig {
  /** Addresses subscribed to the alarm topic (each confirms by email). */
  readonly alarmEmails: string[];
  /**
   * Where `runbooks/` is published, e.g. `https://github.com/acme/data-tier/blob/main/runbooks`;
   * each alarm description then carries a link as well as the file name.
   * @default - file names only
   */
  readonly runbookBaseUrl?: string;
  readonly thresholds: AlarmThresholds;
}

export interface DrillsConfig {
  /**
   * Create the AWS Fault Injection Service experiment templates (primary failover, cache
   * AZ power interruption) for game days. Creating them changes nothing until one is started.
   */
  readonly faultInjection: boolean;
}

export interface OperatorAccessConfig {
  /**
   * An operator host reached only through AWS Systems Manager (no inbound port, no key pair),
   * its SSM interface endpoints and session logging: SREs open port-forwarding tunnels to the
   * proxy, the instances and the cache from a laptop (`npm run tunnel`).
   * @default true
   */
  readonly enabled: boolean;
}

/** The whole configuration of one environment. */
export interface DataTierConfig {
  readonly envName: EnvironmentName;
  /** AWS account; when unset the stack stays account-agnostic and `cdk deploy` uses the CLI's credentials. */
  readonly account?: string;
  readonly region: string;
  /** Exactly the availability zones to use, in the region; at least three. */
  readonly availabilityZones: string[];
  readonly network: NetworkConfig;
  readonly database: DatabaseConfig;
  readonly proxy: ProxyConfig;
  readonly cache: CacheConfig;
  readonly backup: BackupConfig;
  readonly monitoring: MonitoringConfig;
  readonly drills: DrillsConfig;
  readonly operatorAccess: OperatorAccessConfig;
}

const DEFAULT_REGION = 'us-east-1';

/** health_check() counts the rows of a default partition up to this many (sql/010), which bounds its cost. */
export const DEFAULT_PARTITION_ROWS_COUNTED_UP_TO = 10_000;

const SEED_THRESHOLDS: AlarmThresholds = {
  cpuPercent: 80,
  freeStorageGiB: 10,
  freeStoragePercent: 10,
  freeableMemoryMiB: 1024,
  diskQueueDepth: 20,
  connectionsPercent: 80,
  maximumUsedTransactionIds: 1_000_000_000,
  transactionLogsDiskUsageGiB: 20,
  replicationSlotLagGiB: 20,
  replicaLagSeconds: 3,
  queryLatencyP95Ms: 300,
  proxyLatencyP95Ms: 300,
  proxyClientConnections: 1800,
  proxySetupFailuresPer5Min: 5,
  cacheEngineCpuPercent: 75,
  cacheMemoryPercent: 80,
  cacheEvictionsPer5Min: 1000,
  cacheReplicationLagSeconds: 5,
  lockWaitsOver1s: 0,
  deadlocksPer5Min: 0,
  longestTransactionSeconds: 300,
  transactionIdWraparoundPercent: 50,
  partitionsAheadMin: 1,
  defaultPartitionRows: 0,
  materializedViewOverdueSeconds: 600,
};

const PRESETS: Record<EnvironmentName, Omit<DataTierConfig, 'envName' | 'account' | 'region' | 'availabilityZones'>> = {
  dev: {
    network: { vpcCidr: '10.40.0.0/16', flowLogRetentionDays: 14 },
    database: {
      engineMajorVersion: 17,
      instanceClass: 'db.t4g.medium',
      replicaInstanceClass: 'db.t4g.medium',
      replicaCount: 0,
      multiAz: false,
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 100,
      backupRetentionDays: 1,
      performanceInsightsRetentionDays: 7,
      monitoringIntervalSeconds: 60,
      port: 5433,
      deletionProtection: false,
      slowStatementMs: 300,
      idleInTransactionTimeoutMs: 60_000,
      logRetentionDays: 14,
    },
    proxy: { iamAuthEndToEnd: false, idleClientTimeoutSeconds: 1800, maxConnectionsPercent: 80 },
    cache: { engine: 'redis', engineVersion: '7.1', nodeType: 'cache.t4g.small', port: 6380, snapshotRetentionDays: 15 },
    backup: { retentionDays: 7 },
    monitoring: { alarmEmails: [], thresholds: { ...SEED_THRESHOLDS, freeableMemoryMiB: 256, proxyClientConnections: 400 } },
    drills: { faultInjection: false },
    operatorAccess: { enabled: true },
  },
  staging: {
    network: { vpcCidr: '10.41.0.0/16', flowLogRetentionDays: 30 },
    database: {
      engineMajorVersion: 17,
      instanceClass: 'db.r7g.large',
      replicaInstanceClass: 'db.r7g.large',
      replicaCount: 1,
      multiAz: true,
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      backupRetentionDays: 7,
      performanceInsightsRetentionDays: 7,
      monitoringIntervalSeconds: 30,
      port: 5433,
      deletionProtection: true,
      slowStatementMs: 300,
      idleInTransactionTimeoutMs: 60_000,
      logRetentionDays: 30,
    },
    proxy: { iamAuthEndToEnd: false, idleClientTimeoutSeconds: 1800, maxConnectionsPercent: 80 },
    cache: { engine: 'redis', engineVersion: '7.1', nodeType: 'cache.r7g.large', port: 6380, snapshotRetentionDays: 15 },
    backup: { retentionDays: 14 },
    monitoring: { alarmEmails: [], thresholds: SEED_THRESHOLDS },
    drills: { faultInjection: false },
    operatorAccess: { enabled: true },
  },
  prod: {
    network: { vpcCidr: '10.42.0.0/16', flowLogRetentionDays: 365 },
    database: {
      engineMajorVersion: 17,
      instanceClass: 'db.r7g.xlarge',
      replicaInstanceClass: 'db.r7g.xlarge',
      replicaCount: 2,
      multiAz: true,
      allocatedStorageGiB: 500,
      maxAllocatedStorageGiB: 2000,
      backupRetentionDays: 35,
      performanceInsightsRetentionDays: 731,
      monitoringIntervalSeconds: 15,
      port: 5433,
      deletionProtection: true,
      slowStatementMs: 300,
      idleInTransactionTimeoutMs: 60_000,
      logRetentionDays: 365,
    },
    proxy: { iamAuthEndToEnd: false, idleClientTimeoutSeconds: 1800, maxConnectionsPercent: 80 },
    cache: { engine: 'redis', engineVersion: '7.1', nodeType: 'cache.r7g.large', port: 6380, snapshotRetentionDays: 35 },
    backup: { retentionDays: 35 },
    monitoring: { alarmEmails: [], thresholds: SEED_THRESHOLDS },
    drills: { faultInjection: false },
    operatorAccess: { enabled: true },
  },
};

/** Values from CDK context (`-c key=value` or cdk.json) and the CDK CLI's environment variables. */
export interface ConfigSources {
  /** Context values, e.g. `{ env: 'prod', region: 'eu-west-1' }`. */
  readonly context: Record<string, unknown>;
  /** Process environment; `CDK_DEFAULT_ACCOUNT` and `CDK_DEFAULT_REGION` are read. */
  readonly environment?: Record<string, string | undefined>;
}

/** A configuration value outside what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Invalid config "${field}" = ${JSON.stringify(value)}: ${allowed}`);
    this.name = 'ConfigError';
  }
}

function contextString(context: Record<string, unknown>, key: string): string | undefined {
  const value = context[key];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function contextList(context: Record<string, unknown>, key: string): string[] | undefined {
  const value = context[key];
  if (value === undefined || value === null || value === '') return undefined;
  return Array.isArray(value) ? value.map(String) : String(value).split(',').map((s) => s.trim());
}

/**
 * Builds the configuration of the environment named by context `env` (default `dev`).
 * Context may override `account`, `region`, `availabilityZones` (comma-separated) and,
 * as a JSON object under `overrides`, any field of the preset.
 */
export function resolveConfig(sources: ConfigSources): DataTierConfig {
  const { context } = sources;
  const environment = sources.environment ?? {};
  const envName = contextString(context, 'env') ?? 'dev';
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(envName)) {
    throw new ConfigError('env', envName, `must be one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }
  const preset = PRESETS[envName as EnvironmentName];
  const region = contextString(context, 'region') ?? environment.CDK_DEFAULT_REGION ?? DEFAULT_REGION;
  const overrides = parseOverrides(context.overrides);
  const config: DataTierConfig = {
    ...preset,
    envName: envName as EnvironmentName,
    account: contextString(context, 'account') ?? environment.CDK_DEFAULT_ACCOUNT,
    region,
    availabilityZones: contextList(context, 'availabilityZones') ?? ['a', 'b', 'c'].map((zone) => `${region}${zone}`),
    network: { ...preset.network, ...(overrides.network ?? {}) },
    database: { ...preset.database, ...(overrides.database ?? {}) },
    proxy: { ...preset.proxy, ...(overrides.proxy ?? {}) },
    cache: { ...preset.cache, ...(overrides.cache ?? {}) },
    backup: { ...preset.backup, ...(overrides.backup ?? {}) },
    monitoring: {
      ...preset.monitoring,
      ...(overrides.monitoring ?? {}),
      thresholds: { ...preset.monitoring.thresholds, ...(overrides.monitoring?.thresholds ?? {}) },
    },
    drills: { ...preset.drills, ...(overrides.drills ?? {}) },
    operatorAccess: { ...preset.operatorAccess, ...(overrides.operatorAccess ?? {}) },
  };
  validateConfig(config);
  return config;
}

type Overrides = { [K in 'network' | 'database' | 'proxy' | 'cache' | 'backup' | 'drills' | 'operatorAccess']?: Partial<DataTierConfig[K]> } & {
  monitoring?: Partial<Omit<MonitoringConfig, 'thresholds'>> & { thresholds?: Partial<AlarmThresholds> };
};

function parseOverrides(raw: unknown): Overrides {
  if (raw === undefined || raw === null || raw === '') return {};
  const parsed = typeof raw === 'string' ? safeJson(raw) : raw;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('overrides', raw, 'must be a JSON object such as {"database":{"replicaCount":1}}');
  }
  const sections = ['network', 'database', 'proxy', 'cache', 'backup', 'monitoring', 'drills', 'operatorAccess'];
  for (const key of Object.keys(parsed)) {
    if (!sections.includes(key)) throw new ConfigError(`overrides.${key}`, (parsed as Record<string, unknown>)[key], `unknown section; allowed: ${sections.join(', ')}`);
  }
  return parsed as Overrides;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError('overrides', text, 'must be valid JSON');
  }
}

function requireInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, value, `must be a whole number from ${min} to ${max}`);
  }
}

function requireOneOf(field: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) throw new ConfigError(field, value, `must be one of ${allowed.join(', ')}`);
}

function requireBoolean(field: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new ConfigError(field, value, 'must be true or false');
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const DB_INSTANCE_CLASS = /^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const CACHE_NODE_TYPE = /^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Throws a `ConfigError` for the first value outside what is allowed. */
export function validateConfig(config: DataTierConfig): void {
  const { database: db, proxy, cache, network, backup } = config;
  if (config.account !== undefined && !/^\d{12}$/.test(config.account)) {
    throw new ConfigError('account', config.account, 'must be a 12-digit AWS account id');
  }
  if (!REGION_PATTERN.test(config.region)) throw new ConfigError('region', config.region, 'must be an AWS region name such as us-east-1');

  const azs = config.availabilityZones;
  if (new Set(azs).size < MIN_AZ_COUNT) {
    throw new ConfigError('availabilityZones', azs, `must name at least ${MIN_AZ_COUNT} distinct availability zones`);
  }
  for (const az of azs) {
    if (!new RegExp(`^${config.region}[a-z]$`).test(az)) {
      throw new ConfigError('availabilityZones', az, `must be a zone of region ${config.region}, such as ${config.region}a`);
    }
  }

  const cidr = CIDR.exec(network.vpcCidr);
  if (!cidr || cidr.slice(1, 5).some((octet) => Number(octet) > 255) || Number(cidr[5]) < 16 || Number(cidr[5]) > 24) {
    throw new ConfigError('network.vpcCidr', network.vpcCidr, 'must be an IPv4 CIDR block with a prefix from /16 to /24');
  }
  requireInteger('network.flowLogRetentionDays', network.flowLogRetentionDays, 1, 3653);
  if (network.existingVpc) {
    const existing = network.existingVpc;
    if (!/^vpc-[0-9a-f]{8,17}$/.test(existing.vpcId)) throw new ConfigError('network.existingVpc.vpcId', existing.vpcId, 'must be a VPC id such as vpc-0123456789abcdef0');
    for (const key of ['dataSubnetIds', 'functionSubnetIds'] as const) {
      const ids = existing[key];
      if (!Array.isArray(ids) || ids.length !== azs.length || ids.some((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id))) {
        throw new ConfigError(`network.existingVpc.${key}`, ids, `must list ${azs.length} subnet ids (subnet-...), one per availability zone in order`);
      }
    }
  }

  requireOneOf('database.engineMajorVersion', db.engineMajorVersion, SUPPORTED_ENGINE_MAJOR_VERSIONS);
  if (!DB_INSTANCE_CLASS.test(db.instanceClass)) throw new ConfigError('database.instanceClass', db.instanceClass, 'must be an RDS instance class such as db.r7g.large');
  if (!DB_INSTANCE_CLASS.test(db.replicaInstanceClass)) {
    throw new ConfigError('database.replicaInstanceClass', db.replicaInstanceClass, 'must be an RDS instance class such as db.r7g.large');
  }
  requireInteger('database.replicaCount', db.replicaCount, 0, MAX_REPLICA_COUNT);
  requireBoolean('database.multiAz', db.multiAz);
  requireInteger('database.allocatedStorageGiB', db.allocatedStorageGiB, MIN_GP3_STORAGE_GIB, MAX_STORAGE_GIB);
  if (typeof db.maxAllocatedStorageGiB !== 'number' || !Number.isInteger(db.maxAllocatedStorageGiB) || db.maxAllocatedStorageGiB <= db.allocatedStorageGiB || db.maxAllocatedStorageGiB > MAX_STORAGE_GIB) {
    throw new ConfigError(
      'database.maxAllocatedStorageGiB',
      db.maxAllocatedStorageGiB,
      `must be a whole number above database.allocatedStorageGiB (${db.allocatedStorageGiB}) and at most ${MAX_STORAGE_GIB}, so storage can autoscale`,
    );
  }
  requireInteger('database.backupRetentionDays', db.backupRetentionDays, MIN_BACKUP_RETENTION_DAYS, MAX_BACKUP_RETENTION_DAYS);
  requireOneOf('database.performanceInsightsRetentionDays', db.performanceInsightsRetentionDays, PERFORMANCE_INSIGHTS_RETENTION_DAYS);
  requireOneOf('database.monitoringIntervalSeconds', db.monitoringIntervalSeconds, MONITORING_INTERVALS_SECONDS);
  requireInteger('database.port', db.port, 1150, 65535);
  if (db.port === 5432) throw new ConfigError('database.port', db.port, 'must not be the default 5432; pick another port from 1150 to 65535');
  requireBoolean('database.deletionProtection', db.deletionProtection);
  requireInteger('database.slowStatementMs', db.slowStatementMs, 10, 60_000);
  requireInteger('database.idleInTransactionTimeoutMs', db.idleInTransactionTimeoutMs, 1_000, 3_600_000);
  requireInteger('database.logRetentionDays', db.logRetentionDays, 1, 3653);
  if (config.envName !== 'dev' && !db.deletionProtection) {
    throw new ConfigError('database.deletionProtection', db.deletionProtection, `must be true in ${config.envName}; only dev may be deleted freely`);
  }
  if (config.envName === 'prod' && !db.multiAz) {
    throw new ConfigError('database.multiAz', db.multiAz, 'must be true in prod');
  }

  requireBoolean('proxy.iamAuthEndToEnd', proxy.iamAuthEndToEnd);
  requireInteger('proxy.idleClientTimeoutSeconds', proxy.idleClientTimeoutSeconds, 1, 28_800);
  requireInteger('proxy.maxConnectionsPercent', proxy.maxConnectionsPercent, 1, 100);

  requireOneOf('cache.engine', cache.engine, CACHE_ENGINES);
  const versionPattern = cache.engine === 'redis' ? /^7\.[01]$/ : /^[78]\.\d$/;
  if (!versionPattern.test(cache.engineVersion)) {
    throw new ConfigError('cache.engineVersion', cache.engineVersion, cache.engine === 'redis' ? 'must be 7.0 or 7.1 for Redis OSS' : 'must be 7.x or 8.x for Valkey');
  }
  if (!CACHE_NODE_TYPE.test(cache.nodeType)) throw new ConfigError('cache.nodeType', cache.nodeType, 'must be an ElastiCache node type such as cache.r7g.large');
  requireInteger('cache.port', cache.port, 1024, 65535);
  if (cache.port === 6379) throw new ConfigError('cache.port', cache.port, 'must not be the default 6379');
  // NIST 800-53 and HIPAA ask for at least 15 days of cache backups.
  requireInteger('cache.snapshotRetentionDays', cache.snapshotRetentionDays, 15, 35);

  validateMonitoring(config.monitoring);
  requireBoolean('drills.faultInjection', config.drills.faultInjection);
  requireBoolean('operatorAccess.enabled', config.operatorAccess.enabled);

  requireInteger('backup.retentionDays', backup.retentionDays, 1, 36_500);
  if (backup.copyToVaultArn !== undefined && !/^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:.+$/.test(backup.copyToVaultArn)) {
    throw new ConfigError('backup.copyToVaultArn', backup.copyToVaultArn, 'must be a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)');
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function validateMonitoring(monitoring: MonitoringConfig): void {
  if (!Array.isArray(monitoring.alarmEmails)) throw new ConfigError('monitoring.alarmEmails', monitoring.alarmEmails, 'must be a list of email addresses');
  for (const email of monitoring.alarmEmails) {
    if (typeof email !== 'string' || !EMAIL.test(email)) throw new ConfigError('monitoring.alarmEmails', email, 'must be an email address such as oncall@example.com');
  }
  if (monitoring.runbookBaseUrl !== undefined && !/^https:\/\/[^\s]+[^/\s]$/.test(monitoring.runbookBaseUrl)) {
    throw new ConfigError('monitoring.runbookBaseUrl', monitoring.runbookBaseUrl, 'must be an https URL without a trailing slash');
  }
  const t = monitoring.thresholds;
  const percents: Array<keyof AlarmThresholds> = ['cpuPercent', 'freeStoragePercent', 'connectionsPercent', 'cacheEngineCpuPercent', 'cacheMemoryPercent', 'transactionIdWraparoundPercent'];
  for (const key of Object.keys(SEED_THRESHOLDS) as Array<keyof AlarmThresholds>) {
    const value = t[key];
    const max = percents.includes(key)
      ? 100
      : key === 'maximumUsedTransactionIds'
        ? 2_147_483_647
        : key === 'defaultPartitionRows'
          ? DEFAULT_PARTITION_ROWS_COUNTED_UP_TO - 1
          : 1_000_000;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
      const why = key === 'defaultPartitionRows' ? ` (health_check() counts them up to ${DEFAULT_PARTITION_ROWS_COUNTED_UP_TO}, so a higher threshold could never be exceeded)` : '';
      throw new ConfigError(`monitoring.thresholds.${key}`, value, `must be a number from 0 to ${max}${why}`);
    }
  }
  for (const key of Object.keys(t)) {
    if (!(key in SEED_THRESHOLDS)) throw new ConfigError(`monitoring.thresholds.${key}`, (t as unknown as Record<string, unknown>)[key], `unknown threshold; allowed: ${Object.keys(SEED_THRESHOLDS).join(', ')}`);
  }
}

/** Stack name and the prefix of every physical name in the environment. */
export function stackNameFor(config: Pick<DataTierConfig, 'envName'>): string {
  return `data-tier-${config.envName}`;
}
