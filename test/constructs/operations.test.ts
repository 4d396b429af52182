import * as logs from 'aws-cdk-lib/aws-logs';
import { Stack } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Cache } from '../../lib/cache';
import { CACHE_TOKEN_ROTATION_DAYS, CacheTokenRotation } from '../../lib/cache-token-rotation';
import { CACHE_DRILL_TAG, FaultInjection } from '../../lib/fault-injection';
import { OperatorAccess } from '../../lib/operator-access';
import { databaseWithPlacement, newStack, TEST_ZONES, validationError } from './support';

// The operational parts a tier adds around its data, each in a bare stack over resources the test makes.

describe('OperatorAccess over a database the caller made', () => {
  const stack = newStack();
  const { database, placement } = databaseWithPlacement(stack);
  new OperatorAccess(stack, 'Operator', {
    vpc: placement.vpc,
    subnets: placement.subnets,
    targets: [
      { securityGroup: database.proxySecurityGroup, port: database.port, description: 'RDS Proxy' },
      { securityGroup: database.primarySecurityGroup, port: database.port, description: 'the primary' },
    ],
    dataKey: placement.dataKey,
    logsKey: placement.logsKey,
    logRetention: logs.RetentionDays.ONE_MONTH,
    name: 'orders',
  });
  const template = Template.fromStack(stack);

  it('runs one host in an Auto Scaling group, reachable through Systems Manager only: no inbound rule, no key pair', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '1' });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ MetadataOptions: { HttpTokens: 'required' } }) });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.not(Match.objectLike({ KeyName: Match.anyValue() })) });
    const hostGroups = Object.values(template.findResources('AWS::EC2::SecurityGroup')).filter((sg) => /operator host/i.test(sg.Properties.GroupDescription));
    expect(hostGroups).toHaveLength(1);
    expect(hostGroups[0].Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('opens only the targets it is given, on their ports', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5433, ToPort: 5433, Description: Match.stringLikeRegexp('^Operator host tunnels') });
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { Description: Match.stringLikeRegexp('^Operator host tunnels') }, 2);
  });

  it('logs shell sessions to an encrypted log group of its own, kept as long as the caller says', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: Match.anyValue(), LogGroupName: Match.stringLikeRegexp('orders') });
    template.resourceCountIs('AWS::SSM::Document', 1);
  });
});

describe('FaultInjection', () => {
  const stack = newStack();
  const alarm = new cw.Alarm(stack, 'Critical', { metric: new cw.Metric({ namespace: 'Test', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
  const { placement } = databaseWithPlacement(stack);
  new FaultInjection(stack, 'Drills', {
    name: 'orders',
    primaryInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:orders-primary',
    cacheTagValue: 'orders-cache',
    cacheZone: TEST_ZONES[0],
    stopAlarms: [alarm],
    logsKey: placement.logsKey,
    logRetention: logs.RetentionDays.ONE_MONTH,
  });
  const template = Template.fromStack(stack);

  it('prepares a forced failover of the primary and a cache zone power interruption, which change nothing until started', () => {
    template.resourceCountIs('AWS::FIS::ExperimentTemplate', 2);
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', { Actions: Match.objectLike({}), Targets: Match.objectLike({}) });
  });

  it('stops either experiment when the caller’s critical alarm fires', () => {
    const templates = Object.values(template.findResources('AWS::FIS::ExperimentTemplate'));
    for (const experiment of templates) expect(experiment.Properties.StopConditions).toEqual([{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [expect.stringMatching(/^Critical/), 'Arn'] } }]);
  });

  it('targets the cache by the drill tag, and only the primary by its ARN', () => {
    expect(JSON.stringify(template.toJSON())).toContain(CACHE_DRILL_TAG);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'], Resource: 'arn:aws:rds:us-east-1:123456789012:db:orders-primary' })]) },
    });
  });
});

describe('FaultInjection of a DB cluster', () => {
  const props = (stack: Stack, arns: { primaryInstanceArn?: string; clusterArn?: string }) => {
    const { placement } = databaseWithPlacement(stack);
    const alarm = new cw.Alarm(stack, 'Critical', { metric: new cw.Metric({ namespace: 'Test', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    return { name: 'orders', ...arns, cacheTagValue: 'orders-cache', cacheZone: TEST_ZONES[0], stopAlarms: [alarm], logsKey: placement.logsKey, logRetention: logs.RetentionDays.ONE_MONTH };
  };
  const clusterArn = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-cluster';
  const stack = newStack();
  new FaultInjection(stack, 'Drills', props(stack, { clusterArn }));
  const template = Template.fromStack(stack);

  it('fails the cluster over to a reader, and may do that to this cluster only', () => {
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Cluster: { ResourceType: 'aws:rds:cluster', ResourceArns: [clusterArn], SelectionMode: 'ALL' } },
      Actions: { FailoverCluster: { ActionId: 'aws:rds:failover-db-cluster', Targets: { Clusters: 'Cluster' } } },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: ['rds:FailoverDBCluster', 'rds:DescribeDBClusters'], Resource: clusterArn }]) },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('rds:RebootDBInstance');
  });

  it.each([
    ['neither', {}],
    ['both', { clusterArn, primaryInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:orders-primary' }],
  ])('refuses %s of the primary instance and the cluster, naming the choice', (_, arns) => {
    const other = newStack();
    expect(validationError(() => new FaultInjection(other, 'Drills', props(other, arns))).allowed).toMatch(/exactly one of primaryInstanceArn .* and clusterArn/);
  });
});

describe('CacheTokenRotation over a cache the caller made', () => {
  const stack = newStack();
  const { placement } = databaseWithPlacement(stack);
  const cache = new Cache(stack, 'Cache', { vpc: placement.vpc as ec2.IVpc, name: 'orders' });
  new CacheTokenRotation(stack, 'Rotation', { ...placement, cache });
  const template = Template.fromStack(stack);

  it(`rotates the AUTH token every ${CACHE_TOKEN_ROTATION_DAYS} days with its own function`, () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: `rate(${CACHE_TOKEN_ROTATION_DAYS} days)` } });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'orders-cache-token-rotation' });
  });

  it('leaves a database and a cache of the same name, each with keys of its own, no alias in common', () => {
    const aliases = Object.values(template.findResources('AWS::KMS::Alias')).map((alias) => alias.Properties.AliasName);
    expect(aliases.sort()).toEqual(['alias/orders/cache/data', 'alias/orders/cache/logs', 'alias/orders/database/data', 'alias/orders/database/logs']);
  });

  it('may modify only this replication group', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['elasticache:ModifyReplicationGroup']) })]) },
    });
  });
});
