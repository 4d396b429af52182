import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { resolveAlarmThresholds } from '../lib/alarm-thresholds';
import { AuroraGlobalSecondary } from '../lib/aurora-global-secondary';
import { OUTPUTS } from '../lib/outputs';
import { ResolvedAuroraTopology, resolveTopology } from '../lib/topology';
import { AppConfig, effectiveDatabaseOptions, stackNameFor } from './config';
import { secondaryRegionBase } from './dr-replica-stack';
import { topologyOf } from './settings';

export interface AuroraSecondaryStackProps extends StackProps {
  /** The configuration of the environment whose Aurora cluster is the global database's primary. */
  readonly config: AppConfig;
  /** The region of this stack (`database.topology.globalSecondaryRegion`). */
  readonly secondaryRegion: string;
  /** Zones of that region, in order. */
  readonly availabilityZones: string[];
}

/**
 * `data-tier-<env>-secondary`: the secondary region of the environment's Aurora global database
 * (`database.topology.globalSecondaryRegion`), like the DR replica stack for instances: its own
 * VPC (the DR block: `drReplica.vpcCidr`, else the source's in the other half of its private
 * range), keys, an Aurora cluster joined to `<tier>-global` with the primary's readers' count and
 * class, and its alarms (to the tier's `monitoring.alarmEmails`, through a topic of its region).
 */
export class AuroraSecondaryStack extends Stack {
  readonly secondary: AuroraGlobalSecondary;

  constructor(scope: Construct, id: string, props: AuroraSecondaryStackProps) {
    super(scope, id, props);
    const { config } = props;
    const tier = stackNameFor(config);
    const name = `${tier}-secondary`;
    const database = effectiveDatabaseOptions(config);
    const topology = resolveTopology(topologyOf(config.settings.database!.topology!), database.engineVersion.postgresMajorVersion, database.allocatedStorageGiB) as ResolvedAuroraTopology;
    const { keys, network } = secondaryRegionBase(this, config, name, props.availabilityZones);
    this.secondary = new AuroraGlobalSecondary(this, 'Secondary', {
      vpc: network.vpc,
      dataSubnets: network.dataSubnets,
      globalClusterIdentifier: `${tier}-global`,
      primaryRegion: config.region,
      name,
      engineVersion: topology.engineVersion,
      port: database.port,
      readerCount: Math.max(1, database.replicaCount),
      capacity: topology.capacity,
      instanceType: database.replicaInstanceType as ec2.InstanceType,
      serverlessV2MinCapacity: topology.serverlessV2MinCapacity,
      serverlessV2MaxCapacity: topology.serverlessV2MaxCapacity,
      deletionProtection: database.deletionProtection,
      monitoringInterval: database.monitoringInterval,
      performanceInsightRetention: database.performanceInsightRetention,
      logRetention: database.logRetention,
      slowStatementThreshold: database.slowStatementThreshold,
      idleInTransactionTimeout: database.idleInTransactionTimeout,
      dataKey: keys.dataKey,
      logsKey: keys.logsKey,
      thresholds: resolveAlarmThresholds('', config.settings.monitoring?.thresholds, database.allocatedStorageGiB),
      alarmEmails: config.settings.monitoring?.alarmEmails,
      runbookBaseUrl: config.settings.monitoring?.runbookBaseUrl,
    });
    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description, exportName: `${name}-${key}` });
    output(OUTPUTS.clusterIdentifier, this.secondary.clusterIdentifier, 'DB cluster identifier of the secondary cluster (aws rds failover-global-cluster --target-db-cluster-identifier takes its ARN)');
    output(OUTPUTS.globalClusterIdentifier, `${tier}-global`, 'The Aurora global database the secondary cluster belongs to');
    output(OUTPUTS.writerEndpoint, this.secondary.cluster.attrEndpointAddress, 'Writer endpoint of the secondary cluster: writes once a failover made it the primary');
    output(OUTPUTS.readerEndpoint, this.secondary.cluster.attrReadEndpointAddress, 'Reader endpoint of the secondary cluster: reads in this region');
    output(OUTPUTS.databasePort, String(this.secondary.port), 'PostgreSQL port of the secondary cluster');
    output(OUTPUTS.replicaSecurityGroupId, this.secondary.securityGroup.securityGroupId, 'Security group of the secondary cluster: allow application clients of this region to it');
    output(OUTPUTS.dataKeyArn, this.secondary.dataKey.keyArn, 'KMS key of the secondary cluster\'s storage in this region');
    output(OUTPUTS.alarmTopicArn, this.secondary.topic.topicArn, 'Where the secondary cluster\'s alarms go');
    output(OUTPUTS.vpcId, network.vpc.vpcId, 'VPC of the secondary cluster');
  }
}
