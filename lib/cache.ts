import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CacheConfig } from './config';
import { acknowledge, PINNED_ZONE } from './nag';

export interface CacheProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the cache nodes, one per zone. */
  readonly dataSubnets: ec2.SubnetSelection;
  /** One node is placed in each of these zones; the first holds the primary. */
  readonly availabilityZones: string[];
  readonly config: CacheConfig;
  /** Encrypts the cache at rest and the AUTH token secret. */
  readonly dataKey: kms.IKey;
  /** Encrypts the slow-log group. */
  readonly logsKey: kms.IKey;
  /** Days the slow log is kept. */
  readonly logRetentionDays: number;
  /** Prefix of every physical name, e.g. `data-tier-prod`. */
  readonly namePrefix: string;
}

/** Cache parameter-group family of each engine major version. */
function parameterFamily(config: CacheConfig): string {
  const major = config.engineVersion.split('.')[0];
  return config.engine === 'redis' ? `redis${major}` : `valkey${major}`;
}

/**
 * An ElastiCache replication group (Redis OSS or Valkey): one node per zone, Multi-AZ
 * with automatic failover, encrypted at rest and in transit, AUTH token from Secrets
 * Manager, LRU eviction. Exposes `connections` like an L2 construct.
 */
export class Cache extends Construct implements ec2.IConnectable {
  readonly connections: ec2.Connections;
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** The AUTH token clients present; generated, never in the template. */
  readonly authSecret: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly port: number;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: CacheProps,
  ) {
    super(scope, id);
    const { config, namePrefix } = props;
    this.port = config.port;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${namePrefix} cache: from the data-tier functions and application clients only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(config.port) });

    this.authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: `${namePrefix}/cache/auth-token`,
      description: `AUTH token of the ${namePrefix} cache`,
      encryptionKey: props.dataKey,
      // ElastiCache accepts 16-128 printable characters without @, " or /.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      cacheSubnetGroupName: `${namePrefix}-cache`,
      description: `${namePrefix} cache subnets`,
      subnetIds: props.vpc.selectSubnets(props.dataSubnets).subnetIds,
    });

    const parameterGroup = new elasticache.CfnParameterGroup(this, 'ParameterGroup', {
      cacheParameterGroupFamily: parameterFamily(config),
      description: `${namePrefix} cache: evict least recently used keys when full`,
      properties: { 'maxmemory-policy': 'allkeys-lru' },
    });

    const slowLog = new logs.LogGroup(this, 'SlowLog', {
      logGroupName: `/aws/elasticache/${namePrefix}/slow-log`,
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: `${namePrefix}-cache`,
      replicationGroupDescription: `${namePrefix} cache, one node per availability zone`,
      engine: config.engine,
      engineVersion: config.engineVersion,
      cacheNodeType: config.nodeType,
      port: config.port,
      numCacheClusters: props.availabilityZones.length,
      preferredCacheClusterAZs: props.availabilityZones,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: props.dataKey.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      authToken: SecretValue.secretsManager(this.authSecret.secretArn).unsafeUnwrap(),
      cacheParameterGroupName: parameterGroup.ref,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      snapshotRetentionLimit: config.snapshotRetentionDays,
      snapshotWindow: '02:00-03:00',
      preferredMaintenanceWindow: 'sun:05:30-sun:06:30',
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          logFormat: 'json',
          logType: 'slow-log',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
        },
      ],
    });
    this.replicationGroup.node.addDependency(slowLog);
    acknowledge(this.replicationGroup, PINNED_ZONE);
    // Deleting the stack keeps the cache's last snapshot rather than nothing.
    this.replicationGroup.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
  }

  /** Member cluster ids ElastiCache gives the nodes (`<group>-001`, ...), the dimension of per-node metrics. */
  get nodeIds(): string[] {
    return this.props.availabilityZones.map((_, i) => `${this.props.namePrefix}-cache-${String(i + 1).padStart(3, '0')}`);
  }

  /** Endpoint of the primary node, for writes. */
  get primaryEndpoint(): string {
    return this.replicationGroup.attrPrimaryEndPointAddress;
  }

  /** Endpoint spreading reads over the replica nodes. */
  get readerEndpoint(): string {
    return this.replicationGroup.attrReaderEndPointAddress;
  }
}
