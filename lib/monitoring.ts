import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmThresholds, resolveAlarmThresholds } from './alarm-thresholds';
import { ALARM_DEFINITIONS, AlarmDefinition, ClusterTopologyKind, existsOn } from './alarms';
import { clusterMetricOf, clusterRoleDimensions, publishedOn, watchedOnMultiAzClusterRole } from './private/cluster-metrics';
import { tierName } from './private/defaults';
import { alarmDescription, alarmOfDefinition, encryptedAlarmTopic, subscribeAlarmEmails, validateAlarmEmails, validateRunbookBaseUrl } from './private/alarm-construction';
import { dashboardRows, instanceDimensions, ResolvedTargets } from './private/dashboard';
import { DataTierValidationError, nearest, requireUnique } from './private/validation';
import { dimensionsOf, METRIC_NAMESPACE, type MetricUnit, type Role, TASK_NAMES } from './observability/contract';
import type { TopologyKind } from './topology';

/** A DB instance as the alarms and the dashboard see it. */
export interface MonitoredInstance {
  /** Name part of its alarms, e.g. `primary`, `replica-1`. */
  readonly name: string;
  /** DB instance identifier, e.g. `instance.instanceIdentifier` of an instance created or imported anywhere. */
  readonly instanceId: string;
  readonly role: Role;
}

/** A DB cluster as the alarms and the dashboard see it. */
export interface MonitoredCluster {
  /** The DB cluster identifier. */
  readonly identifier: string;
  readonly kind: ClusterTopologyKind;
}

/** Where alarms go, and which alarms of the defaults table a tier gets. */
export interface MonitoringOptions {
  /**
   * The topic every alarm notifies (ALARM and OK).
   * @default - a new topic encrypted with the data key
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Addresses subscribed to the alarm topic (each confirms by email).
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * Where the runbooks are published, e.g. your own copy at `https://github.com/acme/data-tier/blob/main/runbooks`;
   * each alarm description names its runbook's file and links it there.
   * @default - the package's own runbooks at the installed version's tag of its repository
   */
  readonly runbookBaseUrl?: string;
  /**
   * Thresholds that differ from the defaults table's (`DEFAULT_ALARM_THRESHOLDS`).
   * @default - the defaults table's
   */
  readonly thresholds?: Partial<AlarmThresholds>;
  /**
   * Conditions of the defaults table (`ALARM_DEFINITIONS`) not to create, e.g. `['disk-queue-high']`.
   * @default - every alarm of the table
   */
  readonly disabledAlarms?: string[];
  /**
   * Alarms to create besides the table's, in the same form; each is repeated for every target
   * its source applies to.
   * @default - none
   */
  readonly additionalAlarms?: AlarmDefinition[];
}

export interface MonitoringProps extends MonitoringOptions {
  /**
   * Prefix of the alarm, topic and dashboard names.
   * @default - derived from the construct's path
   */
  readonly name?: string;
  /**
   * Value of the `Environment` dimension the health check publishes its metrics with.
   * @default - the name
   */
  readonly metricEnvironment?: string;
  /**
   * The DB instances watched: exactly one primary, and any replicas. For a DB cluster (`cluster`),
   * the writer (role `primary`) and the readers together (role `replica`), each with the cluster
   * identifier as `instanceId`.
   */
  readonly instances: MonitoredInstance[];
  /**
   * The DB cluster of a cluster topology: its RDS metrics are read per role of an Aurora cluster
   * (or per cluster, as `AlarmDefinition.onTopology` says), and as the worst of a Multi-AZ DB
   * cluster's three instances, which RDS names itself.
   * @default - the instances are DB instances
   */
  readonly cluster?: MonitoredCluster;
  /**
   * Name of the RDS Proxy in front of the primary.
   * @default - no proxy alarms
   */
  readonly proxyName?: string;
  /**
   * ElastiCache member cluster ids, one per node.
   * @default - no cache alarms
   */
  readonly cacheNodeIds?: string[];
  /**
   * Storage allocated to each instance, for the free-storage floor.
   * @default 100
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Name of the queue holding scheduled events EventBridge could not deliver.
   * @default - no alarm on undelivered schedules
   */
  readonly scheduleDeadLetterQueueName?: string;
  /**
   * Encrypts the alarm topic the construct creates; CloudWatch is allowed to use it.
   * @default - a new customer-managed key with rotation
   */
  readonly dataKey?: kms.IKey;
}

/** RDS event categories of DB instances sent to the alarm topic. */
export const RDS_EVENT_CATEGORIES = ['failover', 'failure', 'low storage', 'maintenance', 'configuration change', 'notification'] as const;
/**
 * RDS event categories of a DB cluster sent to the alarm topic (the categories of source type
 * db-cluster, "Amazon RDS event categories and event messages", DB cluster events,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html).
 */
export const RDS_CLUSTER_EVENT_CATEGORIES = ['failover', 'failure', 'configuration change', 'notification'] as const;

/** One alarm target: what its alarms are named after and the dimensions of its metrics. */
interface Target {
  readonly name: string;
  readonly namespace: string;
  readonly dimensions: Record<string, string>;
  readonly applies: (definition: AlarmDefinition) => boolean;
  /** The metric of a definition, where it is not read from `namespace` and `dimensions` alone (a DB cluster's). */
  readonly metricOf?: (definition: AlarmDefinition) => cw.IMetric;
}

/**
 * Alarms from the table in `alarms.ts` (one loop, one alarm per definition and target),
 * all sent to one encrypted SNS topic for ALARM and OK, and a dashboard.
 */
export class Monitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cw.Alarm[] = [];
  private readonly alarmsByName = new Map<string, cw.Alarm>();
  readonly dashboard: cw.Dashboard;
  /** Alarm e-mails SNS could not deliver, when there are e-mail subscriptions. */
  readonly undeliveredNotifications?: sqs.Queue;
  /** The thresholds the alarms were built with, defaults filled in. */
  readonly thresholds: AlarmThresholds;
  private readonly dataKey?: kms.IKey;
  private readonly name: string;
  private readonly targets: Target[];
  private readonly definitions: readonly AlarmDefinition[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const name = tierName(this, props.name);
    this.name = name;
    const path = this.node.path;
    const allocatedStorageGiB = props.allocatedStorageGiB ?? 100;
    this.thresholds = resolveAlarmThresholds(path, props.thresholds, allocatedStorageGiB);
    const alarmEmails = props.alarmEmails ?? [];
    validateAlarmEmails(path, alarmEmails);
    validateRunbookBaseUrl(path, props.runbookBaseUrl);
    // Only the rows that exist on the tier's topology: DB instances unless a cluster is given.
    const topology: TopologyKind = props.cluster?.kind ?? 'instances';
    const onTopology = (d: AlarmDefinition) => existsOn(d, topology);
    const definitions = selectDefinitions(path, props.disabledAlarms ?? [], props.additionalAlarms ?? []).filter(onTopology);
    this.definitions = [...ALARM_DEFINITIONS, ...(props.additionalAlarms ?? [])].filter(onTopology);
    if (props.instances.filter((i) => i.role === 'primary').length !== 1) {
      throw new DataTierValidationError(path, 'instances', props.instances.map((i) => i.name), 'must hold exactly one instance with role primary');
    }
    const targets: ResolvedTargets = {
      metricEnvironment: props.metricEnvironment ?? name,
      instances: props.instances,
      cluster: props.cluster,
      proxyName: props.proxyName,
      cacheNodeIds: props.cacheNodeIds ?? [],
      scheduleDeadLetterQueueName: props.scheduleDeadLetterQueueName,
    };

    if (props.alarmTopic) {
      this.topic = props.alarmTopic;
    } else {
      this.dataKey = props.dataKey ?? new kms.Key(this, 'TopicKey', { description: `${name}: alarm topic`, enableKeyRotation: true });
      this.topic = encryptedAlarmTopic(this, { topicName: `${name}-alarms`, displayName: `${name} data tier alarms`, key: this.dataKey });
    }
    this.undeliveredNotifications = subscribeAlarmEmails(this, this.topic, alarmEmails);

    const action = new cwActions.SnsAction(this.topic);
    const context = { thresholds: this.thresholds, allocatedStorageGiB };
    this.targets = targetsOf(targets);
    for (const target of this.targets) {
      for (const definition of definitions.filter(target.applies)) {
        const alarmName = `${name}-${target.name}-${definition.condition}`;
        const alarm = alarmOfDefinition(this, alarmName.slice(name.length + 1), {
          alarmName,
          alarmDescription: alarmDescription(`${target.name}: ${definition.summary}`, definition, props.runbookBaseUrl),
          definition,
          metric: metricOf(definition, target),
          context,
          action,
        });
        this.alarms.push(alarm);
        this.alarmsByName.set(`${target.name}-${definition.condition}`, alarm);
      }
    }

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: name,
      defaultInterval: Duration.hours(3),
      widgets: dashboardRows(targets, this.alarms),
    });
  }

  /**
   * Sends what AWS itself reports about the DB instances (failover, failure, low storage,
   * maintenance, configuration change, notification) and the cache (its failovers and node
   * replacements, through the replication group's NotificationTopicArn) to the alarm topic,
   * so an SRE learns of a failover from AWS, not only from a symptom alarm.
   */
  notifyServiceEvents(props: { readonly instanceIds: string[]; readonly clusterIds?: string[]; readonly cache?: elasticache.CfnReplicationGroup }): rds.CfnEventSubscription {
    const stack = Stack.of(this);
    const publishers = ['events.rds.amazonaws.com', 'elasticache.amazonaws.com'];
    // The topic's key: only for messages of this topic (SNS sets its ARN as encryption context).
    // A topic given by the caller is encrypted (or not) by the caller's key policy.
    const topicArn = stack.formatArn({ service: 'sns', resource: `${this.name}-alarms` });
    this.dataKey?.addToResourcePolicy(
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
    if (props.cache) props.cache.notificationTopicArn = this.topic.topicArn;
    const clusters = props.clusterIds ?? [];
    return new rds.CfnEventSubscription(this, 'DatabaseEvents', {
      subscriptionName: `${this.name}-database-events`,
      snsTopicArn: this.topic.topicArn,
      sourceType: clusters.length > 0 ? 'db-cluster' : 'db-instance',
      sourceIds: clusters.length > 0 ? clusters : props.instanceIds,
      eventCategories: clusters.length > 0 ? [...RDS_CLUSTER_EVENT_CATEGORIES] : [...RDS_EVENT_CATEGORIES],
      enabled: true,
    });
  }

  /**
   * The metric of a resource and condition, as its alarm watches it (also when the alarm is
   * disabled), e.g. `metric('replica-1', 'replica-lag-high')`.
   */
  metric(resource: string, condition: string): cw.IMetric {
    for (const target of this.targets.filter((t) => t.name === resource)) {
      const definition = this.definitions.find((d) => d.condition === condition && target.applies(d));
      if (definition) return metricOf(definition, target);
    }
    const known = [...new Set(this.targets.map((t) => t.name))];
    throw new DataTierValidationError(this.node.path, 'metric', `${resource} ${condition}`, `must name a resource (${known.join(', ')}) and a condition of the alarm table that applies to it`);
  }

  /** The alarm of a resource and condition, e.g. `alarm('primary', 'health-check-failing')`. */
  alarm(resource: string, condition: string): cw.Alarm {
    const alarm = this.alarmsByName.get(`${resource}-${condition}`);
    if (!alarm) throw new Error(`no alarm ${resource}-${condition}; conditions are defined in lib/alarms.ts`);
    return alarm;
  }
}

/** The defaults table less the disabled conditions, plus the caller's own alarms. */
function selectDefinitions(path: string, disabled: string[], additional: AlarmDefinition[]): AlarmDefinition[] {
  const known = [...new Set(ALARM_DEFINITIONS.map((d) => d.condition))];
  for (const condition of disabled) {
    if (!known.includes(condition)) {
      const close = nearest(condition, known, 2)[0];
      throw new DataTierValidationError(path, 'disabledAlarms', condition, `unknown condition${close ? ` (did you mean ${close}?)` : ''}; the defaults table has ${known.join(', ')}`);
    }
  }
  for (const definition of additional) {
    if (known.includes(definition.condition)) {
      throw new DataTierValidationError(path, 'additionalAlarms', definition.condition, 'is a condition of the defaults table: change its threshold with thresholds, or disable it and add your own under another name');
    }
  }
  requireUnique(path, 'additionalAlarms', additional.map((d) => d.condition));
  return [...ALARM_DEFINITIONS.filter((d) => !disabled.includes(d.condition)), ...additional];
}

function targetsOf(props: ResolvedTargets): Target[] {
  const cluster = props.cluster;
  const instanceTargets = props.instances.flatMap((instance): Target[] => [
    cluster
      ? {
          name: instance.name,
          namespace: 'AWS/RDS',
          dimensions: clusterRoleDimensions(cluster.identifier, instance.role),
          applies: (d) =>
            d.source === 'rds' &&
            (d.roles ?? []).includes(instance.role) &&
            publishedOn(d, cluster.kind) &&
            (cluster.kind !== 'multi-az-cluster' || watchedOnMultiAzClusterRole(d, instance.role)),
          metricOf: (d) => clusterMetricOf(d, cluster.kind, cluster.identifier, instance.role),
        }
      : {
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
  const proxyName = props.proxyName;
  const scheduleDeadLetterQueueName = props.scheduleDeadLetterQueueName;
  return [
    ...instanceTargets,
    ...(proxyName ? [{ name: 'proxy', namespace: 'AWS/RDS', dimensions: { ProxyName: proxyName }, applies: (d: AlarmDefinition) => d.source === 'proxy' }] : []),
    ...props.cacheNodeIds.map((nodeId) => ({
      name: `cache-${nodeId.slice(-3)}`,
      namespace: 'AWS/ElastiCache',
      dimensions: { CacheClusterId: nodeId },
      applies: (d: AlarmDefinition) => d.source === 'cache-node',
    })),
    ...TASK_NAMES.map((task) => ({
      name: task,
      namespace: METRIC_NAMESPACE,
      dimensions: dimensionsOf({ environment: props.metricEnvironment, instanceId: primary.instanceId, role: 'primary', task }),
      applies: (d: AlarmDefinition) => d.source === 'maintenance' && d.task === task,
    })),
    ...(scheduleDeadLetterQueueName
      ? [{ name: 'schedule-dlq', namespace: 'AWS/SQS', dimensions: { QueueName: scheduleDeadLetterQueueName }, applies: (d: AlarmDefinition) => d.source === 'schedule-dlq' }]
      : []),
  ];
}

function metricOf(definition: AlarmDefinition, target: Target): cw.IMetric {
  if (target.metricOf) return target.metricOf(definition);
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

