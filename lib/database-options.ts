import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { MajorVersionUpgradeOptions } from './major-version-upgrade';
import { validateInstanceSettings } from './private/instance-settings';
import { DataTierValidationError, requireInteger, validateRdsInstanceClass } from './private/validation';
import { BackupReplicationOptions, DatabaseRestore, MAX_BACKUP_RETENTION_DAYS, validateBackupReplication } from './restore';

/** RDS Proxy settings. */
export interface ProxyOptions {
  /**
   * Clients must authenticate with IAM end to end (proxy to database too) instead of the secret.
   * @default false
   */
  readonly iamAuthEndToEnd?: boolean;
  /**
   * How long a client connection may sit idle before the proxy closes it.
   * @default Duration.minutes(30)
   */
  readonly idleClientTimeout?: Duration;
  /**
   * Share of the database's `max_connections` the proxy may open, 1 to 100.
   * @default 80
   */
  readonly maxConnectionsPercent?: number;
}

/** What a tier's database is: engine, sizes, durability and logging (and a major-version upgrade in preparation). */
export interface DatabaseOptions extends MajorVersionUpgradeOptions {
  /**
   * PostgreSQL version; RDS applies minor versions automatically. The platform SQL needs 17 or later.
   * @default rds.PostgresEngineVersion.VER_17
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /**
   * Instance class of the primary (without the `db.` prefix, as `ec2.InstanceType` writes it).
   * @default r7g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Instance class of each read replica.
   * @default - the primary's
   */
  readonly replicaInstanceType?: ec2.InstanceType;
  /**
   * Read replicas, placed round the zones so that, with the Multi-AZ pair, every zone holds a node.
   * @default 1
   */
  readonly replicaCount?: number;
  /**
   * A synchronous standby in a second zone.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Initial gp3 storage, GiB.
   * @default 100
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Ceiling of storage autoscaling, GiB; above `allocatedStorageGiB`.
   * @default - five times `allocatedStorageGiB`
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * Automated backups kept, which is also the point-in-time recovery window (1 to 35 days).
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * Performance Insights retention.
   * @default rds.PerformanceInsightRetention.DEFAULT (7 days, free)
   */
  readonly performanceInsightRetention?: rds.PerformanceInsightRetention;
  /**
   * Enhanced monitoring interval: 1, 5, 10, 15, 30 or 60 seconds.
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;
  /**
   * Listener port; not 5432, to stay out of the way of untargeted scans.
   * @default 5433
   */
  readonly port?: number;
  /**
   * Refuse DeleteDBInstance, and keep a final snapshot when the stack is deleted.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Statements slower than this are logged (`log_min_duration_statement`).
   * @default Duration.millis(300)
   */
  readonly slowStatementThreshold?: Duration;
  /**
   * Sessions idle inside a transaction longer than this are ended.
   * @default Duration.minutes(1)
   */
  readonly idleInTransactionTimeout?: Duration;
  /**
   * How long the PostgreSQL log exports are kept in CloudWatch Logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * RDS Proxy in front of the primary.
   * @default - TLS required, secrets auth, 30 minutes idle timeout, 80 % of max_connections
   */
  readonly proxy?: ProxyOptions;
  /**
   * Build the primary from a snapshot or recovery point, a point in time of an instance, or
   * automated backups replicated from another region (on a cluster topology: a DB snapshot, a DB
   * cluster snapshot or a point in time of a DB cluster), instead of an empty database. The tier is a
   * NEW tier (give it its own `name`); replicas, proxy, secrets and alarms are built around the
   * restored primary, and the migrations apply only files newer than its history. Keep it set for
   * the tier's whole life: CloudFormation replaces an instance whose restore source is removed.
   * On a cluster topology `fromSnapshot` (a DB snapshot or a DB cluster snapshot) and `fromCluster` apply.
   * @default - a new, empty database
   */
  readonly restore?: DatabaseRestore;
  /**
   * Replicate the primary's automated backups to another region, for point-in-time recovery there
   * (`DatabaseRestore.fromReplicatedBackups`).
   * @default - no replication
   */
  readonly backupReplication?: BackupReplicationOptions;
}

/** The settings a `Database` ends up with: its options with every default filled in. */
export type ResolvedDatabaseOptions = Required<Omit<DatabaseOptions, 'proxy' | keyof MajorVersionUpgradeOptions | 'restore' | 'backupReplication'>> & { readonly proxy: Required<ProxyOptions> } & Pick<DatabaseOptions, 'restore' | 'backupReplication'>;
/** Options without a default: absent means no restore, no replication. */
type RecoveryOption = 'restore' | 'backupReplication';

/** The library's defaults, filled in where an option is not given. */
export function resolveDatabaseOptions(options: DatabaseOptions): ResolvedDatabaseOptions {
  const instanceType = options.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE);
  const allocatedStorageGiB = options.allocatedStorageGiB ?? 100;
  return {
    engineVersion: options.engineVersion ?? rds.PostgresEngineVersion.VER_17,
    instanceType,
    replicaInstanceType: options.replicaInstanceType ?? instanceType,
    replicaCount: options.replicaCount ?? 1,
    multiAz: options.multiAz ?? true,
    allocatedStorageGiB,
    maxAllocatedStorageGiB: options.maxAllocatedStorageGiB ?? allocatedStorageGiB * 5,
    backupRetention: options.backupRetention ?? Duration.days(7),
    performanceInsightRetention: options.performanceInsightRetention ?? rds.PerformanceInsightRetention.DEFAULT,
    monitoringInterval: options.monitoringInterval ?? Duration.seconds(60),
    port: options.port ?? 5433,
    deletionProtection: options.deletionProtection ?? true,
    slowStatementThreshold: options.slowStatementThreshold ?? Duration.millis(300),
    idleInTransactionTimeout: options.idleInTransactionTimeout ?? Duration.minutes(1),
    logRetention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    proxy: {
      iamAuthEndToEnd: options.proxy?.iamAuthEndToEnd ?? false,
      idleClientTimeout: options.proxy?.idleClientTimeout ?? Duration.minutes(30),
      maxConnectionsPercent: options.proxy?.maxConnectionsPercent ?? 80,
    },
    restore: options.restore,
    backupReplication: options.backupReplication,
  };
}

/** PostgreSQL major versions the platform SQL supports. */
export const SUPPORTED_POSTGRES_MAJOR_VERSIONS = [17, 18] as const;
export const MAX_REPLICA_COUNT = 5;
export const MIN_GP3_STORAGE_GIB = 20;
export const MAX_STORAGE_GIB = 65_536;

/**
 * Refuses settings RDS would reject at deploy time, naming the option and what is allowed. A
 * cluster topology checks its instance classes and reader count itself (`validateTopology`):
 * `instances: false` leaves them out here.
 */
export function validateDatabaseOptions(path: string, o: ResolvedDatabaseOptions, zoneCount: number, checks: { readonly instances?: boolean } = {}): void {
  const instances = checks.instances ?? true;
  validateInstanceSettings(path, o, SUPPORTED_POSTGRES_MAJOR_VERSIONS, { instanceClass: instances });
  if (instances) {
    validateRdsInstanceClass(path, 'replicaInstanceType', `db.${o.replicaInstanceType.toString()}`, Number(o.engineVersion.postgresMajorVersion));
    requireInteger(path, 'replicaCount', o.replicaCount, 0, MAX_REPLICA_COUNT);
  }
  requireInteger(path, 'allocatedStorageGiB', o.allocatedStorageGiB, MIN_GP3_STORAGE_GIB, MAX_STORAGE_GIB);
  if (!Number.isInteger(o.maxAllocatedStorageGiB) || o.maxAllocatedStorageGiB <= o.allocatedStorageGiB || o.maxAllocatedStorageGiB > MAX_STORAGE_GIB) {
    throw new DataTierValidationError(
      path,
      'maxAllocatedStorageGiB',
      o.maxAllocatedStorageGiB,
      `must be a whole number above allocatedStorageGiB (${o.allocatedStorageGiB}) and at most ${MAX_STORAGE_GIB}, so storage can autoscale`,
    );
  }
  requireInteger(path, 'backupRetention (days)', o.backupRetention.toDays(), 1, MAX_BACKUP_RETENTION_DAYS);
  requireInteger(path, 'proxy.idleClientTimeout (seconds)', o.proxy.idleClientTimeout.toSeconds(), 1, 28_800);
  requireInteger(path, 'proxy.maxConnectionsPercent', o.proxy.maxConnectionsPercent, 1, 100);
  if (zoneCount < 2 && o.multiAz) throw new DataTierValidationError(path, 'availabilityZones', zoneCount, 'must name at least two zones for a Multi-AZ primary');
}

/** Refuses a restore source or a backup replication RDS would reject, checked against the stack's region and account. */
export function validateRecoveryOptions(path: string, o: Pick<DatabaseOptions, RecoveryOption>, where: { region?: string; account?: string; cluster?: boolean }): void {
  o.restore?.validate(path, where);
  if (o.backupReplication) validateBackupReplication(path, o.backupReplication, where);
}
