import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DataTier, DataTierProps } from '../../lib/data-tier';
import { DatabaseRestore } from '../../lib/restore';
import { EXAMPLE_APPLICATION_STREAM } from '../../app/migrations';
import { DatabaseTopology } from '../../lib/topology';
import { messageStart, newStack, TEST_ZONES, validationError } from './support';

const r6gd = new ec2.InstanceType('r6gd.large');

/** A tier named `orders` over the test zones, with `topology` and `props`. */
function tierOf(topology: DatabaseTopology, props: Omit<DataTierProps, 'topology'> = {}): { stack: Stack; tier: DataTier; template: Template } {
  const stack = newStack();
  const tier = new DataTier(stack, 'Tier', { name: 'orders', ...props, network: { availabilityZones: TEST_ZONES, ...props.network }, topology });
  return { stack, tier, template: Template.fromStack(stack) };
}

const refused = (topology: DatabaseTopology, props: Omit<DataTierProps, 'topology'> = {}) => validationError(() => tierOf(topology, props));
/** The tier refuses `props` on `topology`, naming `prop` and its `value` (any value when undefined). */
function expectRefusal(topology: DatabaseTopology, props: Omit<DataTierProps, 'topology'>, prop: string, value: unknown, allowed: RegExp): void {
  const error = refused(topology, props);
  expect(error.message.startsWith(`${messageStart('Test/Tier/Database', prop)}${value === undefined ? '' : `${JSON.stringify(value)}: `}`)).toBe(true);
  expect(error.allowed).toMatch(allowed);
}

const env = (template: Template, functionName: string): Record<string, unknown> =>
  (Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: functionName } }))[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } })
    .Properties.Environment.Variables;

/** The alarms of a template whose name ends with `-<condition>`. */
const alarmsOn = (template: Template, condition: string) => template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: Match.stringLikeRegexp(`-${condition}$`) } });

describe('the instances topology', () => {
  const { template } = tierOf({ kind: 'instances' });

  test('is the default: the same template as without a topology', () => {
    const without = newStack();
    new DataTier(without, 'Tier', { name: 'orders', network: { availabilityZones: TEST_ZONES } });
    expect(template.toJSON()).toEqual(Template.fromStack(without).toJSON());
  });

  test('has no alarm on synchronous standbys: its primary publishes none', () => {
    expect(alarmsOn(template, 'synchronous-standby-missing')).toEqual({});
    expect(alarmsOn(template, 'synchronous-standby-down')).toEqual({});
  });
});

describe('a Multi-AZ DB cluster', () => {
  const { stack, tier, template } = tierOf({ kind: 'multi-az-cluster' }, { database: { instanceType: r6gd }, applicationMigrations: [EXAMPLE_APPLICATION_STREAM], applicationRoles: [{ name: 'orders_app', access: 'read-write', schemas: ['public'] }] });
  const clusterId = stack.resolve(tier.database.cluster!.ref);

  test('is one AWS::RDS::DBCluster of engine postgres with its class, storage, IOPS, encryption, IAM auth, logs and Performance Insights; RDS creates its instances', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 0);
    template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({
        DBClusterIdentifier: 'orders-cluster',
        Engine: 'postgres',
        EngineVersion: '17.9',
        DBClusterInstanceClass: 'db.r6gd.large',
        StorageType: 'gp3',
        AllocatedStorage: 100,
        Iops: 3000,
        StorageEncrypted: true,
        KmsKeyId: Match.anyValue(),
        EnableIAMDatabaseAuthentication: true,
        PerformanceInsightsEnabled: true,
        PerformanceInsightsKmsKeyId: Match.anyValue(),
        MonitoringInterval: 60,
        BackupRetentionPeriod: 7,
        DeletionProtection: true,
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        DBClusterParameterGroupName: Match.anyValue(),
        Port: 5433,
        DatabaseName: 'app',
      }),
    });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'postgres17', Parameters: Match.objectLike({ 'rds.force_ssl': '1', hot_standby_feedback: '1' }) });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/cluster/orders-cluster/postgresql' });
  });

  test('attaches the master, monitor, operator and application role secrets to the cluster, each rotated', () => {
    const attachments = template.findResources('AWS::SecretsManager::SecretTargetAttachment', { Properties: { TargetType: 'AWS::RDS::DBCluster', TargetId: clusterId } });
    expect(Object.keys(attachments)).toHaveLength(3);
    // And the cache's AUTH token, the fourth.
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 4);
  });

  test('RDS Proxy targets the cluster, with a read-only endpoint to its readers', () => {
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBClusterIdentifiers: [clusterId] });
    template.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { DBProxyEndpointName: 'orders-proxy-ro', TargetRole: 'READ_ONLY' });
  });

  test('the migrations and maintenance use the writer endpoint; the health check the proxy and the reader endpoint', () => {
    const writer = stack.resolve(tier.database.writerEndpoint.hostname);
    expect(env(template, 'orders-schema-migrations').DB_HOST).toEqual(writer);
    expect(env(template, 'orders-maintenance').DB_HOST).toEqual(writer);
    const health = env(template, 'orders-health-check');
    expect(health.PRIMARY_INSTANCE_ID).toBe('orders-cluster');
    expect(health.DB_TOPOLOGY).toBe('multi-az-cluster');
    expect(JSON.stringify(health.REPLICAS)).toContain('orders-cluster=');
    expect(JSON.stringify(health.REPLICAS)).toContain('ReadEndpoint.Address');
  });

  /** The one alarm on `condition`: the health check's metric of the writer, per minute, missing data missing, the synchronous-standby runbook. */
  const expectWriterStandbyAlarm = (condition: string, rule: Record<string, unknown>) => {
    expect(Object.keys(alarmsOn(template, condition))).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `orders-writer-${condition}`,
      Namespace: 'DataTier',
      Dimensions: [
        { Name: 'DBInstance', Value: 'orders-cluster' },
        { Name: 'Environment', Value: 'orders' },
        { Name: 'Role', Value: 'primary' },
      ],
      Period: 60,
      TreatMissingData: 'missing',
      AlarmDescription: Match.stringLikeRegexp('synchronous-standby-missing\\.md'),
      ...rule,
    });
  };

  test('alarms when the writer has fewer acknowledging standbys than its commits wait for, from the health check of the writer', () => {
    expectWriterStandbyAlarm('synchronous-standby-missing', {
      MetricName: 'synchronous_standbys_missing', Statistic: 'Maximum', EvaluationPeriods: 2, DatapointsToAlarm: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1,
    });
  });

  test('alarms when one of the two readers has not acknowledged for 15 minutes, from the health check of the writer', () => {
    expectWriterStandbyAlarm('synchronous-standby-down', {
      MetricName: 'synchronous_standbys', Statistic: 'Minimum', EvaluationPeriods: 15, DatapointsToAlarm: 15, ComparisonOperator: 'LessThanThreshold', Threshold: 2,
    });
  });

  test("alarms read the worst of the cluster's three instances, each condition once: on the writer's alarm, replica lag on the readers'", () => {
    const alarm = (name: string) => Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }))[0]?.Properties;
    const seriesOf = (name: string) => alarm(name).Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } } }[];
    const instances = ['orders-cluster-instance-1', 'orders-cluster-instance-2', 'orders-cluster-instance-3'];
    const expectWorst = (name: string, metricName: string, expression: string) => {
      const metrics = seriesOf(name);
      expect(metrics.find((m) => m.Expression)?.Expression).toBe(expression);
      expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric)).toEqual(
        instances.map((instance) => ({ Namespace: 'AWS/RDS', MetricName: metricName, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: instance }] })),
      );
    };
    expectWorst('orders-writer-cpu-high', 'CPUUtilization', 'MAX([m1, m2, m3])');
    expectWorst('orders-writer-free-storage-low', 'FreeStorageSpace', 'MIN([m1, m2, m3])');
    expectWorst('orders-readers-replica-lag-high', 'ReplicaLag', 'MAX([m1, m2, m3])');
    expect(alarm('orders-readers-cpu-high')).toBeUndefined();
    // No alarm reads RDS's metrics by cluster or role, which a Multi-AZ DB cluster does not publish.
    const rdsAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => JSON.stringify(a)).filter((a) => a.includes('"AWS/RDS"') && !a.includes('"ProxyName"'));
    expect(rdsAlarms.length).toBe(8);
    for (const rdsAlarm of rdsAlarms) expect(rdsAlarm).not.toMatch(/"Name":"(Role|DBClusterIdentifier)"/);
    template.hasResourceProperties('AWS::RDS::EventSubscription', { SourceType: 'db-cluster', SourceIds: ['orders-cluster'] });
  });

  test('AWS Backup selects the cluster by its ARN', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ SelectionName: 'orders-cluster', Resources: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':cluster:orders-cluster$')])] })] }),
    });
  });

  test('outputs the writer and reader endpoints, the proxy read-only endpoint and the cluster identifier', () => {
    const outputs = Object.keys(template.toJSON().Outputs).map((key) => key.replace(/^Tier/, '').replace(/[0-9A-F]{8}$/, ''));
    expect(outputs).toEqual(expect.arrayContaining(['WriterEndpoint', 'ReaderEndpoint', 'ProxyReadOnlyEndpoint', 'ClusterIdentifier']));
    expect(outputs).not.toContain('PrimaryInstanceId');
  });

  test('grantConnect of an IAM role is rds-db:connect through the proxy; the proxy signs in to the cluster by its resource id', () => {
    const granted = newStack();
    const other = new DataTier(granted, 'Tier', {
      name: 'orders',
      network: { availabilityZones: TEST_ZONES },
      topology: { kind: 'multi-az-cluster' },
      database: { instanceType: r6gd },
      applicationMigrations: [EXAMPLE_APPLICATION_STREAM],
      applicationRoles: [{ name: 'orders_app', access: 'read-write', schemas: ['public'] }],
    });
    const role = new iam.Role(granted, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    other.grantConnect(role, 'orders_app');
    const policies = Template.fromStack(granted).findResources('AWS::IAM::Policy');
    const of = (roleConstruct: iam.IRole) => JSON.stringify(Object.values(policies).filter((p) => JSON.stringify(p).includes(granted.getLogicalId(roleConstruct.node.defaultChild as iam.CfnRole))));
    expect(of(role)).toContain('rds-db:connect');
    expect(of(other.database.proxy.node.findChild('IAMRole') as iam.IRole)).toContain('DBClusterResourceId');
  });

  test('its metric methods read the writer, and the readers together', () => {
    const config = (metric: cw.IMetric) => stack.resolve(metric.toMetricConfig());
    expect(config(tier.metricCpuUtilization())).toEqual(config(tier.monitoring.alarm('writer', 'cpu-high').metric));
    expect(config(tier.metricReplicaLag(1))).toEqual(config(tier.monitoring.alarm('readers', 'replica-lag-high').metric));
  });
});

describe('an Aurora cluster', () => {
  describe('provisioned, with reader auto scaling', () => {
    const { stack, tier, template } = tierOf({ kind: 'aurora', storageType: 'aurora-iopt1', readerAutoScaling: { minReaders: 1, maxReaders: 4, metric: 'connections', targetValue: 500 } });
    const clusterId = stack.resolve(tier.database.cluster!.ref);

    test('is an aurora-postgresql cluster with a writer and a reader of fixed names', () => {
      template.hasResourceProperties('AWS::RDS::DBCluster', {
        DBClusterIdentifier: 'orders-cluster',
        Engine: 'aurora-postgresql',
        EngineVersion: '17.9',
        StorageType: 'aurora-iopt1',
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        EnableCloudwatchLogsExports: ['postgresql'],
      });
      template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-postgresql17', Parameters: Match.objectLike({ 'rds.force_ssl': '1' }) });
      expect(JSON.stringify(template.findResources('AWS::RDS::DBClusterParameterGroup'))).not.toContain('hot_standby_feedback');
      template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'orders-writer', DBClusterIdentifier: clusterId, DBInstanceClass: 'db.r7g.large', PromotionTier: 0, EnablePerformanceInsights: true });
      template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'orders-reader-1', PromotionTier: 1 });
      template.resourceCountIs('AWS::RDS::DBInstance', 2);
    });

    test('scales readers with Application Auto Scaling on rds:cluster:ReadReplicaCount', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ServiceNamespace: 'rds',
        ResourceId: 'cluster:orders-cluster',
        ScalableDimension: 'rds:cluster:ReadReplicaCount',
        MinCapacity: 1,
        MaxCapacity: 4,
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 500, PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageDatabaseConnections' } }),
      });
    });

    test('alarms on AuroraReplicaLagMaximum, in seconds, and no free storage alarm', () => {
      const lag = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'orders-readers-replica-lag-high' } }))[0] as { Properties: { Metrics: unknown[] } };
      expect(JSON.stringify(lag.Properties.Metrics)).toContain('AuroraReplicaLagMaximum');
      expect(JSON.stringify(lag.Properties.Metrics)).toContain('m / 1000');
      expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: Match.stringLikeRegexp('free-storage-low') } })).toEqual({});
    });

    test('has no alarm on synchronous standbys: its storage, not standbys, makes commits durable', () => {
      expect(alarmsOn(template, 'synchronous-standby-missing')).toEqual({});
      expect(alarmsOn(template, 'synchronous-standby-down')).toEqual({});
    });

    test('outputs each instance', () => {
      const outputs = Object.keys(template.toJSON().Outputs).map((key) => key.replace(/^Tier/, '').replace(/[0-9A-F]{8}$/, ''));
      expect(outputs).toEqual(expect.arrayContaining(['WriterInstanceId', 'WriterInstanceEndpoint', 'Reader1InstanceId', 'Reader1InstanceEndpoint']));
    });
  });

  test('with no reader it can count on (none created, auto scaling down to none), no readers\' alarms: replica lag would be missing, read as breaching', () => {
    const { template } = tierOf({ kind: 'aurora', readerAutoScaling: { minReaders: 0, maxReaders: 3 } }, { database: { replicaCount: 0 } });
    expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: Match.stringLikeRegexp('^orders-readers-') } })).toEqual({});
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-writer-cpu-high' });
  });

  test('Serverless v2: every instance db.serverless within the cluster capacity range', () => {
    const { template } = tierOf({ kind: 'aurora', capacity: 'serverless-v2', serverlessV2MinCapacity: 0, serverlessV2MaxCapacity: 64 }, { database: { replicaCount: 2 } });
    template.hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 64 } });
    const classes = Object.values(template.findResources('AWS::RDS::DBInstance')).map((r) => (r as { Properties: { DBInstanceClass: string } }).Properties.DBInstanceClass);
    expect(classes).toEqual(['db.serverless', 'db.serverless', 'db.serverless']);
  });
});

describe('what a topology cannot do is refused, naming the option', () => {
  const cluster: DatabaseTopology = { kind: 'multi-az-cluster' };

  test('a Multi-AZ DB cluster on a class without local NVMe storage', () => {
    expectRefusal(cluster, {}, 'instanceType', 'db.r7g.large', /db\.m5d, db\.m6gd, .*db\.c6gd/);
  });

  test('a Multi-AZ DB cluster in a medium size other than c6gd', () => {
    expectRefusal(cluster, { database: { instanceType: new ec2.InstanceType('m6gd.medium') } }, 'instanceType', 'db.m6gd.medium', /only db\.c6gd comes in medium/);
  });

  test('storage autoscaling on a Multi-AZ DB cluster', () => {
    expectRefusal(cluster, { database: { instanceType: r6gd, maxAllocatedStorageGiB: 500 } }, 'maxAllocatedStorageGiB', 500, /no storage autoscaling/);
  });

  test('a Multi-AZ DB cluster with other than its two readable standbys', () => {
    expectRefusal(cluster, { database: { instanceType: r6gd, replicaCount: 1 } }, 'replicaCount', 1, /exactly two readable standbys/);
  });

  test('io1 or io2 without provisioned IOPS, and gp3 IOPS below its baseline', () => {
    expectRefusal({ kind: 'multi-az-cluster', storageType: 'io2' }, { database: { instanceType: r6gd } }, 'topology.iops', undefined, /from 1000 to 256000/);
    expectRefusal({ kind: 'multi-az-cluster', storageType: 'gp3', iops: 3000 }, { database: { instanceType: r6gd, allocatedStorageGiB: 400 } }, 'topology.iops', 3000, /from 12000/);
  });

  test('Serverless v2 capacity outside 0 to 256 ACUs in half steps, or a floor above the ceiling', () => {
    expectRefusal({ kind: 'aurora', capacity: 'serverless-v2', serverlessV2MinCapacity: 0.25 }, {}, 'topology.serverlessV2MinCapacity', 0.25, /from 0 to 256 ACUs in steps of 0.5/);
    expectRefusal({ kind: 'aurora', capacity: 'serverless-v2', serverlessV2MaxCapacity: 300 }, {}, 'topology.serverlessV2MaxCapacity', 300, /from 1 to 256/);
    expectRefusal({ kind: 'aurora', capacity: 'serverless-v2', serverlessV2MinCapacity: 8, serverlessV2MaxCapacity: 4 }, {}, 'topology.serverlessV2MaxCapacity', 4, /at least serverlessV2MinCapacity \(8\)/);
  });

  test('more than 15 Aurora readers, and reader auto scaling bounds out of range', () => {
    expectRefusal({ kind: 'aurora' }, { database: { replicaCount: 16 } }, 'replicaCount', 16, /from 0 to 15/);
    expectRefusal({ kind: 'aurora', readerAutoScaling: { minReaders: 2, maxReaders: 16 } }, {}, 'topology.readerAutoScaling.maxReaders', 16, /to 15/);
    expectRefusal({ kind: 'aurora', readerAutoScaling: { minReaders: 0, maxReaders: 2 } }, { database: { replicaCount: 3 } }, 'replicaCount', 3, /at most readerAutoScaling.maxReaders \(2\)/);
  });

  test('allocated storage or an instance class for Serverless v2 on Aurora', () => {
    expectRefusal({ kind: 'aurora' }, { database: { allocatedStorageGiB: 500 } }, 'allocatedStorageGiB', 500, /grows on its own/);
    expectRefusal({ kind: 'aurora', capacity: 'serverless-v2' }, { database: { instanceType: new ec2.InstanceType('r7g.large') } }, 'instanceType', 'db.r7g.large', /db\.serverless/);
  });

  test('an Aurora version of another major', () => {
    expectRefusal({ kind: 'aurora', engineVersion: rds.AuroraPostgresEngineVersion.VER_18_3 }, {}, 'topology.engineVersion', '18.3', /PostgreSQL 17/);
  });

  test('a cross-Region copy of the backups of a Multi-AZ DB cluster, which AWS Backup cannot copy; Aurora keeps it', () => {
    const copyTo = (stack: Stack) => backup.BackupVault.fromBackupVaultArn(stack, 'Copy', 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr');
    const stack = newStack();
    const error = validationError(() => new DataTier(stack, 'Tier', { name: 'orders', network: { availabilityZones: TEST_ZONES }, topology: cluster, database: { instanceType: r6gd }, backup: { copyToVault: copyTo(stack) } }));
    expect({ prop: error.prop, value: error.value }).toEqual({ prop: 'backup.copyToVault', value: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' });
    expect(error.allowed).toMatch(/copying a Multi-AZ DB cluster snapshot is not supported/);
    const auroraStack = newStack();
    new DataTier(auroraStack, 'Tier', { name: 'orders', network: { availabilityZones: TEST_ZONES }, topology: { kind: 'aurora' }, backup: { copyToVault: copyTo(auroraStack) } });
    Template.fromStack(auroraStack).hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: Match.arrayWith([Match.objectLike({ CopyActions: Match.anyValue() })]) } });
  });

  test("what the tier builds for instances only: an instance's point in time", () => {
    expectRefusal({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromInstance('data-tier-prod-primary') } }, 'restore', 'instance', /only into a DB instance; .*restore\.fromCluster/);
  });

  test('the acknowledgement of the other path: blue/green on a Multi-AZ DB cluster (it has none), in place on Aurora', () => {
    const to18 = { engineVersion: rds.PostgresEngineVersion.VER_18, upgradeTarget: rds.PostgresEngineVersion.VER_18 };
    expectRefusal(cluster, { database: { instanceType: r6gd, ...to18, majorVersionUpgrade: 'blue-green-completed' } }, 'majorVersionUpgrade', 'blue-green-completed', /must be 'in-place-completed'/);
    expectRefusal({ kind: 'aurora' }, { database: { ...to18, majorVersionUpgrade: 'in-place-completed' } }, 'majorVersionUpgrade', 'in-place-completed', /must be 'blue-green-completed'/);
  });

  test('a blue/green upgrade prepared from an Aurora 17 older than 17.4, which has no blue/green deployments', () => {
    expectRefusal({ kind: 'aurora', engineVersion: rds.AuroraPostgresEngineVersion.VER_17_2 }, { database: { upgradeTarget: rds.PostgresEngineVersion.VER_18 } }, 'topology.engineVersion', '17.2', /17\.4 or later/);
  });
});

describe.each([
  ['a Multi-AZ DB cluster', { kind: 'multi-az-cluster' } as DatabaseTopology, { instanceType: r6gd }],
  ['an Aurora cluster', { kind: 'aurora' } as DatabaseTopology, {}],
])('the game-day failover on %s', (_, topology, database) => {
  const { template } = tierOf(topology, { faultInjection: true, database });
  const clusterId = Object.keys(template.findResources('AWS::RDS::DBCluster'))[0];

  test('fails the cluster over to a reader (FailoverDBCluster), not an instance reboot', () => {
    const experiments = Object.values(template.findResources('AWS::FIS::ExperimentTemplate')).map((e) => e.Properties);
    const failover = experiments.filter((e) => JSON.stringify(e.Actions).includes('aws:rds:'));
    expect(failover).toHaveLength(1);
    expect(failover[0].Targets).toEqual({ Cluster: { ResourceType: 'aws:rds:cluster', ResourceArns: [{ 'Fn::GetAtt': [clusterId, 'DBClusterArn'] }], SelectionMode: 'ALL' } });
    expect(failover[0].Actions).toEqual({ FailoverCluster: { ActionId: 'aws:rds:failover-db-cluster', Targets: { Clusters: 'Cluster' } } });
  });

  test('may fail over only this cluster, and reboot no instance', () => {
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('game-day') } }))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const rds = statements.filter((statement) => JSON.stringify(statement.Action).includes('rds:'));
    expect(rds).toEqual([{ Effect: 'Allow', Action: ['rds:FailoverDBCluster', 'rds:DescribeDBClusters'], Resource: { 'Fn::GetAtt': [clusterId, 'DBClusterArn'] } }]);
  });

  test("stops when the writer's health check fails or its p95 latency alarm fires", () => {
    const names = Object.fromEntries(Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => [id, alarm.Properties.AlarmName]));
    for (const experiment of Object.values(template.findResources('AWS::FIS::ExperimentTemplate'))) {
      const stoppedBy = experiment.Properties.StopConditions.map((condition: { Value: { 'Fn::GetAtt': [string] } }) => names[condition.Value['Fn::GetAtt'][0]]);
      expect(stoppedBy.sort()).toEqual(['orders-writer-health-check-failing', 'orders-writer-query-latency-p95-high']);
    }
  });
});

describe('a cluster topology restored from a snapshot (the topology switch, runbooks/topology-switch.md) or a point in time of a cluster', () => {
  const dbSnapshot = 'arn:aws:rds:us-east-1:123456789012:snapshot:data-tier-prod-switch';
  const clusterSnapshot = 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:data-tier-prod-cluster-switch';
  const clusterOf = (template: Template) => Object.values(template.findResources('AWS::RDS::DBCluster'))[0].Properties;

  test("Aurora from an RDS instance's DB snapshot: the cluster's SnapshotIdentifier, no database name of its own, the tier's key and secret", () => {
    const cluster = clusterOf(tierOf({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromSnapshot(dbSnapshot) } }).template);
    expect(cluster.SnapshotIdentifier).toBe(dbSnapshot);
    expect(cluster).not.toHaveProperty('DatabaseName');
    expect(cluster.MasterUserPassword).toBeDefined();
    expect(cluster.KmsKeyId).toBeDefined();
  });

  test('a Multi-AZ DB cluster from a DB cluster snapshot, which a tier of instances refuses', () => {
    const cluster = clusterOf(tierOf({ kind: 'multi-az-cluster' }, { database: { instanceType: r6gd, restore: DatabaseRestore.fromSnapshot(clusterSnapshot) } }).template);
    expect(cluster.SnapshotIdentifier).toBe(clusterSnapshot);
    const error = validationError(() => tierOf({ kind: 'instances' }, { database: { restore: DatabaseRestore.fromSnapshot(clusterSnapshot) } }));
    expect(error.allowed).toMatch(/must be an ARN of the form arn:aws:rds:<region>:<12-digit account>:snapshot:<name>/);
  });

  test("Aurora at a point in time of an Aurora cluster: SourceDBClusterIdentifier and RestoreToTime, no database name, the tier's key and secret", () => {
    const toTime = new Date('2026-11-28T22:15:00Z');
    const cluster = clusterOf(tierOf({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromCluster('data-tier-prod-cluster', { toTime }) } }).template);
    expect(cluster).toMatchObject({ SourceDBClusterIdentifier: 'data-tier-prod-cluster', RestoreToTime: '2026-11-28T22:15:00Z' });
    for (const absent of ['DatabaseName', 'UseLatestRestorableTime', 'SnapshotIdentifier', 'RestoreType']) expect(cluster).not.toHaveProperty(absent);
    expect(cluster.MasterUserPassword).toBeDefined();
    expect(cluster.KmsKeyId).toBeDefined();
    expect(cluster.StorageEncrypted).toBe(true);
  });

  test('a Multi-AZ DB cluster at the latest restorable time of one given by ARN, which it names by identifier', () => {
    const arn = 'arn:aws:rds:us-east-1:123456789012:cluster:data-tier-prod-cluster';
    const cluster = clusterOf(tierOf({ kind: 'multi-az-cluster' }, { database: { instanceType: r6gd, restore: DatabaseRestore.fromCluster(arn) } }).template);
    expect(cluster).toMatchObject({ SourceDBClusterIdentifier: 'data-tier-prod-cluster', UseLatestRestorableTime: true, DBClusterInstanceClass: 'db.r6gd.large' });
    expect(cluster).not.toHaveProperty('RestoreToTime');
  });

  test("the retained backups of a deleted Aurora cluster by its resource id; a Multi-AZ DB cluster cannot restore a deleted cluster's time", () => {
    const cluster = clusterOf(tierOf({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromCluster('cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ') } }).template);
    expect(cluster).toMatchObject({ SourceDbClusterResourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ', UseLatestRestorableTime: true });
    expect(cluster).not.toHaveProperty('SourceDBClusterIdentifier');
    expectRefusal({ kind: 'multi-az-cluster' }, { database: { instanceType: r6gd, restore: DatabaseRestore.fromCluster('cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ') } }, 'restore.fromCluster', 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ', /Point-in-time-recovery \(PITR\) for deleted clusters/);
  });

  test("a cluster's point in time for a tier of instances, a malformed source, a cluster of another region or account, a time to come", () => {
    expectRefusal({ kind: 'instances' }, { database: { restore: DatabaseRestore.fromCluster('data-tier-prod-cluster') } }, 'restore.fromCluster', 'data-tier-prod-cluster', /only into a DB cluster: set topology/);
    expectRefusal({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromCluster('arn:aws:rds:us-east-1:123456789012:db:data-tier-prod-primary') } }, 'restore.fromCluster', 'arn:aws:rds:us-east-1:123456789012:db:data-tier-prod-primary', /must be a DB cluster identifier, its ARN .* or its resource id \(cluster-\.\.\.\)/);
    expectRefusal({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromCluster('arn:aws:rds:eu-west-1:123456789012:cluster:data-tier-prod-cluster') } }, 'restore.fromCluster', 'arn:aws:rds:eu-west-1:123456789012:cluster:data-tier-prod-cluster', /is in eu-west-1, but the tier is in us-east-1/);
    expectRefusal({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromCluster('arn:aws:rds:us-east-1:999999999999:cluster:data-tier-prod-cluster') } }, 'restore.fromCluster', 'arn:aws:rds:us-east-1:999999999999:cluster:data-tier-prod-cluster', /belongs to account 999999999999/);
    expectRefusal({ kind: 'aurora' }, { database: { restore: DatabaseRestore.fromCluster('data-tier-prod-cluster', { toTime: new Date(Date.now() + 3_600_000) }) } }, 'restore.toTime', undefined, /must be in the past/);
  });
});

describe('a major-version upgrade prepared on a cluster topology (runbooks/major-version-upgrade.md)', () => {
  const to18 = rds.PostgresEngineVersion.VER_18;
  const clusterGroups = (template: Template) => Object.entries(template.findResources('AWS::RDS::DBClusterParameterGroup'));
  const clusterOf = (template: Template) => Object.values(template.findResources('AWS::RDS::DBCluster'))[0].Properties;
  const groupOf = (template: Template, name: string) => clusterGroups(template).find(([id]) => id.includes(name))!;

  describe('Aurora, by a blue/green deployment', () => {
    const before = tierOf({ kind: 'aurora' }).template;
    const prepared = tierOf({ kind: 'aurora' }, { database: { upgradeTarget: to18 } }).template;
    const completed = tierOf({ kind: 'aurora' }, { database: { engineVersion: to18, upgradeTarget: to18, majorVersionUpgrade: 'blue-green-completed' } }).template;

    test("prepares a cluster parameter group of aurora-postgresql18 with the cluster's settings, for --target-db-cluster-parameter-group-name", () => {
      const [upgradeId, upgrade] = groupOf(prepared, 'DatabaseUpgradeParameterGroup');
      const [, current] = groupOf(before, 'DatabaseParameterGroup');
      expect(upgrade.Properties.Family).toBe('aurora-postgresql18');
      expect(upgrade.Properties.Parameters).toEqual(current.Properties.Parameters);
      expect(clusterOf(prepared).DBClusterParameterGroupName).not.toEqual({ Ref: upgradeId });
      prepared.resourceCountIs('AWS::RDS::DBParameterGroup', 0);
    });

    test('turns on logical replication in the cluster parameter group it runs on, which blue/green replicates with; nothing else of the cluster changes', () => {
      const [currentId, current] = groupOf(before, 'DatabaseParameterGroup');
      expect(prepared.toJSON().Resources[currentId].Properties.Parameters).toEqual({ ...current.Properties.Parameters, 'rds.logical_replication': '1' });
      expect(clusterOf(prepared)).toEqual(clusterOf(before));
    });

    test('after the switchover the cluster runs 18 on the prepared group, without logical replication left on', () => {
      const [upgradeId, upgrade] = groupOf(completed, 'DatabaseUpgradeParameterGroup');
      expect(upgrade.Properties.Family).toBe('aurora-postgresql18');
      expect(clusterOf(completed).DBClusterParameterGroupName).toEqual({ Ref: upgradeId });
      expect(clusterOf(completed).EngineVersion).toMatch(/^18\./);
      expect(Object.keys(completed.findResources('AWS::RDS::DBCluster'))).toEqual(Object.keys(before.findResources('AWS::RDS::DBCluster')));
      for (const [, group] of clusterGroups(completed)) expect(group.Properties.Parameters).not.toHaveProperty(['rds.logical_replication']);
    });
  });

  describe('a Multi-AZ DB cluster, in place (blue/green does not support it)', () => {
    const database = { instanceType: r6gd };
    const before = tierOf({ kind: 'multi-az-cluster' }, { database }).template;
    const prepared = tierOf({ kind: 'multi-az-cluster' }, { database: { ...database, upgradeTarget: to18 } }).template;
    const completed = tierOf({ kind: 'multi-az-cluster' }, { database: { ...database, engineVersion: to18, upgradeTarget: to18, majorVersionUpgrade: 'in-place-completed' } }).template;

    test("prepares a cluster parameter group of postgres18 for the runbook's modify-db-cluster, and changes nothing of the cluster or its current group", () => {
      const [, upgrade] = groupOf(prepared, 'DatabaseUpgradeParameterGroup');
      const [currentId, current] = groupOf(before, 'DatabaseParameterGroup');
      expect(upgrade.Properties.Family).toBe('postgres18');
      expect(upgrade.Properties.Parameters).toEqual(current.Properties.Parameters);
      expect(prepared.toJSON().Resources[currentId].Properties).toEqual(current.Properties);
      expect(clusterOf(prepared)).toEqual(clusterOf(before));
    });

    test('after the in-place upgrade the cluster runs 18 on the prepared group', () => {
      const [upgradeId] = groupOf(completed, 'DatabaseUpgradeParameterGroup');
      expect(clusterOf(completed).DBClusterParameterGroupName).toEqual({ Ref: upgradeId });
      expect(clusterOf(completed).EngineVersion).toMatch(/^18\./);
    });
  });
});
