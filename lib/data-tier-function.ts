import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { acknowledge, acrossPacks } from './nag';

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
  readonly logRetentionDays: number;
  /** Prefix of every physical name, e.g. `data-tier-prod`. */
  readonly namePrefix: string;
}

/** The placement fields of props that carry more, e.g. a construct's own props. */
export function placementOf(props: FunctionPlacement): FunctionPlacement {
  const { vpc, subnets, securityGroup, dataKey, logsKey, logRetentionDays, namePrefix } = props;
  return { vpc, subnets, securityGroup, dataKey, logsKey, logRetentionDays, namePrefix };
}

export interface DataTierFunctionProps extends FunctionPlacement {
  /** The function is named `<namePrefix>-<name>`, e.g. `data-tier-prod-health-check`. */
  readonly name: string;
  /** Handler file under `lib/functions/`, e.g. `health-check/index.ts`. */
  readonly entry: string;
  /** Exported handler name. @default 'handler' */
  readonly handler?: string;
  readonly description: string;
  readonly timeout: Duration;
  /** Concurrent executions reserved, which also caps them. */
  readonly reservedConcurrency: number;
  readonly environment: Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
  /** Files copied next to the bundle, as `[source directory, target directory name]`. */
  readonly copyDirectories?: Array<[string, string]>;
  /**
   * Keep failed asynchronous invocations in an encrypted dead-letter queue. Off for
   * functions only invoked synchronously (a custom-resource handler).
   * @default true
   */
  readonly deadLetterQueue?: boolean;
  /**
   * Why the role may call other actions on any resource (`Resource: *`) besides X-Ray's:
   * one sentence per action without resource-level permissions, saying what limits it.
   * @default - only X-Ray's
   */
  readonly anyResourceReasons?: string[];
}

/** X-Ray's actions have no resource-level permissions: active tracing grants them on `*`. */
const TRACING_REASON = 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions and only upload trace data.';

/** Root of the handler sources. */
export const FUNCTIONS_DIR = join(__dirname, 'functions');

/**
 * A data-tier Lambda function: Node.js bundled locally by esbuild (no Docker), in the
 * function subnets with its own security group, TLS to RDS verified with the runtime's CA
 * bundle, an encrypted log group with retention, reserved concurrency, a dead-letter queue
 * and active X-Ray tracing.
 */
export class DataTierFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: DataTierFunctionProps) {
    super(scope, id);
    const functionName = `${props.namePrefix}-${props.name}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.deadLetterQueue ?? true) {
      this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
        queueName: `${functionName}-dlq`,
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.dataKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(
        this.deadLetterQueue,
        ...acrossPacks(
          { awsSolutions: 'SQS3', serverless: 'SQSRedrivePolicy' },
          'This queue is itself the dead-letter queue of the function; a dead-letter queue of a dead-letter queue would only move the same messages again.',
        ),
      );
    }
    const copyDirectories = props.copyDirectories ?? [];
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: props.description,
      entry: join(FUNCTIONS_DIR, props.entry),
      handler: props.handler ?? 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      allowPublicSubnet: false,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environmentEncryption: props.dataKey,
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        // Node 20+ runtimes do not trust the RDS CA bundle unless told to.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node24',
        externalModules: ['pg-native', '@aws-sdk/*'],
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            copyDirectories.map(([source, target]) => `mkdir -p "${outputDir}/${target}" && cp -R "${source}/." "${outputDir}/${target}/"`),
        },
      },
    });
    acknowledge(
      this.function.role!,
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWS-maintained policy that lets the function write its own logs; the role is assumable only by lambda.amazonaws.com for this one function.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: 'AWS-maintained policy Lambda needs to manage the network interfaces of a function in a VPC; its EC2 actions only work on resource "*".',
      },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: [TRACING_REASON, ...(props.anyResourceReasons ?? [])].join(' ') },
      ...acrossPacks(
        { nist: 'IAMNoInlinePolicy', hipaa: 'IAMNoInlinePolicy', pci: 'IAMNoInlinePolicy' },
        'CDK-generated grants on the role of this one function: read of its one secret, decrypt with the data key, send to its own dead-letter queue, upload its traces.',
      ),
    );
  }
}
