import { Duration } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FunctionPlacement } from '../function-placement';
import { METRIC_NAMESPACE } from '../observability/contract';
import { placementOf } from './data-tier-function';
import { deadLetterQueue } from './dead-letter-queue';

/** Times EventBridge retries delivering a scheduled event before it goes to the dead-letter queue. */
export const SCHEDULE_RETRY_ATTEMPTS = 2;

/** The queue scheduled events EventBridge could not deliver land in (`ScheduleDeadLetterQueue` under `scope`). */
export function scheduleDeadLetterQueue(scope: Construct, name: string): sqs.Queue {
  // The events carry only a task name.
  return deadLetterQueue(scope, 'ScheduleDeadLetterQueue', { queueName: `${name}-schedule-dlq`, of: 'the scheduled EventBridge targets', items: 'events' });
}

/** Delivery of a scheduled event: an event older than the interval of its schedule is superseded by the next run. */
export function scheduledDelivery(deadLetterQueue: sqs.IQueue, interval: Duration): targets.LambdaFunctionProps {
  return { deadLetterQueue, retryAttempts: SCHEDULE_RETRY_ATTEMPTS, maxEventAge: interval };
}

/** What the health-check and maintenance functions share: placement, one run at a time, their metrics. */
export function scheduledFunctionProps(props: FunctionPlacement & { readonly metricEnvironment: string; readonly writerId: string }) {
  return {
    ...placementOf(props),
    reservedConcurrency: 1,
    anyResourceReasons: [`cloudwatch:PutMetricData has no resource-level permissions; the statement is limited to the ${METRIC_NAMESPACE} namespace by the cloudwatch:namespace condition.`],
    environment: { METRIC_NAMESPACE, ENVIRONMENT: props.metricEnvironment, PRIMARY_INSTANCE_ID: props.writerId },
  };
}

/** Lets the function publish to the tier's metric namespace, and nowhere else. */
export function allowMetricPublishing(fn: lambda.Function): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
    }),
  );
}
