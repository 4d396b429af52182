/**
 * Tables of the values AWS accepts for the settings this data tier exposes, one place for all of them.
 *
 * Each table names the public source it was checked against and when (November 2026). Where a
 * source could not be read in full, the table's comment says which part is verified and which is not.
 * Nothing here calls AWS: the constructs validate configuration at synth time, before any API call.
 */

/** When the facts in this file were last checked against their sources. */
export const FACTS_CHECKED = '2026-11';

// ---------------------------------------------------------------------------------------------
// Regions and Availability Zones
// ---------------------------------------------------------------------------------------------

const ABC = ['a', 'b', 'c'] as const;
const ABCD = ['a', 'b', 'c', 'd'] as const;

/**
 * Commercial AWS regions (partition `aws`) and the zone letters each offers.
 *
 * Region names: the commercial-partition entries of aws-cdk-lib 2.276.0's region list
 * (`aws-cdk-lib/region-info/lib/aws-entities.js`, `AWS_REGIONS_AND_RULES`), checked November 2026.
 * China (`cn-*`), GovCloud (`us-gov-*`), the ISO partitions and the European Sovereign Cloud
 * (`eusc-de-east-1`) are other partitions and are left out on purpose.
 *
 * Zone letters: "AWS Availability Zones" (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html)
 * and "AZ IDs" (https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html), checked
 * November 2026. Those pages list AZ IDs, not letters, and say that in the oldest regions letters are
 * mapped per account (for accounts created before November 2025). So:
 * - verified: us-east-1 has six zones (use1-az1..az6, letters a-f); ca-central-1's third zone is `d`
 *   (no `c`); ap-northeast-1 offers a, c and d to current accounts (`b` was the retired apne1-az3).
 * - us-west-1: each account sees two of a, b and c; which two depends on the account, so all three
 *   are accepted.
 * - every other letter list is the region's zone count spelled a, b, c, ... as regions opened
 *   after 2012 map letters uniformly; these counts were not verified zone by zone.
 * - `undefined`: the region is known but its letters could not be verified at all; only the
 *   `<region><letter>` form is checked for it.
 */
export const AWS_REGIONS: Readonly<Record<string, readonly string[] | undefined>> = {
  'us-east-1': ['a', 'b', 'c', 'd', 'e', 'f'],
  'us-east-2': ABC,
  'us-west-1': ABC,
  'us-west-2': ABCD,
  'ca-central-1': ['a', 'b', 'd'],
  'ca-west-1': ABC,
  'mx-central-1': ABC,
  'sa-east-1': ABC,
  'eu-west-1': ABC,
  'eu-west-2': ABC,
  'eu-west-3': ABC,
  'eu-central-1': ABC,
  'eu-central-2': ABC,
  'eu-north-1': ABC,
  'eu-south-1': ABC,
  'eu-south-2': ABC,
  'il-central-1': ABC,
  'me-south-1': ABC,
  'me-central-1': ABC,
  'me-west-1': undefined,
  'af-south-1': ABC,
  'ap-east-1': ABC,
  'ap-east-2': undefined,
  'ap-south-1': ABC,
  'ap-south-2': ABC,
  'ap-northeast-1': ['a', 'c', 'd'],
  'ap-northeast-2': ABCD,
  'ap-northeast-3': ABC,
  'ap-southeast-1': ABC,
  'ap-southeast-2': ABC,
  'ap-southeast-3': ABC,
  'ap-southeast-4': ABC,
  'ap-southeast-5': ABC,
  'ap-southeast-6': undefined,
  'ap-southeast-7': ABC,
};

/** Whether `region` is a commercial AWS region in {@link AWS_REGIONS}. */
export function isKnownRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(AWS_REGIONS, region);
}

/**
 * The zone names of `region` (e.g. `us-east-1a`), or `undefined` when the region is unknown or
 * its zone letters could not be verified.
 */
export function zonesOf(region: string): string[] | undefined {
  if (!isKnownRegion(region)) return undefined;
  return AWS_REGIONS[region]?.map((letter) => `${region}${letter}`);
}

// ---------------------------------------------------------------------------------------------
// VPC
// ---------------------------------------------------------------------------------------------

/**
 * Prefix lengths an IPv4 VPC CIDR block may have: "The smallest VPC you can create uses a /28 netmask
 * (16 IPv4 addresses), and the largest uses a /16 netmask (65,536 IPv4 addresses)."
 * Source: "CreateVpc", Amazon EC2 API Reference, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpc.html,
 * checked November 2026.
 */
export const VPC_CIDR_PREFIXES = { min: 16, max: 28 } as const;

// ---------------------------------------------------------------------------------------------
// RDS for PostgreSQL instance classes
// ---------------------------------------------------------------------------------------------

/** PostgreSQL major versions the data tier deploys (as `SUPPORTED_ENGINE_MAJOR_VERSIONS` in config.ts). */
export type RdsPostgresMajorVersion = 17 | 18;

const BURSTABLE_SIZES = ['micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];
const SIZES_TO_16X = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const SIZES_TO_24X = [...SIZES_TO_16X, '24xlarge'];
const SIZES_TO_32X = [...SIZES_TO_24X, '32xlarge'];
const SIZES_TO_48X = [...SIZES_TO_24X, '48xlarge'];

/**
 * Instance class families (and their sizes) whose PostgreSQL column lists PostgreSQL 17, from
 * "Supported DB engines for DB instance classes", Amazon RDS User Guide
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html), checked November 2026.
 *
 * Left out: db.c6gd (Multi-AZ DB clusters only; this tier deploys DB instances), db.x2idn (PostgreSQL
 * 15, 14.6 and 13.9 only), metal sizes and the Oracle-only `.tpcN.memNx` classes (PostgreSQL "No"),
 * and the deprecated db.m4, db.r4, db.t2 families. Minor-version floors are not checked, as only
 * the major version is known here: db.m7i, db.m8g, db.r7i and db.r8g need 17.1 or higher, db.m8gd
 * and db.r8gd 17.2 or higher.
 */
const POSTGRES_17_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  'db.t3': BURSTABLE_SIZES,
  'db.t4g': BURSTABLE_SIZES,
  'db.m5': SIZES_TO_24X,
  'db.m5d': SIZES_TO_24X,
  'db.m6g': SIZES_TO_16X,
  'db.m6gd': SIZES_TO_16X,
  'db.m6i': SIZES_TO_32X,
  'db.m6id': SIZES_TO_32X,
  'db.m6idn': SIZES_TO_32X,
  'db.m6in': SIZES_TO_32X,
  'db.m7g': SIZES_TO_16X,
  'db.m7i': SIZES_TO_48X,
  'db.m8g': SIZES_TO_48X,
  'db.m8gd': SIZES_TO_48X,
  'db.r5': SIZES_TO_24X,
  'db.r5b': SIZES_TO_24X,
  'db.r5d': SIZES_TO_24X,
  'db.r6g': SIZES_TO_16X,
  'db.r6gd': SIZES_TO_16X,
  'db.r6i': SIZES_TO_32X,
  'db.r6id': SIZES_TO_32X,
  // The page lists no db.r6idn.large.
  'db.r6idn': SIZES_TO_32X.filter((size) => size !== 'large'),
  'db.r6in': SIZES_TO_32X,
  'db.r7g': SIZES_TO_16X,
  'db.r7i': SIZES_TO_48X,
  'db.r8g': SIZES_TO_48X,
  'db.r8gd': SIZES_TO_48X,
  'db.x2g': SIZES_TO_16X,
  'db.x2iedn': ['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge', '24xlarge', '32xlarge'],
};

/**
 * DB instance classes RDS for PostgreSQL offers, per major version: family (`db.r7g`) → sizes.
 *
 * PostgreSQL 17: see the families table above (source: "Supported DB engines for DB instance
 * classes", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html, November 2026).
 *
 * PostgreSQL 18: NOT verified row by row. The copy of that page read in November 2026 names 18
 * (18.1 and higher) only in the db.m8gd and db.r8gd rows; every other row still reads "All
 * PostgreSQL 17, 16, ..." without 18. Rather than refuse db.r7g for 18 on a documentation lag,
 * 18 takes 17's table. Confirm with
 * `aws rds describe-orderable-db-instance-options --engine postgres --engine-version 18.1`.
 */
export const RDS_POSTGRES_INSTANCE_CLASSES: Readonly<Record<RdsPostgresMajorVersion, Readonly<Record<string, readonly string[]>>>> = {
  17: POSTGRES_17_FAMILIES,
  18: POSTGRES_17_FAMILIES,
};

/** The table for `majorVersion`, or `undefined` for a version this file has no table for. */
export function rdsPostgresFamilies(majorVersion: number): Readonly<Record<string, readonly string[]>> | undefined {
  return Object.prototype.hasOwnProperty.call(RDS_POSTGRES_INSTANCE_CLASSES, majorVersion)
    ? RDS_POSTGRES_INSTANCE_CLASSES[majorVersion as RdsPostgresMajorVersion]
    : undefined;
}

/**
 * Adds the `db.` prefix RDS uses; aws-cdk's `ec2.InstanceType` has none (`r7g.large`).
 * Surrounding whitespace is dropped; case is kept, as RDS names are lower case.
 */
export function normalizeRdsInstanceClass(instanceClass: string): string {
  const trimmed = instanceClass.trim();
  return trimmed.startsWith('db.') ? trimmed : `db.${trimmed}`;
}

/** Every instance class (with `db.` prefix) RDS for PostgreSQL `majorVersion` offers; empty for an unknown version. */
export function rdsPostgresInstanceClasses(majorVersion: number): string[] {
  const families = rdsPostgresFamilies(majorVersion) ?? {};
  return Object.entries(families).flatMap(([family, sizes]) => sizes.map((size) => `${family}.${size}`));
}

/** Whether RDS for PostgreSQL `majorVersion` offers `instanceClass` (written with or without `db.`). */
export function isRdsPostgresInstanceClass(instanceClass: string, majorVersion: number): boolean {
  return rdsPostgresInstanceClasses(majorVersion).includes(normalizeRdsInstanceClass(instanceClass));
}

// ---------------------------------------------------------------------------------------------
// RDS monitoring settings
// ---------------------------------------------------------------------------------------------

/**
 * Enhanced Monitoring intervals, in seconds. The API also takes 0, which switches monitoring off;
 * this tier does not allow that, so 0 is left out.
 * Source: "CreateDBInstance", Amazon RDS API Reference, MonitoringInterval ("Valid Values: 0 | 1 | 5 |
 * 10 | 15 | 30 | 60"), https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, checked November 2026.
 */
export const MONITORING_INTERVALS_SECONDS = [1, 5, 10, 15, 30, 60] as const;

/**
 * Performance Insights retention, in days: 7, a whole number of months from 1 to 23 times 31, or 731.
 * Source: "CreateDBInstance", Amazon RDS API Reference, PerformanceInsightsRetentionPeriod,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, checked November 2026;
 * aws-cdk-lib 2.276.0's `PerformanceInsightRetention` enum agrees (MONTHS_1 = 31 ... MONTHS_23 = 713, LONG_TERM = 731).
 */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS: readonly number[] = [7, ...Array.from({ length: 23 }, (_, i) => (i + 1) * 31), 731];

// ---------------------------------------------------------------------------------------------
// ElastiCache
// ---------------------------------------------------------------------------------------------

/** Cache engines for the replication group. */
export type CacheEngine = 'redis' | 'valkey';

/**
 * Engine → version → cache parameter group family, for node-based replication groups with
 * encryption in transit and at rest, an AUTH token and Multi-AZ (all offered from Redis OSS 6.0
 * and Valkey 7.2 on).
 *
 * Sources, checked November 2026:
 * - "Supported engines and versions", Amazon ElastiCache User Guide
 *   (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html): Redis OSS 7.1, 7.0, 6.2, ...
 *   and Valkey 7.2 and later on node-based clusters.
 * - "Engine versions and upgrading in ElastiCache" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html):
 *   Valkey 7.2, 8.0, 8.1, 8.2, 9.0 and 9.1.
 * - "Engine specific parameters" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html):
 *   Valkey 8.0 to 8.2 use family valkey8; Valkey 7.2 and Redis OSS 7 share parameters.
 * - "CreateCacheParameterGroup", ElastiCache API Reference
 *   (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheParameterGroup.html), also in
 *   @aws-sdk/client-elasticache 3.1127.0: families valkey8 | valkey7 | ... | redis6.x | redis7.
 *
 * Left out: Valkey 9.0 and 9.1, because no source read names their parameter group family;
 * Redis OSS before 6.0, which this tier has no use for.
 */
export const ELASTICACHE_ENGINE_VERSIONS: Readonly<Record<CacheEngine, Readonly<Record<string, string>>>> = {
  redis: { '6.0': 'redis6.x', '6.2': 'redis6.x', '7.0': 'redis7', '7.1': 'redis7' },
  valkey: { '7.2': 'valkey7', '8.0': 'valkey8', '8.1': 'valkey8', '8.2': 'valkey8' },
};

/** The engines in {@link ELASTICACHE_ENGINE_VERSIONS}. */
export const CACHE_ENGINES = Object.keys(ELASTICACHE_ENGINE_VERSIONS) as CacheEngine[];

/** Versions of `engine` this tier can deploy, oldest first; empty for an unknown engine. */
export function cacheEngineVersions(engine: string): string[] {
  return (CACHE_ENGINES as string[]).includes(engine) ? Object.keys(ELASTICACHE_ENGINE_VERSIONS[engine as CacheEngine]) : [];
}

/** The cache parameter group family for `engine` at `version` (`redis7`, `valkey8`, ...), or `undefined` if unsupported. */
export function cacheParameterGroupFamily(engine: string, version: string): string | undefined {
  if (!cacheEngineVersions(engine).includes(version)) return undefined;
  return ELASTICACHE_ENGINE_VERSIONS[engine as CacheEngine][version];
}

/**
 * Current-generation ElastiCache node types: family → sizes.
 * Source: "CacheNode", Amazon ElastiCache API Reference
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CacheNode.html), the "Current generation"
 * lists, as shipped in @aws-sdk/client-elasticache 3.1127.0; checked November 2026. Region availability
 * differs ("Supported node types", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html)
 * and is not checked here. Data-tiering types (cache.r6gd) are not in that list and are left out.
 */
export const ELASTICACHE_NODE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'cache.t2': ['micro', 'small', 'medium'],
  'cache.t3': ['micro', 'small', 'medium'],
  'cache.t4g': ['micro', 'small', 'medium'],
  'cache.m4': ['large', 'xlarge', '2xlarge', '4xlarge', '10xlarge'],
  'cache.m5': ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'],
  'cache.m6g': SIZES_TO_16X,
  'cache.m7g': SIZES_TO_16X,
  'cache.r4': ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge'],
  'cache.r5': ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'],
  'cache.r6g': SIZES_TO_16X,
  'cache.r7g': SIZES_TO_16X,
};

/** Every node type in {@link ELASTICACHE_NODE_TYPES}, e.g. `cache.r7g.large`. */
export function elasticacheNodeTypes(): string[] {
  return Object.entries(ELASTICACHE_NODE_TYPES).flatMap(([family, sizes]) => sizes.map((size) => `${family}.${size}`));
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs
// ---------------------------------------------------------------------------------------------

/**
 * Exactly the retention periods, in days, CloudWatch Logs accepts.
 * Source: "PutRetentionPolicy", Amazon CloudWatch Logs API Reference, retentionInDays ("Possible values
 * are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
 * 3288, and 3653"), https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html,
 * checked November 2026. aws-cdk-lib 2.276.0's `logs.RetentionDays` has the same values plus
 * INFINITE (9999), which CDK turns into "no retention policy" rather than sending it to the API.
 */
export const CLOUDWATCH_LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
