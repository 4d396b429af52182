import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DatabaseConfig, EngineMajorVersion, ProxyConfig } from './config';
import { acknowledge, acrossPacks, PINNED_ZONE } from './nag';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the instances and the proxy. */
  readonly dataSubnets: ec2.SubnetSelection;
  /** Subnets of the secret-rotation function. */
  readonly functionSubnets: ec2.SubnetSelection;
  /** Availability zones in order: the primary (and standby) use the first two, replicas the others first. */
  readonly availabilityZones: string[];
  readonly config: DatabaseConfig;
  readonly proxyConfig: ProxyConfig;
  /** Encrypts storage, Performance Insights and the secret. */
  readonly dataKey: kms.IKey;
  /** Encrypts the exported PostgreSQL logs. */
  readonly logsKey: kms.IKey;
  /** Prefix of every physical name, e.g. `data-tier-prod`. */
  readonly namePrefix: string;
  /** Security group of the interface endpoints, which the rotation function must reach. */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
}

/** The master user; applications get their own roles from the migrations, not this one. */
export const MASTER_USERNAME = 'dbadmin';
/** Role of the health check, created NOLOGIN by sql/001_data_tier_schema.sql; the migrations give it its secret's password. */
export const MONITOR_USERNAME = 'data_tier_monitor';
/** The runbooks' read-only role, created NOLOGIN by sql/004_operator_role.sql. */
export const OPERATOR_USERNAME = 'data_tier_operator';
/** Database created on the primary and used by the migrations and the health check. */
export const DATABASE_NAME = 'app';
/** Days between rotations of the master password. */
export const SECRET_ROTATION_DAYS = 30;

const ENGINE_VERSIONS: Record<EngineMajorVersion, rds.PostgresEngineVersion> = {
  17: rds.PostgresEngineVersion.VER_17,
  18: rds.PostgresEngineVersion.VER_18,
};

/**
 * Zones of the read replicas: the zone outside the primary's pair first, then the
 * standby's, so with two replicas every zone holds a node whatever the primary does.
 */
export function replicaZones(availabilityZones: string[], count: number): string[] {
  const order = [...availabilityZones.slice(2), availabilityZones[1]];
  return Array.from({ length: count }, (_, i) => order[i % order.length]);
}

/**
 * PostgreSQL on RDS: the primary (Multi-AZ where configured), read replicas pinned to
 * zones, one parameter group for all of them, the master secret with hosted rotation,
 * and RDS Proxy in front of the primary.
 */
export class Database extends Construct {
  readonly primary: rds.DatabaseInstance;
  readonly replicas: rds.DatabaseInstanceReadReplica[] = [];
  readonly proxy: rds.DatabaseProxy;
  /** The master secret, attached to the primary (it holds host, port and dbname). */
  readonly secret: secretsmanager.ISecret;
  /** The health check's own credentials (role `data_tier_monitor`), attached to the primary. */
  readonly monitorSecret: secretsmanager.ISecret;
  /** Rotation of the monitor secret; it may only start once the migrations have let the role log in. */
  readonly monitorRotation: secretsmanager.RotationSchedule;
  /** Credentials of the runbooks' read-only role `data_tier_operator`, attached to the primary. */
  readonly operatorSecret: secretsmanager.ISecret;
  /** Rotation of the operator secret; like the monitor's, it waits for the migrations. */
  readonly operatorRotation: secretsmanager.RotationSchedule;
  readonly parameterGroup: rds.ParameterGroup;
  /** Security group of the primary: reached only from the proxy and the functions. */
  readonly primarySecurityGroup: ec2.SecurityGroup;
  /** Security group of the replicas: reached from the functions and application readers. */
  readonly replicaSecurityGroup: ec2.SecurityGroup;
  readonly proxySecurityGroup: ec2.SecurityGroup;
  readonly rotationSecurityGroup: ec2.SecurityGroup;
  readonly port: number;
  /** DB instance identifiers, fixed by config: the primary's, then each replica's. */
  readonly instanceIds: { readonly primary: string; readonly replicas: string[] };

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { vpc, config, namePrefix } = props;
    this.port = config.port;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: ENGINE_VERSIONS[config.engineMajorVersion] });

    const securityGroup = (sgId: string, description: string) =>
      new ec2.SecurityGroup(this, sgId, { vpc, description, allowAllOutbound: false });
    this.primarySecurityGroup = securityGroup('PrimarySecurityGroup', 'PostgreSQL primary: from RDS Proxy and the data-tier functions only');
    this.replicaSecurityGroup = securityGroup('ReplicaSecurityGroup', 'PostgreSQL read replicas: from the data-tier functions and application readers');
    this.proxySecurityGroup = securityGroup('ProxySecurityGroup', 'RDS Proxy: from applications and functions, to the primary');
    this.rotationSecurityGroup = securityGroup('RotationSecurityGroup', 'Secret rotation function: to the primary and the Secrets Manager endpoint');

    this.parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine,
      description: `${namePrefix}: PostgreSQL ${config.engineMajorVersion} settings for the primary and replicas`,
      parameters: postgresParameters(config),
    });

    const masterSecret = new rds.DatabaseSecret(this, 'MasterSecret', {
      username: MASTER_USERNAME,
      secretName: `${namePrefix}/postgres/master`,
      encryptionKey: props.dataKey,
    });

    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: 'Lets RDS enhanced monitoring write OS metrics to CloudWatch Logs',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    acknowledge(monitoringRole, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'The AWS-maintained policy RDS documents for enhanced monitoring: it only writes the RDSOSMetrics log group, and only monitoring.rds.amazonaws.com can assume this role.',
    });

    const [primaryZone, standbyZone] = props.availabilityZones;
    const observability = {
      enablePerformanceInsights: true,
      performanceInsightRetention: config.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      performanceInsightEncryptionKey: props.dataKey,
      monitoringInterval: Duration.seconds(config.monitoringIntervalSeconds),
      monitoringRole,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
    };

    const primaryId = `${namePrefix}-primary`;
    this.instanceIds = { primary: primaryId, replicas: [] };
    this.primary = new rds.DatabaseInstance(this, 'Primary', {
      ...observability,
      instanceIdentifier: primaryId,
      engine,
      instanceType: new ec2.InstanceType(config.instanceClass.replace(/^db\./, '')),
      vpc,
      // Multi-AZ keeps primary and standby in the first two zones, leaving the third to a replica.
      vpcSubnets: config.multiAz ? { ...props.dataSubnets, availabilityZones: [primaryZone, standbyZone] } : props.dataSubnets,
      availabilityZone: config.multiAz ? undefined : primaryZone,
      multiAz: config.multiAz,
      securityGroups: [this.primarySecurityGroup],
      port: config.port,
      credentials: rds.Credentials.fromSecret(masterSecret),
      databaseName: DATABASE_NAME,
      parameterGroup: this.parameterGroup,
      storageType: rds.StorageType.GP3,
      allocatedStorage: config.allocatedStorageGiB,
      maxAllocatedStorage: config.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: props.dataKey,
      backupRetention: Duration.days(config.backupRetentionDays),
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: config.deletionProtection,
      removalPolicy: config.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    });
    this.secret = this.primary.secret!;
    if (!config.multiAz || !config.deletionProtection) {
      acknowledge(
        this.primary,
        ...(config.multiAz ? [] : [PINNED_ZONE]),
        ...(config.multiAz
          ? []
          : acrossPacks({ awsSolutions: 'RDS3', nist: 'RDSMultiAZSupport', hipaa: 'RDSMultiAZSupport' }, 'Single-AZ by choice in this environment (database.multiAz=false, a throwaway dev tier); validation requires Multi-AZ in prod.')),
        ...(config.deletionProtection
          ? []
          : acrossPacks(
              { awsSolutions: 'RDS10', nist: 'RDSInstanceDeletionProtectionEnabled', hipaa: 'RDSInstanceDeletionProtectionEnabled' },
              'Deletion protection off by choice in this environment (database.deletionProtection=false, dev only); validation requires it in staging and prod.',
            )),
      );
    }
    this.exportLogGroups(primaryId, this.primary, props.logsKey, config.logRetentionDays);

    replicaZones(props.availabilityZones, config.replicaCount).forEach((zone, index) => {
      const replicaId = `${namePrefix}-replica-${index + 1}`;
      this.instanceIds.replicas.push(replicaId);
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${index + 1}`, {
        ...observability,
        instanceIdentifier: replicaId,
        sourceDatabaseInstance: this.primary,
        instanceType: new ec2.InstanceType(config.replicaInstanceClass.replace(/^db\./, '')),
        vpc,
        vpcSubnets: props.dataSubnets,
        availabilityZone: zone,
        securityGroups: [this.replicaSecurityGroup],
        port: config.port,
        parameterGroup: this.parameterGroup,
        // Encryption (and its key) is inherited from the primary; CloudFormation rejects it here.
        storageType: rds.StorageType.GP3,
        deletionProtection: config.deletionProtection,
        // A replica holds only a copy of the primary, whose final snapshot keeps the data.
        removalPolicy: RemovalPolicy.DESTROY,
        iamAuthentication: true,
        autoMinorVersionUpgrade: true,
        publiclyAccessible: false,
        caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      });
      this.exportLogGroups(replicaId, replica, props.logsKey, config.logRetentionDays);
      acknowledgeReplicaFindings(replica);
      this.replicas.push(replica);
    });

    const rotate = (secret: secretsmanager.ISecret, name: string) =>
      secret.addRotationSchedule('Rotation', {
        automaticallyAfter: Duration.days(SECRET_ROTATION_DAYS),
        hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
          functionName: `${namePrefix}-${name}-secret-rotation`,
          vpc,
          vpcSubnets: props.functionSubnets,
          securityGroups: [this.rotationSecurityGroup],
        }),
      });
    rotate(this.secret, 'master');
    // A role the migrations create NOLOGIN, with its own secret on the primary, rotated like the master's.
    const roleSecret = (id: string, username: string, name: string) => {
      const secret = new rds.DatabaseSecret(this, id, { username, secretName: `${namePrefix}/postgres/${name}`, encryptionKey: props.dataKey }).attach(this.primary);
      return { secret, rotation: rotate(secret, name) };
    };
    ({ secret: this.monitorSecret, rotation: this.monitorRotation } = roleSecret('MonitorSecret', MONITOR_USERNAME, 'monitor'));
    ({ secret: this.operatorSecret, rotation: this.operatorRotation } = roleSecret('OperatorSecret', OPERATOR_USERNAME, 'operator'));
    this.primarySecurityGroup.addIngressRule(this.rotationSecurityGroup, ec2.Port.tcp(config.port), 'Secret rotation sets the new password');
    this.rotationSecurityGroup.addEgressRule(this.primarySecurityGroup, ec2.Port.tcp(config.port), 'Secret rotation sets the new password');
    if (props.endpointSecurityGroup) {
      props.endpointSecurityGroup.connections.allowFrom(this.rotationSecurityGroup, ec2.Port.tcp(443), 'Secret rotation calls Secrets Manager');
    }

    const iamEndToEnd = props.proxyConfig.iamAuthEndToEnd;
    this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
      dbProxyName: `${namePrefix}-proxy`,
      proxyTarget: rds.ProxyTarget.fromInstance(this.primaryWithLiteralPort(engine)),
      // The health check and operators sign in through the proxy as their own roles.
      secrets: [this.secret, this.monitorSecret, this.operatorSecret],
      vpc,
      vpcSubnets: props.dataSubnets,
      securityGroups: [this.proxySecurityGroup],
      requireTLS: true,
      iamAuth: iamEndToEnd,
      defaultAuthScheme: iamEndToEnd ? rds.DefaultAuthScheme.IAM_AUTH : undefined,
      idleClientTimeout: Duration.seconds(props.proxyConfig.idleClientTimeoutSeconds),
      maxConnectionsPercent: props.proxyConfig.maxConnectionsPercent,
      debugLogging: false,
    });
    const proxyRole = this.proxy.node.findChild('IAMRole') as iam.Role;
    acknowledge(
      proxyRole.node.findChild('DefaultPolicy'),
      ...acrossPacks(
        { nist: 'IAMNoInlinePolicy', hipaa: 'IAMNoInlinePolicy', pci: 'IAMNoInlinePolicy' },
        'CDK-generated grant attached to the proxy role alone: read of the master secret and decrypt with its key, nothing else.',
      ),
    );
    if (iamEndToEnd) {
      // End to end, the proxy signs in to the database as the user the client signed in as.
      proxyRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['rds-db:connect'],
          resources: [Stack.of(this).formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${this.primary.instanceResourceId}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
      );
    }
    this.proxySecurityGroup.addEgressRule(this.primarySecurityGroup, ec2.Port.tcp(config.port), 'RDS Proxy to the primary');
  }

  /**
   * Lets a client security group use the database: the proxy always, the primary
   * directly only when `direct` (the data-tier functions), the replicas for reads.
   */
  allowClient(client: ec2.ISecurityGroup, description: string, options: { direct: boolean }): void {
    const port = ec2.Port.tcp(this.port);
    const targets = [this.proxySecurityGroup, ...(this.replicas.length > 0 ? [this.replicaSecurityGroup] : [])];
    if (options.direct) targets.push(this.primarySecurityGroup);
    for (const target of targets) {
      target.addIngressRule(client, port, description);
      client.addEgressRule(target, port, description);
    }
  }

  /**
   * The primary as the proxy target, with its port as a literal: binding the proxy opens
   * the target's default port, which on the instance itself is a token, and a rule over
   * an unresolved port reads to reviewers (and cdk-nag) as "any port".
   */
  private primaryWithLiteralPort(engine: rds.IInstanceEngine): rds.IDatabaseInstance {
    return rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'PrimaryProxyTarget', {
      instanceIdentifier: this.primary.instanceIdentifier,
      instanceEndpointAddress: this.primary.dbInstanceEndpointAddress,
      instanceResourceId: this.primary.instanceResourceId,
      port: this.port,
      securityGroups: [this.primarySecurityGroup],
      engine,
    });
  }

  private exportLogGroups(instanceId: string, instance: rds.IDatabaseInstance, key: kms.IKey, retentionDays: number): void {
    for (const exportName of ['postgresql', 'upgrade']) {
      const group = new logs.LogGroup(this, `${instance.node.id}${exportName === 'postgresql' ? 'PostgresqlLog' : 'UpgradeLog'}`, {
        logGroupName: `/aws/rds/instance/${instanceId}/${exportName}`,
        retention: retentionDays as logs.RetentionDays,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // RDS would otherwise create the group itself, unencrypted and kept forever.
      instance.node.addDependency(group);
    }
  }
}

/** The PostgreSQL settings of the tier, shared by the primary and every replica. */
export function postgresParameters(config: DatabaseConfig): Record<string, string> {
  return {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'top',
    'rds.force_ssl': '1',
    ssl_min_protocol_version: 'TLSv1.2',
    log_min_duration_statement: String(config.slowStatementMs),
    idle_in_transaction_session_timeout: String(config.idleInTransactionTimeoutMs),
    track_io_timing: '1',
    // Lock waits longer than deadlock_timeout are logged: the seeds page on lock waits over 1 s.
    log_lock_waits: '1',
    deadlock_timeout: '1000',
    log_statement: 'ddl',
    log_autovacuum_min_duration: '10000',
    log_temp_files: '10240',
    // Replica queries that conflict with replay wait up to 30 s before being cancelled.
    max_standby_streaming_delay: '30000',
    hot_standby_feedback: '1',
  };
}

/** Findings that read a replica as if it were a standalone instance. */
function acknowledgeReplicaFindings(replica: rds.DatabaseInstanceReadReplica): void {
  acknowledge(
    replica,
    PINNED_ZONE,
    ...acrossPacks(
      { awsSolutions: 'RDS2', nist: 'RDSStorageEncrypted', hipaa: 'RDSStorageEncrypted', pci: 'RDSStorageEncrypted' },
      'A read replica inherits encryption and its KMS key from the encrypted primary; CloudFormation rejects StorageEncrypted next to SourceDBInstanceIdentifier (cfn-lint F3020).',
    ),
    ...acrossPacks(
      { awsSolutions: 'RDS3', nist: 'RDSMultiAZSupport', hipaa: 'RDSMultiAZSupport' },
      'Replicas are spread one per zone and the primary is Multi-AZ; a standby per replica would double the cost of copies that RDS rebuilds from the primary.',
    ),
    ...acrossPacks(
      { nist: 'RDSInBackupPlan', hipaa: 'RDSInBackupPlan' },
      'A replica holds a copy of the primary, which is in the AWS Backup plan and keeps its own point-in-time recovery.',
    ),
    {
      id: 'AwsSolutions-RDS11',
      reason: 'The replica listens on the non-default port 5433 (Port is set); the rule also requires Engine, which a read replica inherits from its source.',
    },
  );
}
