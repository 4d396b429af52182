import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { tierName } from './private/defaults';
import { acknowledge } from './private/nag';
import { DataTierValidationError, requireInteger } from './private/validation';

/** The AWS Backup plan of a tier. */
export interface DatabaseBackupOptions {
  /**
   * How long each daily recovery point is kept.
   * @default Duration.days(35)
   */
  readonly retention?: Duration;
  /**
   * A vault in another region that each recovery point is copied to (the copy that survives
   * the loss of the tier's region). Do not name it `<name>-vault`, which the tier itself
   * creates when it is deployed in that region during a recovery. Refused on a Multi-AZ DB
   * cluster, whose snapshots AWS Backup cannot copy.
   * @default - no cross-region copy
   */
  readonly copyToVault?: backup.IBackupVault;
}

export interface DatabaseBackupProps extends DatabaseBackupOptions {
  /**
   * The instance whose data is backed up (replicas are copies of it); give this or `clusterIdentifier`.
   * @default - none: `clusterIdentifier` is backed up
   */
  readonly primary?: rds.IDatabaseInstance;
  /**
   * The DB cluster (Aurora or Multi-AZ DB cluster) backed up instead of an instance, by its identifier.
   * @default - none: `primary` is backed up
   */
  readonly clusterIdentifier?: string;
  /** Encrypts the vault. */
  readonly dataKey: kms.IKey;
  /**
   * Prefix of every physical name, e.g. `data-tier-prod`.
   * @default - derived from the construct's path
   */
  readonly name?: string;
}

/**
 * Daily AWS Backup recovery points of the primary in a KMS-encrypted vault, kept apart
 * from RDS automated backups (which die with the instance) and optionally copied to a
 * vault in another region. The DR runbooks restore from here.
 */
export class DatabaseBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    const namePrefix = tierName(this, props.name);
    const retention = props.retention ?? Duration.days(35);
    requireInteger(this.node.path, 'retention (days)', retention.toDays(), 1, 36_500);
    const copyVault = props.copyToVault;
    if (copyVault) {
      const tierRegion = Stack.of(this).region;
      const copyRegion = copyVault.env.region;
      if (!Token.isUnresolved(tierRegion) && !Token.isUnresolved(copyRegion) && tierRegion === copyRegion) {
        throw new DataTierValidationError(
          this.node.path,
          'copyToVault',
          copyVault.backupVaultArn,
          `must be a vault in another region than the tier's (${tierRegion}): the copy is what survives the loss of this region`,
        );
      }
    }
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `${namePrefix}-vault`,
      encryptionKey: props.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const copyTo = copyVault ? [{ destinationBackupVault: copyVault, deleteAfter: retention }] : undefined;
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `${namePrefix}-daily`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '5' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(6),
          deleteAfter: retention,
          copyActions: copyTo,
        }),
      ],
    });
    if ((props.primary === undefined) === (props.clusterIdentifier === undefined)) {
      throw new DataTierValidationError(this.node.path, 'primary', props.primary?.instanceIdentifier ?? props.clusterIdentifier, 'must be given, or clusterIdentifier, not both: the one database whose data the plan backs up');
    }
    // A DB cluster is selected by its ARN, arn:<partition>:rds:<region>:<account>:cluster:<identifier>.
    const selection = props.primary
      ? this.plan.addSelection('Primary', { backupSelectionName: `${namePrefix}-primary`, resources: [backup.BackupResource.fromRdsDatabaseInstance(props.primary)] })
      : this.plan.addSelection('Cluster', {
          backupSelectionName: `${namePrefix}-cluster`,
          resources: [backup.BackupResource.fromArn(Stack.of(this).formatArn({ service: 'rds', resource: 'cluster', resourceName: props.clusterIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME }))],
        });
    acknowledge(selection.node.findChild('Role'), {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: `The AWS-maintained policy AWS Backup documents for taking backups; only backup.amazonaws.com can assume the role and the selection limits it to the ${props.primary ? 'primary' : 'DB cluster'}.`,
    });
  }
}
