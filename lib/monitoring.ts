import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ALARM_DEFINITIONS, AlarmDefinition } from './alarms';
import { EnvironmentName, MonitoringConfig } from './config';
import { dimensionsOf, METRIC_NAMESPACE, type MetricDefinition, METRICS, type MetricUnit, type Role, TASK_NAMES } from './observability/contract';

/** A DB instance as the alarms and the dashboard see it. */
export interface MonitoredInstance {
  /** Name part of its alarms, e.g. `primary`, `replica-1`. */
  readonly name: string;
  /** DB instance identifier (a literal: names are fixed in config). */
  readonly instanceId: string;
  readonly role: Role;
}

export interface MonitoringProps {
  readonly envName: EnvironmentName;
  readonly config: MonitoringConfig;
  readonly namePrefix: string;
  readonly instances: MonitoredInstance[];
  readonly proxyName: string;
  /** ElastiCache member cluster ids, one per node. */
  readonly cacheNodeIds: string[];
  readonly allocatedStorageGiB: number;
  /** Name of the queue holding scheduled events EventBridge could not deliver. */
  readonly scheduleDeadLetterQueueName: string;
  /** Encrypts the alarm topic; CloudWatch is allowed to use it. */
  readonly dataKey: kms.Key;
}

/** RDS event categories of DB instances sent to the alarm topic. */
export const RDS_EVENT_CATEGORIES = ['failover', 'failure', 'low storage', 'maintenance', 'configuration change', 'notification'] as const;

/** One alarm target: what its alarms are named after and the dimensions of its metrics. */
interface Target {
  readonly name: string;
  readonly namespace: string;
  readonly dimensions: Record<string, string>;
  readonly applies: (definition: AlarmDefinition) => boolean;
}

/**
 * Alarms from the table in `alarms.ts` (one loop, one alarm per definition and target),
 * all sent to one encrypted SNS topic for ALARM and OK, and a dashboard.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cw.Alarm[] = [];
  private readonly alarmsByName = new Map<string, cw.Alarm>();
  readonly dashboard: cw.Dashboard;
  private readonly dataKey: kms.Key;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.dataKey = props.dataKey;
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${props.namePrefix}-alarms`,
      displayName: `${props.namePrefix} data tier alarms`,
      masterKey: props.dataKey,
      enforceSSL: true,
    });
    props.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    for (const email of props.config.alarmEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const action = new cwActions.SnsAction(this.topic);
    const context = { thresholds: props.config.thresholds, allocatedStorageGiB: props.allocatedStorageGiB };
    for (const target of targetsOf(props)) {
      for (const definition of ALARM_DEFINITIONS.filter(target.applies)) {
        const alarmName = `${props.namePrefix}-${target.name}-${definition.condition}`;
        const alarm = new cw.Alarm(this, alarmName.slice(props.namePrefix.length + 1), {
          alarmName,
          alarmDescription: describe(definition, target, props.config.runbookBaseUrl),
          metric: metricOf(definition, target),
          threshold: definition.threshold(context),
          comparisonOperator: definition.comparison,
          evaluationPeriods: definition.evaluationPeriods,
          datapointsToAlarm: definition.datapointsToAlarm,
          treatMissingData: definition.treatMissingData,
        });
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        this.alarms.push(alarm);
        this.alarmsByName.set(`${target.name}-${definition.condition}`, alarm);
      }
    }

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}`,
      defaultInterval: Duration.hours(3),
      widgets: dashboardRows(props, this.alarms),
    });
  }

  /**
   * Sends what AWS itself reports about the DB instances (failover, failure, low storage,
   * maintenance, configuration change, notification) and the cache (its failovers and node
   * replacements, through the replication group's NotificationTopicArn) to the alarm topic,
   * so an SRE learns of a failover from AWS, not only from a symptom alarm.
   */
  notifyServiceEvents(props: { readonly namePrefix: string; readonly instanceIds: string[]; readonly cache: elasticache.CfnReplicationGroup }): rds.CfnEventSubscription {
    const stack = Stack.of(this);
    const publishers = ['events.rds.amazonaws.com', 'elasticache.amazonaws.com'];
    // The topic's key: only for messages of this topic (SNS sets its ARN as encryption context).
    const topicArn = stack.formatArn({ service: 'sns', resource: `${props.namePrefix}-alarms` });
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRdsAndElastiCacheEventsToPublishEncrypted',
        principals: publishers.map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRdsAndElastiCacheEventsOfThisAccount',
        principals: publishers.map((service) => new iam.ServicePrincipal(service)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    // NotificationTopicArn updates the replication group without interruption (CloudFormation
    // user guide, AWS::ElastiCache::ReplicationGroup, "Update requires: No interruption").
    props.cache.notificationTopicArn = this.topic.topicArn;
    return new rds.CfnEventSubscription(this, 'DatabaseEvents', {
      subscriptionName: `${props.namePrefix}-database-events`,
      snsTopicArn: this.topic.topicArn,
      sourceType: 'db-instance',
      sourceIds: props.instanceIds,
      eventCategories: [...RDS_EVENT_CATEGORIES],
      enabled: true,
    });
  }

  /** The alarm of a resource and condition, e.g. `alarm('primary', 'health-check-failing')`. */
  alarm(resource: string, condition: string): cw.Alarm {
    const alarm = this.alarmsByName.get(`${resource}-${condition}`);
    if (!alarm) throw new Error(`no alarm ${resource}-${condition}; conditions are defined in lib/alarms.ts`);
    return alarm;
  }
}

/** The dimensions the health check publishes an instance's metrics with. */
function instanceDimensions(props: MonitoringProps, instance: MonitoredInstance): Record<string, string> {
  return dimensionsOf({ environment: props.envName, instanceId: instance.instanceId, role: instance.role });
}

function targetsOf(props: MonitoringProps): Target[] {
  const instanceTargets = props.instances.flatMap((instance): Target[] => [
    {
      name: instance.name,
      namespace: 'AWS/RDS',
      dimensions: { DBInstanceIdentifier: instance.instanceId },
      applies: (d) => d.source === 'rds' && (d.roles ?? []).includes(instance.role),
    },
    {
      name: instance.name,
      namespace: METRIC_NAMESPACE,
      dimensions: instanceDimensions(props, instance),
      applies: (d) => d.source === 'health-check' && (d.roles ?? []).includes(instance.role),
    },
  ]);
  const primary = props.instances.find((i) => i.role === 'primary')!;
  return [
    ...instanceTargets,
    { name: 'proxy', namespace: 'AWS/RDS', dimensions: { ProxyName: props.proxyName }, applies: (d) => d.source === 'proxy' },
    ...props.cacheNodeIds.map((nodeId) => ({
      name: `cache-${nodeId.slice(-3)}`,
      namespace: 'AWS/ElastiCache',
      dimensions: { CacheClusterId: nodeId },
      applies: (d: AlarmDefinition) => d.source === 'cache-node',
    })),
    ...TASK_NAMES.map((task) => ({
      name: task,
      namespace: METRIC_NAMESPACE,
      dimensions: dimensionsOf({ environment: props.envName, instanceId: primary.instanceId, role: 'primary', task }),
      applies: (d: AlarmDefinition) => d.source === 'maintenance' && d.task === task,
    })),
    { name: 'schedule-dlq', namespace: 'AWS/SQS', dimensions: { QueueName: props.scheduleDeadLetterQueueName }, applies: (d) => d.source === 'schedule-dlq' },
  ];
}

function metricOf(definition: AlarmDefinition, target: Target): cw.IMetric {
  const metric = new cw.Metric({
    namespace: target.namespace,
    metricName: definition.metric.name,
    dimensionsMap: target.dimensions,
    statistic: definition.statistic,
    period: definition.period,
    unit: definition.source === 'health-check' || definition.source === 'maintenance' ? cloudWatchUnit(definition.metric.unit) : undefined,
  });
  return definition.expression
    ? new cw.MathExpression({ expression: definition.expression, usingMetrics: { m: metric }, period: definition.period, label: `${definition.expression} of ${definition.metric.name}` })
    : metric;
}

/** aws-cdk-lib's enum member of a unit of the contract: the same names, as the compiler checks. */
function cloudWatchUnit(unit: MetricUnit): cw.Unit {
  return (unit satisfies `${cw.Unit}`) as cw.Unit;
}

/** The alarm description names the runbook file, and links it when a base URL is configured. */
function describe(definition: AlarmDefinition, target: Target, runbookBaseUrl?: string): string {
  const link = runbookBaseUrl ? ` ${runbookBaseUrl}/${definition.runbook}` : '';
  return `${target.name}: ${definition.summary}. Runbook: runbooks/${definition.runbook}${link}`;
}

function dashboardRows(props: MonitoringProps, alarms: cw.Alarm[]): cw.IWidget[][] {
  const rdsMetric = (metricName: string, statistic = 'Average', instances = props.instances) =>
    instances.map((i) => new cw.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: i.instanceId }, statistic, label: i.name, period: Duration.minutes(1) }));
  const healthMetric = (metric: MetricDefinition, statistic: string, instances = props.instances) =>
    instances.map((i) => new cw.Metric({ namespace: METRIC_NAMESPACE, metricName: metric.name, dimensionsMap: instanceDimensions(props, i), statistic, label: i.name, period: Duration.minutes(1) }));
  const { connections_used_pct, query_latency, partitions_ahead_min, lock_waits_over_1s, matview_overdue_seconds_max } = METRICS;
  const proxyMetric = (metricName: string, statistic: string) => new cw.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { ProxyName: props.proxyName }, statistic, period: Duration.minutes(1) });
  const cacheMetric = (metricName: string, statistic = 'Average') =>
    props.cacheNodeIds.map((id) => new cw.Metric({ namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: id }, statistic, label: id, period: Duration.minutes(1) }));
  const graph = (title: string, left: cw.IMetric[], width = 8) => new cw.GraphWidget({ title, left, width, height: 6 });
  const primary = props.instances.filter((i) => i.role === 'primary');
  const replicas = props.instances.filter((i) => i.role === 'replica');
  return [
    [new cw.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 6 })],
    [
      graph('CPU (%)', rdsMetric('CPUUtilization')),
      graph('Connections used (% of max_connections)', healthMetric(connections_used_pct, 'Maximum')),
      graph('Query latency p95 (ms, health check)', healthMetric(query_latency, 'p95')),
    ],
    [
      graph('Replica lag (s)', rdsMetric('ReplicaLag', 'Maximum', replicas)),
      graph('Free storage (bytes)', rdsMetric('FreeStorageSpace', 'Minimum')),
      graph('Freeable memory (bytes)', rdsMetric('FreeableMemory', 'Minimum')),
    ],
    [
      graph('Proxy connections', [proxyMetric('ClientConnections', 'Maximum'), proxyMetric('DatabaseConnections', 'Maximum')]),
      graph('Proxy query latency p95 (µs)', [proxyMetric('QueryResponseLatency', 'p95')]),
      graph('Proxy connection setup failures', [proxyMetric('ClientConnectionsSetupFailedAuth', 'Sum'), proxyMetric('DatabaseConnectionsSetupFailed', 'Sum')]),
    ],
    [
      graph('Cache engine CPU (%)', cacheMetric('EngineCPUUtilization')),
      graph('Cache memory (% of maxmemory)', cacheMetric('DatabaseMemoryUsagePercentage', 'Maximum')),
      graph('Cache evictions', cacheMetric('Evictions', 'Sum')),
    ],
    [
      graph('Partitions ahead (min)', healthMetric(partitions_ahead_min, 'Minimum', primary)),
      graph('Lock waits > 1 s', healthMetric(lock_waits_over_1s, 'Maximum', primary)),
      graph('Materialized views: most overdue past their interval (s)', healthMetric(matview_overdue_seconds_max, 'Maximum', primary)),
    ],
  ];
}
