import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmThresholds, resolveAlarmThresholds } from './alarm-thresholds';
import { ALARM_DEFINITIONS } from './alarms';
import { alarmDescription, alarmOfDefinition, encryptedAlarmTopic, subscribeAlarmEmails, validateAlarmEmails, validateRunbookBaseUrl } from './private/alarm-construction';
import { DatabaseOptions, resolveDatabaseOptions, SUPPORTED_POSTGRES_MAJOR_VERSIONS } from './database-options';
import { enhancedMonitoringRole, exportLogGroups, postgresParameters, replicaPortAcknowledgement, validateInstanceSettings } from './private/instance-settings';
import { defaultDataSubnets, tierName } from './private/defaults';
import { EncryptionKeys } from './encryption';
import { acknowledge, acrossPacks } from './private/nag';
import { DataTierValidationError } from './private/validation';

const INSTANCE_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):db:([a-z][a-z0-9-]*)$/;

/**
 * What the replica shares with its source tier's `Database`: pass the tier's own values, so the
 * replica has the tier's engine, size, port, monitoring, log and PostgreSQL settings (its storage
 * is the source's, `allocatedStorageGiB` only sets the free-storage alarm floor; `backupRetention`
 * applies once it is promoted).
 */
export type ReplicatedDatabaseSettings = Pick<DatabaseOptions,
  | 'engineVersion' | 'instanceType' | 'port' | 'deletionProtection' | 'monitoringInterval' | 'performanceInsightRetention'
  | 'logRetention' | 'allocatedStorageGiB' | 'backupRetention' | 'slowStatementThreshold' | 'idleInTransactionTimeout'>;

export interface CrossRegionReplicaProps extends ReplicatedDatabaseSettings {
  readonly vpc: ec2.IVpc;
  /** Subnets of the replica. @default - the VPC's isolated subnets, or its private ones */
  readonly dataSubnets?: ec2.SubnetSelection;
  /**
   * ARN of the source primary in another region, e.g. `arn:aws:rds:us-east-1:123456789012:db:data-tier-prod-primary`.
   * Its region becomes `SourceRegion`.
   */
  readonly sourceInstanceArn: string;
  /** Region of the source, when `sourceInstanceArn` is a token. @default - the ARN's region */
  readonly sourceRegion?: string;
  /** Prefix of every physical name, e.g. `data-tier-prod-dr`. @default - derived from the construct's path */
  readonly name?: string;
  /** A standby of the replica in a second zone of this region, so a promoted replica is Multi-AZ at once. @default false */
  readonly multiAz?: boolean;
  /** Encrypts the replica's storage (this region's key: RDS re-encrypts the cross-region copy with it), Performance Insights and the alarm topic. @default - a new key */
  readonly dataKey?: kms.IKey;
  /** Encrypts the log groups. @default - a new key usable by CloudWatch Logs */
  readonly logsKey?: kms.IKey;
  /** Alarm thresholds that differ from the defaults table's. @default - the table's */
  readonly thresholds?: Partial<AlarmThresholds>;
  /** Where the runbooks its alarms link are published. @default - the package's own runbooks at the installed version's tag */
  readonly runbookBaseUrl?: string;
  /**
   * Where alarms go: a topic of this stack's region. CloudWatch alarms notify a topic of their own
   * region only, and the source tier's topic is in the region whose loss these alarms report.
   * @default - a new topic encrypted with the data key
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Addresses subscribed to the alarm topic (each confirms by e-mail): the source tier's
   * `alarmEmails`, so the replica-lag alarm reaches the people the tier's own alarms do.
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * Promote the replica to a standalone instance (region loss), in place: only
   * `SourceDBInstanceIdentifier` leaves the template, which the RDS resource provider answers with
   * PromoteReadReplica, and automated backups are turned on with `backupRetention`. `SourceRegion`
   * stays: it is create-only, and removing it would make CloudFormation replace the instance.
   * Irreversible: a promoted instance cannot become a replica again.
   * @default false
   */
  readonly promote?: boolean;
}

/**
 * A read replica, in this stack's region, of a tier's primary in another region: the warm
 * standby of the region-loss runbook, promoted to a standalone primary when the source region is
 * lost. It has its own KMS key (an encrypted cross-region replica needs a key of its own region,
 * `KmsKeyId`), parameter group (the tier's settings), subnet group, security group, enhanced
 * monitoring, encrypted log exports and the tier's RDS alarms for a replica (replica lag included).
 *
 * Built on `rds.CfnDBInstance`: `DatabaseInstanceReadReplica` takes an `IDatabaseInstance`
 * of its own region. CloudFormation: "If the source DB instance is in a different region than
 * the read replica, specify the source region in SourceRegion, and specify an ARN for a valid DB
 * instance in SourceDBInstanceIdentifier" (AWS::RDS::DBInstance, SourceDBInstanceIdentifier).
 */
export class CrossRegionReplica extends Construct {
  readonly instance: rds.CfnDBInstance;
  readonly instanceId: string;
  readonly securityGroup: ec2.SecurityGroup;
  readonly parameterGroup: rds.ParameterGroup;
  readonly dataKey: kms.IKey;
  readonly topic: sns.ITopic;
  readonly alarms: cw.Alarm[] = [];
  /** Alarm e-mails SNS could not deliver, when there are e-mail subscriptions. */
  readonly undeliveredNotifications?: sqs.Queue;
  readonly port: number;

  constructor(scope: Construct, id: string, props: CrossRegionReplicaProps) {
    super(scope, id);
    const path = this.node.path;
    const stack = Stack.of(this);
    const name = tierName(this, props.name);
    // The Database's defaults for what is not given; `multiAz` has the replica's own default below.
    const settings = resolveDatabaseOptions(props);
    const { engineVersion, instanceType, port, monitoringInterval, logRetention, allocatedStorageGiB } = settings;
    const multiAz = props.multiAz ?? false;
    const deletionProtection = settings.deletionProtection;

    let sourceRegion = props.sourceRegion;
    if (!Token.isUnresolved(props.sourceInstanceArn)) {
      const match = INSTANCE_ARN.exec(props.sourceInstanceArn);
      if (!match) throw new DataTierValidationError(path, 'sourceInstanceArn', props.sourceInstanceArn, 'must be a DB instance ARN: arn:aws:rds:<region>:<12-digit account>:db:<identifier>');
      sourceRegion ??= match[2];
      if (!Token.isUnresolved(stack.account) && match[3] !== stack.account) {
        throw new DataTierValidationError(path, 'sourceInstanceArn', props.sourceInstanceArn, `belongs to account ${match[3]}; the replica's stack is in ${stack.account}`);
      }
    }
    if (sourceRegion === undefined) throw new DataTierValidationError(path, 'sourceRegion', sourceRegion, 'must be given when sourceInstanceArn is not known at synth');
    if (!Token.isUnresolved(stack.region) && sourceRegion === stack.region) {
      throw new DataTierValidationError(path, 'sourceInstanceArn', props.sourceInstanceArn, `is in ${stack.region}, the replica's own region; a cross-region replica must be in another region than its source`);
    }
    validateInstanceSettings(path, settings, SUPPORTED_POSTGRES_MAJOR_VERSIONS);
    validateRunbookBaseUrl(path, props.runbookBaseUrl);
    const alarmEmails = props.alarmEmails ?? [];
    validateAlarmEmails(path, alarmEmails);
    const topicRegion = props.alarmTopic?.env.region;
    if (topicRegion !== undefined && !Token.isUnresolved(topicRegion) && !Token.isUnresolved(stack.region) && topicRegion !== stack.region) {
      throw new DataTierValidationError(
        path,
        'alarmTopic',
        props.alarmTopic!.topicArn,
        `is in ${topicRegion}; CloudWatch alarms in ${stack.region} notify only a topic of ${stack.region}: give one of this region, or alarmEmails to subscribe to the replica's own topic`,
      );
    }

    const keys = props.dataKey && props.logsKey ? undefined : new EncryptionKeys(this, 'Keys', { aliasPrefix: name });
    this.dataKey = props.dataKey ?? keys!.dataKey;
    const logsKey = props.logsKey ?? keys!.logsKey;
    this.port = port;
    this.instanceId = `${name}-replica`;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: engineVersion });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Cross-region PostgreSQL read replica: from application readers only (allowClient)',
      allowAllOutbound: false,
    });
    this.parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine,
      description: `${name}: PostgreSQL ${engineVersion.postgresMajorVersion} settings of the cross-region replica (the tier's)`,
      parameters: postgresParameters(settings),
    });
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: props.dataSubnets ?? defaultDataSubnets(props.vpc),
      description: `${name}: subnets of the cross-region replica`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const monitoringRole = enhancedMonitoringRole(this);

    // Promotion changes only what the RDS resource provider treats as promotion
    // (aws-cloudformation/aws-cloudformation-resource-providers-rds, aws-rds-dbinstance at 5a410e84):
    // its UpdateHandler calls PromoteReadReplica, with BackupRetentionPeriod and
    // PreferredBackupWindow, when SourceDBInstanceIdentifier was set and no longer is
    // (ResourceModelHelper.isDBInstanceReadReplicaPromotion), and ImmutabilityHelper lets exactly
    // that removal through. SourceRegion is in the schema's createOnlyProperties
    // (aws-rds-dbinstance.json): CloudFormation would replace the instance if it changed or left
    // the template, and cannot replace one with a custom name. The provider reads it only to
    // create a replica (Translator's CreateDBInstanceReadReplica request), so it stays as it was.
    this.instance = new rds.CfnDBInstance(this, 'Instance', {
      dbInstanceIdentifier: this.instanceId,
      sourceRegion,
      ...(props.promote
        ? { backupRetentionPeriod: settings.backupRetention.toDays(), preferredBackupWindow: '03:00-04:00' }
        : { sourceDbInstanceIdentifier: props.sourceInstanceArn }),
      dbInstanceClass: `db.${instanceType.toString()}`,
      // An encrypted replica in another region is encrypted with a key of its own region.
      kmsKeyId: this.dataKey.keyArn,
      dbSubnetGroupName: subnetGroup.subnetGroupName,
      vpcSecurityGroups: [this.securityGroup.securityGroupId],
      dbParameterGroupName: this.parameterGroup.bindToInstance({}).parameterGroupName,
      port: String(port),
      multiAz,
      storageType: 'gp3',
      publiclyAccessible: false,
      enableIamDatabaseAuthentication: true,
      enablePerformanceInsights: true,
      performanceInsightsKmsKeyId: this.dataKey.keyArn,
      performanceInsightsRetentionPeriod: settings.performanceInsightRetention,
      monitoringInterval: monitoringInterval.toSeconds(),
      monitoringRoleArn: monitoringRole.roleArn,
      enableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      deletionProtection,
      caCertificateIdentifier: rds.CaCertificate.RDS_CA_RSA2048_G1.toString(),
    });
    // A replica's data is the source's; once promoted it is the tier's only copy, so keep a snapshot.
    this.instance.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    exportLogGroups(this, '', this.instanceId, this.instance, logsKey, logRetention);
    acknowledge(
      this.instance,
      ...acrossPacks(
        { awsSolutions: 'RDS2', nist: 'RDSStorageEncrypted', hipaa: 'RDSStorageEncrypted', pci: 'RDSStorageEncrypted' },
        'A read replica of the encrypted primary is encrypted with KmsKeyId (this region\'s data key); CloudFormation rejects StorageEncrypted next to SourceDBInstanceIdentifier (cfn-lint F3020).',
      ),
      ...acrossPacks(
        { nist: 'RDSInBackupPlan', hipaa: 'RDSInBackupPlan' },
        'A replica holds a copy of the source primary, which is in its region\'s AWS Backup plan; once promoted, the runbook turns on its automated backups.',
      ),
      replicaPortAcknowledgement(port),
      ...(multiAz
        ? []
        : acrossPacks(
            { awsSolutions: 'RDS3', nist: 'RDSMultiAZSupport', hipaa: 'RDSMultiAZSupport' },
            'A warm standby in another region, itself a copy; multiAz makes it Multi-AZ when the cost of a standby of the standby is wanted.',
          )),
    );

    if (props.alarmTopic) {
      this.topic = props.alarmTopic;
    } else {
      this.topic = encryptedAlarmTopic(this, { topicName: `${name}-alarms`, displayName: `${name} cross-region replica alarms`, key: this.dataKey });
    }
    this.undeliveredNotifications = subscribeAlarmEmails(this, this.topic, alarmEmails);
    // The tier's alarms table, rows RDS publishes for a replica (CPU, storage, memory, disk queue, replica lag).
    const context = { thresholds: resolveAlarmThresholds(path, props.thresholds, allocatedStorageGiB), allocatedStorageGiB };
    const action = new cwActions.SnsAction(this.topic);
    // Once promoted it is a primary: replica lag no longer applies, the primary's RDS rows do.
    const role = props.promote ? 'primary' : 'replica';
    for (const definition of ALARM_DEFINITIONS.filter((d) => d.source === 'rds' && (d.roles ?? []).includes(role))) {
      const alarm = alarmOfDefinition(this, `${role}-${definition.condition}`, {
        alarmName: `${name}-${role}-${definition.condition}`,
        alarmDescription: alarmDescription(definition.summary, definition, props.runbookBaseUrl),
        definition,
        metric: new cw.Metric({
          namespace: 'AWS/RDS',
          metricName: definition.metric.name,
          dimensionsMap: { DBInstanceIdentifier: this.instanceId },
          statistic: definition.statistic,
          period: definition.period,
          unit: definition.metric.unit as cw.Unit,
        }),
        context,
        action,
      });
      this.alarms.push(alarm);
    }
  }

  /** Lets a client security group read from the replica (and write, once it is promoted). */
  allowClient(client: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(client, ec2.Port.tcp(this.port), description);
    client.addEgressRule(this.securityGroup, ec2.Port.tcp(this.port), description);
  }
}
