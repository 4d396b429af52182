import { CfnOutput, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { zonesOf } from './allowed-values';
import { DatabaseBackup, DatabaseBackupOptions } from './backup';
import { Cache, CacheOptions } from './cache';
import { CacheTokenRotation } from './cache-token-rotation';
import { Database, DatabaseOptions, resolveDatabaseOptions } from './database';
import { FunctionPlacement } from './data-tier-function';
import { defaultDataSubnets, defaultFunctionSubnets, tierName } from './defaults';
import { EncryptionKeys } from './encryption';
import { CACHE_DRILL_TAG, FaultInjection } from './fault-injection';
import { HealthCheck } from './health-check';
import { Monitoring, MonitoringOptions } from './monitoring';
import { addApiEndpoints, interfaceEndpointSubnets, Network } from './network';
import { OperatorAccess } from './operator-access';
import { OUTPUTS } from './outputs';
import { SchemaMigrations } from './schema';
import { DataTierValidationError, validateZones } from './validation';

/** The zones a tier spreads over: the Multi-AZ pair, a replica and one cache node each. */
export const DATA_TIER_ZONE_COUNT = 3;

export interface DataTierProps {
  /**
   * Prefix of every physical name (instance identifiers, secrets, functions, alarms), e.g.
   * `orders-prod`: 2 to 30 lowercase letters, digits and hyphens.
   * @default - derived from the construct's path, unique in the app
   */
  readonly name?: string;
  /**
   * The VPC to build in. Without one the tier creates its own: isolated subnets only, interface
   * endpoints for the AWS APIs its functions call, flow logs.
   * @default - a new VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * CIDR block of the VPC the tier creates (ignored with `vpc`).
   * @default '10.40.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * How long the flow logs of the VPC the tier creates are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Subnets of the instances, the proxy and the cache.
   * @default - the VPC's isolated subnets, or its private ones if it has none
   */
  readonly dataSubnets?: ec2.SubnetSelection;
  /**
   * Subnets of the tier's functions and operator host.
   * @default - the VPC's private subnets with egress, or its isolated ones if it has none
   */
  readonly functionSubnets?: ec2.SubnetSelection;
  /**
   * Create interface endpoints (Secrets Manager, CloudWatch, CloudWatch Logs, KMS, ElastiCache)
   * in the function subnets of a VPC given in `vpc`.
   * @default - true when the function subnets are isolated (there is no other way to the AWS APIs), false otherwise
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * In how many of the tier's zones, from the first, the interface endpoints (the functions' and
   * the operator host's Systems Manager ones) have a network interface. Each endpoint is billed
   * per zone and hour: 1 saves two thirds of that. Private DNS still answers in the whole VPC, so
   * functions and sessions in the other zones reach the APIs across zones, and lose them while the
   * first zone is down: meant for development tiers.
   * @default 3 - every zone of the tier
   */
  readonly interfaceEndpointZones?: number;
  /**
   * Exactly the three zones to spread over: the primary and its standby in the first two.
   * @default - the VPC's first three zones, or the region's first three for a new VPC
   */
  readonly availabilityZones?: string[];
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
  /** @default - Redis OSS 7.1 on cache.r7g.large, one node per zone */
  readonly cache?: CacheOptions;
  /** @default - daily AWS Backup recovery points kept 35 days, no cross-region copy */
  readonly backup?: DatabaseBackupOptions;
  /** @default - a new encrypted topic, no subscriptions, the defaults table's alarms and thresholds */
  readonly monitoring?: MonitoringOptions;
  /**
   * The application's migration directories, applied at deploy time after the tier's own
   * stream, each a stream named after its directory.
   * @default - none
   */
  readonly applicationMigrations?: readonly string[];
  /**
   * An operator host reached only through AWS Systems Manager, for `npm run tunnel`.
   * @default true
   */
  readonly operatorAccess?: boolean;
  /**
   * AWS Fault Injection Service experiment templates for game days.
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
   * `npm run tunnel` read.
   * @default true
   */
  readonly outputs?: boolean;
}

/**
 * The whole PostgreSQL data tier in any stack: RDS for PostgreSQL over three zones (a Multi-AZ
 * primary and read replicas), RDS Proxy, an ElastiCache replication group, AWS Backup, the
 * schema migrations, the health check and maintenance functions, alarms and a dashboard.
 */
export class DataTier extends Construct {
  /** Prefix of every physical name of the tier. */
  readonly name: string;
  readonly vpc: ec2.IVpc;
  readonly availabilityZones: string[];
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  /** The keys, when the tier created them. */
  readonly keys?: EncryptionKeys;
  /** The VPC, when the tier created it. */
  readonly network?: Network;
  readonly database: Database;
  readonly cache: Cache;
  readonly cacheTokenRotation: CacheTokenRotation;
  readonly backup: DatabaseBackup;
  readonly schema: SchemaMigrations;
  readonly healthCheck: HealthCheck;
  readonly monitoring: Monitoring;
  /** Game-day experiment templates, when `faultInjection` is on. */
  readonly faultInjection?: FaultInjection;
  /** The operator host reached through Systems Manager, when `operatorAccess` is on. */
  readonly operatorAccess?: OperatorAccess;
  /** Attach to application tasks and functions: reaches the proxy, the replicas and the cache. */
  readonly appSecurityGroup: ec2.SecurityGroup;
  /** Attached to the tier's own functions (migrations, health check, maintenance). */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** Security group of the interface endpoints the functions call AWS APIs through, if the tier made them. */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: DataTierProps = {}) {
    super(scope, id);
    const namePrefix = tierName(this, props.name);
    this.name = namePrefix;
    const databaseOptions = resolveDatabaseOptions(props.database ?? {});
    const logRetention = databaseOptions.logRetention;

    if (props.dataKey && props.logsKey) {
      this.dataKey = props.dataKey;
      this.logsKey = props.logsKey;
    } else {
      this.keys = new EncryptionKeys(this, 'Keys', { aliasPrefix: namePrefix });
      this.dataKey = props.dataKey ?? this.keys.dataKey;
      this.logsKey = props.logsKey ?? this.keys.logsKey;
    }

    let dataSubnets: ec2.SubnetSelection;
    let functionSubnets: ec2.SubnetSelection;
    let endpointSubnets: ec2.SubnetSelection;
    if (props.vpc) {
      this.vpc = props.vpc;
      this.availabilityZones = this.zones(props.availabilityZones ?? props.vpc.availabilityZones.slice(0, DATA_TIER_ZONE_COUNT), props.availabilityZones !== undefined);
      dataSubnets = props.dataSubnets ?? defaultDataSubnets(props.vpc);
      functionSubnets = props.functionSubnets ?? defaultFunctionSubnets(props.vpc);
      endpointSubnets = interfaceEndpointSubnets(this.node.path, functionSubnets, this.availabilityZones, props.interfaceEndpointZones);
      if (props.interfaceEndpoints ?? !this.hasEgress(functionSubnets)) {
        this.endpointSecurityGroup = addApiEndpoints(this, props.vpc, endpointSubnets);
      }
    } else {
      this.availabilityZones = this.zones(props.availabilityZones ?? this.regionZones(), props.availabilityZones !== undefined);
      this.network = new Network(this, 'Network', {
        availabilityZones: this.availabilityZones,
        cidr: props.vpcCidr,
        flowLogRetention: props.flowLogRetention,
        logsKey: this.logsKey,
        interfaceEndpointZones: props.interfaceEndpointZones,
      });
      this.vpc = this.network.vpc;
      this.endpointSecurityGroup = this.network.endpointSecurityGroup;
      dataSubnets = props.dataSubnets ?? this.network.dataSubnets;
      functionSubnets = props.functionSubnets ?? this.network.functionSubnets;
      endpointSubnets = this.network.interfaceEndpointSubnets;
    }
    const vpc = this.vpc;

    this.database = new Database(this, 'Database', {
      ...props.database,
      vpc,
      dataSubnets,
      functionSubnets,
      availabilityZones: this.availabilityZones,
      dataKey: this.dataKey,
      logsKey: this.logsKey,
      name: namePrefix,
      endpointSecurityGroup: this.endpointSecurityGroup,
    });

    this.cache = new Cache(this, 'Cache', {
      logRetention,
      ...props.cache,
      vpc,
      dataSubnets,
      availabilityZones: this.availabilityZones,
      dataKey: this.dataKey,
      logsKey: this.logsKey,
      name: namePrefix,
    });

    this.backup = new DatabaseBackup(this, 'Backup', {
      ...props.backup,
      primary: this.database.primary,
      dataKey: this.dataKey,
      name: namePrefix,
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
    this.allowToAwsApis(this.functionSecurityGroup, functionSubnets);

    const placement: FunctionPlacement = {
      vpc,
      subnets: functionSubnets,
      securityGroup: this.functionSecurityGroup,
      dataKey: this.dataKey,
      logsKey: this.logsKey,
      logRetentionDays: logRetention,
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

    const metricEnvironment = props.metricEnvironment ?? namePrefix;
    this.healthCheck = new HealthCheck(this, 'HealthCheck', {
      ...placement,
      metricEnvironment,
      proxy: this.database.proxy,
      primary: this.database.primary,
      replicas: this.database.replicas,
      secret: this.database.secret,
      monitorSecret: this.database.monitorSecret,
      schema: this.schema.resource,
    });

    const ids = this.database.instanceIds;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      ...props.monitoring,
      name: namePrefix,
      metricEnvironment,
      instances: [
        { name: 'primary', instanceId: ids.primary, role: 'primary' },
        ...ids.replicas.map((instanceId, i) => ({ name: `replica-${i + 1}`, instanceId, role: 'replica' as const })),
      ],
      proxyName: `${namePrefix}-proxy`,
      cacheNodeIds: this.cache.nodeIds,
      allocatedStorageGiB: databaseOptions.allocatedStorageGiB,
      scheduleDeadLetterQueueName: this.healthCheck.scheduleDeadLetterQueue.queueName,
      dataKey: this.dataKey,
    });
    this.monitoring.notifyServiceEvents({
      instanceIds: [this.database.primary.instanceIdentifier, ...this.database.replicas.map((replica) => replica.instanceIdentifier)],
      cache: this.cache.replicationGroup,
    });

    if (props.faultInjection ?? false) {
      Tags.of(this.cache.replicationGroup).add(CACHE_DRILL_TAG, this.cache.replicationGroup.replicationGroupId!);
      const critical = ['health-check-failing', 'query-latency-p95-high'].map((condition) => this.monitoring.alarm('primary', condition));
      this.faultInjection = new FaultInjection(this, 'FaultInjection', {
        namePrefix,
        primaryInstanceArn: this.database.primary.instanceArn,
        cacheTagValue: this.cache.replicationGroup.replicationGroupId!,
        cacheZone: this.availabilityZones[0],
        stopAlarms: critical,
        logsKey: this.logsKey,
        logRetentionDays: logRetention,
      });
    }

    if (props.operatorAccess ?? true) {
      const db = this.database;
      this.operatorAccess = new OperatorAccess(this, 'OperatorAccess', {
        vpc,
        subnets: functionSubnets,
        endpointSubnets,
        targets: [
          { securityGroup: db.proxySecurityGroup, port: db.port, description: 'RDS Proxy' },
          { securityGroup: db.primarySecurityGroup, port: db.port, description: 'the primary' },
          ...(db.replicas.length > 0 ? [{ securityGroup: db.replicaSecurityGroup, port: db.port, description: 'the read replicas' }] : []),
          { securityGroup: this.cache.securityGroup, port: this.cache.port, description: 'the cache' },
        ],
        endpointSecurityGroup: this.endpointSecurityGroup,
        awsApiPeer: this.routeOutPeer(functionSubnets),
        dataKey: this.dataKey,
        logsKey: this.logsKey,
        logRetentionDays: logRetention,
        namePrefix,
      });
    }

    if (props.outputs ?? true) this.addOutputs();
  }

  /** Lets a client reach the proxy, the replicas and the cache (not the primary directly). */
  allowClient(client: ec2.ISecurityGroup, description: string): void {
    this.database.allowClient(client, description, { direct: false });
    this.cache.connections.allowDefaultPortFrom(client, description);
    client.addEgressRule(this.cache.securityGroup, ec2.Port.tcp(this.cache.port), description);
  }

  /** Lets `grantee` sign in through RDS Proxy with IAM as the database role `dbUser`. */
  grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    return this.database.grantConnect(grantee, dbUser);
  }

  /** The zones, checked against the stack's region when it is known. */
  private zones(zones: string[], given: boolean): string[] {
    const region = Stack.of(this).region;
    const shown = zones.map((zone) => (Token.isUnresolved(zone) ? '<token>' : zone));
    if (given && zones.length !== DATA_TIER_ZONE_COUNT) {
      throw new DataTierValidationError(this.node.path, 'availabilityZones', shown, `must name exactly ${DATA_TIER_ZONE_COUNT} zones: the primary, its standby and a replica each get one`);
    }
    if (zones.length < DATA_TIER_ZONE_COUNT) {
      throw new DataTierValidationError(
        this.node.path,
        'availabilityZones',
        shown,
        Token.isUnresolved(region)
          ? `must be given: the VPC offers ${zones.length} zones, as a VPC in an environment-agnostic stack does; give the stack an explicit env or pass ${DATA_TIER_ZONE_COUNT} zones`
          : `must be given: the VPC spans only ${zones.length} zones and the tier needs ${DATA_TIER_ZONE_COUNT}`,
      );
    }
    if (!Token.isUnresolved(region)) validateZones(this.node.path, 'availabilityZones', region, zones, { min: DATA_TIER_ZONE_COUNT });
    return zones.slice(0, DATA_TIER_ZONE_COUNT);
  }

  /** The first three zones of the stack's region, for a VPC the tier creates. */
  private regionZones(): string[] {
    const region = Stack.of(this).region;
    const zones = Token.isUnresolved(region) ? undefined : zonesOf(region);
    if (!zones) {
      throw new DataTierValidationError(
        this.node.path,
        'availabilityZones',
        undefined,
        Token.isUnresolved(region)
          ? 'must be given when the stack has no explicit region (env: { region }), so the tier knows which three zones to use'
          : `must be given: the zones of region ${region} are not in the library's table`,
      );
    }
    return zones.slice(0, DATA_TIER_ZONE_COUNT);
  }

  /**
   * Functions reach AWS APIs over HTTPS through the interface endpoints; without them, through the
   * VPC's own endpoints (isolated subnets) or its route out (subnets with egress), where the APIs'
   * public addresses have no fixed range.
   */
  private allowToAwsApis(client: ec2.SecurityGroup, functionSubnets: ec2.SubnetSelection): void {
    const endpoints = this.endpointSecurityGroup;
    if (endpoints) {
      endpoints.connections.allowFrom(client, ec2.Port.tcp(443), 'Data-tier functions call AWS APIs');
      client.addEgressRule(endpoints, ec2.Port.tcp(443), 'AWS APIs through the interface endpoints');
      return;
    }
    // The secret rotation functions call Secrets Manager the same way.
    const routeOut = this.routeOutPeer(functionSubnets);
    for (const group of [client, this.database.rotationSecurityGroup]) {
      if (routeOut) group.addEgressRule(routeOut, ec2.Port.tcp(443), 'AWS APIs through the route out of the function subnets');
      else group.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'AWS APIs through the VPC endpoints of the imported VPC');
    }
  }

  /** Any IPv4 address when the subnets route out and the tier has no endpoints: AWS API addresses have no fixed range. */
  private routeOutPeer(subnets: ec2.SubnetSelection): ec2.IPeer | undefined {
    return !this.endpointSecurityGroup && this.hasEgress(subnets) ? ec2.Peer.anyIpv4() : undefined;
  }

  /** Whether every selected subnet has a route out (none is isolated). */
  private hasEgress(subnets: ec2.SubnetSelection): boolean {
    return this.vpc.selectSubnets(subnets).subnets.every((subnet) => !this.vpc.isolatedSubnets.includes(subnet));
  }

  private addOutputs(): void {
    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description, exportName: `${this.name}-${name}` });
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
    output(OUTPUTS.dataKeyArn, this.dataKey.keyArn, 'KMS key of the database, secrets, cache and backups');
    output(OUTPUTS.backupVaultName, this.backup.vault.backupVaultName, 'AWS Backup vault holding the daily recovery points');
    output(OUTPUTS.appSecurityGroupId, this.appSecurityGroup.securityGroupId, 'Attach to application clients to reach the proxy, replicas and cache');
    output(OUTPUTS.functionSecurityGroupId, this.functionSecurityGroup.securityGroupId, 'Security group of the data-tier functions');
    output(OUTPUTS.primarySecurityGroupId, db.primarySecurityGroup.securityGroupId, 'Security group of the primary instance');
    output(OUTPUTS.replicaSecurityGroupId, db.replicaSecurityGroup.securityGroupId, 'Security group of the read replicas');
    output(OUTPUTS.proxySecurityGroupId, db.proxySecurityGroup.securityGroupId, 'Security group of RDS Proxy');
    output(OUTPUTS.cacheSecurityGroupId, this.cache.securityGroup.securityGroupId, 'Security group of the cache');
    output(OUTPUTS.vpcId, this.vpc.vpcId, 'VPC of the data tier');
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
