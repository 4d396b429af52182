import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';

/** Where the data tier's functions run and what encrypts their logs, environment and queues. */
export interface FunctionPlacement {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Reaches the database, the cache and the AWS API endpoints. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Encrypts the environment and the dead-letter queue. */
  readonly dataKey: kms.IKey;
  /** Encrypts the log group. */
  readonly logsKey: kms.IKey;
  /** How long the functions' logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** Prefix of every physical name, e.g. `data-tier-prod`. */
  readonly name: string;
}
