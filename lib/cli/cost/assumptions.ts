// What the usage-driven lines of an estimate assume (log volume, runs, requests, data held), and
// the defaults; a caller overrides any of them through CostOptions.assumptions.

/** What usage-driven lines assume. Every field can be overridden. */
export interface CostAssumptions {
  /** Share of a DB instance's allocated storage that holds data (drives backup volume). */
  readonly databaseUsedFraction: number;
  /** Share of the data that changes per day (incremental snapshots and WAL kept for PITR). */
  readonly databaseDailyChangeFraction: number;
  /** Bytes of one enhanced-monitoring sample (one RDSOSMetrics log event, JSON with the process list). */
  readonly enhancedMonitoringEventBytes: number;
  /** GB per month each DB instance writes to its `postgresql` log (slow statements over 300 ms, connections, errors). */
  readonly postgresqlLogGbPerInstance: number;
  /** GB per month of VPC flow logs (ALL traffic of a VPC whose clients are the tier's own functions and a few applications). */
  readonly flowLogGbPerMonth: number;
  /** GB per month each Lambda log group receives (JSON lines per run). */
  readonly lambdaLogGbPerFunction: number;
  /** GB per month of any other log group (upgrade logs, cache slow log, operator sessions). */
  readonly otherLogGbPerGroup: number;
  /** GB per month through the interface endpoints, all of them together. */
  readonly interfaceEndpointGbPerMonth: number;
  /** Billed seconds of one health-check run (probes on every instance) and of one maintenance run. */
  readonly healthCheckSeconds: number;
  readonly maintenanceSeconds: number;
  /** Per-object rows of health_check(): partitioned parents, registered materialized views, tables watched for dead tuples (at most 5). */
  readonly partitionedParents: number;
  readonly materializedViews: number;
  readonly deadTupleTables: number;
  /** KMS requests per month (secret reads, log encryption, data-key use by RDS, backups and the cache). */
  readonly kmsRequestsPerMonth: number;
  /** Alarm notifications published to SNS per month. */
  readonly snsPublishesPerMonth: number;
  /** Data held by the cache (GB), for its daily snapshots. */
  readonly cacheDataGb: number;
  /** Metrics per instance of EC2 detailed monitoring (CloudWatch pricing page example: 7). */
  readonly ec2DetailedMonitoringMetrics: number;
  /**
   * GB an Aurora cluster volume holds. Aurora bills the storage used, and a cluster's template
   * has no allocated size to take a share of, so the volume is assumed (the topology comparison
   * sets it to the environment's data: databaseUsedFraction of its allocated storage).
   */
  readonly auroraDataGb: number;
  /** Aurora Standard: billed storage I/O requests per second, averaged over the month, per GB of data (I/O-Optimized pays none). */
  readonly auroraIoPerSecondPerDataGb: number;
  /**
   * Aurora Serverless v2: where between MinCapacity and MaxCapacity an instance runs on average
   * (0 = always at the minimum, 1 = always at the maximum); readers in promotion tier 0 or 1 follow the writer.
   */
  readonly serverlessV2LoadFraction: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  databaseUsedFraction: 0.5,
  databaseDailyChangeFraction: 0.02,
  enhancedMonitoringEventBytes: 4_000,
  postgresqlLogGbPerInstance: 1,
  flowLogGbPerMonth: 2,
  lambdaLogGbPerFunction: 0.05,
  otherLogGbPerGroup: 0.01,
  interfaceEndpointGbPerMonth: 5,
  healthCheckSeconds: 2,
  maintenanceSeconds: 1,
  partitionedParents: 1,
  materializedViews: 1,
  deadTupleTables: 5,
  kmsRequestsPerMonth: 200_000,
  snsPublishesPerMonth: 200,
  cacheDataGb: 1,
  ec2DetailedMonitoringMetrics: 7,
  auroraDataGb: 50,
  auroraIoPerSecondPerDataGb: 1,
  serverlessV2LoadFraction: 0.25,
};
