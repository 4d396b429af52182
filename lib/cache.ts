import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CACHE_ENGINES, CacheEngine, cacheParameterGroupFamily } from './private/allowed-values';
import { defaultDataSubnets, tierName } from './private/defaults';
import { EncryptionKeys } from './encryption';
import { metricOfAlarm } from './private/alarm-construction';
import { acknowledge, PINNED_ZONE } from './private/nag';
import { DataTierValidationError, requireInteger, requireOneOf, validateCacheEngineVersion, validateCacheNodeType, validateLogRetentionDays } from './private/validation';


/** The engine version used when only the engine is chosen. */
const DEFAULT_ENGINE_VERSIONS: Record<CacheEngine, string> = { redis: '7.1', valkey: '8.0' };

/** What a tier's cache is. */
export interface CacheOptions {
  /**
   * `redis` (Redis OSS) or `valkey`.
   * @default 'redis'
   */
  readonly engine?: CacheEngine;
  /**
   * Engine version, e.g. `7.1` for Redis OSS or `8.0` for Valkey.
   * @default '7.1' for Redis OSS, '8.0' for Valkey
   */
  readonly engineVersion?: string;
  /**
   * Node type.
   * @default 'cache.r7g.large'
   */
  readonly nodeType?: string;
  /**
   * Listener port; not the default 6379.
   * @default 6380
   */
  readonly port?: number;
  /**
   * Automatic snapshots kept: 15 to 35 days (NIST 800-53 and HIPAA ask for at least 15).
   * @default Duration.days(15)
   */
  readonly snapshotRetention?: Duration;
  /**
   * How long the slow log is kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

export interface CacheProps extends CacheOptions {
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the cache nodes, one per zone.
   * @default - the VPC's isolated subnets, or its private ones if it has none
   */
  readonly dataSubnets?: ec2.SubnetSelection;
  /**
   * One node is placed in each of these zones; the first holds the primary.
   * @default - the first three zones of the VPC
   */
  readonly availabilityZones?: string[];
  /**
   * Encrypts the cache at rest and the AUTH token secret.
   * @default - a new customer-managed key with rotation
   */
  readonly dataKey?: kms.IKey;
  /**
   * Encrypts the slow-log group.
   * @default - a new customer-managed key with rotation, usable by CloudWatch Logs
   */
  readonly logsKey?: kms.IKey;
  /**
   * Prefix of every physical name, e.g. `data-tier-prod`.
   * @default - derived from the construct's path
   */
  readonly name?: string;
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
  /** Member cluster ids ElastiCache gives the nodes (`<group>-001`, ...), the dimension of per-node metrics. */
  readonly nodeIds: string[];

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const namePrefix = tierName(this, props.name);
    const engine = props.engine ?? 'redis';
    const config = {
      engine,
      engineVersion: props.engineVersion ?? DEFAULT_ENGINE_VERSIONS[engine] ?? '',
      nodeType: props.nodeType ?? 'cache.r7g.large',
      port: props.port ?? 6380,
      snapshotRetentionDays: (props.snapshotRetention ?? Duration.days(15)).toDays(),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    };
    const path = this.node.path;
    requireOneOf(path, 'engine', engine, CACHE_ENGINES);
    validateCacheEngineVersion(path, 'engineVersion', config.engine, config.engineVersion);
    validateCacheNodeType(path, 'nodeType', config.nodeType);
    requireInteger(path, 'port', config.port, 1024, 65535);
    if (config.port === 6379) throw new DataTierValidationError(path, 'port', config.port, 'must not be the default 6379');
    requireInteger(path, 'snapshotRetention (days)', config.snapshotRetentionDays, 15, 35);
    validateLogRetentionDays(path, 'logRetention', config.logRetention);
    const availabilityZones = props.availabilityZones ?? props.vpc.availabilityZones.slice(0, 3);
    const keys = props.dataKey && props.logsKey ? undefined : new EncryptionKeys(this, 'Keys', { aliasPrefix: `${namePrefix}/cache` });
    const dataKey = props.dataKey ?? keys!.dataKey;
    const logsKey = props.logsKey ?? keys!.logsKey;
    this.port = config.port;
    this.nodeIds = availabilityZones.map((_, i) => `${namePrefix}-cache-${String(i + 1).padStart(3, '0')}`);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${namePrefix} cache: from the data-tier functions and application clients only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(config.port) });

    this.authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: `${namePrefix}/cache/auth-token`,
      description: `AUTH token of the ${namePrefix} cache`,
      encryptionKey: dataKey,
      // ElastiCache accepts 16-128 printable characters without @, " or /.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      cacheSubnetGroupName: `${namePrefix}-cache`,
      description: `${namePrefix} cache subnets`,
      subnetIds: props.vpc.selectSubnets(props.dataSubnets ?? defaultDataSubnets(props.vpc)).subnetIds,
    });

    const parameterGroup = new elasticache.CfnParameterGroup(this, 'ParameterGroup', {
      cacheParameterGroupFamily: cacheParameterGroupFamily(config.engine, config.engineVersion)!,
      description: `${namePrefix} cache: evict least recently used keys when full`,
      properties: { 'maxmemory-policy': 'allkeys-lru' },
    });

    const slowLog = new logs.LogGroup(this, 'SlowLog', {
      logGroupName: `/aws/elasticache/${namePrefix}/slow-log`,
      retention: config.logRetention,
      encryptionKey: logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: `${namePrefix}-cache`,
      replicationGroupDescription: `${namePrefix} cache, one node per availability zone`,
      engine: config.engine,
      engineVersion: config.engineVersion,
      cacheNodeType: config.nodeType,
      port: config.port,
      numCacheClusters: availabilityZones.length,
      preferredCacheClusterAZs: availabilityZones,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: dataKey.keyArn,
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

  /** Engine CPU of cache node `node` (from 1), percent, as its `engine-cpu-high` alarm watches it. */
  metricEngineCpuUtilization(node = 1): cw.Metric {
    return this.nodeMetric('engine-cpu-high', node);
  }

  /** Memory used by the data of node `node`, percent of maxmemory, as its `memory-high` alarm watches it. */
  metricDatabaseMemoryUsagePercentage(node = 1): cw.Metric {
    return this.nodeMetric('memory-high', node);
  }

  /** Keys evicted on node `node`, as its `evictions-high` alarm watches it. */
  metricEvictions(node = 1): cw.Metric {
    return this.nodeMetric('evictions-high', node);
  }

  private nodeMetric(condition: string, node: number): cw.Metric {
    const nodeId = this.nodeIds[node - 1];
    if (nodeId === undefined) throw new DataTierValidationError(this.node.path, 'node', node, `must be a node number from 1 to ${this.nodeIds.length}`);
    return metricOfAlarm('cache-node', condition, 'AWS/ElastiCache', { CacheClusterId: nodeId });
  }

  /** Lets a client reach the cache on its port. */
  allowClient(client: ec2.IConnectable, description: string): void {
    this.connections.allowDefaultPortFrom(client, description);
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
