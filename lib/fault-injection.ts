import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DataTierValidationError } from './errors';
import { acknowledge } from './private/nag';

/** Tag that selects the cache for the AZ power drill (FIS finds replication groups by tag only). */
export const CACHE_DRILL_TAG = 'data-tier:fis-target';

export interface FaultInjectionProps {
  readonly name: string;
  /**
   * ARN of the primary DB instance, rebooted with a forced failover (the `instances` topology).
   * Give this or `clusterArn`.
   * @default - none: `clusterArn` is given
   */
  readonly primaryInstanceArn?: string;
  /**
   * ARN of the DB cluster (a Multi-AZ DB cluster or Aurora), failed over to a reader with
   * `FailoverDBCluster`. Give this or `primaryInstanceArn`.
   * @default - none: `primaryInstanceArn` is given
   */
  readonly clusterArn?: string;
  /** Value of `CACHE_DRILL_TAG` on the replication group. */
  readonly cacheTagValue: string;
  /** Zone whose cache nodes lose power: the primary node's preferred zone. */
  readonly cacheZone: string;
  /** Alarms that stop an experiment when the tier is hurt more than the drill intends. */
  readonly stopAlarms: cw.IAlarm[];
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * AWS Fault Injection Service experiment templates for game days (opt-in per environment):
 * fail the database over (reboot the primary with a forced Multi-AZ failover, or fail a DB cluster
 * over to a reader), and cut power to one zone of the cache. Both stop when a critical alarm of the tier fires, and log to CloudWatch Logs.
 */
export class FaultInjection extends Construct {
  readonly failover: fis.CfnExperimentTemplate;
  readonly cacheAzPowerInterrupt: fis.CfnExperimentTemplate;

  constructor(scope: Construct, id: string, props: FaultInjectionProps) {
    super(scope, id);
    if ((props.primaryInstanceArn === undefined) === (props.clusterArn === undefined)) {
      throw new DataTierValidationError(this.node.path, 'primaryInstanceArn', props.primaryInstanceArn ?? '(none)', 'give exactly one of primaryInstanceArn (the instances topology) and clusterArn (a DB cluster)');
    }
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/fis/${props.name}`,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: `${props.name}: runs the data-tier game-day experiments`,
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `${props.name}: what the game-day experiments may do`,
      roles: [role],
      statements: [
        props.clusterArn !== undefined
          ? new iam.PolicyStatement({ actions: ['rds:FailoverDBCluster', 'rds:DescribeDBClusters'], resources: [props.clusterArn] })
          : new iam.PolicyStatement({ actions: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'], resources: [props.primaryInstanceArn!] }),
        new iam.PolicyStatement({ actions: ['elasticache:InterruptClusterAzPower', 'elasticache:DescribeReplicationGroups', 'tag:GetResources'], resources: ['*'] }),
        new iam.PolicyStatement({ actions: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'], resources: ['*'] }),
      ],
    });
    acknowledge(policy, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'FIS selects replication groups by tag only, so InterruptClusterAzPower and tag:GetResources cannot name an ARN; log delivery setup has no resource-level permissions. RDS reboot or failover is limited to the primary or the DB cluster.',
    });

    const common = {
      roleArn: role.roleArn,
      stopConditions: props.stopAlarms.map((alarm) => ({ source: 'aws:cloudwatch:alarm', value: alarm.alarmArn })),
      logConfiguration: { logSchemaVersion: 2, cloudWatchLogsConfiguration: { LogGroupArn: `${logGroup.logGroupArn}` } },
    };

    this.failover = props.clusterArn !== undefined
      // aws:rds:failover-db-cluster runs FailoverDBCluster, which on either kind of cluster promotes a reader
      // to writer (RDS API Reference, FailoverDBCluster; its target key is Clusters, FIS quota L-7D222253).
      ? new fis.CfnExperimentTemplate(this, 'ClusterFailover', {
        ...common,
        description: `${props.name}: fail the DB cluster over to one of its readers`,
        tags: { Name: `${props.name}-cluster-failover` },
        targets: { Cluster: { resourceType: 'aws:rds:cluster', resourceArns: [props.clusterArn], selectionMode: 'ALL' } },
        actions: { FailoverCluster: { actionId: 'aws:rds:failover-db-cluster', targets: { Clusters: 'Cluster' } } },
      })
      : new fis.CfnExperimentTemplate(this, 'PrimaryFailover', {
        ...common,
        description: `${props.name}: reboot the primary with forced failover to its Multi-AZ standby`,
        tags: { Name: `${props.name}-primary-failover` },
        targets: { Primary: { resourceType: 'aws:rds:db', resourceArns: [props.primaryInstanceArn!], selectionMode: 'ALL' } },
        actions: {
          RebootWithFailover: { actionId: 'aws:rds:reboot-db-instances', parameters: { forceFailover: 'true' }, targets: { DBInstances: 'Primary' } },
        },
      });

    this.cacheAzPowerInterrupt = new fis.CfnExperimentTemplate(this, 'CacheAzPowerInterrupt', {
      ...common,
      description: `${props.name}: cut power to the cache nodes in ${props.cacheZone} for 10 minutes`,
      tags: { Name: `${props.name}-cache-az-power-interrupt` },
      targets: {
        Cache: {
          resourceType: 'aws:elasticache:replicationgroup',
          resourceTags: { [CACHE_DRILL_TAG]: props.cacheTagValue },
          parameters: { availabilityZoneIdentifier: props.cacheZone },
          selectionMode: 'ALL',
        },
      },
      actions: {
        InterruptAzPower: { actionId: 'aws:elasticache:replicationgroup-interrupt-az-power', parameters: { duration: 'PT10M' }, targets: { ReplicationGroups: 'Cache' } },
      },
    });
  }
}
