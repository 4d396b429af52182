// The prod tier's application roles, as app/environments/prod.json declares them: analytics_writer
// signs in with IAM, analytics_reader with its rotated secret, both on the analytics stream's
// schema (public).
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildApp } from '../../app/app';
import { TEST_ENVIRONMENT } from './synth';

// The prod app as `cdk synth` builds it, with a service that the tier lets sign in as each role.
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = buildApp(app, { context: { env: 'prod' }, environment: TEST_ENVIRONMENT });
const writer = new iam.Role(stack, 'AnalyticsIngest', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
const reader = new iam.Role(stack, 'AnalyticsDashboard', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
stack.tier.grantConnect(writer, 'analytics_writer');
stack.tier.grantConnect(reader, 'analytics_reader');
const template = Template.fromStack(stack);

const READER_SECRET = 'DatabaseApplicationRolesAnalyticsReaderAttachmentD976D888';
const dbUser = (resourceId: unknown, user: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:us-east-1:111111111111:dbuser:', resourceId, `/${user}`]] });
const statementsOf = (role: iam.Role) => {
  const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } }));
  return policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
};

describe('the secret role, analytics_reader', () => {
  it('has its own secret, encrypted with the data key, holding the master secret\'s ARN for multi-user rotation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'data-tier-prod/postgres/app/analytics_reader',
      KmsKeyId: { 'Fn::GetAtt': ['KeysDataKey8F3FE3A4', 'Arn'] },
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: { 'Fn::Join': ['', ['{"username":"analytics_reader","masterarn":"', { Ref: 'DatabaseMasterSecretAttachment67754D68' }, '"}']] },
      }),
    });
  });

  it('rotates every 30 days with alternating users, after the migrations created the role', () => {
    template.hasResource('AWS::SecretsManager::RotationSchedule', {
      Properties: {
        SecretId: { Ref: READER_SECRET },
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        HostedRotationLambda: Match.objectLike({
          RotationType: 'PostgreSQLMultiUser',
          RotationLambdaName: 'data-tier-prod-analytics_reader-secret-rotation',
          MasterSecretArn: { Ref: 'DatabaseMasterSecretAttachment67754D68' },
        }),
      },
      DependsOn: ['Schema42171392'],
    });
  });

  it('is one of the proxy\'s auth entries, signed in with its secret like the tier\'s own users', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      Auth: [
        // Master, health check, operator.
        ...Array(3).fill(Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'DISABLED' })),
        { AuthScheme: 'SECRETS', IAMAuth: 'DISABLED', SecretArn: { Ref: READER_SECRET } },
      ],
    });
  });

  it('is granted as read of its secret, and decrypt with the data key through Secrets Manager only', () => {
    expect(statementsOf(reader)).toEqual([{ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: READER_SECRET } }]);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Action: 'kms:Decrypt',
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::GetAtt': [stack.getLogicalId(reader.node.defaultChild as iam.CfnRole), 'Arn'] } },
            Resource: '*',
          },
        ]),
      },
    });
  });
});

describe('the IAM role, analytics_writer', () => {
  it('makes the proxy sign clients in with IAM end to end', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', { DBProxyName: 'data-tier-prod-proxy', DefaultAuthScheme: 'IAM_AUTH' });
  });

  it('lets the proxy\'s role sign in to the primary as analytics_writer, and as no other user', () => {
    const proxyRole = stack.tier.database.proxy.node.findChild('IAMRole') as iam.Role;
    expect(statementsOf(proxyRole).filter((statement) => statement.Action === 'rds-db:connect')).toEqual([
      { Action: 'rds-db:connect', Effect: 'Allow', Resource: dbUser({ 'Fn::GetAtt': ['DatabasePrimaryEDE0B3D0', 'DbiResourceId'] }, 'analytics_writer') },
    ]);
  });

  it('is granted as rds-db:connect for that user on the proxy and on each read replica', () => {
    const proxyId = { 'Fn::Select': [6, { 'Fn::Split': [':', { 'Fn::GetAtt': ['DatabaseProxyE01FC4E6', 'DBProxyArn'] }] }] };
    expect(statementsOf(writer)).toEqual([
      { Action: 'rds-db:connect', Effect: 'Allow', Resource: dbUser(proxyId, 'analytics_writer') },
      {
        Action: 'rds-db:connect',
        Effect: 'Allow',
        Resource: ['DatabaseReplica1ED560A1F', 'DatabaseReplica2035311FF'].map((replica) => dbUser({ 'Fn::GetAtt': [replica, 'DbiResourceId'] }, 'analytics_writer')),
      },
    ]);
  });
});

describe('the migrations', () => {
  it('are told both roles and the analytics stream\'s schema, and re-run when either changes', () => {
    const roles = {
      'Fn::Join': [
        '',
        [
          '[{"name":"analytics_writer","access":"read-write","schemas":["public"],"signIn":"iam"},' +
            '{"name":"analytics_reader","access":"read-only","schemas":["public"],"signIn":"secret","connectionLimit":20,"statementTimeoutMs":30000,"secretArn":"',
          { Ref: READER_SECRET },
          '"}]',
        ],
      ],
    };
    const streamSchemas = '{"analytics":["public"]}';
    template.hasResourceProperties('Custom::SchemaMigrations', { ApplicationRoles: roles, StreamSchemas: streamSchemas });
    // Properties, not the function's environment: a rolled-back deploy sends the previous ones.
    const [migrations] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'data-tier-prod-schema-migrations' } }));
    expect(JSON.stringify(migrations.Properties.Environment)).not.toContain('analytics_reader');
  });
});
