import { Tags } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ApplicationRole } from './application-roles';
import { DatabaseBackup, DatabaseBackupOptions } from './backup';
import { Cache, CacheOptions } from './cache';
import { CacheTokenRotation } from './cache-token-rotation';
import { Database, DatabaseInstanceSelector } from './database';
import { DatabaseOptions } from './database-options';
import { DataTierValidationError } from './errors';
import { DatabaseTopology } from './topology';
import { EncryptionKeys } from './encryption';
import { ApplicationMigrationsSource } from './functions/shared/migration-streams';
import { CACHE_DRILL_TAG, FaultInjection } from './fault-injection';
import { FunctionPlacement } from './function-placement';
import { HealthCheck } from './health-check';
import { Maintenance } from './maintenance';
import { Monitoring, MonitoringOptions } from './monitoring';
import { Network, NetworkOptions } from './network';
import { OperatorAccess } from './operator-access';
import { addTierOutputs, recordTier } from './outputs';
import { tierName } from './private/defaults';
import { SchemaMigrations } from './schema';

export interface DataTierProps<Role extends string = string> {
  /**
   * Prefix of every physical name (instance identifiers, secrets, functions, alarms), e.g.
   * `orders-prod`: 2 to 30 lowercase letters, digits and hyphens.
   * @default - derived from the construct's path, unique in the app
   */
  readonly name?: string;
  /**
   * Where the tier runs: a VPC of yours (`vpc`) or one it creates, its zones and subnets.
   * @default - a new VPC over the region's first three zones
   */
  readonly network?: NetworkOptions;
  /**
   * How long every log group of the tier keeps its events: the PostgreSQL log exports, the cache
   * slow log, the functions' logs, the operator sessions and the game-day experiments. The
   * `database` and `cache` options may set their own.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Encrypts the database, secrets, cache, backups and the alarm topic.
   * @default - a new customer-managed key with yearly rotation, retained on delete
   */
  readonly dataKey?: kms.IKey;
  /**
   * Encrypts every log group of the tier; CloudWatch Logs must be allowed to use it.
   * @default - a new customer-managed key with yearly rotation, retained on delete
   */
  readonly logsKey?: kms.IKey;
  /** @default - the library's defaults: PostgreSQL 17 on r7g.large, Multi-AZ, one replica, RDS Proxy */
  readonly database?: DatabaseOptions;
  /**
   * What the database is: `{ kind: 'instances' }`, RDS for PostgreSQL DB instances (a Multi-AZ
   * primary and read replicas); `{ kind: 'multi-az-cluster' }`, an RDS Multi-AZ DB cluster (a
   * writer and two readable standbys on local-NVMe classes); or `{ kind: 'aurora' }`, Aurora
   * PostgreSQL (a writer and up to 15 readers, provisioned or Serverless v2, with optional reader
   * auto scaling). Every layer of the tier follows it: secrets and rotation attached to the
   * cluster, RDS Proxy with a read-only endpoint, migrations and maintenance on the writer
   * endpoint, the health check on the proxy and the reader endpoint, alarms on the metrics each
   * publishes, AWS Backup of the cluster (docs/topologies.md). Changing it on a deployed tier
   * replaces the database: build a new tier instead.
   * @default { kind: 'instances' }
   */
  readonly topology?: DatabaseTopology;
  /** @default - Redis OSS 7.1 on cache.r7g.large, one node per zone */
  readonly cache?: CacheOptions;
  /** @default - daily AWS Backup recovery points kept 35 days, no cross-region copy */
  readonly backup?: DatabaseBackupOptions;
  /** @default - a new encrypted topic, no subscriptions, the defaults table's alarms and thresholds */
  readonly monitoring?: MonitoringOptions;
  /**
   * The application's migration directories, applied at deploy time after the tier's own
   * stream, each a stream named after its directory and run by its own owner role
   * (`<stream>_owner`), which owns the stream's schemas: a directory alone owns the schema
   * named after it, `{ directory, schemas }` the schemas given.
   * @default - none
   */
  readonly applicationMigrations?: readonly (string | ApplicationMigrationsSource)[];
  /**
   * The applications' own database roles, each signing in through RDS Proxy with IAM or with a
   * rotated secret, with `read-write` or `read-only` access to schemas the application streams
   * own. The migrations create them; `grantConnect(grantee, name)` lets an application sign in as
   * one (docs/application-roles.md).
   * @default - none: only the tier's own users exist
   */
  readonly applicationRoles?: readonly ApplicationRole<Role>[];
  /**
   * An operator host reached only through AWS Systems Manager, for `data-tier tunnel`.
   * @default true
   */
  readonly operatorAccess?: boolean;
  /**
   * AWS Fault Injection Service experiment templates for game days: the database's failover (a
   * reboot of the primary with forced failover, or on a cluster topology `FailoverDBCluster` to a
   * reader) and a power interruption of one zone of the cache.
   * @default false
   */
  readonly faultInjection?: boolean;
  /**
   * Value of the `Environment` dimension of the health check's metrics.
   * @default - the name
   */
  readonly metricEnvironment?: string;
  /**
   * Stack outputs (named as in `OUTPUTS`, exported as `<name>-<output>`) that the runbooks and
   * the `data-tier` command read.
   * @default true
   */
  readonly outputs?: boolean;
}

/**
 * The whole PostgreSQL data tier in any stack: RDS for PostgreSQL over three zones (a Multi-AZ
 * primary and read replicas), RDS Proxy, an ElastiCache replication group, AWS Backup, the
 * schema migrations, the health check and maintenance functions, alarms and a dashboard.
 *
 * Its `connections` are the database endpoints applications use (RDS Proxy and the read
 * replicas); `allowClient` opens those and the cache.
 */
export class DataTier<Role extends string = string> extends Construct implements ec2.IConnectable {
  /** Prefix of every physical name of the tier. */
  readonly name: string;
  readonly network: Network;
  readonly vpc: ec2.IVpc;
  readonly availabilityZones: string[];
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  /** The keys, when the tier created them. */
  readonly keys?: EncryptionKeys;
  readonly database: Database<Role>;
  readonly cache: Cache;
  readonly cacheTokenRotation: CacheTokenRotation;
  readonly backup: DatabaseBackup;
  readonly schema: SchemaMigrations;
  /** The health check, every minute. */
  readonly healthCheck: HealthCheck;
  /** Partition maintenance and materialized view refresh. */
  readonly maintenance: Maintenance;
  readonly monitoring: Monitoring;
  /** Game-day experiment templates, when `faultInjection` is on. */
  readonly faultInjection?: FaultInjection;
  /** The operator host reached through Systems Manager, when `operatorAccess` is on. */
  readonly operatorAccess?: OperatorAccess;
  /** Attach to application tasks and functions: reaches the proxy, the replicas and the cache. */
  readonly appSecurityGroup: ec2.SecurityGroup;
  /** Attached to the tier's own functions (migrations, health check, maintenance). */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** RDS Proxy and the read replicas, on the database port (`database.connections`). */
  readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: DataTierProps<Role> = {}) {
    super(scope, id);
    const name = tierName(this, props.name);
    this.name = name;
    const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;

    if (props.dataKey && props.logsKey) {
      this.dataKey = props.dataKey;
      this.logsKey = props.logsKey;
    } else {
      this.keys = new EncryptionKeys(this, 'Keys', { aliasPrefix: name });
      this.dataKey = props.dataKey ?? this.keys.dataKey;
      this.logsKey = props.logsKey ?? this.keys.logsKey;
    }

    // A tier in a given VPC had its endpoints directly under it: `Default` (left out of logical
    // IDs) keeps theirs. A VPC the tier creates has always been under `Network`.
    this.network = new Network(this, props.network?.vpc ? 'Default' : 'Network', { ...props.network, logsKey: this.logsKey });
    const network = this.network;
    this.vpc = network.vpc;
    this.availabilityZones = network.availabilityZones;
    const vpc = this.vpc;
    const { dataSubnets, functionSubnets } = network;

    this.database = new Database<Role>(this, 'Database', {
      logRetention,
      ...props.database,
      applicationRoles: props.applicationRoles,
      vpc,
      dataSubnets,
      functionSubnets,
      availabilityZones: this.availabilityZones,
      dataKey: this.dataKey,
      logsKey: this.logsKey,
      name,
      topology: props.topology,
    });
    this.connections = this.database.connections;
    const db = this.database;
    const cluster = db.clusterIdentifier !== undefined && db.topology.kind !== 'instances' ? { identifier: db.clusterIdentifier, kind: db.topology.kind } : undefined;

    this.cache = new Cache(this, 'Cache', {
      logRetention,
      ...props.cache,
      vpc,
      dataSubnets,
      availabilityZones: this.availabilityZones,
      dataKey: this.dataKey,
      logsKey: this.logsKey,
      name,
    });

    if (cluster?.kind === 'multi-az-cluster' && props.backup?.copyToVault) {
      throw new DataTierValidationError(
        this.node.path,
        'backup.copyToVault',
        props.backup.copyToVault.backupVaultArn,
        'is not supported for a Multi-AZ DB cluster: AWS Backup cannot copy its snapshots ("copying a Multi-AZ DB cluster snapshot is not supported", AWS Backup Developer Guide, Copy a backup), so every copy job would fail and no copy would survive the region; leave it out (docs/topologies.md: a Multi-AZ DB cluster has no cross-Region option)',
      );
    }
    this.backup = new DatabaseBackup(this, 'Backup', {
      ...props.backup,
      primary: db.primary,
      clusterIdentifier: db.clusterIdentifier,
      dataKey: this.dataKey,
      name,
    });

    this.appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc,
      description: `${name} application clients: to RDS Proxy, the read replicas and the cache`,
      allowAllOutbound: false,
    });
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc,
      description: `${name} data-tier functions: to the database, the cache and the AWS API endpoints`,
      allowAllOutbound: false,
    });
    this.database.allowClient(this.appSecurityGroup, 'Application clients', { direct: false });
    this.database.allowClient(this.functionSecurityGroup, 'Data-tier functions (migrations run on the instance, not the proxy)', { direct: true });
    for (const client of [this.appSecurityGroup, this.functionSecurityGroup]) this.cache.allowClient(client, 'Cache clients');
    network.allowAwsApisFrom(this.database.rotationSecurityGroup, 'Secret rotation calls Secrets Manager');
    network.allowAwsApisFrom(this.functionSecurityGroup, 'Data-tier functions call AWS APIs');

    const placement: FunctionPlacement = {
      vpc,
      subnets: functionSubnets,
      securityGroup: this.functionSecurityGroup,
      dataKey: this.dataKey,
      logsKey: this.logsKey,
      logRetention,
      name,
    };
    this.cacheTokenRotation = new CacheTokenRotation(this, 'CacheTokenRotation', { ...placement, cache: this.cache });

    this.schema = new SchemaMigrations(this, 'Schema', {
      ...placement,
      writerEndpointAddress: db.writerEndpoint.hostname,
      writer: db.writer,
      secret: this.database.secret,
      monitorSecret: this.database.monitorSecret,
      operatorSecret: this.database.operatorSecret,
      applicationMigrations: props.applicationMigrations,
      applicationRoles: props.applicationRoles,
      applicationRoleSecrets: this.database.applicationRoleSecrets,
    });
    // Rotation signs in as the role itself (an application role's, as the master to make its
    // clone), which exists with the secret's password only once the migrations ran.
    for (const rotation of [this.database.monitorRotation, this.database.operatorRotation, ...this.database.applicationRoleRotations]) {
      rotation.node.addDependency(this.schema.resource);
    }

    const metricEnvironment = props.metricEnvironment ?? name;
    // Both scheduled parts under the path they had as one construct: their named functions,
    // rules and queue keep their logical IDs (`Default` is left out of them).
    const scheduled = new Construct(this, 'HealthCheck');
    this.healthCheck = new HealthCheck(scheduled, 'Default', {
      ...placement,
      metricEnvironment,
      proxy: this.database.proxy,
      writerId: db.writerId,
      // Each read replica directly; a cluster's readers through its reader endpoint, under the cluster's identifier.
      readers: cluster
        ? db.readerCount > 0 ? [{ id: cluster.identifier, address: db.readerEndpoint!.hostname }] : []
        : db.replicas.map((replica) => ({ id: replica.instanceIdentifier, address: replica.dbInstanceEndpointAddress })),
      topology: db.topology.kind,
      monitorSecret: this.database.monitorSecret,
      schema: this.schema.resource,
    });
    this.maintenance = new Maintenance(scheduled, 'Maintenance', {
      ...placement,
      metricEnvironment,
      writerId: db.writerId,
      writerEndpointAddress: db.writerEndpoint.hostname,
      secret: this.database.secret,
      scheduleDeadLetterQueue: this.healthCheck.scheduleDeadLetterQueue,
      schema: this.schema.resource,
    });

    const ids = this.database.instanceIds;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...props.monitoring,
      name,
      metricEnvironment,
      instances: cluster
        ? [
            { name: 'writer', instanceId: cluster.identifier, role: 'primary' },
            ...(db.readerCount > 0 ? [{ name: 'readers', instanceId: cluster.identifier, role: 'replica' as const }] : []),
          ]
        : [
            { name: 'primary', instanceId: ids.primary, role: 'primary' },
            ...ids.replicas.map((instanceId, i) => ({ name: `replica-${i + 1}`, instanceId, role: 'replica' as const })),
          ],
      cluster,
      proxyName: `${name}-proxy`,
      cacheNodeIds: this.cache.nodeIds,
      allocatedStorageGiB: this.database.options.allocatedStorageGiB,
      scheduleDeadLetterQueueName: this.healthCheck.scheduleDeadLetterQueue.queueName,
      dataKey: this.dataKey,
    });
    this.monitoring.notifyServiceEvents({
      instanceIds: db.primary ? [db.primary.instanceIdentifier, ...db.replicas.map((replica) => replica.instanceIdentifier)] : [],
      clusterIds: cluster ? [cluster.identifier] : undefined,
      cache: this.cache.replicationGroup,
    });

    if (props.faultInjection ?? false) {
      Tags.of(this.cache.replicationGroup).add(CACHE_DRILL_TAG, this.cache.replicationGroup.replicationGroupId!);
      const critical = ['health-check-failing', 'query-latency-p95-high'].map((condition) => this.monitoring.alarm(cluster ? 'writer' : 'primary', condition));
      this.faultInjection = new FaultInjection(this, 'FaultInjection', {
        name,
        ...(db.cluster ? { clusterArn: db.cluster.attrDbClusterArn } : { primaryInstanceArn: db.primary!.instanceArn }),
        cacheTagValue: this.cache.replicationGroup.replicationGroupId!,
        cacheZone: this.availabilityZones[0],
        stopAlarms: critical,
        logsKey: this.logsKey,
        logRetention,
      });
    }

    if (props.operatorAccess ?? true) {
      this.operatorAccess = new OperatorAccess(this, 'OperatorAccess', {
        vpc,
        subnets: functionSubnets,
        endpointSubnets: network.interfaceEndpointSubnets,
        targets: [
          { securityGroup: db.proxySecurityGroup, port: db.port, description: 'RDS Proxy' },
          { securityGroup: db.primarySecurityGroup, port: db.port, description: cluster ? 'the DB cluster (writer, reader endpoint and each instance)' : 'the primary' },
          ...(db.replicas.length > 0 ? [{ securityGroup: db.replicaSecurityGroup, port: db.port, description: 'the read replicas' }] : []),
          { securityGroup: this.cache.securityGroup, port: this.cache.port, description: 'the cache' },
        ],
        endpointSecurityGroup: network.endpointSecurityGroup,
        awsApiPeer: network.awsApiPeer,
        dataKey: this.dataKey,
        logsKey: this.logsKey,
        logRetention,
        name,
      });
    }

    if (props.outputs ?? true) addTierOutputs(this);
    recordTier(this);
  }

  /** Lets a client reach the proxy, the replicas and the cache (not the primary directly). */
  allowClient(client: ec2.IConnectable, description: string): void {
    this.database.allowClient(client, description, { direct: false });
    this.cache.allowClient(client, description);
  }

  /**
   * Lets `grantee` sign in as the application role `role`, one of `applicationRoles` (refused
   * otherwise): an `iam` role through RDS Proxy and on the read replicas with an IAM token, a
   * `secret` role by reading its secret.
   */
  grantConnect(grantee: iam.IGrantable, role: Role): iam.Grant {
    return this.database.grantConnect(grantee, role);
  }

  /** The rotated secret of application role `role`, declared with `signIn: 'secret'`. */
  applicationRoleSecret(role: Role): secretsmanager.ISecret {
    return this.database.applicationRoleSecret(role);
  }

  /**
   * The metric an alarm of the tier watches, by the alarm's resource and condition, e.g.
   * `metric('replica-1', 'replica-lag-high')`: the same namespace, dimensions, statistic and period.
   */
  metric(resource: string, condition: string): cw.IMetric {
    return this.monitoring.metric(resource, condition);
  }

  /** CPU of the primary or of read replica `instance` (from 1), percent, 5-minute average. */
  metricCpuUtilization(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.metric(this.alarmResourceOf(instance), 'cpu-high');
  }

  /** Free storage of an instance, bytes, 5-minute minimum. */
  metricFreeStorageSpace(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.metric(this.alarmResourceOf(instance), 'free-storage-low');
  }

  /** Freeable memory of an instance, bytes, 5-minute minimum. */
  metricFreeableMemory(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.metric(this.alarmResourceOf(instance), 'freeable-memory-low');
  }

  /** Replica lag RDS reports for read replica `replica` (1-based), seconds, 1-minute maximum. */
  metricReplicaLag(replica = 1): cw.IMetric {
    return this.metric(this.alarmResourceOf(replica), 'replica-lag-high');
  }

  /** Client-side query latency the health check measures on an instance, milliseconds, 1-minute p95. */
  metricQueryLatency(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.metric(this.alarmResourceOf(instance), 'query-latency-p95-high');
  }

  /** Share of `max_connections` in use on an instance, percent, 1-minute maximum. */
  metricConnectionsUsedPercent(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.metric(this.alarmResourceOf(instance), 'connections-high');
  }

  /** 1 while the health check cannot check an instance, 1-minute maximum. */
  metricHealthCheckFailed(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.metric(this.alarmResourceOf(instance), 'health-check-failing');
  }

  /**
   * The resource part of an instance's alarm names: `primary`, `replica-1`, ...; on a DB cluster,
   * `writer` for 'primary' and `readers` (all of them, as CloudWatch aggregates them) for 1.
   */
  private alarmResourceOf(instance: DatabaseInstanceSelector): string {
    if (this.database.topology.kind === 'instances') return instance === 'primary' ? 'primary' : `replica-${instance}`;
    return instance === 'primary' ? 'writer' : 'readers';
  }

  /** RDS Proxy query response latency, microseconds, 1-minute p95. */
  metricProxyQueryLatency(): cw.IMetric {
    return this.metric('proxy', 'proxy-latency-p95-high');
  }
}

const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
