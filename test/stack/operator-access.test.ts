import * as logs from 'aws-cdk-lib/aws-logs';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { OUTPUTS } from '../../app/data-tier-stack';
import { RDS_EVENT_CATEGORIES } from '../../lib/monitoring';
import { OPERATOR_HOST_AMI_PARAMETER, OperatorAccess } from '../../lib/operator-access';
import { synthesize } from './synth';

/** The construct alone in a bare stack: a VPC, two target groups and the endpoint group. */
function bare(options: { endpoints: boolean }) {
  const stack = new Stack(new App(), 'Bare', { env: { account: '111111111111', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], natGateways: 0, subnetConfiguration: [{ name: 'Functions', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const group = (id: string) => new ec2.SecurityGroup(stack, id, { vpc, allowAllOutbound: false });
  const database = group('Database');
  const cache = group('Cache');
  const endpoints = options.endpoints ? group('Endpoints') : undefined;
  new OperatorAccess(stack, 'Operator', {
    vpc,
    subnets: { subnetGroupName: 'Functions' },
    targets: [
      { securityGroup: database, port: 5433, description: 'the database' },
      { securityGroup: cache, port: 6380, description: 'the cache' },
    ],
    endpointSecurityGroup: endpoints,
    dataKey: new kms.Key(stack, 'DataKey'),
    logsKey: new kms.Key(stack, 'LogsKey'),
    logRetention: logs.RetentionDays.ONE_MONTH,
    name: 'data-tier-test',
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('operator host (construct in a bare stack)', () => {
  const { stack, template } = bare({ endpoints: true });
  const groupId = (prefix: string) => Object.keys(template.findResources('AWS::EC2::SecurityGroup')).find((id) => id.startsWith(prefix))!;
  const operatorGroup = () => template.findResources('AWS::EC2::SecurityGroup')[groupId('OperatorSecurityGroup')].Properties;

  it('is one t4g.nano on Amazon Linux 2023 for Graviton, resolved at launch from the public SSM parameter (no lookup at synth)', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ InstanceType: 't4g.nano', ImageId: `resolve:ssm:${OPERATOR_HOST_AMI_PARAMETER}` }),
    });
    expect(OPERATOR_HOST_AMI_PARAMETER).toMatch(/al2023-ami-kernel-default-arm64$/);
    expect(JSON.stringify(template.toJSON().Parameters ?? {})).not.toMatch(/AWS::EC2::Image::Id/);
    expect(stack.node.tryGetContext('ami')).toBeUndefined();
  });

  it('requires IMDSv2, has no key pair and no public address, and an encrypted gp3 root volume under the data key', () => {
    const data = (Object.values(template.findResources('AWS::EC2::LaunchTemplate'))[0] as any).Properties.LaunchTemplateData;
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 });
    expect(data.KeyName).toBeUndefined();
    expect(data.NetworkInterfaces[0].AssociatePublicIpAddress).toBe(false);
    expect(data.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 8, DeleteOnTermination: true, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] } } },
    ]);
  });

  it('replaces itself: an Auto Scaling group of exactly one with EC2 health checks, named after the environment', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { AutoScalingGroupName: 'data-tier-test-operator', MinSize: '1', MaxSize: '1', HealthCheckType: 'EC2' });
  });

  it('lets Auto Scaling use the data key for the root volume only through EC2', () => {
    const statements = (Object.values(template.findResources('AWS::KMS::Key')) as any[]).flatMap((k) => k.Properties.KeyPolicy.Statement);
    const grant = statements.find((s) => s.Sid === 'AllowAutoScalingToAttachOperatorHostVolumes');
    expect(grant.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com', 'kms:CallerAccount': '111111111111', 'aws:PrincipalArn': expect.anything() },
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
    expect(JSON.stringify(grant.Condition.StringEquals['aws:PrincipalArn'])).toContain(':iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling');
  });

  it('has no inbound rule, and reaches only its targets on their ports and the endpoints on 443', () => {
    expect(operatorGroup().SecurityGroupIngress).toBeUndefined();
    const operator = groupId('OperatorSecurityGroup');
    const ingressFromOperator = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as any[];
    expect(ingressFromOperator.filter((r) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0] === operator).map((r) => [r.Properties.GroupId['Fn::GetAtt'][0], r.Properties.FromPort]).sort()).toEqual(
      [[groupId('Cache'), 6380], [groupId('Database'), 5433], [groupId('Endpoints'), 443]].sort(),
    );
    const egress = (Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')) as any[]).filter((r) => r.Properties.GroupId['Fn::GetAtt'][0] === operator);
    expect(egress.map((r) => [r.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0], r.Properties.FromPort, r.Properties.ToPort]).sort()).toEqual(
      [[groupId('Cache'), 6380, 6380], [groupId('Database'), 5433, 5433], [groupId('Endpoints'), 443, 443]].sort(),
    );
    expect(operatorGroup().SecurityGroupEgress).toBeUndefined();
  });

  it('adds the ssm, ssmmessages and ec2messages interface endpoints with private DNS', () => {
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e: any) => JSON.stringify(e.Properties.ServiceName));
    for (const service of ['ssm', 'ssmmessages', 'ec2messages']) expect(services.filter((name) => name.includes(`.${service}"`))).toHaveLength(1);
    for (const endpoint of Object.values(template.findResources('AWS::EC2::VPCEndpoint')) as any[]) expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
  });

  it('logs sessions through a stack-owned Session document to a KMS-encrypted log group with retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/ssm/data-tier-test/operator-sessions', RetentionInDays: 30, KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SSM::Document', {
      Name: 'data-tier-test-operator-sessions',
      DocumentType: 'Session',
      Content: Match.objectLike({
        sessionType: 'Standard_Stream',
        inputs: Match.objectLike({ cloudWatchLogGroupName: '/aws/ssm/data-tier-test/operator-sessions', cloudWatchEncryptionEnabled: true, cloudWatchStreamingEnabled: true, runAsEnabled: false }),
      }),
    });
  });

  it('copies each start of a tunnel to the tier, or of a logged shell, from CloudTrail into the session log group: who, when, to where', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'data-tier-test-operator-session-starts',
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ssm.amazonaws.com'],
          eventName: ['StartSession'],
          $or: [{ requestParameters: { documentName: ['data-tier-test-operator-sessions'] } }, { requestParameters: { parameters: { host: [{ wildcard: '*data-tier-test-*' }] } } }],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperatorSessionLogs'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperatorSessionStartsDeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'data-tier-test-operator-session-starts-dlq', SqsManagedSseEnabled: true });
    const [policy] = Object.values(template.findResources('AWS::Logs::ResourcePolicy')) as any[];
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('OperatorSessionLogs');
    expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toMatch(/:\*:\*/);
  });

  it('gives the instance profile only what the SSM agent needs: no AWS-managed policy, logs only to its own group', () => {
    const role = (Object.values(template.findResources('AWS::IAM::Role')) as any[]).find((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'ec2.amazonaws.com')!;
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).not.toMatch(/iam::aws:policy/);
    expect(role.Properties.Policies).toBeUndefined();
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[];
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.every((a: string) => /^(ssm:UpdateInstanceInformation|ssmmessages:|ec2messages:|logs:)/.test(a))).toBe(true);
    const write = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'WriteSessionLogs');
    expect(write.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OperatorSessionLogs/), 'Arn'] });
  });

  it('in an imported VPC, creates no endpoints and reaches the VPC CIDR on 443 for the owner’s', () => {
    const imported = bare({ endpoints: false }).template;
    imported.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const group = (Object.values(imported.findResources('AWS::EC2::SecurityGroup')) as any[]).find((g) => /operator host/.test(g.Properties.GroupDescription))!;
    expect(group.Properties.SecurityGroupEgress).toEqual(expect.arrayContaining([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: expect.anything() })]));
  });
});

describe('operator access in the stack', () => {
  it('is on in every environment by default, with its outputs', () => {
    for (const envName of ['dev', 'staging', 'prod'] as const) {
      const { template } = synthesize(envName);
      template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { AutoScalingGroupName: `data-tier-${envName}-operator` });
      const outputs = template.findOutputs('*');
      for (const name of [OUTPUTS.operatorHostGroupName, OUTPUTS.operatorSessionDocumentName, OUTPUTS.operatorSessionLogGroupName]) expect(outputs[name]).toBeDefined();
    }
  });

  it('is gone, endpoints and rules included, with operatorAccess.enabled=false', () => {
    const { template } = synthesize('prod', { overrides: JSON.stringify({ operatorAccess: { enabled: false } }) });
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
    template.resourceCountIs('AWS::SSM::Document', 0);
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e: any) => JSON.stringify(e.Properties.ServiceName));
    expect(services.filter((name) => /\.(ssm|ssmmessages|ec2messages)"/.test(name))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/OperatorAccess/);
    // The database role's secret (OperatorSecretArn) stays: it serves any path in, not only this host.
    expect(Object.keys(template.findOutputs('*')).filter((name) => /^Operator(Host|Session)/.test(name))).toEqual([]);
    expect(template.findOutputs('OperatorSecretArn')).not.toEqual({});
  });

  it('reaches the proxy, the primary, both replicas and the cache of prod', () => {
    const { template } = synthesize('prod');
    const operator = Object.keys(template.findResources('AWS::EC2::SecurityGroup')).find((id) => id.startsWith('OperatorAccessSecurityGroup'))!;
    const targets = (Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as any[])
      .filter((r) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0] === operator)
      .map((r) => `${r.Properties.GroupId['Fn::GetAtt'][0].replace(/SecurityGroup.*$/, '')}:${r.Properties.FromPort}`)
      .sort();
    expect(targets).toEqual(['Cache:6380', 'DatabasePrimary:5433', 'DatabaseProxy:5433', 'DatabaseReplica:5433', 'NetworkEndpoint:443']);
  });
});

describe('service events to the alarm topic', () => {
  const { template } = synthesize('prod');

  it('subscribe the primary and every replica to failover, failure, low storage, maintenance, configuration change and notification', () => {
    template.hasResourceProperties('AWS::RDS::EventSubscription', {
      SubscriptionName: 'data-tier-prod-database-events',
      SourceType: 'db-instance',
      SnsTopicArn: { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') },
      EventCategories: [...RDS_EVENT_CATEGORIES],
      SourceIds: [{ Ref: Match.stringLikeRegexp('^DatabasePrimary') }, { Ref: Match.stringLikeRegexp('^DatabaseReplica1') }, { Ref: Match.stringLikeRegexp('^DatabaseReplica2') }],
      Enabled: true,
    });
  });

  it('send the cache’s own events (failovers, node replacements) through the replication group’s notification topic', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { NotificationTopicArn: { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') } });
  });

  it('let RDS and ElastiCache use the data key only for messages of the alarm topic', () => {
    const key = (Object.entries(template.findResources('AWS::KMS::Key')) as any[]).find(([id]) => id.startsWith('KeysDataKey'))[1];
    const statement = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowRdsAndElastiCacheEventsToPublishEncrypted');
    expect(statement.Principal.Service.sort()).toEqual(['elasticache.amazonaws.com', 'events.rds.amazonaws.com']);
    expect(statement.Action.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(JSON.stringify(statement.Condition.StringEquals['kms:EncryptionContext:aws:sns:topicArn'])).toContain(':data-tier-prod-alarms');
  });
});
