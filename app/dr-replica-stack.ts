import { ArnFormat, CfnOutput, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { resolveAlarmThresholds } from '../lib/alarm-thresholds';
import { CrossRegionReplica } from '../lib/cross-region-replica';
import { cidrsOverlap, otherHalfOfPrivateRange } from '../lib/private/cidr';
import { DEFAULT_VPC_CIDR } from '../lib/private/defaults';
import { parseCidr } from '../lib/private/validation';
import { EncryptionKeys } from '../lib/encryption';
import { Network } from '../lib/network';
import { OUTPUTS } from '../lib/outputs';
import { AppConfig, ConfigError, effectiveDatabaseOptions, stackNameFor } from './config';

export interface DrReplicaStackProps extends StackProps {
  /** The configuration of the environment whose primary is replicated (its region is the source's). */
  readonly config: AppConfig;
  /** The region of this stack (`drReplica.region`, else `database.backupReplication.region`). */
  readonly drRegion: string;
  /** Zones of the DR region, in order. */
  readonly availabilityZones: string[];
}

/**
 * `data-tier-<env>-dr`: a read replica, in the DR region, of the environment's primary, with its
 * own VPC (no route in or out), keys, parameter group, monitoring and alarms (to the tier's
 * `monitoring.alarmEmails`, through a topic of the DR region). The region-loss
 * runbook promotes it. Its outputs reuse the main stack's names for the same things
 * (`Replica1InstanceId`, `Replica1Endpoint`, `ReplicaSecurityGroupId`, ...).
 */
export class DrReplicaStack extends Stack {
  readonly replica: CrossRegionReplica;

  constructor(scope: Construct, id: string, props: DrReplicaStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = `${stackNameFor(config)}-dr`;
    const database = effectiveDatabaseOptions(config);
    const { keys, network } = secondaryRegionBase(this, config, name, props.availabilityZones);
    const dr = config.settings.drReplica ?? {};
    this.replica = new CrossRegionReplica(this, 'Replica', {
      vpc: network.vpc,
      dataSubnets: network.dataSubnets,
      sourceInstanceArn: this.formatArn({ service: 'rds', region: config.region, resource: 'db', resourceName: `${stackNameFor(config)}-primary`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      sourceRegion: config.region,
      name,
      engineVersion: database.engineVersion,
      instanceType: dr.instanceClass ? new ec2.InstanceType(dr.instanceClass.replace(/^db\./, '')) : database.instanceType,
      multiAz: dr.multiAz,
      port: database.port,
      deletionProtection: database.deletionProtection,
      monitoringInterval: database.monitoringInterval,
      performanceInsightRetention: database.performanceInsightRetention,
      logRetention: database.logRetention,
      dataKey: keys.dataKey,
      logsKey: keys.logsKey,
      thresholds: resolveAlarmThresholds('', config.settings.monitoring?.thresholds, database.allocatedStorageGiB),
      // The tier's on-call: its topic is in the source region, the one whose loss these alarms
      // report, and alarms notify a topic of their own region only; so this region's topic.
      alarmEmails: config.settings.monitoring?.alarmEmails,
      runbookBaseUrl: config.settings.monitoring?.runbookBaseUrl,
      allocatedStorageGiB: database.allocatedStorageGiB,
      promote: dr.promote,
      backupRetention: database.backupRetention,
      slowStatementThreshold: database.slowStatementThreshold,
      idleInTransactionTimeout: database.idleInTransactionTimeout,
    });
    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description, exportName: `${name}-${key}` });
    output(OUTPUTS.replicaInstanceId(1), this.replica.instanceId, 'DB instance identifier of the cross-region replica (aws rds promote-read-replica ...)');
    output(OUTPUTS.replicaEndpoint(1), this.replica.instance.attrEndpointAddress, 'Endpoint of the cross-region replica: reads now, writes once promoted');
    output(OUTPUTS.databasePort, String(this.replica.port), 'PostgreSQL port of the replica');
    output(OUTPUTS.replicaSecurityGroupId, this.replica.securityGroup.securityGroupId, 'Security group of the replica: allow application clients of this region to it');
    output(OUTPUTS.dataKeyArn, this.replica.dataKey.keyArn, 'KMS key of the replica\'s storage in this region');
    output(OUTPUTS.alarmTopicArn, this.replica.topic.topicArn, 'Where the replica\'s alarms go');
    output(OUTPUTS.vpcId, network.vpc.vpcId, 'VPC of the replica');
  }
}

/**
 * What a stack of the tier in a second region starts with (the DR replica's, the Aurora global
 * database's secondary): the environment's tag, keys of its own region, and a VPC on the DR block.
 */
export function secondaryRegionBase(stack: Stack, config: AppConfig, name: string, availabilityZones: string[]): { keys: EncryptionKeys; network: Network } {
  Tags.of(stack).add('data-tier:environment', config.envName);
  const keys = new EncryptionKeys(stack, 'Keys', { aliasPrefix: name });
  const network = new Network(stack, 'Network', {
    availabilityZones,
    cidr: drVpcCidrOf(config),
    // The source's setting: app/config.ts has checked the DR block with it.
    allowPublicCidr: config.settings.network?.allowPublicCidr,
    flowLogRetention: config.settings.network?.flowLogRetentionDays as logs.RetentionDays | undefined,
    logsKey: keys.logsKey,
  });
  return { keys, network };
}

/**
 * The block of the DR stack's VPC: `drReplica.vpcCidr`, else the source tier's block in the other
 * half of its private range (prod's 10.42.0.0/16 gives 10.170.0.0/16). Never one that overlaps the
 * source's: VPC peering and Transit Gateway routing refuse overlapping blocks, and the region-loss
 * runbook copies rows between the two regions once the lost one returns.
 */
export function drVpcCidrOf(config: AppConfig): string {
  const sourceText = config.settings.network?.vpcCidr ?? DEFAULT_VPC_CIDR;
  const source = parseCidr('', 'network.vpcCidr', sourceText);
  const suggestion = otherHalfOfPrivateRange(source);
  const configured = config.settings.drReplica?.vpcCidr;
  if (configured === undefined) {
    if (suggestion !== undefined) return suggestion;
    throw new ConfigError('drReplica.vpcCidr', configured, `is required: the source's VPC block ${sourceText} (network.vpcCidr) leaves no private range half free for a default; give a block that does not overlap it`);
  }
  if (cidrsOverlap(parseCidr('', 'drReplica.vpcCidr', configured), source)) {
    throw new ConfigError(
      'drReplica.vpcCidr',
      configured,
      `overlaps the source tier's VPC block ${sourceText} (network.vpcCidr): the two VPCs could not be peered or routed to each other; use one that does not${suggestion ? `, such as ${suggestion} (the default)` : ''}`,
    );
  }
  return configured;
}
