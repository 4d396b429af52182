/**
 * The DB cluster of a cluster topology (an RDS Multi-AZ DB cluster or Aurora PostgreSQL), as L1
 * resources: aws-cdk-lib has no construct for the Multi-AZ DB cluster (aws/aws-cdk#25547), and
 * building Aurora the same way keeps one shape for both (identifiers, log groups created before
 * the cluster, the tier's key everywhere).
 *
 * Properties are those of `AWS::RDS::DBCluster` and `AWS::RDS::DBInstance` (CfnDBCluster and
 * CfnDBInstance of aws-cdk-lib 2.276; CloudFormation user guide,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbcluster.html):
 * `DBClusterInstanceClass`, `StorageType`, `AllocatedStorage`, `Iops`, `MonitoringInterval` and
 * the `PerformanceInsights*` properties are the Multi-AZ DB cluster's own; an Aurora cluster gets
 * its instances as `AWS::RDS::DBInstance` resources, which carry monitoring and Performance Insights.
 */
import { CfnDeletionPolicy, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import type { ResolvedDatabaseOptions } from '../database-options';
import type { ResolvedAuroraTopology, ResolvedClusterTopology, ResolvedMultiAzClusterTopology } from '../topology';
import type { DatabaseRestore } from '../restore';
import { MASTER_USERNAME } from './database-users';
import { acknowledge, acrossPacks, PINNED_ZONE } from './nag';

/** What the rest of the tier needs of a DB cluster. */
export interface BuiltCluster {
  /** `<tier name>-cluster`. */
  readonly identifier: string;
  readonly resource: rds.CfnDBCluster;
  /** The writer (cluster) endpoint and the reader endpoint. */
  readonly writerEndpoint: rds.Endpoint;
  readonly readerEndpoint: rds.Endpoint;
  /** The Aurora instances, writer first (none for a Multi-AZ DB cluster: RDS creates its instances). */
  readonly instances: readonly rds.CfnDBInstance[];
  /** What must exist before anyone connects: the cluster and its instances. */
  readonly dependables: readonly IConstruct[];
  /** Secrets attach to the cluster: their host is its writer endpoint. */
  readonly attachmentTarget: secretsmanager.ISecretAttachmentTarget;
  /** Readers added by Aurora Auto Scaling, when configured. */
  readonly readerScaling?: appscaling.ScalableTarget;
  /** The global database `<name>-global` of which this Aurora cluster is the primary, when configured. */
  readonly globalCluster?: rds.CfnGlobalCluster;
}

export interface ClusterProps {
  readonly namePrefix: string;
  readonly topology: ResolvedClusterTopology;
  readonly config: ResolvedDatabaseOptions;
  readonly vpc: ec2.IVpc;
  readonly dataSubnets: ec2.SubnetSelection;
  readonly availabilityZones: string[];
  readonly securityGroup: ec2.ISecurityGroup;
  readonly parameterGroup: rds.IParameterGroup;
  readonly masterSecret: secretsmanager.ISecret;
  readonly databaseName: string;
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly monitoringRole: iam.IRole;
}

/** The log types a PostgreSQL cluster exports to CloudWatch Logs. */
const CLUSTER_LOG_EXPORTS = { 'multi-az-cluster': ['postgresql', 'upgrade'], aurora: ['postgresql'] } as const;

/** The DB cluster of `props.topology` under `scope` (id `Cluster`), its subnet group, log groups and Aurora instances. */
export function buildCluster(scope: Construct, props: ClusterProps): BuiltCluster {
  const { namePrefix, topology, config } = props;
  const identifier = `${namePrefix}-cluster`;
  const subnetGroup = new rds.SubnetGroup(scope, 'ClusterSubnetGroup', {
    vpc: props.vpc,
    vpcSubnets: props.dataSubnets,
    description: `${namePrefix}: subnets of the DB cluster, one per zone`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const common: rds.CfnDBClusterProps = {
    dbClusterIdentifier: identifier,
    engine: topology.kind === 'aurora' ? 'aurora-postgresql' : 'postgres',
    masterUsername: MASTER_USERNAME,
    // After a restore the resource provider sets the password (ModifyDBCluster, its
    // shouldUpdateAfterCreate), so the tier's secret holds from the first deploy, as for instances.
    masterUserPassword: props.masterSecret.secretValueFromJson('password').unsafeUnwrap(),
    // A restore brings the database with it. Its properties are create-only: they stay for the
    // cluster's life (the app's lasting-restore check and the review hold them).
    ...(config.restore ? clusterRestoreProps(config.restore) : { databaseName: props.databaseName }),
    port: config.port,
    dbSubnetGroupName: subnetGroup.subnetGroupName,
    vpcSecurityGroupIds: [props.securityGroup.securityGroupId],
    dbClusterParameterGroupName: props.parameterGroup.bindToCluster({}).parameterGroupName,
    storageEncrypted: true,
    kmsKeyId: props.dataKey.keyArn,
    backupRetentionPeriod: config.backupRetention.toDays(),
    preferredBackupWindow: '03:00-04:00',
    preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
    copyTagsToSnapshot: true,
    deletionProtection: config.deletionProtection,
    enableIamDatabaseAuthentication: true,
    enableCloudwatchLogsExports: [...CLUSTER_LOG_EXPORTS[topology.kind]],
  };
  const resource = new rds.CfnDBCluster(scope, 'Cluster', { ...common, ...(topology.kind === 'aurora' ? auroraClusterProps(topology) : multiAzClusterProps(topology, props)) });
  // A retained final snapshot, as the primary instance has (RemovalPolicy.SNAPSHOT), when deletion protection is on.
  resource.cfnOptions.deletionPolicy = config.deletionProtection ? CfnDeletionPolicy.SNAPSHOT : CfnDeletionPolicy.DELETE;
  resource.cfnOptions.updateReplacePolicy = resource.cfnOptions.deletionPolicy;
  for (const exportName of CLUSTER_LOG_EXPORTS[topology.kind]) {
    // Created before the cluster, encrypted and kept: RDS would otherwise create it unencrypted, kept forever.
    const group = new logs.LogGroup(scope, `Cluster${exportName === 'postgresql' ? 'Postgresql' : 'Upgrade'}Log`, {
      logGroupName: `/aws/rds/cluster/${identifier}/${exportName}`,
      retention: config.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    resource.node.addDependency(group);
  }
  acknowledgeClusterFindings(resource, config.deletionProtection);

  const endpoint = (address: string) => new rds.Endpoint(address, config.port);
  const instances = topology.kind === 'aurora' ? auroraInstances(scope, resource, topology, props) : [];
  const readerScaling = topology.kind === 'aurora' ? auroraReaderScaling(scope, identifier, topology, instances) : undefined;
  const globalCluster = topology.kind === 'aurora' && topology.globalDatabase ? globalClusterOf(scope, namePrefix, resource, instances) : undefined;
  return {
    identifier,
    resource,
    writerEndpoint: endpoint(resource.attrEndpointAddress),
    readerEndpoint: endpoint(resource.attrReadEndpointAddress),
    instances,
    dependables: [resource, ...instances],
    attachmentTarget: { asSecretAttachmentTarget: () => ({ targetId: resource.ref, targetType: secretsmanager.AttachmentTargetType.RDS_DB_CLUSTER }) },
    readerScaling,
    globalCluster,
  };
}

/**
 * An Aurora global database with this cluster as its primary: `AWS::RDS::GlobalCluster` whose
 * `SourceDBClusterIdentifier` is the cluster's ARN. "The Amazon Resource Name (ARN) to use as the
 * primary cluster of the global database. If you provide a value for this parameter, don't specify
 * values for [DatabaseName, Engine, EngineVersion, StorageEncrypted] because Amazon Aurora uses the
 * values from the specified source DB cluster" (CreateGlobalCluster, RDS API reference,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateGlobalCluster.html). aws-cdk-lib
 * has no construct for it (aws/aws-cdk#22212). Made once the cluster and its instances are available.
 */
function globalClusterOf(scope: Construct, namePrefix: string, cluster: rds.CfnDBCluster, instances: rds.CfnDBInstance[]): rds.CfnGlobalCluster {
  const global = new rds.CfnGlobalCluster(scope, 'GlobalCluster', {
    globalClusterIdentifier: `${namePrefix}-global`,
    sourceDbClusterIdentifier: cluster.attrDbClusterArn,
    deletionProtection: cluster.deletionProtection,
  });
  for (const instance of instances) global.node.addDependency(instance);
  return global;
}

/**
 * A Multi-AZ DB cluster: one class and storage for its three instances, Performance Insights and
 * enhanced monitoring at cluster level. IAM database authentication is not among its limitations
 * (multi-az-db-clusters-concepts.Limitations.html), nor is encryption with a customer-managed key.
 */
function multiAzClusterProps(topology: ResolvedMultiAzClusterTopology, props: ClusterProps): Partial<rds.CfnDBClusterProps> {
  const { config } = props;
  return {
    engineVersion: topology.engineVersion.postgresFullVersion,
    dbClusterInstanceClass: `db.${config.instanceType.toString()}`,
    storageType: topology.storageType,
    allocatedStorage: config.allocatedStorageGiB,
    iops: topology.iops,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: props.dataKey.keyArn,
    performanceInsightsRetentionPeriod: config.performanceInsightRetention,
    monitoringInterval: config.monitoringInterval.toSeconds(),
    monitoringRoleArn: props.monitoringRole.roleArn,
    autoMinorVersionUpgrade: true,
    publiclyAccessible: false,
  };
}

function auroraClusterProps(topology: ResolvedAuroraTopology): Partial<rds.CfnDBClusterProps> {
  return {
    engineVersion: topology.engineVersion.auroraPostgresFullVersion,
    storageType: topology.storageType,
    ...(topology.capacity === 'serverless-v2'
      ? { serverlessV2ScalingConfiguration: { minCapacity: topology.serverlessV2MinCapacity, maxCapacity: topology.serverlessV2MaxCapacity } }
      : {}),
  };
}

/**
 * The writer `<name>-writer` and readers `<name>-reader-<n>`, one per zone in turn from the first.
 * The writer has promotion tier 0 and the readers 1, so a failover promotes one of them before any
 * reader Aurora Auto Scaling added (those get tier 15).
 */
function auroraInstances(scope: Construct, cluster: rds.CfnDBCluster, topology: ResolvedAuroraTopology, props: ClusterProps): rds.CfnDBInstance[] {
  const { config, namePrefix } = props;
  const serverless = topology.capacity === 'serverless-v2';
  const instance = (id: string, identifier: string, instanceClass: string, zone: string, promotionTier: number) => {
    const resource = new rds.CfnDBInstance(scope, id, {
      dbInstanceIdentifier: identifier,
      dbClusterIdentifier: cluster.ref,
      engine: 'aurora-postgresql',
      dbInstanceClass: serverless ? 'db.serverless' : `db.${instanceClass}`,
      availabilityZone: zone,
      promotionTier,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      caCertificateIdentifier: rds.CaCertificate.RDS_CA_RSA2048_G1.toString(),
      monitoringInterval: config.monitoringInterval.toSeconds(),
      monitoringRoleArn: props.monitoringRole.roleArn,
      enablePerformanceInsights: true,
      performanceInsightsKmsKeyId: props.dataKey.keyArn,
      performanceInsightsRetentionPeriod: config.performanceInsightRetention,
    });
    acknowledge(
      resource,
      PINNED_ZONE,
      ...acrossPacks(
        { nist: 'RDSInBackupPlan', hipaa: 'RDSInBackupPlan' },
        'An Aurora instance holds no data of its own: the shared cluster volume is what is backed up, and the tier\'s AWS Backup plan selects the DB cluster by its ARN.',
      ),
    );
    return resource;
  };
  const zones = props.availabilityZones;
  return [
    instance('Writer', `${namePrefix}-writer`, config.instanceType.toString(), zones[0], 0),
    ...Array.from({ length: config.replicaCount }, (_, i) => instance(`Reader${i + 1}`, `${namePrefix}-reader-${i + 1}`, config.replicaInstanceType.toString(), zones[(i + 1) % zones.length], 1)),
  ];
}

/**
 * Aurora Auto Scaling of the readers: Application Auto Scaling on `rds:cluster:ReadReplicaCount`
 * of `cluster:<id>`, tracking the readers' average CPU (`RDSReaderAverageCPUUtilization`) or
 * connections (`RDSReaderAverageDatabaseConnections`). It adds readers of the writer's class and
 * removes only those it added ("Amazon Aurora Auto Scaling with Aurora Replicas",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Integrating.AutoScaling.html).
 */
function auroraReaderScaling(scope: Construct, clusterId: string, topology: ResolvedAuroraTopology, instances: rds.CfnDBInstance[]): appscaling.ScalableTarget | undefined {
  const scaling = topology.readerAutoScaling;
  if (!scaling) return undefined;
  const target = new appscaling.ScalableTarget(scope, 'ReaderScaling', {
    serviceNamespace: appscaling.ServiceNamespace.RDS,
    resourceId: `cluster:${clusterId}`,
    scalableDimension: 'rds:cluster:ReadReplicaCount',
    minCapacity: scaling.minReaders,
    maxCapacity: scaling.maxReaders,
  });
  // The cluster must be available, with its writer, before a reader can be added.
  for (const instance of instances) target.node.addDependency(instance);
  target.scaleToTrackMetric('ReaderTracking', {
    predefinedMetric:
      scaling.metric === 'cpu' ? appscaling.PredefinedMetric.RDS_READER_AVERAGE_CPU_UTILIZATION : appscaling.PredefinedMetric.RDS_READER_AVERAGE_DATABASE_CONNECTIONS,
    targetValue: scaling.targetValue,
    scaleInCooldown: Duration.minutes(5),
    scaleOutCooldown: Duration.minutes(5),
  });
  return target;
}

/**
 * The L1 properties of a cluster restored from `restore` (RestoreDBClusterFromSnapshot takes a DB
 * snapshot's ARN or a DB cluster snapshot's; RestoreDBClusterToPointInTime a source cluster's
 * identifier or resource id, and a time). RestoreType is left to its default, `full-copy`: a
 * copy-on-write clone is Aurora's only and shares pages with the damaged cluster.
 */
function clusterRestoreProps(restore: DatabaseRestore): Partial<rds.CfnDBClusterProps> {
  const cfn = restore.clusterCfnProperties();
  return {
    snapshotIdentifier: cfn.SnapshotIdentifier as string | undefined,
    sourceDbClusterIdentifier: cfn.SourceDBClusterIdentifier as string | undefined,
    sourceDbClusterResourceId: cfn.SourceDbClusterResourceId as string | undefined,
    restoreToTime: cfn.RestoreToTime as string | undefined,
    useLatestRestorableTime: cfn.UseLatestRestorableTime as boolean | undefined,
  };
}

/** Findings that read a DB cluster by the rules of another kind of database. */
function acknowledgeClusterFindings(cluster: rds.CfnDBCluster, deletionProtection: boolean): void {
  if (!deletionProtection) {
    acknowledge(
      cluster,
      ...acrossPacks(
        { awsSolutions: 'RDS10', nist: 'RDSInstanceDeletionProtectionEnabled', hipaa: 'RDSInstanceDeletionProtectionEnabled' },
        'Deletion protection off by choice in this environment (database.deletionProtection=false, dev only); validation requires it in staging and prod.',
      ),
    );
  }
}
