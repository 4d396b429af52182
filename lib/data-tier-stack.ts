import { CfnOutput, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { DatabaseBackup } from './backup';
import { Cache } from './cache';
import { CacheTokenRotation } from './cache-token-rotation';
import { DataTierConfig, stackNameFor } from './config';
import { Database } from './database';
import { FunctionPlacement } from './data-tier-function';
import { EncryptionKeys } from './encryption';
import { Network } from './network';
import { SchemaMigrations } from './schema';
import { HealthCheck } from './health-check';
import { Monitoring } from './monitoring';
import { CACHE_DRILL_TAG, FaultInjection } from './fault-injection';
import { OperatorAccess } from './operator-access';

export interface DataTierStackProps extends StackProps {
  /** The validated configuration of the environment. */
  readonly config: DataTierConfig;
  /**
   * The application's migration directories, applied at deploy time after the data tier's own
   * stream, each a stream named after its directory.
   * @default - none
   */
  readonly applicationMigrations?: readonly string[];
}

/**
 * Names of the stack outputs. Runbooks and applications look them up with
 * `aws cloudformation describe-stacks`; renaming one breaks them, so they are pinned by a test.
 */
export const OUTPUTS = {
  proxyEndpoint: 'ProxyEndpoint',
  writerEndpoint: 'WriterEndpoint',
  databasePort: 'DatabasePort',
  databaseName: 'DatabaseName',
  primaryInstanceId: 'PrimaryInstanceId',
  replicaEndpoint: (n: number) => `Replica${n}Endpoint`,
  replicaInstanceId: (n: number) => `Replica${n}InstanceId`,
  databaseSecretArn: 'DatabaseSecretArn',
  monitorSecretArn: 'MonitorSecretArn',
  operatorSecretArn: 'OperatorSecretArn',
  cacheAuthSecretArn: 'CacheAuthSecretArn',
  cachePrimaryEndpoint: 'CachePrimaryEndpoint',
  cacheReaderEndpoint: 'CacheReaderEndpoint',
  cachePort: 'CachePort',
  cacheReplicationGroupId: 'CacheReplicationGroupId',
  dataKeyArn: 'DataKeyArn',
  backupVaultName: 'BackupVaultName',
  appSecurityGroupId: 'AppSecurityGroupId',
  functionSecurityGroupId: 'FunctionSecurityGroupId',
  primarySecurityGroupId: 'PrimarySecurityGroupId',
  replicaSecurityGroupId: 'ReplicaSecurityGroupId',
  proxySecurityGroupId: 'ProxySecurityGroupId',
  cacheSecurityGroupId: 'CacheSecurityGroupId',
  vpcId: 'VpcId',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
  healthCheckFunctionName: 'HealthCheckFunctionName',
  maintenanceFunctionName: 'MaintenanceFunctionName',
  migrationFunctionName: 'MigrationFunctionName',
  scheduleDeadLetterQueueUrl: 'ScheduleDeadLetterQueueUrl',
  failoverExperimentTemplateId: 'FailoverExperimentTemplateId',
  cacheAzPowerInterruptExperimentTemplateId: 'CacheAzPowerInterruptExperimentTemplateId',
  operatorHostGroupName: 'OperatorHostGroupName',
  operatorSessionDocumentName: 'OperatorSessionDocumentName',
  operatorSessionLogGroupName: 'OperatorSessionLogGroupName',
} as const;

/** The PostgreSQL data tier of one environment. */
export class DataTierStack extends Stack {
  readonly config: DataTierConfig;
  readonly network: Network;
  readonly keys: EncryptionKeys;
  readonly database: Database;
  readonly cache: Cache;
  readonly cacheTokenRotation: CacheTokenRotation;
  readonly backup: DatabaseBackup;
  readonly schema: SchemaMigrations;
  readonly healthCheck: HealthCheck;
  readonly monitoring: Monitoring;
  /** Game-day experiment templates, when `drills.faultInjection` is on. */
  readonly faultInjection?: FaultInjection;
  /** The operator host reached through Systems Manager, when `operatorAccess.enabled` is on. */
  readonly operatorAccess?: OperatorAccess;
  /** Attach to application tasks and functions: reaches the proxy, the replicas and the cache. */
  readonly appSecurityGroup: ec2.SecurityGroup;
  /** Attached to the data tier's own functions (migrations, health check). */
  readonly functionSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DataTierStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const namePrefix = stackNameFor(config);
    Tags.of(this).add('data-tier:environment', config.envName);

    this.keys = new EncryptionKeys(this, 'Keys', { aliasPrefix: namePrefix });
    this.network = new Network(this, 'Network', {
      availabilityZones: config.availabilityZones,
      config: config.network,
      logsKey: this.keys.logsKey,
    });
    const vpc = this.network.vpc;

    this.database = new Database(this, 'Database', {
      vpc,
      dataSubnets: this.network.dataSubnets,
      functionSubnets: this.network.functionSubnets,
      availabilityZones: config.availabilityZones,
      config: config.database,
      proxyConfig: config.proxy,
      dataKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
      namePrefix,
      endpointSecurityGroup: this.network.endpointSecurityGroup,
    });

    this.cache = new Cache(this, 'Cache', {
      vpc,
      dataSubnets: this.network.dataSubnets,
      availabilityZones: config.availabilityZones,
      config: config.cache,
      dataKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
      logRetentionDays: config.database.logRetentionDays,
      namePrefix,
    });

    this.backup = new DatabaseBackup(this, 'Backup', {
      primary: this.database.primary,
      config: config.backup,
      dataKey: this.keys.dataKey,
      namePrefix,
    });

    this.appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc,
      description: `${namePrefix} application clients: to RDS Proxy, the read replicas and the cache`,
      allowAllOutbound: false,
    });
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc,
      description: `${namePrefix} data-tier functions: to the database, the cache and the AWS API endpoints`,
      allowAllOutbound: false,
    });
    this.database.allowClient(this.appSecurityGroup, 'Application clients', { direct: false });
    this.database.allowClient(this.functionSecurityGroup, 'Data-tier functions (migrations run on the instance, not the proxy)', { direct: true });
    for (const client of [this.appSecurityGroup, this.functionSecurityGroup]) {
      this.cache.connections.allowDefaultPortFrom(client, 'Cache clients');
      client.addEgressRule(this.cache.securityGroup, ec2.Port.tcp(this.cache.port), 'Cache clients');
    }
    this.allowToAwsApis(this.functionSecurityGroup);

    const placement: FunctionPlacement = {
      vpc,
      subnets: this.network.functionSubnets,
      securityGroup: this.functionSecurityGroup,
      dataKey: this.keys.dataKey,
      logsKey: this.keys.logsKey,
      logRetentionDays: config.database.logRetentionDays,
      namePrefix,
    };
    this.cacheTokenRotation = new CacheTokenRotation(this, 'CacheTokenRotation', { ...placement, cache: this.cache });

    this.schema = new SchemaMigrations(this, 'Schema', {
      ...placement,
      primary: this.database.primary,
      secret: this.database.secret,
      monitorSecret: this.database.monitorSecret,
      operatorSecret: this.database.operatorSecret,
      applicationMigrations: props.applicationMigrations,
    });
    // Rotation signs in as the role itself, which can log in only once the migrations ran.
    this.database.monitorRotation.node.addDependency(this.schema.resource);
    this.database.operatorRotation.node.addDependency(this.schema.resource);

    this.healthCheck = new HealthCheck(this, 'HealthCheck', {
      ...placement,
      envName: config.envName,
      proxy: this.database.proxy,
      primary: this.database.primary,
      replicas: this.database.replicas,
      secret: this.database.secret,
      monitorSecret: this.database.monitorSecret,
      schema: this.schema.resource,
    });

    const ids = this.database.instanceIds;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      envName: config.envName,
      config: config.monitoring,
      namePrefix,
      instances: [
        { name: 'primary', instanceId: ids.primary, role: 'primary' },
        ...ids.replicas.map((instanceId, i) => ({ name: `replica-${i + 1}`, instanceId, role: 'replica' as const })),
      ],
      proxyName: `${namePrefix}-proxy`,
      cacheNodeIds: this.cache.nodeIds,
      allocatedStorageGiB: config.database.allocatedStorageGiB,
      scheduleDeadLetterQueueName: this.healthCheck.scheduleDeadLetterQueue.queueName,
      dataKey: this.keys.dataKey,
    });

    this.monitoring.notifyServiceEvents({
      namePrefix,
      instanceIds: [this.database.primary.instanceIdentifier, ...this.database.replicas.map((replica) => replica.instanceIdentifier)],
      cache: this.cache.replicationGroup,
    });

    if (config.drills.faultInjection) {
      Tags.of(this.cache.replicationGroup).add(CACHE_DRILL_TAG, this.cache.replicationGroup.replicationGroupId!);
      const critical = ['health-check-failing', 'query-latency-p95-high'].map((condition) => this.monitoring.alarm('primary', condition));
      this.faultInjection = new FaultInjection(this, 'FaultInjection', {
        namePrefix,
        primaryInstanceArn: this.database.primary.instanceArn,
        cacheTagValue: this.cache.replicationGroup.replicationGroupId!,
        cacheZone: config.availabilityZones[0],
        stopAlarms: critical,
        logsKey: this.keys.logsKey,
        logRetentionDays: config.database.logRetentionDays,
      });
    }

    if (config.operatorAccess.enabled) {
      const db = this.database;
      this.operatorAccess = new OperatorAccess(this, 'OperatorAccess', {
        vpc,
        subnets: this.network.functionSubnets,
        targets: [
          { securityGroup: db.proxySecurityGroup, port: db.port, description: 'RDS Proxy' },
          { securityGroup: db.primarySecurityGroup, port: db.port, description: 'the primary' },
          ...(db.replicas.length > 0 ? [{ securityGroup: db.replicaSecurityGroup, port: db.port, description: 'the read replicas' }] : []),
          { securityGroup: this.cache.securityGroup, port: this.cache.port, description: 'the cache' },
        ],
        endpointSecurityGroup: this.network.endpointSecurityGroup,
        dataKey: this.keys.dataKey,
        logsKey: this.keys.logsKey,
        logRetentionDays: config.database.logRetentionDays,
        namePrefix,
      });
    }

    this.addOutputs(namePrefix);
  }

  /** Functions reach AWS APIs over HTTPS through the interface endpoints (or the imported VPC's). */
  private allowToAwsApis(client: ec2.SecurityGroup): void {
    const endpoints = this.network.endpointSecurityGroup;
    if (endpoints) {
      endpoints.connections.allowFrom(client, ec2.Port.tcp(443), 'Data-tier functions call AWS APIs');
      client.addEgressRule(endpoints, ec2.Port.tcp(443), 'AWS APIs through the interface endpoints');
    } else {
      client.addEgressRule(ec2.Peer.ipv4(this.network.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'AWS APIs through the VPC endpoints of the imported VPC');
    }
  }

  private addOutputs(namePrefix: string): void {
    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description, exportName: `${namePrefix}-${name}` });
    const db = this.database;
    output(OUTPUTS.proxyEndpoint, db.proxy.endpoint, 'RDS Proxy endpoint: where applications write (TLS required)');
    output(OUTPUTS.writerEndpoint, db.primary.dbInstanceEndpointAddress, 'Primary instance endpoint: migrations, and the bypass when the proxy fails');
    output(OUTPUTS.databasePort, String(db.port), 'PostgreSQL port of the proxy, the primary and the replicas');
    output(OUTPUTS.databaseName, 'app', 'Database the schema lives in');
    output(OUTPUTS.primaryInstanceId, db.primary.instanceIdentifier, 'DB instance identifier of the primary (aws rds ... --db-instance-identifier)');
    db.replicas.forEach((replica, i) => {
      output(OUTPUTS.replicaEndpoint(i + 1), replica.dbInstanceEndpointAddress, `Read replica ${i + 1} endpoint: where applications read`);
      output(OUTPUTS.replicaInstanceId(i + 1), replica.instanceIdentifier, `DB instance identifier of read replica ${i + 1}`);
    });
    output(OUTPUTS.databaseSecretArn, db.secret.secretArn, 'Master credentials (rotated every 30 days): host, port, username, password, dbname');
    output(OUTPUTS.monitorSecretArn, db.monitorSecret.secretArn, 'Credentials of the health check role data_tier_monitor (pg_monitor, health_check(), heartbeat), rotated every 30 days');
    output(OUTPUTS.operatorSecretArn, db.operatorSecret.secretArn, 'Credentials of the runbooks\' read-only role data_tier_operator (pg_monitor, data_tier tables and read-only functions), rotated every 30 days');
    output(OUTPUTS.cacheAuthSecretArn, this.cache.authSecret.secretArn, 'AUTH token of the cache (rotated every 30 days; the previous token stays valid until the next rotation)');
    output(OUTPUTS.cachePrimaryEndpoint, this.cache.primaryEndpoint, 'Cache primary endpoint: writes (TLS required)');
    output(OUTPUTS.cacheReaderEndpoint, this.cache.readerEndpoint, 'Cache reader endpoint: reads spread over the replica nodes');
    output(OUTPUTS.cachePort, String(this.cache.port), 'Cache port');
    output(OUTPUTS.cacheReplicationGroupId, this.cache.replicationGroup.ref, 'ElastiCache replication group id');
    output(OUTPUTS.dataKeyArn, this.keys.dataKey.keyArn, 'KMS key of the database, secrets, cache and backups');
    output(OUTPUTS.backupVaultName, this.backup.vault.backupVaultName, 'AWS Backup vault holding the daily recovery points');
    output(OUTPUTS.appSecurityGroupId, this.appSecurityGroup.securityGroupId, 'Attach to application clients to reach the proxy, replicas and cache');
    output(OUTPUTS.functionSecurityGroupId, this.functionSecurityGroup.securityGroupId, 'Security group of the data-tier functions');
    output(OUTPUTS.primarySecurityGroupId, db.primarySecurityGroup.securityGroupId, 'Security group of the primary instance');
    output(OUTPUTS.replicaSecurityGroupId, db.replicaSecurityGroup.securityGroupId, 'Security group of the read replicas');
    output(OUTPUTS.proxySecurityGroupId, db.proxySecurityGroup.securityGroupId, 'Security group of RDS Proxy');
    output(OUTPUTS.cacheSecurityGroupId, this.cache.securityGroup.securityGroupId, 'Security group of the cache');
    output(OUTPUTS.vpcId, this.network.vpc.vpcId, 'VPC of the data tier');
    output(OUTPUTS.alarmTopicArn, this.monitoring.topic.topicArn, 'SNS topic every alarm notifies (ALARM and OK)');
    output(OUTPUTS.dashboardName, this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard of the tier');
    output(OUTPUTS.healthCheckFunctionName, this.healthCheck.healthCheck.function.functionName, 'Health-check function (aws lambda invoke to run it now)');
    output(OUTPUTS.maintenanceFunctionName, this.healthCheck.maintenance.function.functionName, 'Partition maintenance and materialized view refresh function');
    output(OUTPUTS.migrationFunctionName, this.schema.handler.function.functionName, 'Schema migration function (its log group holds the runner output)');
    output(OUTPUTS.scheduleDeadLetterQueueUrl, this.healthCheck.scheduleDeadLetterQueue.queueUrl, 'Scheduled events EventBridge could not deliver to the health-check or maintenance function');
    if (this.faultInjection) {
      output(OUTPUTS.failoverExperimentTemplateId, this.faultInjection.failover.attrId, 'FIS experiment: reboot the primary with forced failover (aws fis start-experiment)');
      output(OUTPUTS.cacheAzPowerInterruptExperimentTemplateId, this.faultInjection.cacheAzPowerInterrupt.attrId, 'FIS experiment: cut power to one zone of the cache');
    }
    if (this.operatorAccess) {
      const operator = this.operatorAccess;
      output(OUTPUTS.operatorHostGroupName, operator.autoScalingGroup.autoScalingGroupName, 'Auto Scaling group of the operator host: npm run tunnel finds its running instance here');
      output(OUTPUTS.operatorSessionDocumentName, operator.sessionDocument.ref, 'Session document of logged shell sessions on the operator host (aws ssm start-session --document-name)');
      output(OUTPUTS.operatorSessionLogGroupName, operator.sessionLogGroup.logGroupName, 'Encrypted log group of the operator host sessions');
    }
  }
}
