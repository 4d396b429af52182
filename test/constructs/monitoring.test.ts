import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ALARM_DEFINITIONS, AlarmDefinition, existsOn } from '../../lib/alarms';
import { Monitoring, MonitoringProps } from '../../lib/monitoring';
import { isolatedVpc, messageStart, newStack, validationError } from './support';

/**
 * The targets a caller watches, made with plain aws-cdk-lib: an instance, a proxy in front of it
 * and a three-node cache.
 */
function watchedResources(stack: Stack) {
  const vpc = isolatedVpc(stack);
  const instance = new rds.DatabaseInstance(stack, 'Instance', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    storageEncrypted: true,
  });
  const proxy = new rds.DatabaseProxy(stack, 'Proxy', {
    proxyTarget: rds.ProxyTarget.fromInstance(instance),
    secrets: [instance.secret!],
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  const cache = new elasticache.CfnReplicationGroup(stack, 'Cache', {
    replicationGroupId: 'orders-cache',
    replicationGroupDescription: 'cache',
    cacheNodeType: 'cache.t4g.small',
    engine: 'redis',
    numCacheClusters: 3,
    automaticFailoverEnabled: true,
  });
  return { instance, proxy, cacheNodeIds: ['001', '002', '003'].map((n) => `${cache.replicationGroupId}-${n}`) };
}

/** A stack holding the watched resources and a `Monitoring` of them named `orders`, with what `extra` adds to its props. */
function monitoringStack(extra: (stack: Stack) => Partial<MonitoringProps> = () => ({})): { stack: Stack; template: Template } {
  const stack = newStack();
  const { instance, proxy, cacheNodeIds } = watchedResources(stack);
  new Monitoring(stack, 'Monitoring', {
    name: 'orders',
    instances: [{ name: 'primary', instanceId: instance.instanceIdentifier, role: 'primary' }],
    proxyName: proxy.dbProxyName,
    cacheNodeIds,
    ...extra(stack),
  });
  return { stack, template: Template.fromStack(stack) };
}

/** Alarms the defaults table gives a primary (a DB instance), a proxy, three cache nodes and the scheduled tasks. */
const applies = (d: AlarmDefinition) =>
  !existsOn(d, 'instances') ? 0 :
  ((d.source === 'rds' || d.source === 'health-check') && (d.roles ?? []).includes('primary') ? 1 : 0) +
  (d.source === 'proxy' ? 1 : 0) +
  (d.source === 'cache-node' ? 3 : 0) +
  (d.source === 'maintenance' ? 1 : 0);
const expectedAlarms = (definitions: readonly AlarmDefinition[]) => definitions.reduce((sum, d) => sum + applies(d), 0);

/** The alarms of a template by name. */
function alarmsByName(template: Template): Map<string, Record<string, unknown>> {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  return new Map(alarms.map((alarm) => [alarm.Properties.AlarmName as string, alarm.Properties]));
}

describe('Monitoring of an instance, a proxy and a cache', () => {
  const { template } = monitoringStack();

  test('creates one alarm per definition of the defaults table and target it applies to', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', expectedAlarms(ALARM_DEFINITIONS));
  });

  test('watches the instance by its identifier in AWS/RDS', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-primary-cpu-high',
      Namespace: 'AWS/RDS',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: Match.stringLikeRegexp('^Instance') } }],
      Threshold: 80,
    });
  });

  test('watches the proxy by its name and each cache node by its member cluster id', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-proxy-proxy-latency-p95-high',
      Dimensions: [{ Name: 'ProxyName', Value: Match.anyValue() }],
    });
    for (const node of ['001', '002', '003']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `orders-cache-${node}-engine-cpu-high`,
        Namespace: 'AWS/ElastiCache',
        Dimensions: [{ Name: 'CacheClusterId', Value: `orders-cache-${node}` }],
      });
    }
  });

  test('sends ALARM and OK of every alarm to a new encrypted topic', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'orders-alarms', KmsMasterKeyId: Match.anyValue() });
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] });
  });

  test('draws a dashboard named after the tier', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders' });
  });
});

describe('Monitoring with a caller\'s topic', () => {
  const { stack, template } = monitoringStack((scope) => ({ alarmTopic: new sns.Topic(scope, 'OnCall') }));

  test('sends the alarms to that topic and creates none, nor a key for one', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const onCall = stack.resolve((stack.node.findChild('OnCall') as sns.Topic).topicArn);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [onCall], OKActions: [onCall] });
    expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('Monitoring'))).toEqual([]);
  });
});

describe('Monitoring with its alarms changed', () => {
  const cpuHigh = ALARM_DEFINITIONS.find((d) => d.condition === 'cpu-high')!;
  const { template } = monitoringStack(() => ({
    disabledAlarms: ['disk-queue-high'],
    thresholds: { cpuPercent: 90 },
    additionalAlarms: [{ ...cpuHigh, condition: 'cpu-very-high', threshold: () => 97 }],
  }));
  const alarms = alarmsByName(template);

  test('disabledAlarms removes those alarms', () => {
    expect([...alarms.keys()].filter((name) => name.endsWith('-disk-queue-high'))).toEqual([]);
  });

  test('thresholds re-threshold the table\'s alarms', () => {
    expect(alarms.get('orders-primary-cpu-high')).toMatchObject({ Threshold: 90 });
  });

  test('additionalAlarms adds one per target its source applies to', () => {
    expect(alarms.get('orders-primary-cpu-very-high')).toMatchObject({ Threshold: 97, MetricName: 'CPUUtilization' });
    const definitions = [...ALARM_DEFINITIONS.filter((d) => d.condition !== 'disk-queue-high'), cpuHigh];
    expect(alarms.size).toBe(expectedAlarms(definitions));
  });
});

describe('Monitoring with cpu-high disabled', () => {
  const { template } = monitoringStack(() => ({ disabledAlarms: ['cpu-high'] }));

  test('creates no cpu-high alarm, and keeps the others (the cache\'s engine-cpu-high among them)', () => {
    const alarms = alarmsByName(template);
    expect(alarms.has('orders-primary-cpu-high')).toBe(false);
    expect(alarms.has('orders-cache-001-engine-cpu-high')).toBe(true);
    template.resourceCountIs('AWS::CloudWatch::Alarm', expectedAlarms(ALARM_DEFINITIONS.filter((d) => d.condition !== 'cpu-high')));
  });
});

describe('Monitoring validation', () => {
  const refusal = (extra: Partial<MonitoringProps>) => validationError(() => monitoringStack(() => extra));

  test('refuses a disabled condition the table does not have', () => {
    const error = refusal({ disabledAlarms: ['cpu-hgh'] });
    expect(error.message.startsWith(`${messageStart('Test/Monitoring', 'disabledAlarms')}"cpu-hgh": unknown condition (did you mean cpu-high?); the defaults table has cpu-high, `)).toBe(true);
  });

  test.each([
    ['a CPU threshold of 100 %, which could never fire', { cpuPercent: 100 }, 'thresholds.cpuPercent', '100: must be a number from 1 to 99'],
    [
      'a free-storage floor at the allocated storage, which always fires',
      { freeStorageGiB: 100 },
      'thresholds.freeStorageGiB',
      '100: must be below the allocated storage (100 GiB)',
    ],
    [
      'a default-partition row count health_check() never reaches',
      { defaultPartitionRows: 10000 },
      'thresholds.defaultPartitionRows',
      '10000: must be a number from 0 to 9999: health_check() counts them up to 10000',
    ],
  ])('refuses %s', (_, thresholds, prop, rest) => {
    const error = refusal({ thresholds, allocatedStorageGiB: 100 });
    expect(error.prop).toBe(prop);
    expect(error.message.startsWith(`${messageStart('Test/Monitoring', prop)}${rest}`)).toBe(true);
  });

  test('refuses the same alarm e-mail twice, compared without case', () => {
    const error = refusal({ alarmEmails: ['oncall@example.com', 'OnCall@example.com'] });
    expect(error.message).toBe(
      `${messageStart('Test/Monitoring', 'alarmEmails')}["oncall@example.com","OnCall@example.com"]: lists "oncall@example.com" and "OnCall@example.com", which differ only in case (e-mail addresses are compared without case); remove one`,
    );
  });
});
