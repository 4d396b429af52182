import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CrossRegionReplica, CrossRegionReplicaProps } from '../../lib/cross-region-replica';
import { isolatedVpc, messageStart, newStack, validationError } from './support';

const SOURCE = 'arn:aws:rds:us-east-1:123456789012:db:data-tier-prod-primary';

function replica(props: Partial<CrossRegionReplicaProps> = {}) {
  const stack = newStack('Dr', { account: '123456789012', region: 'us-west-2' });
  const construct = new CrossRegionReplica(stack, 'Replica', { vpc: isolatedVpc(stack), sourceInstanceArn: SOURCE, name: 'tier-dr', port: 5433, ...props });
  return { stack, construct, template: Template.fromStack(stack) };
}

describe('where the cross-region replica\'s alarms go', () => {
  test('alarmEmails subscribes each address to the replica\'s own topic, undelivered notifications kept in a queue', () => {
    const { construct, template } = replica({ alarmEmails: ['oncall@example.com', 'dba@example.com'] });
    expect(construct.undeliveredNotifications).toBeDefined();
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map((r) => (r as { Properties: Record<string, unknown> }).Properties);
    expect(subscriptions.map((s) => s.Endpoint).sort()).toEqual(['dba@example.com', 'oncall@example.com']);
    for (const s of subscriptions) {
      expect(s).toMatchObject({ Protocol: 'email', TopicArn: { Ref: expect.stringMatching(/^ReplicaAlarmTopic/) }, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^ReplicaUndeliveredAlarmNotifications/), 'Arn'] } } });
    }
  });

  test('without alarmEmails, no subscription and no queue', () => {
    const { construct, template } = replica();
    expect(construct.undeliveredNotifications).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('refuses an address that is not one, as the tier\'s Monitoring does', () => {
    expect(validationError(() => replica({ alarmEmails: ['oncall'] })).message).toBe(`${messageStart('Dr/Replica', 'alarmEmails')}"oncall": must be an email address such as oncall@example.com`);
  });

  test('refuses a topic of another region: its alarms could not notify it, and the source region\'s is lost with the region', () => {
    const error = validationError(() => {
      const stack = newStack('Dr', { account: '123456789012', region: 'us-west-2' });
      const topic = sns.Topic.fromTopicArn(stack, 'SourceTopic', 'arn:aws:sns:us-east-1:123456789012:tier-alarms');
      new CrossRegionReplica(stack, 'Replica', { vpc: isolatedVpc(stack), sourceInstanceArn: SOURCE, name: 'tier-dr', port: 5433, alarmTopic: topic });
    });
    expect(error.message).toMatch(/^Dr\/Replica: invalid alarmTopic = "arn:aws:sns:us-east-1:123456789012:tier-alarms": is in us-east-1; CloudWatch alarms in us-west-2 notify only a topic of us-west-2/);
  });

  test('takes a topic of its own region', () => {
    const stack = newStack('Dr', { account: '123456789012', region: 'us-west-2' });
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-west-2:123456789012:dr-alarms');
    const construct = new CrossRegionReplica(stack, 'Replica', { vpc: isolatedVpc(stack), sourceInstanceArn: SOURCE, name: 'tier-dr', port: 5433, alarmTopic: topic });
    expect(construct.topic).toBe(topic);
  });
});
