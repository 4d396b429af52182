import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NetworkConfig } from './config';
import { acknowledge, acrossPacks } from './nag';

export interface NetworkProps {
  /** Availability zones, in order; subnets and nodes are spread over exactly these. */
  readonly availabilityZones: string[];
  /** Network settings of the environment. */
  readonly config: NetworkConfig;
  /** Key that encrypts the flow-log group. */
  readonly logsKey: kms.IKey;
}

/** Subnet group names, used to select subnets everywhere else. */
export const DATA_SUBNETS = 'Data';
export const FUNCTION_SUBNETS = 'Functions';

/**
 * The VPC of the data tier: isolated data subnets for the database and cache, isolated
 * function subnets whose only way out is the interface endpoints (no NAT, no internet
 * gateway), and flow logs. Or an existing VPC, imported without lookups.
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly dataSubnets: ec2.SubnetSelection;
  readonly functionSubnets: ec2.SubnetSelection;
  /** Security group of the interface endpoints; functions are allowed to it on 443. */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config, availabilityZones } = props;

    if (config.existingVpc) {
      const existing = config.existingVpc;
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: existing.vpcId,
        vpcCidrBlock: config.vpcCidr,
        availabilityZones,
        isolatedSubnetIds: existing.dataSubnetIds,
        isolatedSubnetNames: [DATA_SUBNETS],
        privateSubnetIds: existing.functionSubnetIds,
        privateSubnetNames: [FUNCTION_SUBNETS],
      });
      this.dataSubnets = { subnetGroupName: DATA_SUBNETS };
      this.functionSubnets = { subnetGroupName: FUNCTION_SUBNETS };
      return;
    }

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.vpcCidr),
      availabilityZones,
      natGateways: 0,
      subnetConfiguration: [
        { name: DATA_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        { name: FUNCTION_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      restrictDefaultSecurityGroup: true,
    });
    acknowledgeRestrictDefaultSgProvider(Stack.of(this));
    this.vpc = vpc;
    this.dataSubnets = { subnetGroupName: DATA_SUBNETS };
    this.functionSubnets = { subnetGroupName: FUNCTION_SUBNETS };

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: config.flowLogRetentionDays as logs.RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const flowLog = vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    acknowledge(
      flowLog.node.findChild('IAMRole').node.findChild('DefaultPolicy'),
      ...acrossPacks(
        { nist: 'IAMNoInlinePolicy', hipaa: 'IAMNoInlinePolicy', pci: 'IAMNoInlinePolicy' },
        'CDK-generated grant attached to the flow-log role alone (assumable only by vpc-flow-logs.amazonaws.com): write to this one log group.',
      ),
    );

    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Interface endpoints of the data tier: HTTPS from the function subnets only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = endpointSecurityGroup;
    const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      CloudWatchMonitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      CloudWatchLogs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
      // The cache token rotation modifies the replication group.
      ElastiCache: ec2.InterfaceVpcEndpointAwsService.ELASTICACHE,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: this.functionSubnets,
        securityGroups: [endpointSecurityGroup],
        open: false,
        privateDnsEnabled: true,
      });
    }
  }
}

/**
 * aws-cdk-lib's own provider behind `restrictDefaultSecurityGroup`: one function per stack
 * that CloudFormation invokes when the VPC is created, replaced or deleted, to remove the
 * default security group's rules. aws-cdk-lib builds it from plain CfnResources and exposes
 * none of its settings.
 */
function acknowledgeRestrictDefaultSgProvider(stack: Stack): void {
  const provider = stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  acknowledge(
    provider.node.findChild('Role'),
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWS-maintained policy that lets the default-security-group function of aws-cdk-lib write its own logs; only lambda.amazonaws.com can assume the role.',
    },
    ...acrossPacks(
      { nist: 'IAMNoInlinePolicy', hipaa: 'IAMNoInlinePolicy', pci: 'IAMNoInlinePolicy' },
      'Inline policy aws-cdk-lib writes for its default-security-group function: authorize and revoke rules on this VPC\'s default security group, nothing else.',
    ),
  );
  acknowledge(
    provider.node.findChild('Handler'),
    ...acrossPacks(
      { nist: 'LambdaInsideVPC', hipaa: 'LambdaInsideVPC', pci: 'LambdaInsideVPC' },
      'The function closes the default security group of the VPC itself and holds no credentials; it must reach the EC2 API and the CloudFormation response URL in S3, which the isolated subnets have no route to.',
    ),
    ...acrossPacks(
      { nist: 'LambdaDLQ', hipaa: 'LambdaDLQ', serverless: 'LambdaDLQ' },
      'Invoked by CloudFormation for the one Custom::VpcRestrictDefaultSG resource; a failure is reported to CloudFormation, which fails the deployment, so there is nothing to queue.',
    ),
    ...acrossPacks(
      { nist: 'LambdaConcurrency', hipaa: 'LambdaConcurrency' },
      'aws-cdk-lib does not expose reserved concurrency for this provider; CloudFormation invokes it only when the VPC is created, replaced or deleted.',
    ),
    ...acrossPacks(
      { serverless: 'LambdaTracing' },
      'aws-cdk-lib does not expose tracing for this provider; each of its rare runs shows in the stack events, with the outcome CloudFormation received from it.',
    ),
  );
}
