import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as events_targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { vpcEndpointsOf } from './private/vpc-endpoints';
import { acknowledge, acrossPacks } from './private/nag';

/** A security group the operator host may reach, on one port. */
export interface OperatorTarget {
  readonly securityGroup: ec2.ISecurityGroup;
  readonly port: number;
  /** What it is, for the rule descriptions, e.g. `RDS Proxy`. */
  readonly description: string;
}

export interface OperatorAccessProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the host (the function subnets: no route out but the interface endpoints). */
  readonly subnets: ec2.SubnetSelection;
  /** What the host may reach; each target's group gets the matching ingress rule. */
  readonly targets: OperatorTarget[];
  /**
   * Security group of the tier's interface endpoints; the `ssm`, `ssmmessages` and `ec2messages`
   * endpoints are added with it and the host reaches them on 443.
   * @default - an imported VPC: its owner provides the endpoints; the host may reach its CIDR on 443
   */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  /**
   * Where the host reaches Systems Manager on 443 when `endpointSecurityGroup` is not given.
   * @default - the VPC's CIDR (the endpoints of an imported VPC)
   */
  readonly awsApiPeer?: ec2.IPeer;
  /**
   * Subnets of the `ssm`, `ssmmessages` and `ec2messages` endpoints.
   * @default - the host's `subnets`
   */
  readonly endpointSubnets?: ec2.SubnetSelection;
  /** Encrypts the root volume. */
  readonly dataKey: kms.IKey;
  /** Encrypts the session log group. */
  readonly logsKey: kms.IKey;
  /** Days the session logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** Prefix of every physical name, e.g. `data-tier-prod`. */
  readonly name: string;
}

/** The Systems Manager endpoints the host's agent needs. */
const SSM_ENDPOINT_SERVICES: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>> = {
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
};

/**
 * Public SSM parameter naming the newest Amazon Linux 2023 AMI for Graviton. It is resolved by
 * EC2 when the Auto Scaling group launches the host (`resolve:ssm:`), so synth needs no lookup,
 * the template does not change when a new AMI is published, and every replacement host boots
 * the newest image.
 */
export const OPERATOR_HOST_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';
/** The smallest Graviton instance: the host only relays TCP for port-forwarding sessions. */
export const OPERATOR_HOST_INSTANCE_TYPE = 't4g.nano';
/** Minutes an idle shell session stays open. */
export const SESSION_IDLE_TIMEOUT_MINUTES = 20;

/**
 * An operator host reached only through AWS Systems Manager: an Auto Scaling group of one
 * Graviton instance (replaced when EC2 finds it unhealthy) in the function subnets, with no
 * inbound rule, no key pair, IMDSv2 only and an encrypted root volume; its instance profile
 * allows only what the SSM agent needs. The SSM interface endpoints are added to the tier's
 * VPC, and a stack-owned Session document logs shell sessions to an encrypted log group.
 */
export class OperatorAccess extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly role: iam.Role;
  readonly sessionLogGroup: logs.LogGroup;
  readonly sessionDocument: ssm.CfnDocument;
  /** Copies each CloudTrail StartSession of this tier into the session log group. */
  readonly sessionStartRule: events.Rule;
  /** Physical name of the Auto Scaling group, `<prefix>-operator`. */
  readonly autoScalingGroupName: string;
  /** Name of the Session document, `<prefix>-operator-sessions`. */
  readonly sessionDocumentName: string;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { name, vpc } = props;
    this.autoScalingGroupName = `${name}-operator`;
    this.sessionDocumentName = `${name}-operator-sessions`;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `${name} operator host: no inbound; out to the database, proxy and cache ports and the SSM endpoints only`,
      allowAllOutbound: false,
    });
    for (const target of props.targets) {
      const port = ec2.Port.tcp(target.port);
      target.securityGroup.addIngressRule(this.securityGroup, port, `Operator host tunnels to ${target.description}`);
      this.securityGroup.addEgressRule(target.securityGroup, port, `Tunnels to ${target.description}`);
    }

    if (props.endpointSecurityGroup) {
      // One set per VPC: a tier in a VPC that already has them (another tier's) uses those.
      const endpoints = vpcEndpointsOf(vpc);
      endpoints.useSecurityGroup(this, vpc, props.endpointSecurityGroup, { createEndpoints: true });
      endpoints.ensure(this, vpc, props.endpointSubnets ?? props.subnets, SSM_ENDPOINT_SERVICES);
      endpoints.admit(this.securityGroup, 'Operator host reaches Systems Manager and CloudWatch Logs');
    } else {
      // Admitted to endpoints another tier adds to the VPC later: private DNS sends the agent there.
      vpcEndpointsOf(vpc).admit(this.securityGroup, 'Operator host reaches Systems Manager and CloudWatch Logs');
      const peer = props.awsApiPeer ?? ec2.Peer.ipv4(vpc.vpcCidrBlock);
      const through = props.awsApiPeer ? 'the route out of its subnets' : 'the VPC endpoints of the imported VPC';
      this.securityGroup.addEgressRule(peer, ec2.Port.tcp(443), `Systems Manager through ${through}`);
    }

    const sessionLogGroupName = `/aws/ssm/${name}/operator-sessions`;
    this.sessionLogGroup = new logs.LogGroup(this, 'SessionLogs', {
      logGroupName: sessionLogGroupName,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Session preferences of this tier's own document, not the account-wide
    // SSM-SessionManagerRunShell: deploying the tier changes nothing for other teams' sessions.
    this.sessionDocument = new ssm.CfnDocument(this, 'SessionDocument', {
      name: this.sessionDocumentName,
      documentType: 'Session',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '1.0',
        description: `${name} operator host: shell sessions logged to ${sessionLogGroupName}`,
        sessionType: 'Standard_Stream',
        inputs: {
          cloudWatchLogGroupName: sessionLogGroupName,
          cloudWatchEncryptionEnabled: true,
          cloudWatchStreamingEnabled: true,
          s3BucketName: '',
          s3EncryptionEnabled: true,
          runAsEnabled: false,
          idleSessionTimeout: String(SESSION_IDLE_TIMEOUT_MINUTES),
          shellProfile: { linux: '' },
        },
      },
    });
    this.sessionDocument.node.addDependency(this.sessionLogGroup);
    this.sessionStartRule = this.recordSessionStarts(name);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `${name} operator host: the SSM agent's channels and session logs, nothing else`,
    });
    const agentPolicy = new iam.ManagedPolicy(this, 'AgentPolicy', {
      description: `${name} operator host: what the SSM agent needs for sessions (narrower than AmazonSSMManagedInstanceCore)`,
      statements: [
        new iam.PolicyStatement({
          sid: 'RegisterWithSystemsManager',
          actions: ['ssm:UpdateInstanceInformation'],
          resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
        }),
        new iam.PolicyStatement({
          sid: 'SessionChannels',
          actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AgentMessages',
          actions: ['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint', 'ec2messages:GetMessages', 'ec2messages:SendReply'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'CheckSessionLogGroupEncryption',
          actions: ['logs:DescribeLogGroups'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'WriteSessionLogs',
          actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
          resources: [this.sessionLogGroup.logGroupArn],
        }),
      ],
    });
    this.role.addManagedPolicy(agentPolicy);
    acknowledge(
      agentPolicy,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'The ssmmessages and ec2messages channel actions and logs:DescribeLogGroups have no resource-level permissions; the role is assumable only by EC2 for this one operator host.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${literalOr(stack.region, '<AWS::Region>')}:${literalOr(stack.account, '<AWS::AccountId>')}:instance/*]`,
        reason: 'The Auto Scaling group picks the instance id at launch, so registration with Systems Manager is limited to instances of this account and region.',
      },
    );

    // EC2 Auto Scaling launches the host through its service-linked role, which must use the data
    // key to create the encrypted root volume; through EC2 only. A condition, not a principal,
    // names the role, so the policy is valid before the account has that role.
    const autoScalingRoleArn = `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    const viaEc2 = { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com`, 'kms:CallerAccount': stack.account, 'aws:PrincipalArn': autoScalingRoleArn };
    props.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAutoScalingToEncryptOperatorHostVolumes',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: viaEc2 },
      }),
    );
    props.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAutoScalingToAttachOperatorHostVolumes',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(OPERATOR_HOST_INSTANCE_TYPE),
      machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(OPERATOR_HOST_AMI_PARAMETER, { os: ec2.OperatingSystemType.LINUX }),
      role: this.role,
      securityGroup: this.securityGroup,
      httpEndpoint: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: false,
      detailedMonitoring: true,
      associatePublicIpAddress: false,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(8, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true, kmsKey: props.dataKey, deleteOnTermination: true }),
        },
      ],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      autoScalingGroupName: this.autoScalingGroupName,
      vpc,
      vpcSubnets: props.subnets,
      launchTemplate,
      minCapacity: 1,
      maxCapacity: 1,
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(5) }),
    });
    acknowledge(
      this.autoScalingGroup.node.defaultChild!,
      {
        id: 'AwsSolutions-AS3',
        reason:
          'A group of exactly one host that only relays tunnels: a replacement shows in its activity history, and the alarm topic is encrypted with a key the Auto Scaling service-linked role may not publish with.',
      },
      ...acrossPacks(
        { nist: 'AutoScalingGroupELBHealthCheckRequired', hipaa: 'AutoScalingGroupELBHealthCheckRequired', pci: 'AutoScalingGroupELBHealthCheckRequired' },
        'The operator host serves no load balancer; EC2 status checks are its health check, and a failed one replaces the host.',
      ),
    );
  }

  /**
   * Session Manager does not log the data of port-forwarding sessions, so each start of a session
   * on this tier (a tunnel whose remote host is one of its endpoints, or a logged shell) is copied
   * from CloudTrail into the session log group: who (userIdentity), when, and to where (target,
   * document, host and port). EventBridge receives these API-call events only where a CloudTrail
   * trail logs management events.
   */
  private recordSessionStarts(name: string): events.Rule {
    const rule = new events.Rule(this, 'SessionStarts', {
      ruleName: `${name}-operator-session-starts`,
      description: `${name}: copies each StartSession on the tier (tunnels to its endpoints, logged shells) into the session log group`,
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ssm.amazonaws.com'],
          eventName: ['StartSession'],
          $or: [{ requestParameters: { documentName: [this.sessionDocumentName] } }, { requestParameters: { parameters: { host: [{ wildcard: `*${name}-*` }] } } }],
        },
      },
    });
    const group = this.sessionLogGroup;
    // A record CloudWatch Logs refuses is kept here rather than lost.
    const deadLetters = new sqs.Queue(this, 'SessionStartsDeadLetterQueue', {
      queueName: `${name}-operator-session-starts-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      deadLetters,
      ...acrossPacks(
        { awsSolutions: 'SQS3', serverless: 'SQSRedrivePolicy' },
        'This queue is itself the dead-letter queue of the session-start rule; a dead-letter queue of a dead-letter queue would only move the same records again.',
      ),
    );
    rule.addTarget({
      bind: () => {
        events_targets.addToDeadLetterQueueResourcePolicy(rule, deadLetters);
        return { arn: group.logGroupArn, deadLetterConfig: { arn: deadLetters.queueArn }, retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 } };
      },
    });
    // EventBridge writes to CloudWatch Logs under the log group's resource policy, limited to this group.
    const policy = new logs.CfnResourcePolicy(this, 'SessionStartsPolicy', {
      policyName: `${name}-operator-session-starts`,
      policyDocument: Stack.of(this).toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EventBridgeWritesSessionStarts',
            Effect: 'Allow',
            Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            // The log group's Arn attribute already ends in `:*`, covering its streams.
            Resource: group.logGroupArn,
          },
        ],
      }),
    });
    rule.node.addDependency(policy);
    return rule;
  }
}

/** A stack attribute as cdk-nag prints it: the literal, or the pseudo parameter it stands for. */
function literalOr(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? pseudo : value;
}
