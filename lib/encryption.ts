import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionKeysProps {
  /** Prefix of the key aliases, e.g. `data-tier-prod`. */
  readonly aliasPrefix: string;
}

/**
 * Customer-managed KMS keys with yearly rotation: one for the data (database storage,
 * Performance Insights, secrets, cache, backups, alarm topic), one for CloudWatch Logs,
 * whose service principal must be trusted in the key policy. Both are retained when
 * the stack is deleted: deleting a key would make every snapshot unreadable.
 */
export class EncryptionKeys extends Construct {
  readonly dataKey: kms.Key;
  readonly logsKey: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionKeysProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/${props.aliasPrefix}/data`,
      description: `${props.aliasPrefix}: database, secrets, cache, backups and alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logsKey = new kms.Key(this, 'LogsKey', {
      alias: `alias/${props.aliasPrefix}/logs`,
      description: `${props.aliasPrefix}: CloudWatch Logs of the data tier`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
        },
      }),
    );
  }
}
