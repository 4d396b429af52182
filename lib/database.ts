import { ArnFormat, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { addApplicationRoleSecrets } from './application-role-secrets';
import { ApplicationRole, resolveApplicationRoles } from './application-roles';
import type { ApplicationRoleSpec } from './functions/shared/application-role-spec';
import { defaultDataSubnets, defaultFunctionSubnets, tierName } from './private/defaults';
import { EncryptionKeys } from './encryption';
import { DatabaseOptions, resolveDatabaseOptions, ResolvedDatabaseOptions, SUPPORTED_POSTGRES_MAJOR_VERSIONS, validateDatabaseOptions, validateRecoveryOptions } from './database-options';
import { MAJOR_VERSION_UPGRADE_PATHS, validateMajorVersionUpgrade } from './major-version-upgrade';
import { metricOfAlarm } from './private/alarm-construction';
import { enhancedMonitoringRole, exportLogGroups, postgresParameters, replicaPortAcknowledgement } from './private/instance-settings';
import { acknowledge, acrossPacks, PINNED_ZONE } from './private/nag';
import { allowHttpsTo } from './private/vpc-endpoints';
import { backupReplicationKeyArn, PROPERTIES_REFUSED_ON_RESTORE } from './restore';
import { DataTierValidationError } from './private/validation';
import { MASTER_USERNAME, MONITOR_USERNAME, OPERATOR_USERNAME } from './private/database-users';
import { buildCluster, BuiltCluster } from './private/db-cluster';
import { clusterRdsMetric } from './private/cluster-metrics';
import { auroraVersionOf, DatabaseTopology, isClusterTopology, MULTI_AZ_CLUSTER_READERS, ResolvedClusterTopology, ResolvedTopology, resolveTopology, validateTopology } from './topology';

/** An instance of a `Database`: its primary, or a read replica by number (from 1). */
export type DatabaseInstanceSelector = 'primary' | number;

export interface DatabaseProps<Role extends string = string> extends DatabaseOptions {
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the instances and the proxy.
   * @default - the VPC's isolated subnets, or its private ones if it has none
   */
  readonly dataSubnets?: ec2.SubnetSelection;
  /**
   * Subnets of the secret-rotation functions.
   * @default - the VPC's private subnets with egress, or its isolated ones if it has none
   */
  readonly functionSubnets?: ec2.SubnetSelection;
  /**
   * Zones in order: the primary (and standby) use the first two, replicas the others first.
   * @default - the first three zones of the VPC
   */
  readonly availabilityZones?: string[];
  /**
   * Encrypts storage, Performance Insights and the secrets.
   * @default - a new customer-managed key with rotation
   */
  readonly dataKey?: kms.IKey;
  /**
   * Encrypts the exported PostgreSQL logs.
   * @default - a new customer-managed key with rotation, usable by CloudWatch Logs
   */
  readonly logsKey?: kms.IKey;
  /**
   * Prefix of every physical name, e.g. `data-tier-prod`.
   * @default - derived from the construct's path
   */
  readonly name?: string;
  /** Security group of interface endpoints the rotation functions must reach. @default - none */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  /**
   * The applications' own database roles: each `secret` role gets a rotated secret the proxy
   * signs in with, each `iam` role signs in through the proxy with IAM end to end. The
   * migrations create them (`SchemaMigrationsProps.applicationRoles`).
   * @default - none
   */
  readonly applicationRoles?: readonly ApplicationRole<Role>[];
  /**
   * What the database is: RDS for PostgreSQL instances (a Multi-AZ primary and read replicas), an
   * RDS Multi-AZ DB cluster, or Aurora PostgreSQL.
   * @default { kind: 'instances' }
   */
  readonly topology?: DatabaseTopology;
}

export { MASTER_USERNAME, MONITOR_USERNAME, OPERATOR_USERNAME } from './private/database-users';
/** Database created on the primary and used by the migrations and the health check. */
export const DATABASE_NAME = 'app';
/** Days between rotations of every password of the tier (master, monitor, operator, application roles). */
export const SECRET_ROTATION_DAYS = 30;

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
 * RDS Proxy in front of the primary, and the sign-in of the applications' roles.
 */
export class Database<Role extends string = string> extends Construct implements ec2.IConnectable {
  /** What the database is, defaults filled in. */
  readonly topology: ResolvedTopology;
  /** The primary instance (topology `instances`); a cluster topology has none. */
  readonly primary?: rds.DatabaseInstance;
  /** The read replicas (topology `instances`); empty for a cluster topology, whose readers are its own. */
  readonly replicas: rds.DatabaseInstanceReadReplica[] = [];
  /** The DB cluster of a cluster topology (`AWS::RDS::DBCluster`, identifier `<name>-cluster`). */
  readonly cluster?: rds.CfnDBCluster;
  /** The Aurora instances, the writer `<name>-writer` first, then `<name>-reader-<n>`; empty otherwise. */
  readonly clusterInstances: readonly rds.CfnDBInstance[] = [];
  /** The DB cluster identifier, `<name>-cluster`, for a cluster topology. */
  readonly clusterIdentifier?: string;
  /** The Aurora global database `<name>-global` whose primary this cluster is (topology aurora with `globalDatabase`). */
  readonly globalCluster?: rds.CfnGlobalCluster;
  /** Where the writer is reached directly (migrations, maintenance): the primary's endpoint or the cluster's writer endpoint. */
  readonly writerEndpoint: rds.Endpoint;
  /** The cluster's reader endpoint (a cluster topology): connections spread over its readers. */
  readonly readerEndpoint?: rds.Endpoint;
  /** What accepts connections once deployed: the primary, or the cluster and its instances. Depend on it before connecting. */
  readonly writer: IDependable;
  /**
   * The identifier the writer's metrics are published under by the tier's functions (dimension
   * `DBInstance`): the primary's instance identifier, or the cluster identifier.
   */
  readonly writerId: string;
  readonly proxy: rds.DatabaseProxy;
  /** The proxy's read-only endpoint, to the cluster's readers (a cluster topology). */
  readonly proxyReadOnlyEndpoint?: rds.IDatabaseProxyEndpoint;
  /** The master secret, attached to the primary or the cluster (it holds host, port and dbname). */
  readonly secret: secretsmanager.ISecret;
  /** The health check's own credentials (role `data_tier_monitor`), attached to the primary. */
  readonly monitorSecret: secretsmanager.ISecret;
  /** Rotation of the monitor secret; it may only start once the migrations have let the role log in. */
  readonly monitorRotation: secretsmanager.RotationSchedule;
  /** Credentials of the runbooks' read-only role `data_tier_operator`, attached to the primary. */
  readonly operatorSecret: secretsmanager.ISecret;
  /** Rotation of the operator secret; like the monitor's, it waits for the migrations. */
  readonly operatorRotation: secretsmanager.RotationSchedule;
  /** The secret of each application role with `signIn: 'secret'`, by name, attached to the primary. */
  readonly applicationRoleSecrets: Readonly<Record<string, secretsmanager.ISecret>>;
  /** Their rotations, alternating users; each may only start once the migrations created its role. */
  readonly applicationRoleRotations: readonly secretsmanager.RotationSchedule[];
  readonly parameterGroup: rds.ParameterGroup;
  /** The upgrade target's parameter group (`upgradeTarget`): the same settings, the target's family. */
  readonly upgradeParameterGroup?: rds.ParameterGroup;
  /** Security group of the primary (or of the whole cluster): reached only from the proxy and the functions. */
  readonly primarySecurityGroup: ec2.SecurityGroup;
  /** Security group of the replicas: reached from the functions and application readers. A cluster's readers share the cluster's group. */
  readonly replicaSecurityGroup: ec2.SecurityGroup;
  readonly proxySecurityGroup: ec2.SecurityGroup;
  readonly rotationSecurityGroup: ec2.SecurityGroup;
  readonly port: number;
  /** The settings the database was built with, defaults filled in. */
  readonly options: ResolvedDatabaseOptions;
  /** Encrypts storage, Performance Insights and the secrets. */
  readonly dataKey: kms.IKey;
  /**
   * DB instance identifiers, fixed by the tier's name: the primary's, then each replica's. For a
   * cluster topology, `primary` is the cluster identifier (its writer's instance changes on
   * failover) and `replicas` is empty.
   */
  readonly instanceIds: { readonly primary: string; readonly replicas: string[] };
  /** Where applications connect: RDS Proxy and the read replicas, on the database port. */
  readonly connections: ec2.Connections;
  /** The declared application roles, defaults filled in. */
  private readonly applicationRoles: readonly ApplicationRoleSpec[];

  constructor(scope: Construct, id: string, props: DatabaseProps<Role>) {
    super(scope, id);
    const { vpc } = props;
    const namePrefix = tierName(this, props.name);
    const defaults = resolveDatabaseOptions(props);
    const topology = resolveTopology(props.topology, defaults.engineVersion.postgresMajorVersion, defaults.allocatedStorageGiB);
    this.topology = topology;
    const clustered = isClusterTopology(topology);
    // A Multi-AZ DB cluster always has its two readable standbys.
    const config = resolveDatabaseOptions(topology.kind === 'multi-az-cluster' ? { replicaCount: MULTI_AZ_CLUSTER_READERS, ...props } : props);
    const availabilityZones = props.availabilityZones ?? vpc.availabilityZones.slice(0, 3);
    validateDatabaseOptions(this.node.path, config, availabilityZones.length, { instances: !clustered });
    validateTopology(this.node.path, topology, {
      instanceClass: `db.${config.instanceType.toString()}`,
      replicaInstanceClass: `db.${config.replicaInstanceType.toString()}`,
      replicaCount: config.replicaCount,
      allocatedStorageGiB: config.allocatedStorageGiB,
      postgresMajorVersion: config.engineVersion.postgresMajorVersion,
      multiAz: config.multiAz,
      maxAllocatedStorageGiB: config.maxAllocatedStorageGiB,
      given: new Set(Object.entries(props).filter(([, value]) => value !== undefined).map(([key]) => key)),
    });
    if (isClusterTopology(topology)) validateClusterOptions(this.node.path, topology, props, availabilityZones.length);
    this.applicationRoles = resolveApplicationRoles(this.node.path, props.applicationRoles);
    validateRecoveryOptions(this.node.path, config, { region: Stack.of(this).region, account: Stack.of(this).account, cluster: isClusterTopology(topology) });
    const dataSubnets = props.dataSubnets ?? defaultDataSubnets(vpc);
    const functionSubnets = props.functionSubnets ?? defaultFunctionSubnets(vpc);
    const keys = props.dataKey && props.logsKey ? undefined : new EncryptionKeys(this, 'Keys', { aliasPrefix: `${namePrefix}/database` });
    const dataKey = props.dataKey ?? keys!.dataKey;
    const logsKey = props.logsKey ?? keys!.logsKey;
    this.options = config;
    this.dataKey = dataKey;
    this.port = config.port;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: config.engineVersion });
    const auroraEngine = topology.kind === 'aurora' ? rds.DatabaseClusterEngine.auroraPostgres({ version: topology.engineVersion }) : undefined;

    const securityGroup = (sgId: string, description: string) =>
      new ec2.SecurityGroup(this, sgId, { vpc, description, allowAllOutbound: false });
    if (clustered) {
      this.primarySecurityGroup = securityGroup('ClusterSecurityGroup', 'PostgreSQL DB cluster (writer and readers): from RDS Proxy and the data-tier functions only');
      this.replicaSecurityGroup = this.primarySecurityGroup;
    } else {
      this.primarySecurityGroup = securityGroup('PrimarySecurityGroup', 'PostgreSQL primary: from RDS Proxy and the data-tier functions only');
      this.replicaSecurityGroup = securityGroup('ReplicaSecurityGroup', 'PostgreSQL read replicas: from the data-tier functions and application readers');
    }
    this.proxySecurityGroup = securityGroup('ProxySecurityGroup', 'RDS Proxy: from applications and functions, to the primary');
    this.rotationSecurityGroup = securityGroup('RotationSecurityGroup', 'Secret rotation function: to the primary and the Secrets Manager endpoint');

    this.parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine: auroraEngine ?? engine,
      description: clustered
        ? `${namePrefix}: PostgreSQL ${config.engineVersion.postgresMajorVersion} settings of the DB cluster`
        : `${namePrefix}: PostgreSQL ${config.engineVersion.postgresMajorVersion} settings for the primary and replicas`,
      parameters: postgresParameters(config, { aurora: topology.kind === 'aurora' }),
    });
    const upgrade = validateMajorVersionUpgrade(this.node.path, config.engineVersion, props, SUPPORTED_POSTGRES_MAJOR_VERSIONS, MAJOR_VERSION_UPGRADE_PATHS[topology.kind]);
    if (props.upgradeTarget) {
      const targetMajor = props.upgradeTarget.postgresMajorVersion;
      this.upgradeParameterGroup = new rds.ParameterGroup(this, 'UpgradeParameterGroup', {
        engine: topology.kind === 'aurora'
          ? rds.DatabaseClusterEngine.auroraPostgres({ version: auroraVersionOf(targetMajor) })
          : rds.DatabaseInstanceEngine.postgres({ version: props.upgradeTarget }),
        description: topology.kind === 'multi-az-cluster'
          ? `${namePrefix}: PostgreSQL ${targetMajor} settings of the DB cluster, prepared for its in-place upgrade`
          : `${namePrefix}: PostgreSQL ${targetMajor} settings, prepared for the blue/green upgrade`,
        parameters: postgresParameters(config, { aurora: topology.kind === 'aurora' }),
      });
      // A group nothing uses yet is rendered only once bound: the blue/green deployment (or the
      // in-place upgrade of a Multi-AZ DB cluster) will use it. A cluster's is a cluster parameter group.
      if (clustered) this.upgradeParameterGroup.bindToCluster({});
      else this.upgradeParameterGroup.bindToInstance({});
      // Blue/green upgrades a major version by logical replication from the current instances or
      // cluster: "rds.logical_replication" in the (cluster) parameter group, static (a reboot applies
      // it). Aurora's preparation: blue-green-deployments-creating.html. A Multi-AZ DB cluster is
      // upgraded in place, with no replication.
      if (!upgrade.completed && topology.kind !== 'multi-az-cluster') this.parameterGroup.addParameter('rds.logical_replication', '1');
    }
    // After the upgrade the database runs on the group the blue/green deployment (or the runbook) gave it.
    const instanceParameterGroup = upgrade.completed ? this.upgradeParameterGroup! : this.parameterGroup;

    const masterSecret = new rds.DatabaseSecret(this, 'MasterSecret', {
      username: MASTER_USERNAME,
      secretName: `${namePrefix}/postgres/master`,
      encryptionKey: dataKey,
    });

    const monitoringRole = enhancedMonitoringRole(this);
    let attachmentTarget: secretsmanager.ISecretAttachmentTarget;
    let cluster: BuiltCluster | undefined;

    if (!clustered) {
      const [primaryZone, standbyZone] = availabilityZones;
      const observability = {
        enablePerformanceInsights: true,
        performanceInsightRetention: config.performanceInsightRetention,
        performanceInsightEncryptionKey: dataKey,
        monitoringInterval: config.monitoringInterval,
        monitoringRole,
        cloudwatchLogsExports: ['postgresql', 'upgrade'],
      };

      const primaryId = `${namePrefix}-primary`;
      this.instanceIds = { primary: primaryId, replicas: [] };
      const primary = new rds.DatabaseInstance(this, 'Primary', {
        ...observability,
        instanceIdentifier: primaryId,
        engine,
        instanceType: config.instanceType,
        vpc,
        // Multi-AZ keeps primary and standby in the first two zones, leaving the third to a replica.
        vpcSubnets: config.multiAz ? { ...dataSubnets, availabilityZones: [primaryZone, standbyZone] } : dataSubnets,
        availabilityZone: config.multiAz ? undefined : primaryZone,
        multiAz: config.multiAz,
        securityGroups: [this.primarySecurityGroup],
        port: config.port,
        credentials: rds.Credentials.fromSecret(masterSecret),
        databaseName: DATABASE_NAME,
        parameterGroup: instanceParameterGroup,
        storageType: rds.StorageType.GP3,
        allocatedStorage: config.allocatedStorageGiB,
        maxAllocatedStorage: config.maxAllocatedStorageGiB,
        storageEncrypted: true,
        storageEncryptionKey: dataKey,
        backupRetention: config.backupRetention,
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
      this.primary = primary;
      this.secret = primary.secret!;
      this.applyRecoveryOptions(primary, config);
      if (!config.multiAz || !config.deletionProtection) {
        acknowledge(
          primary,
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
      exportLogGroups(this, primary.node.id, primaryId, primary, logsKey, config.logRetention);

      replicaZones(availabilityZones, config.replicaCount).forEach((zone, index) => {
        const replicaId = `${namePrefix}-replica-${index + 1}`;
        this.instanceIds.replicas.push(replicaId);
        const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${index + 1}`, {
          ...observability,
          instanceIdentifier: replicaId,
          sourceDatabaseInstance: primary,
          instanceType: config.replicaInstanceType,
          vpc,
          vpcSubnets: dataSubnets,
          availabilityZone: zone,
          securityGroups: [this.replicaSecurityGroup],
          port: config.port,
          parameterGroup: instanceParameterGroup,
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
        exportLogGroups(this, replica.node.id, replicaId, replica, logsKey, config.logRetention);
        acknowledgeReplicaFindings(replica, config.port);
        this.replicas.push(replica);
      });
      this.writerId = primary.instanceIdentifier;
      this.writerEndpoint = primary.instanceEndpoint;
      this.writer = primary;
      attachmentTarget = primary;
    } else {
      cluster = buildCluster(this, {
        namePrefix,
        topology,
        config,
        vpc,
        dataSubnets,
        availabilityZones,
        securityGroup: this.primarySecurityGroup,
        parameterGroup: instanceParameterGroup,
        masterSecret,
        databaseName: DATABASE_NAME,
        dataKey,
        logsKey,
        monitoringRole,
      });
      this.cluster = cluster.resource;
      this.clusterInstances = cluster.instances;
      this.clusterIdentifier = cluster.identifier;
      this.globalCluster = cluster.globalCluster;
      this.instanceIds = { primary: cluster.identifier, replicas: [] };
      this.writerId = cluster.identifier;
      this.writerEndpoint = cluster.writerEndpoint;
      this.readerEndpoint = cluster.readerEndpoint;
      const writer = new DependencyGroup();
      writer.add(...cluster.dependables);
      this.writer = writer;
      attachmentTarget = cluster.attachmentTarget;
      this.secret = masterSecret.attach(attachmentTarget);
    }

    const rotate = (secret: secretsmanager.ISecret, name: string) =>
      secret.addRotationSchedule('Rotation', {
        automaticallyAfter: Duration.days(SECRET_ROTATION_DAYS),
        hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
          functionName: `${namePrefix}-${name}-secret-rotation`,
          vpc,
          vpcSubnets: functionSubnets,
          securityGroups: [this.rotationSecurityGroup],
        }),
      });
    rotate(this.secret, 'master');
    // A role the migrations create NOLOGIN, with its own secret on the primary, rotated like the master's.
    const roleSecret = (id: string, username: string, name: string) => {
      const secret = new rds.DatabaseSecret(this, id, { username, secretName: `${namePrefix}/postgres/${name}`, encryptionKey: dataKey }).attach(attachmentTarget);
      return { secret, rotation: rotate(secret, name) };
    };
    ({ secret: this.monitorSecret, rotation: this.monitorRotation } = roleSecret('MonitorSecret', MONITOR_USERNAME, 'monitor'));
    ({ secret: this.operatorSecret, rotation: this.operatorRotation } = roleSecret('OperatorSecret', OPERATOR_USERNAME, 'operator'));
    ({ secrets: this.applicationRoleSecrets, rotations: this.applicationRoleRotations } = addApplicationRoleSecrets(this, {
      roles: this.applicationRoles,
      attachTo: attachmentTarget,
      masterSecret: this.secret,
      encryptionKey: dataKey,
      namePrefix,
      rotationDays: SECRET_ROTATION_DAYS,
      vpc,
      functionSubnets,
      rotationSecurityGroup: this.rotationSecurityGroup,
      prop: 'applicationRoles',
    }));
    this.primarySecurityGroup.addIngressRule(this.rotationSecurityGroup, ec2.Port.tcp(config.port), 'Secret rotation sets the new password');
    this.rotationSecurityGroup.addEgressRule(this.primarySecurityGroup, ec2.Port.tcp(config.port), 'Secret rotation sets the new password');
    if (props.endpointSecurityGroup) {
      allowHttpsTo(props.endpointSecurityGroup, this.rotationSecurityGroup, 'Secret rotation calls Secrets Manager');
    }

    const iamEndToEnd = config.proxy.iamAuthEndToEnd;
    const iamRoles = this.applicationRoles.filter((role) => role.signIn === 'iam').map((role) => role.name);
    this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
      dbProxyName: `${namePrefix}-proxy`,
      proxyTarget: cluster ? rds.ProxyTarget.fromCluster(this.clusterWithLiteralPort(cluster, auroraEngine)) : rds.ProxyTarget.fromInstance(this.primaryWithLiteralPort(this.primary!, engine)),
      // The health check, operators and the `secret` application roles sign in through the proxy as their own roles.
      secrets: [this.secret, this.monitorSecret, this.operatorSecret, ...Object.values(this.applicationRoleSecrets)],
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [this.proxySecurityGroup],
      requireTLS: true,
      iamAuth: iamEndToEnd,
      // IAM_AUTH: a client that signs in with an IAM token for a user without a secret here (an
      // `iam` role) is signed in to the database with IAM as that user, end to end; the users
      // with a secret (master, monitor, operator, `secret` roles) keep signing in with it. AWS's
      // move from secrets to end to end switches DefaultAuthScheme on a proxy that keeps its
      // secrets and a role that reads them, "to ensure zero downtime" (RDS User Guide, "Moving
      // from standard IAM authentication to end-to-end IAM authentication for RDS Proxy",
      // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-migration.html).
      // DefaultAuthScheme and Auth are both ModifyDBProxy parameters (not create-only), each Auth
      // field "Update requires: No interruption" (AWS::RDS::DBProxy AuthFormat): no replacement.
      defaultAuthScheme: iamEndToEnd || iamRoles.length > 0 ? rds.DefaultAuthScheme.IAM_AUTH : undefined,
      idleClientTimeout: config.proxy.idleClientTimeout,
      maxConnectionsPercent: config.proxy.maxConnectionsPercent,
      debugLogging: false,
    });
    if (cluster) {
      // The target is imported (for its literal port): the proxy's targets must wait for the cluster and its instances.
      (this.proxy.node.findChild('ProxyTargetGroup') as CfnResource).node.addDependency(...cluster.dependables);
      // Reads through the proxy, spread over the cluster's readers: a read-only endpoint, which RDS
      // Proxy offers for Aurora and for Multi-AZ DB clusters ("Working with Amazon RDS Proxy
      // endpoints", Proxy endpoints for Multi-AZ DB clusters,
      // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.html).
      this.proxyReadOnlyEndpoint = this.proxy.addEndpoint('ReadOnlyEndpoint', {
        dbProxyEndpointName: `${namePrefix}-proxy-ro`,
        vpc,
        vpcSubnets: dataSubnets,
        securityGroups: [this.proxySecurityGroup],
        targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
      });
    }
    const proxyRole = this.proxy.node.findChild('IAMRole') as iam.Role;
    acknowledge(
      proxyRole.node.findChild('DefaultPolicy'),
      ...acrossPacks(
        { nist: 'IAMNoInlinePolicy', hipaa: 'IAMNoInlinePolicy', pci: 'IAMNoInlinePolicy' },
        this.applicationRoles.length === 0
          ? 'CDK-generated grant attached to the proxy role alone: read of the master secret and decrypt with its key, nothing else.'
          : 'CDK-generated grant attached to the proxy role alone: read of the secrets it signs in with (master, monitor, operator and the application roles\' own) and decrypt with their key, and rds-db:connect on the primary as each IAM application role; nothing else.',
      ),
    );
    if (iamEndToEnd) {
      // End to end, the proxy signs in to the database as the user the client signed in as.
      proxyRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rds-db:connect'], resources: [this.dbUserArn('*')] }));
    } else if (iamRoles.length > 0) {
      // The same, for the declared `iam` roles only.
      proxyRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rds-db:connect'], resources: iamRoles.map((role) => this.dbUserArn(role)) }));
    }
    this.proxySecurityGroup.addEgressRule(this.primarySecurityGroup, ec2.Port.tcp(config.port), cluster ? 'RDS Proxy to the DB cluster' : 'RDS Proxy to the primary');
    this.connections = new ec2.Connections({
      securityGroups: this.readerGroups(),
      defaultPort: ec2.Port.tcp(config.port),
    });
  }

  /** Where application clients connect: the proxy, and the read replicas of the `instances` topology (a cluster's readers are read through the proxy). */
  private readerGroups(): ec2.SecurityGroup[] {
    return [this.proxySecurityGroup, ...(this.replicas.length > 0 ? [this.replicaSecurityGroup] : [])];
  }

  /**
   * Lets a client use the database: the proxy always, the primary directly only when `direct`
   * (the data-tier functions), the replicas for reads.
   */
  allowClient(client: ec2.IConnectable, description: string, options: { direct: boolean }): void {
    const port = ec2.Port.tcp(this.port);
    const targets = this.readerGroups();
    if (options.direct) targets.push(this.primarySecurityGroup);
    for (const group of client.connections.securityGroups) {
      for (const target of targets) {
        target.addIngressRule(group, port, description);
        group.addEgressRule(target, port, description);
      }
    }
  }

  /**
   * Lets `grantee` sign in as the application role `role` (one of `applicationRoles`): for an
   * `iam` role, `rds-db:connect` as that user on RDS Proxy and on each read replica, which the
   * application reads directly; for a `secret` role, read of its secret (and decrypt with its
   * key). TLS is always required.
   */
  grantConnect(grantee: iam.IGrantable, role: Role): iam.Grant {
    const declared = this.declaredRole(role, 'role');
    if (declared.signIn === 'secret') return this.applicationRoleSecrets[declared.name].grantRead(grantee);
    const proxy = this.proxy.grantConnect(grantee, declared.name);
    if (this.replicas.length === 0) return proxy;
    const replicas = iam.Grant.addToPrincipal({ grantee, actions: ['rds-db:connect'], resourceArns: this.replicas.map((replica) => this.dbUserArn(declared.name, replica)) });
    return proxy.combine(replicas);
  }

  /**
   * The ARN that `rds-db:connect` names to sign in to `instance` (by default the writer: the
   * primary, or the DB cluster by its `cluster-` resource id) as `user`. The replica's resource
   * id is read from its L1: `DatabaseInstanceReadReplica.instanceResourceId` (and so its
   * `grantConnect`) is the replica's ARN unless the app sets the feature flag
   * `@aws-cdk/aws-rds:setCorrectValueForDatabaseInstanceReadReplicaInstanceResourceId`.
   */
  private dbUserArn(user: string, instance: rds.DatabaseInstance | rds.DatabaseInstanceReadReplica | undefined = this.primary): string {
    const resourceId = instance ? (instance.node.defaultChild as rds.CfnDBInstance).attrDbiResourceId : this.cluster!.attrDbClusterResourceId;
    return Stack.of(this).formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${resourceId}/${user}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** The secret of application role `role`, which must be declared with `signIn: 'secret'`. */
  applicationRoleSecret(role: Role): secretsmanager.ISecret {
    const declared = this.declaredRole(role, 'role');
    const secret = this.applicationRoleSecrets[declared.name];
    if (!secret) throw new DataTierValidationError(this.node.path, 'role', role, `signs in with IAM (signIn 'iam'), so it has no secret; declare it with signIn 'secret' for one`);
    return secret;
  }

  /** The declared application role named `name`; refuses any other name, listing the declared ones. */
  private declaredRole(name: string, prop: string): ApplicationRoleSpec {
    const declared = this.applicationRoles.find((role) => role.name === name);
    if (declared) return declared;
    const names = this.applicationRoles.map((role) => role.name);
    throw new DataTierValidationError(
      this.node.path,
      prop,
      name,
      names.length > 0
        ? `must be a declared application role (applicationRoles): ${names.join(', ')}`
        : 'is not a declared application role: no role is declared; declare it in applicationRoles so that the migrations create it',
    );
  }

  /**
   * Readers the database always has: read replicas, or a cluster's readers (Aurora: those the stack
   * creates, or auto scaling's minimum if more; auto scaling removes only the readers it added).
   * With none, there is no readers' alarm: replica lag would be missing, which it treats as breaching.
   */
  get readerCount(): number {
    if (this.topology.kind === 'instances') return this.replicas.length;
    if (this.topology.kind === 'multi-az-cluster') return MULTI_AZ_CLUSTER_READERS;
    return Math.max(this.options.replicaCount, this.topology.readerAutoScaling?.minReaders ?? 0);
  }

  /** CPU of the primary or of read replica `instance` (from 1), percent, as its `cpu-high` alarm watches it. */
  metricCpuUtilization(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.instanceMetric('cpu-high', instance);
  }

  /** Free storage of an instance, bytes, as its `free-storage-low` alarm watches it. */
  metricFreeStorageSpace(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.instanceMetric('free-storage-low', instance);
  }

  /** Freeable memory of an instance, bytes, as its `freeable-memory-low` alarm watches it. */
  metricFreeableMemory(instance: DatabaseInstanceSelector = 'primary'): cw.IMetric {
    return this.instanceMetric('freeable-memory-low', instance);
  }

  /** Replica lag of read replica `replica` (from 1), seconds, as its `replica-lag-high` alarm watches it. */
  metricReplicaLag(replica = 1): cw.IMetric {
    return this.instanceMetric('replica-lag-high', replica);
  }

  private instanceMetric(condition: string, instance: DatabaseInstanceSelector): cw.IMetric {
    if (this.clusterIdentifier !== undefined && this.topology.kind !== 'instances') {
      if (instance !== 'primary' && (instance !== 1 || this.readerCount === 0)) {
        throw new DataTierValidationError(this.node.path, 'instance', instance, `must be 'primary' (the writer) or 1 (the cluster's readers together, as CloudWatch publishes them)`);
      }
      return clusterRdsMetric(condition, this.topology.kind, this.clusterIdentifier, instance === 'primary' ? 'primary' : 'replica');
    }
    const instanceId = instance === 'primary' ? this.instanceIds.primary : this.instanceIds.replicas[instance - 1];
    if (instanceId === undefined) {
      throw new DataTierValidationError(this.node.path, 'instance', instance, `must be 'primary' or a replica number from 1 to ${this.instanceIds.replicas.length}`);
    }
    return metricOfAlarm('rds', condition, 'AWS/RDS', { DBInstanceIdentifier: instanceId });
  }

  /**
   * The primary as the proxy target, with its port as a literal: binding the proxy opens
   * the target's default port, which on the instance itself is a token, and a rule over
   * an unresolved port reads to reviewers (and cdk-nag) as "any port".
   */
  private primaryWithLiteralPort(primary: rds.DatabaseInstance, engine: rds.IInstanceEngine): rds.IDatabaseInstance {
    return rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'PrimaryProxyTarget', {
      instanceIdentifier: primary.instanceIdentifier,
      instanceEndpointAddress: primary.dbInstanceEndpointAddress,
      instanceResourceId: primary.instanceResourceId,
      port: this.port,
      securityGroups: [this.primarySecurityGroup],
      engine,
    });
  }

  /**
   * The DB cluster as the proxy target, with its port as a literal (as the primary's, above). The
   * proxy reads only the engine's family from it: PostgreSQL for Aurora PostgreSQL and for a
   * Multi-AZ DB cluster of RDS for PostgreSQL alike (aws-cdk-lib has no cluster engine for the
   * latter, so it is named by its family alone).
   */
  private clusterWithLiteralPort(cluster: BuiltCluster, auroraEngine: rds.IClusterEngine | undefined): rds.IDatabaseCluster {
    const postgresFamily = { engineType: 'postgres', engineFamily: 'POSTGRESQL', supportedLogTypes: ['postgresql', 'upgrade'] } as unknown as rds.IClusterEngine;
    return rds.DatabaseCluster.fromDatabaseClusterAttributes(this, 'ClusterProxyTarget', {
      clusterIdentifier: cluster.resource.ref,
      clusterEndpointAddress: cluster.writerEndpoint.hostname,
      readerEndpointAddress: cluster.readerEndpoint.hostname,
      clusterResourceIdentifier: cluster.resource.attrDbClusterResourceId,
      port: this.port,
      securityGroups: [this.primarySecurityGroup],
      engine: auroraEngine ?? postgresFamily,
    });
  }

  /**
   * Makes the primary a restore of `restore` and sets its backup replication, on its L1. The
   * construct stays a `DatabaseInstance` with id `Primary` for every source, so a tier without
   * `restore` keeps its logical IDs and template, and a restored tier keeps the same tree.
   */
  private applyRecoveryOptions(primary: rds.DatabaseInstance, config: ResolvedDatabaseOptions): void {
    const cfn = primary.node.defaultChild as rds.CfnDBInstance;
    if (config.restore) {
      for (const [property, value] of Object.entries(config.restore.cfnProperties())) cfn.addPropertyOverride(property, value);
      // MasterUserPassword stays: CloudFormation sets it right after the restore (see PROPERTIES_REFUSED_ON_RESTORE).
      for (const property of PROPERTIES_REFUSED_ON_RESTORE) cfn.addPropertyDeletionOverride(property);
      acknowledge(
        primary,
        ...acrossPacks(
          { awsSolutions: 'RDS2', nist: 'RDSStorageEncrypted', hipaa: 'RDSStorageEncrypted', pci: 'RDSStorageEncrypted' },
          'A restored primary inherits encryption and its KMS key from the encrypted source (snapshot or automated backups of an encrypted tier); CloudFormation rejects StorageEncrypted and KmsKeyId next to DBSnapshotIdentifier.',
        ),
        {
          id: 'CloudFormation-Validate::F3020',
          reason:
            'The rule forbids MasterUserPassword next to SourceDBInstanceIdentifier for read replicas; with RestoreTime or UseLatestRestorableTime it is a point-in-time restore, which the AWS::RDS::DBInstance provider modifies with MasterUserPassword right after (shouldUpdateAfterCreate), so the tier\'s secret is the password.',
        },
      );
    }
    const replication = config.backupReplication;
    if (replication) {
      cfn.automaticBackupReplicationRegion = replication.region;
      cfn.automaticBackupReplicationKmsKeyId = backupReplicationKeyArn(replication);
      if (replication.retention) cfn.automaticBackupReplicationRetentionPeriod = replication.retention.toDays();
    }
  }
}

/** Findings that read a replica as if it were a standalone instance. */
function acknowledgeReplicaFindings(replica: rds.DatabaseInstanceReadReplica, port: number): void {
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
    replicaPortAcknowledgement(port),
  );
}

/** Aurora PostgreSQL 17's first minor with blue/green deployments ("Version 17.4 and higher", Concepts.Aurora_Fea_Regions_DB-eng.Feature.BlueGreenDeployments.html). */
const AURORA_17_BLUE_GREEN_MINOR = 4;

/**
 * What the tier builds only for instances so far, refused on a cluster topology by name: a restore
 * from an instance's point in time (RDS restores it only into an instance), backup replication (a Multi-AZ DB cluster has
 * no cross-Region automated backups, multi-az-db-clusters-concepts.Limitations.html; Aurora's
 * answer is a global database); and an Aurora version too old for the prepared blue/green upgrade.
 */
function validateClusterOptions(path: string, topology: ResolvedClusterTopology, o: DatabaseOptions, zoneCount: number): void {
  const { kind } = topology;
  const name = kind === 'aurora' ? 'an Aurora cluster' : 'a Multi-AZ DB cluster';
  const refuse = (prop: string, value: unknown, why: string) => {
    throw new DataTierValidationError(path, prop, value, `is not supported for ${name} yet: ${why}`);
  };
  if (o.restore && o.restore.source !== 'snapshot' && o.restore.source !== 'cluster') {
    throw new DataTierValidationError(
      path,
      'restore',
      o.restore.source,
      `cannot build ${name}: RDS restores a point in time of a DB instance or of replicated automated backups only into a DB instance; restore a cluster from a snapshot (restore.fromSnapshot: a DB snapshot or DB cluster snapshot ARN) or from a point in time of a DB cluster (restore.fromCluster); runbooks/point-in-time-restore.md takes an instance's point in time into a snapshot first`,
    );
  }
  if (kind === 'multi-az-cluster' && o.restore?.source === 'cluster' && /^cluster-/.test(o.restore.sourceId)) {
    throw new DataTierValidationError(
      path,
      'restore.fromCluster',
      o.restore.sourceId,
      'is the resource id of a deleted cluster, whose point in time a Multi-AZ DB cluster cannot restore ("Point-in-time-recovery (PITR) for deleted clusters" is among its limitations, multi-az-db-clusters-concepts.Limitations.html): name a cluster that exists, or restore a snapshot of it with restore.fromSnapshot',
    );
  }
  if (o.backupReplication) refuse('backupReplication', o.backupReplication.region, kind === 'aurora' ? 'Aurora replicates to another region with a global database, not automated backups' : 'a Multi-AZ DB cluster has no cross-Region automated backups');
  const [auroraMajor, auroraMinor] = topology.kind === 'aurora' ? topology.engineVersion.auroraPostgresFullVersion.split('.').map(Number) : [];
  if (o.upgradeTarget && o.majorVersionUpgrade === undefined && auroraMajor === 17 && !(auroraMinor >= AURORA_17_BLUE_GREEN_MINOR)) {
    throw new DataTierValidationError(
      path,
      'topology.engineVersion',
      `${auroraMajor}.${auroraMinor}`,
      `must be 17.${AURORA_17_BLUE_GREEN_MINOR} or later to prepare the blue/green upgrade (upgradeTarget ${o.upgradeTarget.postgresMajorVersion}): Aurora PostgreSQL 17 has blue/green deployments from 17.${AURORA_17_BLUE_GREEN_MINOR} (Concepts.Aurora_Fea_Regions_DB-eng.Feature.BlueGreenDeployments.html); take the minor upgrade first`,
    );
  }
  if (zoneCount < 3) throw new DataTierValidationError(path, 'availabilityZones', zoneCount, `must name three zones for ${name}: its instances (and DB subnet group) span three zones`);
}
