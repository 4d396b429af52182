import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acrossPacks } from './nag';
import { requireInteger, validateCidr, validateLogRetentionDays } from './validation';

export interface NetworkProps {
  /** Availability zones, in order; subnets and nodes are spread over exactly these. */
  readonly availabilityZones: string[];
  /**
   * CIDR block of the VPC; it holds two /24 subnets per zone.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
  /**
   * How long VPC flow logs are kept in CloudWatch Logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /** Key that encrypts the flow-log group. */
  readonly logsKey: kms.IKey;
  /**
   * In how many of the zones, from the first, the interface endpoints have a network interface
   * (see `interfaceEndpointSubnets`).
   * @default - every zone
   */
  readonly interfaceEndpointZones?: number;
}

/** The /24 subnets of each zone: one for data, one for functions. */
const SUBNET_PREFIX = 24;
const SUBNET_GROUPS_PER_ZONE = 2;

/** Subnet group names, used to select subnets everywhere else. */
export const DATA_SUBNETS = 'Data';
export const FUNCTION_SUBNETS = 'Functions';

/**
 * The VPC of the data tier: isolated data subnets for the database and cache, isolated
 * function subnets whose only way out is the interface endpoints (no NAT, no internet
 * gateway), and flow logs.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly dataSubnets: ec2.SubnetSelection;
  readonly functionSubnets: ec2.SubnetSelection;
  /** Security group of the interface endpoints; functions are allowed to it on 443. */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
  /** Subnets of the interface endpoints: the function subnets of `interfaceEndpointZones` zones. */
  readonly interfaceEndpointSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { availabilityZones } = props;
    const cidr = props.cidr ?? '10.40.0.0/16';
    const flowLogRetention = props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR;
    validateCidr(this.node.path, 'cidr', cidr, { subnetsNeeded: availabilityZones.length * SUBNET_GROUPS_PER_ZONE, subnetPrefix: SUBNET_PREFIX });
    validateLogRetentionDays(this.node.path, 'flowLogRetention', flowLogRetention);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones,
      natGateways: 0,
      subnetConfiguration: [
        { name: DATA_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: SUBNET_PREFIX },
        { name: FUNCTION_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: SUBNET_PREFIX },
      ],
      restrictDefaultSecurityGroup: true,
    });
    acknowledgeRestrictDefaultSgProvider(Stack.of(this));
    this.vpc = vpc;
    this.dataSubnets = { subnetGroupName: DATA_SUBNETS };
    this.functionSubnets = { subnetGroupName: FUNCTION_SUBNETS };

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: flowLogRetention,
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

    this.interfaceEndpointSubnets = interfaceEndpointSubnets(this.node.path, this.functionSubnets, availabilityZones, props.interfaceEndpointZones);
    this.endpointSecurityGroup = addApiEndpoints(this, vpc, this.interfaceEndpointSubnets);
  }
}

/**
 * The subnets of the interface endpoints: the function subnets of the first `zones` zones.
 * Interface endpoints are billed per zone and hour; with fewer zones than the tier's, private DNS
 * still answers in the whole VPC, functions in the other zones reach the APIs across zones, and
 * lose them while the endpoint zones are down. For development tiers.
 */
export function interfaceEndpointSubnets(path: string, functionSubnets: ec2.SubnetSelection, availabilityZones: string[], zones?: number): ec2.SubnetSelection {
  if (zones === undefined) return functionSubnets;
  requireInteger(path, 'interfaceEndpointZones', zones, 1, availabilityZones.length);
  return zones === availabilityZones.length ? functionSubnets : { ...functionSubnets, availabilityZones: availabilityZones.slice(0, zones) };
}

/** The AWS APIs the tier's functions call, each reached through an interface endpoint. */
export const API_ENDPOINT_SERVICES: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  CloudWatchMonitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  CloudWatchLogs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  // The cache token rotation modifies the replication group.
  ElastiCache: ec2.InterfaceVpcEndpointAwsService.ELASTICACHE,
};

/**
 * Interface endpoints of the APIs the functions call, in the function subnets, behind a
 * security group of their own (returned): the only way out of isolated subnets.
 */
export function addApiEndpoints(scope: Construct, vpc: ec2.IVpc, subnets: ec2.SubnetSelection): ec2.ISecurityGroup {
  const endpointSecurityGroup = new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
    vpc,
    description: 'Interface endpoints of the data tier: HTTPS from the function subnets only',
    allowAllOutbound: false,
  });
  // Endpoints of the tier's own VPC sit under the VPC, as they always have (their logical IDs).
  const parent = vpc instanceof ec2.Vpc ? vpc : scope;
  for (const [name, service] of Object.entries(API_ENDPOINT_SERVICES)) {
    new ec2.InterfaceVpcEndpoint(parent, `${name}Endpoint`, {
      vpc,
      service,
      subnets,
      securityGroups: [endpointSecurityGroup],
      open: false,
      privateDnsEnabled: true,
    });
  }
  return endpointSecurityGroup;
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
