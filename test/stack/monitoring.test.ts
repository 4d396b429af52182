import { Match } from 'aws-cdk-lib/assertions';
import { ALARM_DEFINITIONS as ALL_DEFINITIONS, existsOn } from '../../lib/alarms';
import { PROBE_COUNT } from '../../lib/health-check';
import { METRIC_NAMESPACE } from '../../lib/observability/contract';
import { alarmState } from '../support/alarm-evaluation';
import { synthesize } from './synth';

const prod = synthesize('prod');
type Alarm = { Properties: Record<string, any> };
const alarms = () => Object.values(prod.template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
const alarmNamed = (name: string) => alarms().find((a) => a.Properties.AlarmName === name)?.Properties;
const dimension = (alarm: Record<string, any>, name: string) => alarm.Dimensions.find((d: any) => d.Name === name)?.Value;

/** The unit each AWS metric is published in, from the RDS, RDS Proxy and ElastiCache metric references. */
const AWS_METRIC_UNITS: Record<string, string> = {
  CPUUtilization: 'Percent',
  FreeStorageSpace: 'Bytes',
  FreeableMemory: 'Bytes',
  DiskQueueDepth: 'Count',
  MaximumUsedTransactionIDs: 'Count',
  TransactionLogsDiskUsage: 'Bytes',
  OldestReplicationSlotLag: 'Bytes',
  ReplicaLag: 'Seconds',
  QueryResponseLatency: 'Microseconds',
  ClientConnections: 'Count',
  ClientConnectionsSetupFailedAuth: 'Count',
  DatabaseConnectionsSetupFailed: 'Count',
  EngineCPUUtilization: 'Percent',
  DatabaseMemoryUsagePercentage: 'Percent',
  Evictions: 'Count',
  ReplicationLag: 'Seconds',
};

/** The rows of the alarm table that exist on prod's topology, DB instances. */
const ALARM_DEFINITIONS = ALL_DEFINITIONS.filter((d) => existsOn(d, 'instances'));

describe('the alarm table', () => {
  it('becomes one alarm per definition and target: primary, 2 replicas, the proxy, 3 cache nodes, 2 jobs and the schedules’ dead-letter queue', () => {
    const perInstance = (role: 'primary' | 'replica') => ALARM_DEFINITIONS.filter((d) => (d.roles ?? []).includes(role)).length;
    const bySource = (source: string) => ALARM_DEFINITIONS.filter((d) => d.source === source).length;
    expect(alarms()).toHaveLength(
      perInstance('primary') + 2 * perInstance('replica') + bySource('proxy') + 3 * bySource('cache-node') + bySource('maintenance') + bySource('schedule-dlq'),
    );
  });

  it('declares for every AWS metric the unit AWS publishes it in', () => {
    for (const definition of ALARM_DEFINITIONS.filter((d) => ['rds', 'proxy', 'cache-node'].includes(d.source))) {
      expect({ metric: definition.metric.name, unit: definition.metric.unit }).toEqual({ metric: definition.metric.name, unit: AWS_METRIC_UNITS[definition.metric.name] });
    }
  });

  it('expresses each threshold in its metric unit: seconds of replica lag, microseconds of proxy latency, bytes of storage', () => {
    expect(alarmNamed('data-tier-prod-replica-1-replica-lag-high')).toMatchObject({ MetricName: 'ReplicaLag', Threshold: 3, Statistic: 'Maximum' });
    expect(alarmNamed('data-tier-prod-proxy-proxy-latency-p95-high')).toMatchObject({ MetricName: 'QueryResponseLatency', Threshold: 300_000, ExtendedStatistic: 'p95' });
    expect(alarmNamed('data-tier-prod-primary-query-latency-p95-high')).toMatchObject({ MetricName: 'query_latency', Threshold: 300, ExtendedStatistic: 'p95', Unit: 'Milliseconds' });
    // 10 % of 500 GiB is more than the 10 GiB floor.
    expect(alarmNamed('data-tier-prod-primary-free-storage-low')).toMatchObject({ MetricName: 'FreeStorageSpace', Threshold: 50 * 1024 ** 3, ComparisonOperator: 'LessThanThreshold' });
    expect(alarmNamed('data-tier-prod-primary-freeable-memory-low')!.Threshold).toBe(1024 * 1024 ** 2);
  });

  it('uses the seeds’ thresholds: CPU 80 %, replica lag 3 s, p95 300 ms, cache engine CPU 75 %, lock waits over 1 s, connections 80 %', () => {
    expect(alarmNamed('data-tier-prod-primary-cpu-high')).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanThreshold', Period: 300, EvaluationPeriods: 3 });
    expect(alarmNamed('data-tier-prod-cache-001-engine-cpu-high')).toMatchObject({ MetricName: 'EngineCPUUtilization', Threshold: 75, Dimensions: [{ Name: 'CacheClusterId', Value: 'data-tier-prod-cache-001' }] });
    expect(alarmNamed('data-tier-prod-primary-lock-waits')).toMatchObject({ MetricName: 'lock_waits_over_1s', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarmNamed('data-tier-prod-primary-connections-high')).toMatchObject({ MetricName: 'connections_used_pct', Threshold: 80 });
    expect(alarmNamed('data-tier-prod-primary-partitions-ahead-low')).toMatchObject({ MetricName: 'partitions_ahead_min', Threshold: 1, ComparisonOperator: 'LessThanThreshold' });
  });

  it('pages on failed sign-ins at the proxy in 3 of 5 minutes, not on a single one, and names the sign-in runbook', () => {
    const alarm = alarmNamed('data-tier-prod-proxy-client-setup-failures')!;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: 'ClientConnectionsSetupFailedAuth',
      Dimensions: [{ Name: 'ProxyName', Value: 'data-tier-prod-proxy' }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.AlarmDescription).toContain('Runbook: runbooks/application-cannot-sign-in.md');
    // The template's rule replayed on failed sign-ins per minute, oldest first (undefined: nothing published that minute).
    const rule = {
      statistic: alarm.Statistic, comparison: alarm.ComparisonOperator, threshold: alarm.Threshold,
      evaluationPeriods: alarm.EvaluationPeriods, datapointsToAlarm: alarm.DatapointsToAlarm, treatMissingData: alarm.TreatMissingData,
    };
    expect(alarmState(rule, [undefined, undefined, undefined, undefined, undefined])).toBe('OK');
    expect(alarmState(rule, [0, 0, 1, 0, 0])).toBe('OK'); // a token that expired in flight, made again
    expect(alarmState(rule, [undefined, 6, undefined, 2, undefined])).toBe('OK'); // two bursts, each retried away
    expect(alarmState(rule, [2, 3, 2, undefined, undefined])).toBe('ALARM'); // a client failing on every retry
    expect(alarmState(rule, [1, undefined, 1, undefined, 1])).toBe('ALARM'); // one backing off to a retry every 2 minutes
  });

  it('counts deadlocks from the server counter, diffed between periods, so proxy multiplexing cannot hide them', () => {
    const deadlocks = alarmNamed('data-tier-prod-primary-deadlocks')!;
    expect(deadlocks.Metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Expression: 'DIFF(m)', ReturnData: true }),
        expect.objectContaining({ Id: 'm', ReturnData: false, MetricStat: expect.objectContaining({ Metric: expect.objectContaining({ MetricName: 'deadlocks_total', Namespace: 'DataTier' }), Stat: 'Maximum' }) }),
      ]),
    );
    expect(deadlocks).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms on a replica that stops reporting lag, and on a health check that goes silent', () => {
    expect(alarmNamed('data-tier-prod-replica-2-replica-lag-high')!.TreatMissingData).toBe('breaching');
    expect(alarmNamed('data-tier-prod-primary-health-check-failing')).toMatchObject({ MetricName: 'health_check_failed', TreatMissingData: 'breaching', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
    expect(alarmNamed('data-tier-prod-materialized-view-refresh-failing')).toMatchObject({ MetricName: 'maintenance_failed', TreatMissingData: 'breaching' });
  });

  it('watches health-check metrics per instance with the dimensions the function publishes', () => {
    const replica = alarmNamed('data-tier-prod-replica-1-query-latency-p95-high')!;
    expect(replica.Namespace).toBe(METRIC_NAMESPACE);
    expect({ env: dimension(replica, 'Environment'), instance: dimension(replica, 'DBInstance'), role: dimension(replica, 'Role') }).toEqual({ env: 'prod', instance: 'data-tier-prod-replica-1', role: 'replica' });
    const job = alarmNamed('data-tier-prod-partition-maintenance-failing')!;
    expect(dimension(job, 'Task')).toBe('partition-maintenance');
  });

  it('names every alarm <stack>-<resource>-<condition> and sends ALARM and OK to the alarm topic', () => {
    const topic = Object.keys(prod.template.findResources('AWS::SNS::Topic'))[0];
    for (const alarm of alarms()) {
      expect(alarm.Properties.AlarmName).toMatch(/^data-tier-prod-(primary|replica-\d|proxy|cache-\d{3}|partition-maintenance|materialized-view-refresh|schedule-dlq)-[a-z0-9-]+$/);
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it('names its runbook file in every alarm description', () => {
    for (const alarm of alarms()) expect(alarm.Properties.AlarmDescription).toMatch(/Runbook: runbooks\/([a-z0-9-]+\.md) https:\/\/github\.com\/postgres-data-tier\/postgres-data-tier\/blob\/v\d+\.\d+\.\d+\/runbooks\/\1$/);
  });

  it('links the runbook when a base URL is configured', () => {
    const { template } = synthesize('prod', { overrides: JSON.stringify({ monitoring: { runbookBaseUrl: 'https://example.com/data-tier/runbooks' } }) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'data-tier-prod-replica-1-replica-lag-high',
      AlarmDescription: Match.stringLikeRegexp('Runbook: runbooks/replica-lag.md https://example.com/data-tier/runbooks/replica-lag.md$'),
    });
  });
});

describe('the alarm topic', () => {
  it('is encrypted with the data key, which CloudWatch may use, and refuses plain HTTP', () => {
    prod.template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'data-tier-prod-alarms', KmsMasterKeyId: Match.anyValue() });
    prod.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    prod.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
  });

  it('emails the addresses in config', () => {
    const { template } = synthesize('prod', { overrides: JSON.stringify({ monitoring: { alarmEmails: ['oncall@example.com'] } }) });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });
});

describe('the health-check function', () => {
  const fn = (name: string) => (Object.values(prod.template.findResources('AWS::Lambda::Function')) as Alarm[]).find((f) => f.Properties.FunctionName === name)!.Properties;

  it('runs every minute in the VPC against the proxy and each replica', () => {
    const healthCheck = fn('data-tier-prod-health-check');
    expect(healthCheck.VpcConfig).toBeDefined();
    expect(healthCheck.Environment.Variables).toMatchObject({
      PRIMARY_HOST: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseProxy/), 'Endpoint'] },
      PRIMARY_INSTANCE_ID: { Ref: expect.stringMatching(/^DatabasePrimary/) },
      METRIC_NAMESPACE: 'DataTier',
      ENVIRONMENT: 'prod',
      PROBE_COUNT: String(PROBE_COUNT),
    });
    expect(JSON.stringify(healthCheck.Environment.Variables.REPLICAS)).toMatch(/DatabaseReplica1.*DatabaseReplica2/);
    prod.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HealthCheckFunction'), 'Arn'] } })],
    });
  });

  it('runs partition maintenance hourly and the materialized view refresh every 5 minutes on the primary instance, each rule named after its task', () => {
    expect(fn('data-tier-prod-maintenance').Environment.Variables.DB_HOST).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabasePrimary/), 'Endpoint.Address'] });
    prod.template.hasResourceProperties('AWS::Events::Rule', { Name: 'data-tier-prod-partition-maintenance', ScheduleExpression: 'rate(1 hour)', Targets: [Match.objectLike({ Input: '{"task":"partition-maintenance"}' })] });
    prod.template.hasResourceProperties('AWS::Events::Rule', { Name: 'data-tier-prod-materialized-view-refresh', ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ Input: '{"task":"materialized-view-refresh"}' })] });
  });

  it('keeps a scheduled event EventBridge cannot deliver, after 2 retries within the schedule’s interval, in one dead-letter queue', () => {
    const queues = prod.template.findResources('AWS::SQS::Queue', { Properties: { QueueName: 'data-tier-prod-schedule-dlq' } });
    expect(Object.values(queues).map((q: any) => q.Properties)).toEqual([
      expect.objectContaining({ QueueName: 'data-tier-prod-schedule-dlq', SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 }),
    ]);
    const queue = Object.keys(queues)[0];
    const rules = (Object.values(prod.template.findResources('AWS::Events::Rule')) as Alarm[]).filter((r) => r.Properties.ScheduleExpression);
    expect(rules.map((r) => [r.Properties.ScheduleExpression, r.Properties.Targets.map((t: any) => [t.RetryPolicy, t.DeadLetterConfig])])).toEqual([
      ['rate(1 minute)', [[{ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }, { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } }]]],
      ['rate(1 hour)', [[{ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } }]]],
      ['rate(5 minutes)', [[{ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 }, { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } }]]],
    ]);
    prod.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' }),
        ]),
      },
    });
    expect(alarmNamed('data-tier-prod-schedule-dlq-not-empty')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
  });

  it('may publish metrics only to its own namespace', () => {
    prod.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^HealthCheckFunctionServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'DataTier' } } })]),
      },
    });
  });
});

describe('the dashboard', () => {
  it('shows instances, proxy, cache, health-check metrics and alarm status', () => {
    const [dashboard] = Object.values(prod.template.findResources('AWS::CloudWatch::Dashboard')) as Alarm[];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Alarms', 'CPU', 'Replica lag', 'Proxy connections', 'Cache engine CPU', 'Partitions ahead', 'Lock waits', 'Query latency p95']) {
      expect(body).toContain(title);
    }
  });
});
