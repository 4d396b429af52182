/**
 * Where a tier's primary comes from when it is not a new, empty database: a snapshot (or an AWS
 * Backup recovery point of an RDS instance, which is a DB snapshot), a point in time of an instance
 * of this region, automated backups replicated to this region from another, or (cluster topologies)
 * a DB cluster snapshot or a point in time of a DB cluster.
 *
 * A restore always builds a NEW tier (its own `name`): the damaged tier stays, untouched, for
 * forensics and for copying rows back. The CloudFormation properties each source sets are those of
 * `AWS::RDS::DBInstance` (checked against `CfnDBInstance` of aws-cdk-lib 2.276 and
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html):
 * `DBSnapshotIdentifier`; `SourceDBInstanceIdentifier` or `SourceDbiResourceId` with `RestoreTime`
 * or `UseLatestRestorableTime`; `SourceDBInstanceAutomatedBackupsArn` with the same two. On a
 * cluster topology they are those of `AWS::RDS::DBCluster` ({@link DatabaseRestore.clusterCfnProperties}):
 * `SnapshotIdentifier`; `SourceDBClusterIdentifier` or `SourceDbClusterResourceId` with
 * `RestoreToTime` or `UseLatestRestorableTime`.
 */
import { Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Duration } from 'aws-cdk-lib';
import { isKnownRegion } from './private/allowed-values';
import { DataTierValidationError, validateRegion } from './private/validation';

/**
 * The longest automated-backup retention RDS allows, in days: `BackupRetentionPeriod` "Must be a
 * value from 0 to 35" (CreateDBInstance, RDS API reference), and the replicated backups' retention
 * is 1 to 35 as well. No point in time older than that can be restored from any instance's backups
 * ("You can restore to a point up to the number of days specified by the BackupRetentionPeriod
 * property", RestoreDBInstanceToPointInTime).
 */
export const MAX_BACKUP_RETENTION_DAYS = 35;

/** The `AWS::RDS::DBInstance` properties a restore sets ({@link DatabaseRestore.cfnProperties}); none of them on an instance created empty. */
export const RESTORE_PROPERTIES = ['DBSnapshotIdentifier', 'SourceDBInstanceIdentifier', 'SourceDbiResourceId', 'SourceDBInstanceAutomatedBackupsArn', 'RestoreTime', 'UseLatestRestorableTime'] as const;
/** The `AWS::RDS::DBCluster` properties a restore sets ({@link DatabaseRestore.clusterCfnProperties}); each is create-only. */
export const CLUSTER_RESTORE_PROPERTIES = ['SnapshotIdentifier', 'SourceDBClusterIdentifier', 'SourceDbClusterResourceId', 'RestoreToTime', 'UseLatestRestorableTime'] as const;

/** The moment a point-in-time restore goes back to: a time (UTC), or the latest restorable time (typically within the last 5 minutes). */
export type RestoreTime = Date | 'latest';

/** Options of a point-in-time restore. */
export interface PointInTimeOptions {
  /**
   * The moment to restore to; it must lie in the source's restore window.
   * @default 'latest' - the latest restorable time
   */
  readonly toTime?: RestoreTime;
}

/** The kinds of source a tier can be restored from. */
export type DatabaseRestoreSource = 'snapshot' | 'instance' | 'replicatedBackups' | 'cluster';

/** A DB snapshot or recovery point ARN: `arn:<partition>:rds:<region>:<account>:snapshot:<name>` (recovery points: `snapshot:awsbackup:job-...`). */
const SNAPSHOT_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):snapshot:([A-Za-z0-9:-]+)$/;
/** A DB cluster snapshot ARN: a cluster topology (Aurora, Multi-AZ DB cluster) restores from one as from a DB snapshot. */
export const CLUSTER_SNAPSHOT_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):cluster-snapshot:([A-Za-z0-9:-]+)$/;
/** A DB instance ARN: `arn:<partition>:rds:<region>:<account>:db:<identifier>`. */
const INSTANCE_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):db:([a-z][a-z0-9-]*)$/;
/** A DB cluster ARN: `arn:<partition>:rds:<region>:<account>:cluster:<identifier>`. */
const CLUSTER_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):cluster:([a-z][a-z0-9-]*)$/;
/** The resource id of a DB cluster (`DbClusterResourceId`), the way to its retained automated backups once it is deleted. */
const CLUSTER_RESOURCE_ID = /^cluster-[A-Z0-9]{10,}$/;
/** Replicated automated backups: `arn:<partition>:rds:<region>:<account>:auto-backup:ab-...`. */
const AUTOMATED_BACKUPS_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):auto-backup:(ab-[a-z0-9]+)$/i;
/** A DB instance identifier (1 to 63 letters, digits, hyphens; a letter first; no `--`, no trailing hyphen). */
const INSTANCE_ID = /^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-)){0,62}$/;
/** The resource id of an instance (`DbiResourceId`), which outlives its identifier when automated backups are retained. */
const DBI_RESOURCE_ID = /^db-[A-Z0-9]{10,}$/;
/** RestoreTime as CloudFormation takes it: ISO-8601 in UTC, e.g. `2026-11-29T03:15:00Z`. */
export const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Where a tier's primary is restored from; build one with a static method. */
export class DatabaseRestore {
  /**
   * From a DB snapshot or an AWS Backup recovery point of an RDS instance (its ARN is a snapshot ARN,
   * `arn:aws:rds:<region>:<account>:snapshot:awsbackup:job-...`), in the tier's region and account.
   */
  static fromSnapshot(snapshotArn: string): DatabaseRestore {
    return new DatabaseRestore('snapshot', snapshotArn);
  }

  /**
   * To a point in time of an instance of the tier's region: its identifier, its ARN, or its resource
   * id (`db-...`; the way to reach the retained automated backups of a deleted instance).
   */
  static fromInstance(identifierOrArn: string, options: PointInTimeOptions = {}): DatabaseRestore {
    return new DatabaseRestore('instance', identifierOrArn, options.toTime ?? 'latest');
  }

  /**
   * To a point in time of automated backups replicated to the tier's region from another
   * (`backupReplication` of the source tier): the ARN of those backups in this region.
   */
  static fromReplicatedBackups(automatedBackupsArn: string, options: PointInTimeOptions = {}): DatabaseRestore {
    return new DatabaseRestore('replicatedBackups', automatedBackupsArn, options.toTime ?? 'latest');
  }

  /**
   * To a point in time of a DB cluster of the tier's region, on a cluster topology: its identifier,
   * its ARN, or its resource id (`cluster-...`; the way to reach the retained automated backups of a
   * deleted cluster). RDS restores a cluster's point in time into a new cluster of the same kind
   * (RestoreDBClusterToPointInTime): an Aurora tier from an Aurora cluster, a Multi-AZ DB cluster
   * tier from a Multi-AZ DB cluster; for another kind, restore a snapshot of that point
   * (runbooks/point-in-time-restore.md).
   */
  static fromCluster(identifierOrArn: string, options: PointInTimeOptions = {}): DatabaseRestore {
    return new DatabaseRestore('cluster', identifierOrArn, options.toTime ?? 'latest');
  }

  private constructor(
    readonly source: DatabaseRestoreSource,
    /** The snapshot ARN, instance identifier / ARN / resource id, or automated backups ARN. */
    readonly sourceId: string,
    /** For a point-in-time restore: the moment restored to. */
    readonly toTime?: RestoreTime,
  ) {}

  /**
   * Refuses a source RDS could not restore this tier from, naming the prop `restore.<source>`:
   * a malformed identifier or ARN, an ARN of another region or account, a time that is not a valid
   * UTC time in the past, a source of a cluster for a tier of instances. `where.cluster`: the tier
   * is a cluster topology, which also restores from a DB cluster snapshot or a cluster's point in time.
   */
  validate(path: string, where: { region?: string; account?: string; cluster?: boolean }, now: Date = new Date()): void {
    const prop = `restore.${PROP_OF[this.source]}`;
    if (this.source === 'cluster' && !where.cluster) {
      throw new DataTierValidationError(
        path,
        prop,
        this.sourceId,
        'is a point in time of a DB cluster, which RDS restores only into a DB cluster: set topology to the source\'s kind (multi-az-cluster or aurora), or restore an instance\'s point in time with fromInstance',
      );
    }
    if (Token.isUnresolved(this.sourceId)) return;
    const clusterSnapshot = this.source === 'snapshot' && where.cluster ? CLUSTER_SNAPSHOT_ARN.exec(this.sourceId) : null;
    if (clusterSnapshot) {
      checkRegionAndAccount(path, prop, this.sourceId, clusterSnapshot[2], clusterSnapshot[3], where);
      return;
    }
    if (this.source === 'cluster') {
      const arn = CLUSTER_ARN.exec(this.sourceId);
      if (arn) checkRegionAndAccount(path, prop, this.sourceId, arn[2], arn[3], where);
      else if (!INSTANCE_ID.test(this.sourceId) && !CLUSTER_RESOURCE_ID.test(this.sourceId)) {
        throw new DataTierValidationError(path, prop, this.sourceId, 'must be a DB cluster identifier, its ARN (arn:aws:rds:<region>:<account>:cluster:<identifier>) or its resource id (cluster-...)');
      }
      this.validateTime(path, now);
      return;
    }
    const pattern = this.source === 'snapshot' ? SNAPSHOT_ARN : this.source === 'replicatedBackups' ? AUTOMATED_BACKUPS_ARN : undefined;
    if (pattern) {
      const example =
        this.source === 'snapshot'
          ? 'arn:aws:rds:<region>:<12-digit account>:snapshot:<name> (an AWS Backup recovery point of RDS has this form too: snapshot:awsbackup:job-...)'
          : 'arn:aws:rds:<region>:<12-digit account>:auto-backup:ab-... (aws rds describe-db-instance-automated-backups in this region)';
      const match = pattern.exec(this.sourceId);
      if (!match) throw new DataTierValidationError(path, prop, this.sourceId, `must be an ARN of the form ${example}`);
      checkRegionAndAccount(path, prop, this.sourceId, match[2], match[3], where);
    } else {
      const arn = INSTANCE_ARN.exec(this.sourceId);
      if (arn) checkRegionAndAccount(path, prop, this.sourceId, arn[2], arn[3], where);
      else if (!INSTANCE_ID.test(this.sourceId) && !DBI_RESOURCE_ID.test(this.sourceId)) {
        throw new DataTierValidationError(path, prop, this.sourceId, 'must be a DB instance identifier, its ARN (arn:aws:rds:<region>:<account>:db:<identifier>) or its resource id (db-...)');
      }
    }
    this.validateTime(path, now);
  }

  private validateTime(path: string, now: Date): void {
    if (this.toTime !== undefined && this.toTime !== 'latest') {
      const time = this.toTime as unknown;
      if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
        throw new DataTierValidationError(path, 'restore.toTime', String(time), 'must be a valid time (UTC) or "latest"');
      }
      if (time.getTime() > now.getTime()) {
        throw new DataTierValidationError(path, 'restore.toTime', time.toISOString(), `must be in the past (now: ${now.toISOString()}); to restore to the newest possible moment use "latest"`);
      }
    }
  }

  /**
   * The `AWS::RDS::DBInstance` properties that make the primary a restore of this source. The
   * properties CloudFormation forbids next to them are removed by `Database` (see
   * {@link PROPERTIES_REFUSED_ON_RESTORE}).
   */
  cfnProperties(): Record<string, unknown> {
    const pointInTime = (): Record<string, unknown> =>
      this.toTime === 'latest' || this.toTime === undefined ? { UseLatestRestorableTime: true } : { RestoreTime: formatRestoreTime(this.toTime) };
    switch (this.source) {
      case 'cluster':
        throw new Error('a point in time of a DB cluster restores a DB cluster: use clusterCfnProperties()');
      case 'snapshot':
        return { DBSnapshotIdentifier: this.sourceId };
      case 'instance':
        return { ...(DBI_RESOURCE_ID.test(this.sourceId) ? { SourceDbiResourceId: this.sourceId } : { SourceDBInstanceIdentifier: this.sourceId }), ...pointInTime() };
      case 'replicatedBackups':
        return { SourceDBInstanceAutomatedBackupsArn: this.sourceId, ...pointInTime() };
    }
  }

  /**
   * The `AWS::RDS::DBCluster` properties that make a cluster topology's cluster a restore of this
   * source: `SnapshotIdentifier` (a DB snapshot or DB cluster snapshot ARN, RestoreDBClusterFromSnapshot),
   * or `SourceDBClusterIdentifier` / `SourceDbClusterResourceId` with `RestoreToTime` or
   * `UseLatestRestorableTime` (RestoreDBClusterToPointInTime). The resource provider modifies the
   * cluster right after either restore with the template's `MasterUserPassword` (aws-rds-dbcluster,
   * `ResourceModelHelper.shouldUpdateAfterCreate`: a snapshot or a point-in-time restore), so the
   * tier's secret holds. A cluster ARN is given by its identifier (the region and account are the tier's).
   */
  clusterCfnProperties(): Record<string, unknown> {
    switch (this.source) {
      case 'snapshot':
        return { SnapshotIdentifier: this.sourceId };
      case 'cluster': {
        const source = CLUSTER_RESOURCE_ID.test(this.sourceId)
          ? { SourceDbClusterResourceId: this.sourceId }
          : { SourceDBClusterIdentifier: CLUSTER_ARN.exec(this.sourceId)?.[4] ?? this.sourceId };
        const time = this.toTime === 'latest' || this.toTime === undefined ? { UseLatestRestorableTime: true } : { RestoreToTime: formatRestoreTime(this.toTime) };
        return { ...source, ...time };
      }
      default:
        throw new Error(`a ${this.source} restore builds a DB instance, not a DB cluster`);
    }
  }
}

/** The name of each source in props and in the app's settings (`database.restore.<name>`). */
const PROP_OF: Record<DatabaseRestoreSource, string> = { snapshot: 'fromSnapshot', instance: 'fromInstance', replicatedBackups: 'fromReplicatedBackups', cluster: 'fromCluster' };

/** `2026-11-29T03:15:00Z`: whole seconds, UTC, as the RestoreTime example of the CloudFormation reference. */
export function formatRestoreTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parses a UTC ISO-8601 time or `latest`, refusing anything else (local times, offsets, impossible dates). */
export function parseRestoreTime(path: string, prop: string, value: unknown): RestoreTime {
  if (value === 'latest') return 'latest';
  if (typeof value !== 'string' || !ISO_8601_UTC.test(value)) {
    throw new DataTierValidationError(path, prop, value, 'must be "latest" or a UTC time in ISO-8601, such as 2026-11-29T03:15:00Z');
  }
  const time = new Date(value);
  // new Date('2026-02-30T00:00:00Z') rolls over to March; a round trip catches it.
  if (Number.isNaN(time.getTime()) || time.toISOString().slice(0, 19) !== value.slice(0, 19)) {
    throw new DataTierValidationError(path, prop, value, 'is not a valid date and time');
  }
  return time;
}

function checkRegionAndAccount(path: string, prop: string, arn: string, region: string, account: string, where: { region?: string; account?: string }): void {
  if (where.region !== undefined && !Token.isUnresolved(where.region) && region !== where.region) {
    throw new DataTierValidationError(
      path,
      prop,
      arn,
      `is in ${region}, but the tier is in ${where.region}: RDS restores only in the source's region (copy the snapshot, or replicate the automated backups, to ${where.region} first)`,
    );
  }
  if (where.account !== undefined && !Token.isUnresolved(where.account) && account !== where.account) {
    throw new DataTierValidationError(path, prop, arn, `belongs to account ${account}, but the tier is in ${where.account}: copy it into ${where.account} first`);
  }
}

/**
 * Properties CloudFormation refuses (or RDS would not apply) on a restored instance: the restore
 * takes them from the source. From the `DBSnapshotIdentifier` entry of the AWS::RDS::DBInstance
 * reference ("don't specify ... DBName, KmsKeyId, MasterUsername, ... StorageEncrypted"): the
 * restored instance keeps the source's database, master user and encryption key. `EngineVersion`
 * is removed as well: the restored instance runs the source's version (CloudFormation's
 * modify-after-restore would otherwise ask RDS to move it to the bare major version).
 *
 * `MasterUserPassword` is deliberately KEPT: the CloudFormation resource provider of
 * AWS::RDS::DBInstance modifies a restored instance right after the restore when the template
 * sets it (`ResourceModelHelper.shouldUpdateAfterCreate` and
 * `Translator.modifyDbInstanceAfterCreateRequest` in aws-cloudformation/aws-cloudformation-resource-providers-rds,
 * aws-rds-dbinstance), which is also how aws-cdk-lib's `DatabaseInstanceFromSnapshot` sets a
 * generated password. So the new tier's master secret is the password from the first minute.
 */
export const PROPERTIES_REFUSED_ON_RESTORE = ['DBName', 'MasterUsername', 'StorageEncrypted', 'KmsKeyId', 'EngineVersion'] as const;

/** Point-in-time recovery in a second region: the primary's automated backups replicated there. */
export interface BackupReplicationOptions {
  /** The region the automated backups are replicated to; not the tier's. */
  readonly region: string;
  /** The KMS key, in that region, the replicated backups are encrypted with: a key or its ARN. */
  readonly kmsKey: kms.IKey | string;
  /**
   * How long the replicated backups are kept (1 to 35 days).
   * @default - the primary's backupRetention
   */
  readonly retention?: Duration;
}

const KMS_KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/([a-zA-Z0-9-]+)$/;

/** Refuses a replication RDS would reject: a region that is the tier's own or unknown, a key ARN of another region, a retention outside 1-35 days. */
export function validateBackupReplication(path: string, options: BackupReplicationOptions, where: { region?: string; account?: string }): void {
  const { region } = options;
  validateRegion(path, 'backupReplication.region', region);
  if (where.region !== undefined && !Token.isUnresolved(where.region) && region === where.region) {
    throw new DataTierValidationError(path, 'backupReplication.region', region, `is the tier's own region; replicated backups must survive its loss, so name another region`);
  }
  const arn = typeof options.kmsKey === 'string' ? options.kmsKey : options.kmsKey.keyArn;
  if (!Token.isUnresolved(arn)) {
    const match = KMS_KEY_ARN.exec(arn);
    if (!match) throw new DataTierValidationError(path, 'backupReplication.kmsKey', arn, `must be the ARN of a KMS key in ${region}: arn:aws:kms:${region}:<12-digit account>:key/<key id>`);
    if (isKnownRegion(region) && match[2] !== region) {
      throw new DataTierValidationError(path, 'backupReplication.kmsKey', arn, `is a key of ${match[2]}; the replicated backups are encrypted in ${region}, so use a key of ${region}`);
    }
    if (where.account !== undefined && !Token.isUnresolved(where.account) && match[3] !== where.account) {
      throw new DataTierValidationError(path, 'backupReplication.kmsKey', arn, `belongs to account ${match[3]}; RDS replicates backups within the tier's account ${where.account}`);
    }
  }
  if (options.retention !== undefined) {
    const days = options.retention.toDays();
    if (!Number.isInteger(days) || days < 1 || days > MAX_BACKUP_RETENTION_DAYS) {
      throw new DataTierValidationError(path, 'backupReplication.retention (days)', days, `must be a whole number from 1 to ${MAX_BACKUP_RETENTION_DAYS} (the AutomaticBackupReplicationRetentionPeriod RDS accepts)`);
    }
  }
}

/** The key ARN of a replication's key. */
export function backupReplicationKeyArn(options: BackupReplicationOptions): string {
  return typeof options.kmsKey === 'string' ? options.kmsKey : options.kmsKey.keyArn;
}
