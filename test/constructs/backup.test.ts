import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DatabaseBackup, DatabaseBackupOptions } from '../../lib/backup';
import { messageStart, newStack, validationError } from './support';

/** A stack holding a `DatabaseBackup` of an imported primary; `options` may import a copy vault into the stack. */
function backupTemplate(options: (stack: Stack) => DatabaseBackupOptions = () => ({})): Template {
  const stack = newStack();
  const primary = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Primary', {
    instanceIdentifier: 'orders-primary',
    instanceEndpointAddress: 'orders-primary.example.us-east-1.rds.amazonaws.com',
    port: 5433,
    securityGroups: [],
  });
  new DatabaseBackup(stack, 'Backup', { ...options(stack), primary, dataKey: new kms.Key(stack, 'DataKey'), name: 'orders' });
  return Template.fromStack(stack);
}

const copyVault = (region: string) => (stack: Stack) => ({
  copyToVault: backup.BackupVault.fromBackupVaultArn(stack, 'V', `arn:aws:backup:${region}:123456789012:backup-vault:dr`),
});

describe('DatabaseBackup with a primary and a key', () => {
  const template = backupTemplate();

  test('creates an encrypted vault, kept when the stack is deleted', () => {
    template.hasResource('AWS::Backup::BackupVault', {
      Properties: { BackupVaultName: 'orders-vault', EncryptionKeyArn: Match.anyValue() },
      DeletionPolicy: 'Retain',
    });
  });

  test('takes a daily recovery point at 05:00 UTC, kept 35 days, with no copy', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: 'orders-daily',
        BackupPlanRule: [
          Match.objectLike({
            RuleName: 'Daily',
            ScheduleExpression: 'cron(0 5 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
            CopyActions: Match.absent(),
          }),
        ],
      },
    });
  });

  test('selects the primary', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        SelectionName: 'orders-primary',
        Resources: [Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp(':rds:us-east-1:123456789012:db:orders-primary$')])]) })],
      }),
    });
  });
});

describe('DatabaseBackup copying to another region', () => {
  const template = backupTemplate(copyVault('us-west-2'));

  test('copies each recovery point to that vault, kept as long', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr', Lifecycle: { DeleteAfterDays: 35 } }],
          }),
        ],
      },
    });
  });
});

describe('DatabaseBackup validation', () => {
  test('refuses a copy vault in the tier\'s own region', () => {
    const error = validationError(() => backupTemplate(copyVault('us-east-1')));
    expect(error.prop).toBe('copyToVault');
    expect(error.message).toBe(
      `${messageStart('Test/Backup', 'copyToVault')}"arn:aws:backup:us-east-1:123456789012:backup-vault:dr": must be a vault in another region than the tier's (us-east-1): the copy is what survives the loss of this region`,
    );
  });
});
