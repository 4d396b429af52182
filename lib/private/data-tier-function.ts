import { AssetHashType, DockerImage, Duration, ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FunctionPlacement } from '../function-placement';
import { acknowledge, acrossPacks } from './nag';
import { packageRoot } from './package-root';

/** The placement fields of props that carry more, e.g. a construct's own props. */
export function placementOf(props: FunctionPlacement): FunctionPlacement {
  const { vpc, subnets, securityGroup, dataKey, logsKey, logRetention, name } = props;
  return { vpc, subnets, securityGroup, dataKey, logsKey, logRetention, name };
}

export interface DataTierFunctionProps extends FunctionPlacement {
  /** The function is named `<name>-<functionName>`, e.g. `data-tier-prod-health-check`. */
  readonly functionName: string;
  /**
   * Handler file under `lib/functions/`, e.g. `health-check/index.ts`. The function runs its
   * bundle, prebuilt by `npm run build` into `assets/functions/<directory>/index.js`.
   */
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
  /** Directories copied next to the bundle, as `[source directory, target directory name]`. */
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

/** Root of the prebuilt handler bundles (`npm run build` writes them; the package ships them). */
export const HANDLER_BUNDLES_DIR = join(packageRoot(), 'assets', 'functions');

/**
 * The code of a function: its prebuilt bundle directory, plus any directories copied next to
 * the bundle. Synthesis neither runs esbuild nor Docker.
 */
export function handlerCode(entry: string, copyDirectories: ReadonlyArray<[string, string]> = []): lambda.Code {
  const bundleDir = join(HANDLER_BUNDLES_DIR, dirname(entry));
  const bundle = join(bundleDir, 'index.js');
  if (!existsSync(bundle)) throw new Error(`Handler bundle ${bundle} is missing: run npm run build`);
  if (copyDirectories.length === 0) return lambda.Code.fromAsset(bundleDir);
  return lambda.Code.fromAsset(bundleDir, {
    // Hash what is deployed: the bundle and the copied directories, not just the bundle.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never pulled or run: local bundling always succeeds.
      image: DockerImage.fromRegistry('scratch-unused'),
      local: new CopyNextToBundle(bundleDir, copyDirectories),
    },
  });
}

/**
 * Copies the bundle and the extra directories into the asset. Its fields are part of CDK's
 * in-process asset cache key, so two functions copying different directories next to the
 * same bundle get assets of their own.
 */
class CopyNextToBundle implements ILocalBundling {
  constructor(
    readonly bundleDir: string,
    readonly copyDirectories: ReadonlyArray<[string, string]>,
  ) {}

  tryBundle(outputDir: string): boolean {
    cpSync(this.bundleDir, outputDir, { recursive: true });
    for (const [source, target] of this.copyDirectories) {
      cpSync(source, join(outputDir, target), { recursive: true });
    }
    return true;
  }
}

/**
 * A data-tier Lambda function: Node.js running the handler bundle prebuilt with the package
 * (no esbuild or Docker at synthesis), in the function subnets with its own security group,
 * TLS to RDS verified with the runtime's CA bundle, an encrypted log group with retention,
 * reserved concurrency, a dead-letter queue and active X-Ray tracing.
 */
export class DataTierFunction extends Construct {
  readonly function: lambda.Function;
  readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: DataTierFunctionProps) {
    super(scope, id);
    const functionName = `${props.name}-${props.functionName}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetention,
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
    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: props.description,
      code: handlerCode(props.entry, props.copyDirectories),
      handler: `index.${props.handler ?? 'handler'}`,
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
