import { DataTierValidationError } from './private/validation';

/**
 * Alarm thresholds, in the units people think in; the alarm table converts each to its
 * metric's real unit (RDS ReplicaLag is seconds, RDS Proxy latency is microseconds).
 */
export interface AlarmThresholds {
  /** CPU of an instance, percent. Default 80, from the source documents (docs/sources.md). */
  readonly cpuPercent: number;
  /** Free storage floor in GiB; the alarm fires below this or below `freeStoragePercent`, whichever is larger. Default 10, from the source documents (docs/sources.md). */
  readonly freeStorageGiB: number;
  /** Free storage floor as a percent of allocated storage. */
  readonly freeStoragePercent: number;
  /** Freeable memory floor in MiB. */
  readonly freeableMemoryMiB: number;
  /** Outstanding I/O requests waiting for disk. */
  readonly diskQueueDepth: number;
  /** Client connections as a percent of max_connections (health check). Default 80, from the source documents (docs/sources.md). */
  readonly connectionsPercent: number;
  /** Highest transaction ID age RDS reports (wraparound at 2^31). */
  readonly maximumUsedTransactionIds: number;
  /** WAL kept on disk, GiB. */
  readonly transactionLogsDiskUsageGiB: number;
  /** WAL held by the oldest replication slot, GiB. */
  readonly replicationSlotLagGiB: number;
  /** Replica lag, seconds. Default 3, from the source documents (docs/sources.md). */
  readonly replicaLagSeconds: number;
  /** p95 of client-side query latency measured by the health check, ms. Default 300, from the source documents (docs/sources.md). */
  readonly queryLatencyP95Ms: number;
  /** p95 of RDS Proxy query response latency, ms. */
  readonly proxyLatencyP95Ms: number;
  /** Client connections open on the proxy. */
  readonly proxyClientConnections: number;
  /** Failed database connection setups on the proxy (it cannot open connections to the database) per 5 minutes. */
  readonly proxySetupFailuresPer5Min: number;
  /**
   * Failed client sign-ins at the proxy (authentication or TLS) per minute; the alarm fires when
   * more fail in 3 of 5 minutes. Default 0: any failure, sustained.
   */
  readonly proxyAuthFailuresPerMinute: number;
  /** Engine CPU of a cache node, percent. Default 75, from the source documents (docs/sources.md). */
  readonly cacheEngineCpuPercent: number;
  /** Memory used by a cache node's data, percent of maxmemory. */
  readonly cacheMemoryPercent: number;
  /** Keys evicted per 5 minutes on a cache node. */
  readonly cacheEvictionsPer5Min: number;
  /** Replication lag of a cache replica node, seconds. */
  readonly cacheReplicationLagSeconds: number;
  /** Sessions waiting on a lock longer than 1 s (the source documents alert on any, docs/sources.md). */
  readonly lockWaitsOver1s: number;
  /** Deadlocks per 5 minutes. */
  readonly deadlocksPer5Min: number;
  /** Age of the oldest open transaction, seconds. */
  readonly longestTransactionSeconds: number;
  /** Transaction ID age as a percent of the wraparound limit. */
  readonly transactionIdWraparoundPercent: number;
  /** Fewest future monthly partitions allowed (the source documents alert on a "partition missing for current month", docs/sources.md). */
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

/** health_check() counts the rows of a default partition up to this many (sql/repeatable/040), which bounds its cost. */
export const DEFAULT_PARTITION_ROWS_COUNTED_UP_TO = 10_000;

/** The thresholds used where a caller sets none; where they come from: docs/sources.md. */
export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
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
  proxyAuthFailuresPerMinute: 0,
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

/** The range in which a threshold can both fire and stay quiet, and why outside it cannot. */
interface ThresholdRange {
  readonly min: number;
  readonly max: number;
  readonly why: string;
}

const PERCENT_ABOVE = (what: string): ThresholdRange => ({
  min: 1,
  max: 99,
  why: `${what} alarms above the threshold and cannot pass 100 %, so 100 or more could never fire and 0 would fire on any load`,
});
const COUNT_ABOVE: ThresholdRange = { min: 0, max: 1_000_000, why: 'the alarm fires above the threshold; a negative one would always fire' };
const POSITIVE_ABOVE = (what: string): ThresholdRange => ({ min: 1, max: 1_000_000, why: `${what} is never zero, so 0 would always fire` });

/**
 * For each threshold, the values with which its alarm can both fire and stay quiet. Limits
 * that depend on the instance (storage) are checked in `validateAlarmThresholds`.
 */
export const THRESHOLD_RANGES: Record<keyof AlarmThresholds, ThresholdRange> = {
  cpuPercent: PERCENT_ABOVE('CPU'),
  freeStorageGiB: { min: 0, max: 65_536, why: 'the alarm fires below the floor; it must be under the allocated storage or it always fires' },
  freeStoragePercent: { min: 0, max: 99, why: 'the alarm fires below the floor; 100 % or more would always fire' },
  freeableMemoryMiB: { min: 1, max: 4_194_304, why: 'the alarm fires below the floor; freeable memory is never below 0, so 0 could never fire' },
  diskQueueDepth: COUNT_ABOVE,
  connectionsPercent: PERCENT_ABOVE('Connections used'),
  maximumUsedTransactionIds: { min: 1, max: 2_147_483_646, why: 'PostgreSQL stops accepting writes at 2^31 transaction IDs, so a higher threshold could never fire' },
  transactionLogsDiskUsageGiB: POSITIVE_ABOVE('WAL on disk'),
  replicationSlotLagGiB: COUNT_ABOVE,
  replicaLagSeconds: COUNT_ABOVE,
  queryLatencyP95Ms: POSITIVE_ABOVE('Query latency'),
  proxyLatencyP95Ms: POSITIVE_ABOVE('Proxy query latency'),
  proxyClientConnections: COUNT_ABOVE,
  proxySetupFailuresPer5Min: COUNT_ABOVE,
  proxyAuthFailuresPerMinute: COUNT_ABOVE,
  cacheEngineCpuPercent: PERCENT_ABOVE('Cache engine CPU'),
  cacheMemoryPercent: PERCENT_ABOVE('Cache memory'),
  cacheEvictionsPer5Min: COUNT_ABOVE,
  cacheReplicationLagSeconds: COUNT_ABOVE,
  lockWaitsOver1s: COUNT_ABOVE,
  deadlocksPer5Min: COUNT_ABOVE,
  longestTransactionSeconds: POSITIVE_ABOVE('The health check\'s own transaction'),
  transactionIdWraparoundPercent: PERCENT_ABOVE('Transaction ID age'),
  partitionsAheadMin: { min: 1, max: 120, why: 'the alarm fires below the threshold and partitions ahead are never negative, so 0 could never fire' },
  defaultPartitionRows: {
    min: 0,
    max: DEFAULT_PARTITION_ROWS_COUNTED_UP_TO - 1,
    why: `health_check() counts them up to ${DEFAULT_PARTITION_ROWS_COUNTED_UP_TO}, so a higher threshold could never be exceeded`,
  },
  materializedViewOverdueSeconds: COUNT_ABOVE,
};

/**
 * The thresholds with the defaults filled in, refused when an alarm could never fire or
 * would always fire. `path` names where they were given (a construct path or a config field).
 */
export function resolveAlarmThresholds(path: string, overrides: Partial<AlarmThresholds> | undefined, allocatedStorageGiB?: number): AlarmThresholds {
  for (const key of Object.keys(overrides ?? {})) {
    if (!(key in THRESHOLD_RANGES)) {
      throw new DataTierValidationError(path, `thresholds.${key}`, (overrides as Record<string, unknown>)[key], `unknown threshold; allowed: ${Object.keys(THRESHOLD_RANGES).join(', ')}`);
    }
  }
  const thresholds: AlarmThresholds = { ...DEFAULT_ALARM_THRESHOLDS, ...overrides };
  for (const [key, range] of Object.entries(THRESHOLD_RANGES) as Array<[keyof AlarmThresholds, ThresholdRange]>) {
    const value = thresholds[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max) {
      throw new DataTierValidationError(path, `thresholds.${key}`, value, `must be a number from ${range.min} to ${range.max}: ${range.why}`);
    }
  }
  if (allocatedStorageGiB !== undefined && thresholds.freeStorageGiB >= allocatedStorageGiB) {
    throw new DataTierValidationError(
      path,
      'thresholds.freeStorageGiB',
      thresholds.freeStorageGiB,
      `must be below the allocated storage (${allocatedStorageGiB} GiB), or the free-storage alarm fires from the first day`,
    );
  }
  if (thresholds.freeStorageGiB === 0 && thresholds.freeStoragePercent === 0) {
    throw new DataTierValidationError(path, 'thresholds.freeStoragePercent', 0, 'must be above 0 when freeStorageGiB is 0, or the free-storage alarm could never fire');
  }
  return thresholds;
}
