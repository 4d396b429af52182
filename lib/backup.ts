import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { BackupConfig } from './config';
import { acknowledge } from './nag';

export interface DatabaseBackupProps {
  /** The instance whose data is backed up (replicas are copies of it). */
  readonly primary: rds.IDatabaseInstance;
  readonly config: BackupConfig;
  /** Encrypts the vault. */
  readonly dataKey: kms.IKey;
  /** Prefix of every physical name, e.g. `data-tier-prod`. */
  readonly namePrefix: string;
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
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `${props.namePrefix}-vault`,
      encryptionKey: props.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const copyTo = props.config.copyToVaultArn
      ? [{ destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', props.config.copyToVaultArn), deleteAfter: Duration.days(props.config.retentionDays) }]
      : undefined;
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `${props.namePrefix}-daily`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '5' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(6),
          deleteAfter: Duration.days(props.config.retentionDays),
          copyActions: copyTo,
        }),
      ],
    });
    const selection = this.plan.addSelection('Primary', {
      backupSelectionName: `${props.namePrefix}-primary`,
      resources: [backup.BackupResource.fromRdsDatabaseInstance(props.primary)],
    });
    acknowledge(selection.node.findChild('Role'), {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: 'The AWS-maintained policy AWS Backup documents for taking backups; only backup.amazonaws.com can assume the role and the selection limits it to the primary.',
    });
  }
}
