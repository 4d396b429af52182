import { Match, Template } from 'aws-cdk-lib/assertions';
import { EncryptionKeys } from '../../lib/encryption';
import { newStack } from './support';

describe('EncryptionKeys', () => {
  const stack = newStack();
  new EncryptionKeys(stack, 'Keys', { aliasPrefix: 'orders-prod' });
  const template = Template.fromStack(stack);

  test('creates a data key and a logs key, rotated yearly and kept when the stack is deleted', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(Object.values(template.findResources('AWS::KMS::Key')).map((key) => key.DeletionPolicy)).toEqual(['Retain', 'Retain']);
  });

  test('names them with aliases under the prefix', () => {
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders-prod/data' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders-prod/logs' });
  });

  test('lets CloudWatch Logs of the stack\'s region and account use the logs key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'orders-prod: CloudWatch Logs of the data tier',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisAccount',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: { ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:*']] },
            } },
          }),
        ]),
      },
    });
  });
});
