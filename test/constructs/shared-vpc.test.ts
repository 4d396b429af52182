import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataTier } from '../../lib/data-tier';
import { isolatedVpc, messageStart, newApp, newStack, TEST_ENV, TEST_ZONES, validationError } from './support';

/** The API endpoints every tier's functions call, and the Systems Manager ones of the operator hosts. */
const ENDPOINT_SERVICES = ['secretsmanager', 'monitoring', 'logs', 'kms', 'elasticache', 'ssm', 'ssmmessages', 'ec2messages'];

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Every resource of the app's stacks, by logical id (prefixed with the stack name). */
function resourcesOf(...stacks: Stack[]): Resources {
  return Object.fromEntries(
    stacks.flatMap((stack) => Object.entries(Template.fromStack(stack).toJSON().Resources as Resources).map(([id, r]) => [`${stack.stackName}/${id}`, r])),
  );
}

/** The security groups of a tier that call AWS APIs: its functions, the secret rotation and the operator host. */
function apiCallersOf(tier: DataTier): ec2.SecurityGroup[] {
  return [tier.functionSecurityGroup, tier.database.rotationSecurityGroup, tier.operatorAccess!.securityGroup];
}

/** Where a group may go on 443: each rule's destination, resolved in its stack. */
function httpsEgressOf(group: ec2.SecurityGroup, resources: Resources): unknown[] {
  const stack = Stack.of(group);
  const id = stack.resolve(group.securityGroupId);
  const inline = Object.values(resources)
    .filter((r) => r.Type === 'AWS::EC2::SecurityGroup' && JSON.stringify(r.Properties.GroupDescription) === JSON.stringify(stack.resolve((group.node.defaultChild as ec2.CfnSecurityGroup).groupDescription)))
    .flatMap((r) => (r.Properties.SecurityGroupEgress as Array<Record<string, unknown>> | undefined) ?? []);
  const separate = Object.values(resources)
    .filter((r) => r.Type === 'AWS::EC2::SecurityGroupEgress' && JSON.stringify(r.Properties.GroupId) === JSON.stringify(id))
    .map((r) => r.Properties);
  return [...inline, ...separate].filter((rule) => rule.FromPort === 443).map((rule) => rule.DestinationSecurityGroupId ?? rule.CidrIp);
}

/** The groups admitted on 443 by the endpoints' security group, as written in the templates. */
function admittedBy(endpointGroup: ec2.ISecurityGroup, resources: Resources): unknown[] {
  const id = JSON.stringify(Stack.of(endpointGroup).resolve(endpointGroup.securityGroupId));
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.FromPort === 443 && JSON.stringify(r.Properties.GroupId) === id)
    .map((r) => r.Properties.SourceSecurityGroupId);
}

function serviceOf(endpoint: { Properties: Record<string, unknown> }): string {
  return JSON.stringify(endpoint.Properties.ServiceName).match(/\.([a-z0-9]+)"?\]*\}*"?$/)?.[1] ?? JSON.stringify(endpoint.Properties.ServiceName);
}

describe('two tiers in one stack and a caller\'s isolated VPC', () => {
  const stack = newStack();
  const vpc = isolatedVpc(stack);
  const orders = new DataTier(stack, 'Orders', { network: { vpc } });
  const billing = new DataTier(stack, 'Billing', { network: { vpc } });
  const resources = resourcesOf(stack);
  const endpoints = Object.values(resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint');

  test('synthesize, with one interface endpoint per service for the whole VPC', () => {
    expect(endpoints.map(serviceOf).sort()).toEqual([...ENDPOINT_SERVICES].sort());
  });

  test('share one endpoint security group', () => {
    expect(orders.network.endpointSecurityGroup).toBe(billing.network.endpointSecurityGroup);
    expect(new Set(endpoints.map((e) => JSON.stringify(e.Properties.SecurityGroupIds))).size).toBe(1);
  });

  test.each([['Orders', orders], ['Billing', billing]])('admit each %s function, secret rotation and operator host on 443, and send their 443 nowhere else', (_, tier) => {
    const endpointGroup = stack.resolve(tier.network.endpointSecurityGroup!.securityGroupId);
    for (const group of apiCallersOf(tier)) {
      expect(httpsEgressOf(group, resources)).toEqual([endpointGroup]);
      const source = JSON.stringify(stack.resolve(group.securityGroupId));
      const ingress = Object.values(resources).filter(
        (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.FromPort === 443 && JSON.stringify(r.Properties.SourceSecurityGroupId) === source,
      );
      expect(ingress.map((r) => r.Properties.GroupId)).toEqual([endpointGroup]);
    }
  });
});

describe('tiers in two stacks of a VPC in a third', () => {
  const app = newApp();
  const network = new Stack(app, 'Network', { env: TEST_ENV });
  const vpc = isolatedVpc(network);
  const ordersStack = new Stack(app, 'OrdersData', { env: TEST_ENV });
  const billingStack = new Stack(app, 'BillingData', { env: TEST_ENV });
  const orders = new DataTier(ordersStack, 'Orders', { network: { vpc } });
  const billing = new DataTier(billingStack, 'Billing', { network: { vpc } });
  const assembly = app.synth();

  test('synthesize without a dependency cycle, the endpoints made once, by the first tier\'s stack', () => {
    const count = (name: string) => Object.values(assembly.getStackByName(name).template.Resources as Resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint').length;
    expect([count('Network'), count('OrdersData'), count('BillingData')]).toEqual([0, ENDPOINT_SERVICES.length, 0]);
  });

  test('admit the second stack\'s tier to the first one\'s endpoints', () => {
    expect(billing.network.endpointSecurityGroup).toBe(orders.network.endpointSecurityGroup);
    const all = resourcesOf(network, ordersStack, billingStack);
    for (const group of apiCallersOf(billing)) {
      const source = JSON.stringify(Stack.of(group).resolve(group.securityGroupId));
      const admitted = Object.values(all).filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.FromPort === 443 && JSON.stringify(r.Properties.SourceSecurityGroupId) === source);
      expect(admitted).toHaveLength(1);
    }
  });
});

describe('a tier in a VPC whose owner made the endpoints', () => {
  const stack = newStack();
  const vpc = isolatedVpc(stack);
  const owners = new ec2.SecurityGroup(stack, 'OwnersEndpoints', { vpc, allowAllOutbound: false });
  const tier = new DataTier(stack, 'Orders', { network: { vpc, existingEndpointSecurityGroup: owners } });
  const resources = resourcesOf(stack);

  test('creates no endpoint and admits its callers to the owner\'s group on 443', () => {
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')).toEqual([]);
    for (const group of apiCallersOf(tier)) expect(httpsEgressOf(group, resources)).toEqual([stack.resolve(owners.securityGroupId)]);
  });
});

describe('a tier routing out of its subnets, then a tier that needs endpoints in the same VPC', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_ZONES, natGateways: 1 });
  const first = new DataTier(stack, 'First', { network: { vpc } });
  const second = new DataTier(stack, 'Second', { network: { vpc, interfaceEndpoints: true } });
  const resources = resourcesOf(stack);

  test('admits the first tier to the endpoints too: private DNS sends its calls there', () => {
    expect(first.network.endpointSecurityGroup).toBeUndefined();
    const endpointGroup = stack.resolve(second.network.endpointSecurityGroup!.securityGroupId);
    for (const group of [first.functionSecurityGroup, first.database.rotationSecurityGroup]) {
      expect(httpsEgressOf(group, resources)).toEqual(expect.arrayContaining([endpointGroup]));
    }
    const callers = [...apiCallersOf(first), ...apiCallersOf(second)].map((group) => stack.resolve(group.securityGroupId));
    expect(admittedBy(second.network.endpointSecurityGroup!, resources)).toEqual(expect.arrayContaining(callers));
    expect(admittedBy(second.network.endpointSecurityGroup!, resources)).toHaveLength(callers.length);
  });
});

describe('a VPC that cannot hold the tier', () => {
  test('is refused when the given zones are not spanned by its subnets, naming the zones on both sides', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_ZONES.slice(0, 2), natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const error = validationError(() => new DataTier(stack, 'Orders', { network: { vpc, availabilityZones: TEST_ZONES } }));
    expect(error.message.startsWith(messageStart('Test/Orders', 'dataSubnets'))).toBe(true);
    expect(error.message).toContain('spans the zones us-east-1a, us-east-1b, and the tier asks for us-east-1a, us-east-1b, us-east-1c (us-east-1c missing)');
    expect(error.message).toContain('network.dataSubnets');
  });

  test('is refused when the data subnets chosen are public, naming the prop to change', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_ZONES, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const error = validationError(() => new DataTier(stack, 'Orders', { network: { vpc, dataSubnets: { subnetType: ec2.SubnetType.PUBLIC } } }));
    expect(error.message).toContain('selects public subnets (3 of 3); set dataSubnets (DataTier: network.dataSubnets)');
  });
});

describe('migration streams checked at synth', () => {
  const root = mkdtempSync(join(tmpdir(), 'streams-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const stream = (name: string, files: string[]) => {
    const directory = join(root, name);
    mkdirSync(directory, { recursive: true });
    for (const file of files) writeFileSync(join(directory, file), 'SELECT 1;\n');
    return directory;
  };
  const refusal = (applicationMigrations: string[]) => validationError(() => new DataTier(newStack(), 'Orders', { applicationMigrations }));

  test('a missing directory, at the schema construct\'s path', () => {
    const error = refusal([join(root, 'does-not-exist')]);
    expect(error.message.startsWith(messageStart('Test/Orders/Schema', 'applicationMigrations'))).toBe(true);
    expect(error.message).toContain(`${join(root, 'does-not-exist')} is not a directory`);
  });

  test('a file name the runner would refuse', () => {
    expect(refusal([stream('shop', ['001_create.sql', 'create_t.sql'])]).message).toContain('create_t.sql in');
  });

  test('two directories with the same stream name', () => {
    const a = stream('one/shop', ['001_a.sql']);
    const b = stream('two/shop', ['001_b.sql']);
    expect(refusal([a, b]).message).toContain(`${b} and ${a} are both stream shop`);
  });

  test('a directory whose name is no stream name', () => {
    expect(refusal([stream('9orders', ['001_a.sql'])]).message).toContain('gives the stream name 9orders');
  });

  test('a valid stream passes', () => {
    expect(() => new DataTier(newStack(), 'Orders', { applicationMigrations: [stream('orders', ['001_create_orders.sql'])] })).not.toThrow();
  });
});

// An App keeps the endpoints per VPC: a fresh app starts with none.
test('two apps do not share endpoints', () => {
  const build = () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', { env: TEST_ENV });
    return new DataTier(stack, 'Orders', { network: { vpc: isolatedVpc(stack) } });
  };
  expect(build().network.endpointSecurityGroup).not.toBe(build().network.endpointSecurityGroup);
});
