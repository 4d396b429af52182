import { Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';
import { packageRunbooksUrl } from './package-root';
import { DataTierValidationError, requireUnique } from './validation';
import { ALARM_DEFINITIONS, type AlarmDefinition, type MetricSource, type ThresholdContext } from '../alarms';

/**
 * An SNS topic encrypted with `key`, which CloudWatch alarms of this account may use to publish
 * to it (they cannot publish to an encrypted topic otherwise).
 */
export function encryptedAlarmTopic(scope: Construct, props: { topicName: string; displayName: string; key: kms.IKey }): sns.Topic {
  const topic = new sns.Topic(scope, 'AlarmTopic', { topicName: props.topicName, displayName: props.displayName, masterKey: props.key, enforceSSL: true });
  props.key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  return topic;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Refuses alarm e-mails that are not addresses, or list one twice. */
export function validateAlarmEmails(path: string, emails: readonly string[]): void {
  requireUnique(path, 'alarmEmails', emails);
  for (const email of emails) {
    if (!EMAIL.test(email)) throw new DataTierValidationError(path, 'alarmEmails', email, 'must be an email address such as oncall@example.com');
  }
}

/**
 * Subscribes each address to the alarm topic (each confirms by e-mail); a notification SNS cannot
 * deliver (a bounced or unconfirmed address) is kept in a queue `UndeliveredAlarmNotifications`
 * of `scope`, not lost. Returns that queue, or undefined without addresses.
 */
export function subscribeAlarmEmails(scope: Construct, topic: sns.ITopic, emails: readonly string[]): sqs.Queue | undefined {
  if (emails.length === 0) return undefined;
  const queue = deadLetterQueue(scope, 'UndeliveredAlarmNotifications', { of: 'the alarm e-mail subscriptions', items: 'messages' });
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: queue }));
  return queue;
}

/** The alarm of one row of the alarm table on one metric, notifying `action` on ALARM and on OK. */
export function alarmOfDefinition(
  scope: Construct,
  id: string,
  props: { alarmName: string; alarmDescription: string; definition: AlarmDefinition; metric: cw.IMetric; context: ThresholdContext; action: cw.IAlarmAction },
): cw.Alarm {
  const { definition } = props;
  const alarm = new cw.Alarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.alarmDescription,
    metric: props.metric,
    threshold: definition.threshold(props.context),
    comparisonOperator: definition.comparison,
    evaluationPeriods: definition.evaluationPeriods,
    datapointsToAlarm: definition.datapointsToAlarm,
    treatMissingData: definition.treatMissingData,
  });
  alarm.addAlarmAction(props.action);
  alarm.addOkAction(props.action);
  return alarm;
}

/**
 * The metric an alarm of the defaults table watches on one AWS resource (`dimensions` in
 * `namespace`): the same metric, statistic and period, for a construct's `metric…()` methods.
 */
export function metricOfAlarm(source: MetricSource, condition: string, namespace: string, dimensions: Record<string, string>): cw.Metric {
  const definition = ALARM_DEFINITIONS.find((d) => d.source === source && d.condition === condition);
  if (!definition) throw new Error(`no ${source} alarm ${condition} in the defaults table (lib/alarms.ts)`);
  return new cw.Metric({ namespace, metricName: definition.metric.name, dimensionsMap: dimensions, statistic: definition.statistic, period: definition.period });
}

/**
 * An alarm's description: what it means, its runbook's file (as shipped in the package) and the
 * runbook's address under `runbookBaseUrl`, so the page the SRE receives links it.
 */
export function alarmDescription(meaning: string, definition: AlarmDefinition, runbookBaseUrl: string | undefined = packageRunbooksUrl()): string {
  const link = runbookBaseUrl === undefined ? '' : ` ${runbookBaseUrl}/${definition.runbook}`;
  return `${meaning}. Runbook: runbooks/${definition.runbook}${link}`;
}

/** Refuses a runbook address that is not an https URL without a trailing slash. */
export function validateRunbookBaseUrl(path: string, url: string | undefined): void {
  if (url !== undefined && !/^https:\/\/[^\s]+[^/\s]$/.test(url)) {
    throw new DataTierValidationError(path, 'runbookBaseUrl', url, 'must be an https URL without a trailing slash');
  }
}
