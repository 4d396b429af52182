import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Network, NetworkProps } from '../../lib/network';
import { expectApiEndpoints, messageStart, newStack, TEST_ZONES, validationError } from './support';

/** A stack holding a `Network` over the test zones, synthesized. */
function networkTemplate(props: Partial<NetworkProps> = {}): Template {
  const stack = newStack();
  new Network(stack, 'Network', { availabilityZones: TEST_ZONES, logsKey: new kms.Key(stack, 'LogsKey'), ...props });
  return Template.fromStack(stack);
}

describe('Network with only zones and a logs key', () => {
  const template = networkTemplate();

  test('creates a 10.40.0.0/16 VPC with isolated subnets only: two per zone, no internet gateway, no NAT', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.allResourcesProperties('AWS::EC2::Subnet', {
      MapPublicIpOnLaunch: false,
      Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Isolated' }]),
    });
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  test('reaches the AWS APIs through 5 private interface endpoints behind their own security group', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 5);
    expectApiEndpoints(template);
  });

  test('gives each endpoint a network interface in every zone', () => {
    for (const endpoint of Object.values(template.findResources('AWS::EC2::VPCEndpoint'))) {
      expect(endpoint.Properties.SubnetIds).toHaveLength(TEST_ZONES.length);
    }
  });

  test('logs all traffic to an encrypted log group kept a year', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
  });
});

describe('Network with its interface endpoints in one zone', () => {
  const template = networkTemplate({ interfaceEndpointZones: 1 });

  test('puts each endpoint in the function subnet of the first zone only', () => {
    const subnets = template.findResources('AWS::EC2::Subnet');
    const firstZoneFunctions = Object.entries(subnets)
      .filter(([, s]) => s.Properties.AvailabilityZone === TEST_ZONES[0] && s.Properties.Tags.some((t: { Key: string; Value: string }) => t.Key === 'aws-cdk:subnet-name' && t.Value === 'Functions'))
      .map(([id]) => ({ Ref: id }));
    expect(firstZoneFunctions).toHaveLength(1);
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(5);
    for (const endpoint of endpoints) expect(endpoint.Properties.SubnetIds).toEqual(firstZoneFunctions);
  });

  test('keeps the endpoints private and behind their own security group', () => {
    expectApiEndpoints(template);
  });
});

describe('Network validation', () => {
  test.each([0, 4, 1.5])('refuses %p zones for the interface endpoints', (zones) => {
    const error = validationError(() => networkTemplate({ interfaceEndpointZones: zones }));
    expect(error.message).toBe(`${messageStart('Test/Network', 'interfaceEndpointZones')}${zones}: must be a whole number from 1 to 3`);
  });

  test('refuses a CIDR with host bits set, suggesting the network address', () => {
    const error = validationError(() => networkTemplate({ cidr: '10.42.7.9/16' }));
    expect(error.message).toBe(`${messageStart('Test/Network', 'cidr')}"10.42.7.9/16": must be a CIDR block whose host bits are zero; did you mean 10.42.0.0/16?`);
  });

  test('refuses a CIDR too small for two /24 subnets per zone', () => {
    const error = validationError(() => networkTemplate({ cidr: '10.42.0.0/24' }));
    expect(error.message).toBe(
      `${messageStart('Test/Network', 'cidr')}"10.42.0.0/24": has room for 1 of the 6 /24 subnets the tier needs; use a /21 or larger block, such as 10.42.0.0/21`,
    );
  });

  test('refuses a publicly routable block, naming the private ranges and the switch that allows one', () => {
    const error = validationError(() => networkTemplate({ cidr: '8.8.0.0/16' }));
    expect(error.message.startsWith(`${messageStart('Test/Network', 'cidr')}"8.8.0.0/16": is publicly routable: `)).toBe(true);
    for (const part of ['10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918', '100.64.0.0/10 (RFC 6598)', 'set allowPublicCidr']) expect(error.allowed).toContain(part);
  });

  test('takes RFC 6598 shared space as private, and a public block only with allowPublicCidr', () => {
    networkTemplate({ cidr: '100.64.0.0/16' }).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '100.64.0.0/16' });
    networkTemplate({ cidr: '8.8.0.0/16', allowPublicCidr: true }).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '8.8.0.0/16' });
  });

  test('refuses a block Amazon VPC refuses, allowPublicCidr or not', () => {
    const error = validationError(() => networkTemplate({ cidr: '169.254.0.0/16', allowPublicCidr: true }));
    expect(error.allowed).toBe('lies in 169.254.0.0/16, the link-local range, which Amazon VPC refuses for a VPC; use a private block such as 10.42.0.0/16');
  });
});
