import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { zonesOf } from './private/allowed-values';
import { DATA_TIER_ZONE_COUNT, DEFAULT_VPC_CIDR, defaultDataSubnets, defaultFunctionSubnets } from './private/defaults';
import { acknowledge, acrossPacks } from './private/nag';
import { VpcEndpoints, vpcEndpointsOf } from './private/vpc-endpoints';
import { DataTierValidationError, requireInteger, validateCidr, validateLogRetentionDays, validateZones } from './private/validation';

/** Where a tier runs: its VPC (given or created), zones and subnets, and its path to the AWS APIs. */
export interface NetworkOptions {
  /**
   * The VPC to build in. Without one the network creates its own: isolated subnets only,
   * interface endpoints for the AWS APIs the functions call, flow logs.
   * @default - a new VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * CIDR block of the VPC the network creates (ignored with `vpc`); it holds two /24 subnets per zone.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Let `cidr` be a publicly routable block. Without it the block must be private: 10.0.0.0/8,
   * 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918, which AWS recommends for a VPC) or 100.64.0.0/10
   * (RFC 6598). The VPC's local route takes every address of its block, so the hosts that hold a
   * public block on the internet are out of reach of the VPC and of every network routed to it:
   * only for a block the organisation owns and means to use.
   * @default false
   */
  readonly allowPublicCidr?: boolean;
  /**
   * How long the flow logs of the VPC the network creates are kept (ignored with `vpc`).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Exactly the three zones to spread over: the primary and its standby in the first two.
   * @default - the VPC's first three zones, or the region's first three for a new VPC
   */
  readonly availabilityZones?: string[];
  /**
   * Subnets of the instances, the proxy and the cache.
   * @default - the VPC's isolated subnets, or its private ones if it has none
   */
  readonly dataSubnets?: ec2.SubnetSelection;
  /**
   * Subnets of the functions and the operator host.
   * @default - the VPC's private subnets with egress, or its isolated ones if it has none
   */
  readonly functionSubnets?: ec2.SubnetSelection;
  /**
   * Create interface endpoints (Secrets Manager, CloudWatch, CloudWatch Logs, KMS, ElastiCache)
   * in the function subnets of a VPC given in `vpc`. A VPC the network creates always has them.
   * @default - true when the function subnets are isolated (there is no other way to the AWS APIs), false otherwise
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * In how many of the zones, from the first, the interface endpoints (the functions' and the
   * operator host's Systems Manager ones) have a network interface. Each endpoint is billed per
   * zone and hour: 1 saves two thirds of that. Private DNS still answers in the whole VPC, so
   * functions and sessions in the other zones reach the APIs across zones, and lose them while
   * the first zone is down: meant for development tiers.
   * @default 3 - every zone of the tier
   */
  readonly interfaceEndpointZones?: number;
  /**
   * The security group of interface endpoints the VPC already has (Secrets Manager, CloudWatch,
   * CloudWatch Logs, KMS, ElastiCache and, with operator access, SSM, SSM Messages and EC2
   * Messages), made outside this app: the tier creates none and admits its functions, secret
   * rotation and operator host to it on 443. Endpoints another tier of this app made in the same
   * VPC are found without it.
   * @default - the tier creates the endpoints it needs, once per VPC
   */
  readonly existingEndpointSecurityGroup?: ec2.ISecurityGroup;
}

export interface NetworkProps extends NetworkOptions {
  /** Key that encrypts the flow-log group of a VPC the network creates. */
  readonly logsKey: kms.IKey;
}

/** The /24 subnets of each zone: one for data, one for functions. */
const SUBNET_PREFIX = 24;
const SUBNET_GROUPS_PER_ZONE = 2;

/** Subnet group names, used to select subnets everywhere else. */
const DATA_SUBNETS = 'Data';
const FUNCTION_SUBNETS = 'Functions';

/**
 * The network of a data tier. In a VPC it creates: isolated data subnets for the database and
 * cache, isolated function subnets whose only way out is the interface endpoints (no NAT, no
 * internet gateway), and flow logs. In a given VPC: the zones and subnets to use, and interface
 * endpoints where the function subnets have no other way to the AWS APIs. Either way it decides
 * how the tier's security groups reach the AWS APIs (`allowAwsApisFrom`).
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  /** Exactly three zones, in order: the primary and its standby use the first two. */
  readonly availabilityZones: string[];
  readonly dataSubnets: ec2.SubnetSelection;
  readonly functionSubnets: ec2.SubnetSelection;
  /** Security group of the VPC's interface endpoints, when the tier uses them (made by it, by another tier or by the VPC's owner). */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  /** The VPC's interface endpoints, shared by every tier in it. */
  private readonly endpoints: VpcEndpoints;
  /** Subnets of the interface endpoints: the function subnets of `interfaceEndpointZones` zones. */
  readonly interfaceEndpointSubnets: ec2.SubnetSelection;
  /**
   * Where the function subnets reach the AWS APIs without endpoints: any IPv4 address when they
   * route out (AWS API addresses have no fixed range); undefined with endpoints or no route out.
   */
  readonly awsApiPeer?: ec2.IPeer;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    // Errors name the tier, not `Default` (the id a given VPC's network has in a DataTier).
    const path = this.node.path.replace(/\/Default$/, '');
    validateLogRetentionDays(path, 'flowLogRetention', props.flowLogRetention ?? DEFAULT_FLOW_LOG_RETENTION);
    if (props.vpc) {
      const vpc = props.vpc;
      this.vpc = vpc;
      this.availabilityZones = tierZones(this, path, props.availabilityZones ?? vpc.availabilityZones.slice(0, DATA_TIER_ZONE_COUNT), props.availabilityZones !== undefined);
      this.dataSubnets = props.dataSubnets ?? defaultDataSubnets(vpc);
      this.functionSubnets = props.functionSubnets ?? defaultFunctionSubnets(vpc);
      checkSubnets(path, vpc, 'dataSubnets', this.dataSubnets, this.availabilityZones);
      checkSubnets(path, vpc, 'functionSubnets', this.functionSubnets, this.availabilityZones);
      this.interfaceEndpointSubnets = interfaceEndpointSubnets(path, this.functionSubnets, this.availabilityZones, props.interfaceEndpointZones);
      const hasEgress = this.hasEgress(this.functionSubnets);
      this.endpoints = vpcEndpointsOf(vpc);
      if (props.existingEndpointSecurityGroup || (props.interfaceEndpoints ?? !hasEgress) || this.endpoints.securityGroup) {
        // Endpoints of a VPC the tier does not own sit under the VPC when it is in the same stack, as they always have.
        const parent = vpc instanceof ec2.Vpc && Stack.of(vpc) === Stack.of(this) ? vpc : this;
        this.endpointSecurityGroup = this.endpoints.useSecurityGroup(this, vpc, props.existingEndpointSecurityGroup);
        this.endpoints.ensure(parent, vpc, this.interfaceEndpointSubnets, API_ENDPOINT_SERVICES);
      }
      this.awsApiPeer = !this.endpointSecurityGroup && hasEgress ? ec2.Peer.anyIpv4() : undefined;
    } else {
      this.availabilityZones = tierZones(this, path, props.availabilityZones ?? regionZones(this), props.availabilityZones !== undefined);
      const vpc = this.createVpc(props);
      this.vpc = vpc;
      this.dataSubnets = props.dataSubnets ?? { subnetGroupName: DATA_SUBNETS };
      this.functionSubnets = props.functionSubnets ?? { subnetGroupName: FUNCTION_SUBNETS };
      this.interfaceEndpointSubnets = interfaceEndpointSubnets(path, { subnetGroupName: FUNCTION_SUBNETS }, this.availabilityZones, props.interfaceEndpointZones);
      this.endpoints = vpcEndpointsOf(vpc);
      this.endpointSecurityGroup = this.endpoints.useSecurityGroup(this, vpc);
      this.endpoints.ensure(vpc, vpc, this.interfaceEndpointSubnets, API_ENDPOINT_SERVICES);
    }
  }

  /**
   * Lets `group` call the AWS APIs over HTTPS: through the interface endpoints; without them,
   * through the VPC's own endpoints (isolated subnets) or its route out (subnets with egress).
   */
  allowAwsApisFrom(group: ec2.ISecurityGroup, description: string): void {
    // Admitted to the VPC's endpoints also when they come later (another tier): private DNS sends every caller there.
    this.endpoints.admit(group, description);
    if (this.endpointSecurityGroup) return;
    if (this.awsApiPeer) {
      group.addEgressRule(this.awsApiPeer, ec2.Port.tcp(443), 'AWS APIs through the route out of the function subnets');
    } else {
      group.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'AWS APIs through the VPC endpoints of the imported VPC');
    }
  }

  private createVpc(props: NetworkProps): ec2.Vpc {
    const cidr = props.cidr ?? DEFAULT_VPC_CIDR;
    validateCidr(this.node.path, 'cidr', cidr, { subnetsNeeded: this.availabilityZones.length * SUBNET_GROUPS_PER_ZONE, subnetPrefix: SUBNET_PREFIX, allowPublic: props.allowPublicCidr });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones: this.availabilityZones,
      natGateways: 0,
      subnetConfiguration: [
        { name: DATA_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: SUBNET_PREFIX },
        { name: FUNCTION_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: SUBNET_PREFIX },
      ],
      restrictDefaultSecurityGroup: true,
    });
    acknowledgeRestrictDefaultSgProvider(Stack.of(this));

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? DEFAULT_FLOW_LOG_RETENTION,
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
    return vpc;
  }

  /** Whether every selected subnet has a route out (none is isolated). */
  private hasEgress(subnets: ec2.SubnetSelection): boolean {
    return this.vpc.selectSubnets(subnets).subnets.every((subnet) => !this.vpc.isolatedSubnets.includes(subnet));
  }
}

const DEFAULT_FLOW_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** The zones, checked against the stack's region when it is known. */
function tierZones(scope: Construct, path: string, zones: string[], given: boolean): string[] {
  const region = Stack.of(scope).region;
  const shown = zones.map((zone) => (Token.isUnresolved(zone) ? '<token>' : zone));
  if (given && zones.length !== DATA_TIER_ZONE_COUNT) {
    throw new DataTierValidationError(path, 'availabilityZones', shown, `must name exactly ${DATA_TIER_ZONE_COUNT} zones: the primary, its standby and a replica each get one`);
  }
  if (zones.length < DATA_TIER_ZONE_COUNT) {
    throw new DataTierValidationError(
      path,
      'availabilityZones',
      shown,
      Token.isUnresolved(region)
        ? `must be given: the VPC offers ${zones.length} zones, as a VPC in an environment-agnostic stack does; give the stack an explicit env or pass ${DATA_TIER_ZONE_COUNT} zones`
        : `must be given: the VPC spans only ${zones.length} zones and the tier needs ${DATA_TIER_ZONE_COUNT}`,
    );
  }
  if (!Token.isUnresolved(region)) validateZones(path, 'availabilityZones', region, zones, { min: DATA_TIER_ZONE_COUNT });
  return zones.slice(0, DATA_TIER_ZONE_COUNT);
}

/**
 * Refuses subnets of a given VPC that cannot hold the tier: public ones (nothing of the tier has a
 * public address), none at all, or subnets that miss one of the tier's zones (the replica, the
 * standby and a cache node are pinned to each).
 */
function checkSubnets(path: string, vpc: ec2.IVpc, prop: 'dataSubnets' | 'functionSubnets', selection: ec2.SubnetSelection, zones: string[]): void {
  const change = `set ${prop} (DataTier: network.${prop}) to the VPC's isolated or private subnets, one in each of ${zones.join(', ')}`;
  let subnets: ec2.ISubnet[];
  try {
    subnets = vpc.selectSubnets(selection).subnets;
  } catch (error) {
    throw new DataTierValidationError(path, prop, selection, `selects no subnet of the VPC (${(error as Error).message.split('\n')[0]}): ${change}`);
  }
  const publicIds = new Set(vpc.publicSubnets.map((subnet) => subnet.node.path));
  const public_ = subnets.filter((subnet) => publicIds.has(subnet.node.path));
  if (public_.length > 0) throw new DataTierValidationError(path, prop, selection, `selects public subnets (${public_.length} of ${subnets.length}); ${change}`);
  const spanned = [...new Set(subnets.map((subnet) => subnet.availabilityZone))];
  if (spanned.some((zone) => Token.isUnresolved(zone)) || zones.some((zone) => Token.isUnresolved(zone))) return;
  const missing = zones.filter((zone) => !spanned.includes(zone));
  if (missing.length > 0) {
    throw new DataTierValidationError(
      path,
      prop,
      selection,
      `spans the zones ${spanned.join(', ') || '(none)'}, and the tier asks for ${zones.join(', ')} (${missing.join(', ')} missing): ${change}, or set availabilityZones (DataTier: network.availabilityZones) to three zones the subnets span`,
    );
  }
}

/** The first three zones of the stack's region, for a VPC the network creates. */
function regionZones(scope: Construct): string[] {
  const region = Stack.of(scope).region;
  const zones = Token.isUnresolved(region) ? undefined : zonesOf(region);
  if (!zones) {
    throw new DataTierValidationError(
      scope.node.path,
      'availabilityZones',
      undefined,
      Token.isUnresolved(region)
        ? 'must be given when the stack has no explicit region (env: { region }), so the tier knows which three zones to use'
        : `must be given: the zones of region ${region} are not in the library's table`,
    );
  }
  return zones.slice(0, DATA_TIER_ZONE_COUNT);
}

/**
 * The subnets of the interface endpoints: the function subnets of the first `zones` zones.
 * Interface endpoints are billed per zone and hour; with fewer zones than the tier's, private DNS
 * still answers in the whole VPC, functions in the other zones reach the APIs across zones, and
 * lose them while the endpoint zones are down. For development tiers.
 */
function interfaceEndpointSubnets(path: string, functionSubnets: ec2.SubnetSelection, availabilityZones: string[], zones?: number): ec2.SubnetSelection {
  if (zones === undefined) return functionSubnets;
  requireInteger(path, 'interfaceEndpointZones', zones, 1, availabilityZones.length);
  return zones === availabilityZones.length ? functionSubnets : { ...functionSubnets, availabilityZones: availabilityZones.slice(0, zones) };
}

/** The AWS APIs the tier's functions call, each reached through an interface endpoint. */
const API_ENDPOINT_SERVICES: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  CloudWatchMonitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  CloudWatchLogs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  // The cache token rotation modifies the replication group.
  ElastiCache: ec2.InterfaceVpcEndpointAwsService.ELASTICACHE,
};

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
