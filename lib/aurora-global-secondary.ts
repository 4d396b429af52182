import { CfnDeletionPolicy, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmThresholds, resolveAlarmThresholds } from './alarm-thresholds';
import { ALARM_DEFINITIONS, AlarmDefinition } from './alarms';
import { EncryptionKeys } from './encryption';
import { alarmDescription, alarmOfDefinition, encryptedAlarmTopic, subscribeAlarmEmails, validateAlarmEmails, validateRunbookBaseUrl } from './private/alarm-construction';
import { clusterMetricOf, publishedOn } from './private/cluster-metrics';
import { defaultDataSubnets, tierName } from './private/defaults';
import { enhancedMonitoringRole, postgresParameters } from './private/instance-settings';
import { acknowledge, acrossPacks, PINNED_ZONE } from './private/nag';
import { DataTierValidationError, requireInteger } from './private/validation';
import { AuroraCapacity, MAX_AURORA_READERS } from './topology';

export interface AuroraGlobalSecondaryProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the cluster, one per zone. @default - the VPC's isolated subnets, or its private ones */
  readonly dataSubnets?: ec2.SubnetSelection;
  /** The global database the primary tier made (`<tier name>-global`, its `globalDatabase` topology). */
  readonly globalClusterIdentifier: string;
  /** The primary tier's region: the secondary must be elsewhere. */
  readonly primaryRegion: string;
  /** Prefix of every physical name, e.g. `data-tier-prod-secondary`. @default - derived from the construct's path */
  readonly name?: string;
  /** The primary cluster's Aurora PostgreSQL version: a global database runs one version in every region. */
  readonly engineVersion: rds.AuroraPostgresEngineVersion;
  /** The primary's port. @default 5433 */
  readonly port?: number;
  /** Readers of the secondary cluster (it has no writer until a failover), 1 to 15. @default 1 */
  readonly readerCount?: number;
  /** As the primary's topology. @default 'provisioned' */
  readonly capacity?: AuroraCapacity;
  /** Class of the readers, when provisioned. @default r7g.large */
  readonly instanceType?: ec2.InstanceType;
  /** Serverless v2 bounds, when `capacity` is `serverless-v2`. @default 0.5 and 16 */
  readonly serverlessV2MinCapacity?: number;
  readonly serverlessV2MaxCapacity?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default Duration.seconds(60) */
  readonly monitoringInterval?: Duration;
  /** @default rds.PerformanceInsightRetention.DEFAULT */
  readonly performanceInsightRetention?: rds.PerformanceInsightRetention;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Statements slower than this are logged. @default Duration.millis(300) */
  readonly slowStatementThreshold?: Duration;
  /** @default Duration.minutes(1) */
  readonly idleInTransactionTimeout?: Duration;
  /** Encrypts the secondary's storage (a key of its own region), Performance Insights and the alarm topic. @default - a new key */
  readonly dataKey?: kms.IKey;
  /** Encrypts its log groups. @default - a new key usable by CloudWatch Logs */
  readonly logsKey?: kms.IKey;
  /** Alarm thresholds that differ from the defaults table's. @default - the table's */
  readonly thresholds?: Partial<AlarmThresholds>;
  /** @default - the package's own runbooks at the installed version's tag */
  readonly runbookBaseUrl?: string;
  /** Subscribed to its alarm topic, a topic of its own region. @default - none */
  readonly alarmEmails?: string[];
  /** A topic of this region. @default - a new topic encrypted with the data key */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Lag of the secondary behind the primary region: `AuroraGlobalDBReplicationLag`, per secondary
 * cluster, in milliseconds ("Cluster-level metrics for Amazon Aurora", available in the secondary
 * Region only, https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html),
 * read in seconds against the replica-lag threshold.
 */
const GLOBAL_REPLICATION_LAG: AlarmDefinition = {
  ...ALARM_DEFINITIONS.find((d) => d.condition === 'replica-lag-high')!,
  condition: 'global-replication-lag-high',
  summary: 'the secondary region behind the primary region by more than the replica-lag threshold (or not reporting) for 3 minutes',
  onTopology: { aurora: { metric: { name: 'AuroraGlobalDBReplicationLag', unit: cw.Unit.MILLISECONDS }, expression: 'm / 1000', scope: 'cluster' } },
};

/**
 * The secondary region of an Aurora global database: an Aurora PostgreSQL cluster
 * `<name>-cluster` joined to the primary tier's global database (`AWS::RDS::DBCluster` with
 * `GlobalClusterIdentifier`), its readers `<name>-reader-<n>`, with its own VPC subnets,
 * security group, key (a secondary cluster is encrypted with a key of its own region), parameter
 * group, enhanced monitoring, encrypted log exports and alarms: the readers' rows of the tier's
 * table, and the global replication lag. A managed failover or switchover of the global
 * database makes it the writer (the region-loss runbook); its credentials are the primary's,
 * replicated with the data.
 */
export class AuroraGlobalSecondary extends Construct {
  readonly cluster: rds.CfnDBCluster;
  readonly clusterIdentifier: string;
  readonly instances: rds.CfnDBInstance[] = [];
  readonly securityGroup: ec2.SecurityGroup;
  readonly parameterGroup: rds.ParameterGroup;
  readonly dataKey: kms.IKey;
  readonly topic: sns.ITopic;
  readonly alarms: cw.Alarm[] = [];
  /** Alarm e-mails SNS could not deliver, when there are e-mail subscriptions. */
  readonly undeliveredNotifications?: sqs.Queue;
  readonly port: number;

  constructor(scope: Construct, id: string, props: AuroraGlobalSecondaryProps) {
    super(scope, id);
    const path = this.node.path;
    const stack = Stack.of(this);
    const name = tierName(this, props.name);
    if (!Token.isUnresolved(stack.region) && props.primaryRegion === stack.region) {
      throw new DataTierValidationError(path, 'primaryRegion', props.primaryRegion, `is this stack's own region; the secondary of a global database must be in another region than its primary`);
    }
    const readerCount = props.readerCount ?? 1;
    requireInteger(path, 'readerCount', readerCount, 1, MAX_AURORA_READERS);
    validateRunbookBaseUrl(path, props.runbookBaseUrl);
    const alarmEmails = props.alarmEmails ?? [];
    validateAlarmEmails(path, alarmEmails);
    const port = props.port ?? 5433;
    this.port = port;
    const keys = props.dataKey && props.logsKey ? undefined : new EncryptionKeys(this, 'Keys', { aliasPrefix: name });
    this.dataKey = props.dataKey ?? keys!.dataKey;
    const logsKey = props.logsKey ?? keys!.logsKey;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const monitoringInterval = props.monitoringInterval ?? Duration.seconds(60);
    const deletionProtection = props.deletionProtection ?? true;
    this.clusterIdentifier = `${name}-cluster`;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Secondary Aurora cluster of the global database: from application readers only (allowClient)',
      allowAllOutbound: false,
    });
    this.parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: props.engineVersion }),
      description: `${name}: PostgreSQL ${props.engineVersion.auroraPostgresMajorVersion} settings of the secondary cluster (the tier's)`,
      parameters: postgresParameters(
        { slowStatementThreshold: props.slowStatementThreshold ?? Duration.millis(300), idleInTransactionTimeout: props.idleInTransactionTimeout ?? Duration.minutes(1) },
        { aurora: true },
      ),
    });
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: props.dataSubnets ?? defaultDataSubnets(props.vpc),
      description: `${name}: subnets of the secondary cluster, one per zone`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const monitoringRole = enhancedMonitoringRole(this);
    const serverless = props.capacity === 'serverless-v2';

    // A secondary cluster has no master user of its own: the primary's, with the data.
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      dbClusterIdentifier: this.clusterIdentifier,
      globalClusterIdentifier: props.globalClusterIdentifier,
      engine: 'aurora-postgresql',
      engineVersion: props.engineVersion.auroraPostgresFullVersion,
      port,
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      dbClusterParameterGroupName: this.parameterGroup.bindToCluster({}).parameterGroupName,
      storageEncrypted: true,
      kmsKeyId: this.dataKey.keyArn,
      copyTagsToSnapshot: true,
      deletionProtection,
      enableIamDatabaseAuthentication: true,
      enableCloudwatchLogsExports: ['postgresql'],
      ...(serverless ? { serverlessV2ScalingConfiguration: { minCapacity: props.serverlessV2MinCapacity ?? 0.5, maxCapacity: props.serverlessV2MaxCapacity ?? 16 } } : {}),
    });
    this.cluster.cfnOptions.deletionPolicy = deletionProtection ? CfnDeletionPolicy.SNAPSHOT : CfnDeletionPolicy.DELETE;
    this.cluster.cfnOptions.updateReplacePolicy = this.cluster.cfnOptions.deletionPolicy;
    const logGroup = new logs.LogGroup(this, 'ClusterPostgresqlLog', {
      logGroupName: `/aws/rds/cluster/${this.clusterIdentifier}/postgresql`,
      retention: logRetention,
      encryptionKey: logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.cluster.node.addDependency(logGroup);

    const zones = stack.availabilityZones;
    for (let i = 0; i < readerCount; i++) {
      const instance = new rds.CfnDBInstance(this, `Reader${i + 1}`, {
        dbInstanceIdentifier: `${name}-reader-${i + 1}`,
        dbClusterIdentifier: this.cluster.ref,
        engine: 'aurora-postgresql',
        dbInstanceClass: serverless ? 'db.serverless' : `db.${(props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE)).toString()}`,
        availabilityZone: Token.isUnresolved(zones) ? undefined : zones[i % zones.length],
        promotionTier: 1,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        caCertificateIdentifier: rds.CaCertificate.RDS_CA_RSA2048_G1.toString(),
        monitoringInterval: monitoringInterval.toSeconds(),
        monitoringRoleArn: monitoringRole.roleArn,
        enablePerformanceInsights: true,
        performanceInsightsKmsKeyId: this.dataKey.keyArn,
        performanceInsightsRetentionPeriod: props.performanceInsightRetention ?? rds.PerformanceInsightRetention.DEFAULT,
      });
      acknowledge(
        instance,
        PINNED_ZONE,
        ...acrossPacks(
          { nist: 'RDSInBackupPlan', hipaa: 'RDSInBackupPlan' },
          'A secondary cluster of a global database holds a copy of the primary cluster, which is in its region\'s AWS Backup plan; an Aurora instance holds no data of its own.',
        ),
      );
      this.instances.push(instance);
    }

    this.topic = props.alarmTopic ?? encryptedAlarmTopic(this, { topicName: `${name}-alarms`, displayName: `${name} secondary cluster alarms`, key: this.dataKey });
    this.undeliveredNotifications = subscribeAlarmEmails(this, this.topic, alarmEmails);
    const context = { thresholds: resolveAlarmThresholds(path, props.thresholds, 100), allocatedStorageGiB: 100 };
    const action = new cwActions.SnsAction(this.topic);
    // Every instance of a secondary is a reader: the readers' RDS rows, and the lag behind the primary region.
    const rows = ALARM_DEFINITIONS.filter((d) => d.source === 'rds' && (d.roles ?? []).includes('replica') && d.condition !== 'replica-lag-high' && publishedOn(d, 'aurora'));
    for (const definition of [...rows, GLOBAL_REPLICATION_LAG]) {
      this.alarms.push(
        alarmOfDefinition(this, `readers-${definition.condition}`, {
          alarmName: `${name}-readers-${definition.condition}`,
          alarmDescription: alarmDescription(definition.summary, definition, props.runbookBaseUrl),
          definition,
          metric: clusterMetricOf(definition, 'aurora', this.clusterIdentifier, 'replica'),
          context,
          action,
        }),
      );
    }
  }

  /** Lets a client security group read from the secondary (and write, once a failover made it the primary). */
  allowClient(client: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(client, ec2.Port.tcp(this.port), description);
    client.addEgressRule(this.securityGroup, ec2.Port.tcp(this.port), description);
  }
}
