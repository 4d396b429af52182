import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acrossPacks } from './nag';

/**
 * A queue that keeps what a sender could not deliver for 14 days, TLS only, encrypted with an
 * SQS-managed key (it needs no grant to the sender, EventBridge or SNS, on a data key), and the
 * acknowledgement that it has no dead-letter queue of its own.
 */
export function deadLetterQueue(scope: Construct, id: string, props: { queueName?: string; of: string; items: string }): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    queueName: props.queueName,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(
    queue,
    ...acrossPacks(
      { awsSolutions: 'SQS3', serverless: 'SQSRedrivePolicy' },
      `This queue is itself the dead-letter queue of ${props.of}; a dead-letter queue of a dead-letter queue would only move the same ${props.items} again.`,
    ),
  );
  return queue;
}
