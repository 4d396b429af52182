import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DataTier } from '../../lib/data-tier';
import { duplicatesOf, expectApiEndpoints, isolatedVpc, messageStart, newApp, newStack, physicalNames, TEST_ZONES, validationError } from './support';

describe('DataTier with no props, in a stack with an explicit environment', () => {
  const stack = newStack();
  const tier = new DataTier(stack, 'Db');
  const client = new ec2.SecurityGroup(stack, 'Client', { vpc: tier.vpc, allowAllOutbound: false });
  tier.allowClient(client, 'Orders service');
  const template = Template.fromStack(stack);
  const id = (sg: ec2.ISecurityGroup) => stack.resolve(sg.securityGroupId);

  test('creates its own VPC over the region\'s first three zones', () => {
    expect(tier.vpc).toBe(tier.network.vpc);
    expect(tier.availabilityZones).toEqual(TEST_ZONES);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { PreferredCacheClusterAZs: TEST_ZONES });
  });

  test('gets the library\'s defaults: a Multi-AZ primary, one replica, RDS Proxy, a cache, backups, alarms', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, Port: '5433', DBInstanceClass: 'db.r7g.large' });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.resourceCountIs('AWS::RDS::DBProxy', 1);
    template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
    template.resourceCountIs('AWS::Backup::BackupPlan', 1);
    template.resourceCountIs('Custom::SchemaMigrations', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${tier.name}-primary-cpu-high` });
  });

  test('derives a name from its path', () => {
    expect(tier.name).toMatch(/^[a-z][a-z0-9-]+$/);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: `${tier.name}-primary` });
  });

  test('allowClient opens the proxy, the replicas and the cache to the client, not the primary', () => {
    const from = (to: ec2.ISecurityGroup, port: number) => ({ GroupId: id(to), SourceSecurityGroupId: id(client), FromPort: port, ToPort: port });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', from(tier.database.proxySecurityGroup, 5433));
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', from(tier.database.replicaSecurityGroup, 5433));
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', from(tier.cache.securityGroup, 6380));
    expect(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: from(tier.database.primarySecurityGroup, 5433) })).toEqual({});
  });

  test('is IConnectable like an aws-rds construct: its connections are RDS Proxy and the replicas, on the database port', () => {
    expect(tier.connections.securityGroups).toEqual([tier.database.proxySecurityGroup, tier.database.replicaSecurityGroup]);
    expect(tier.connections.defaultPort?.toString()).toBe('5433');
    expect(tier.database.connections).toBe(tier.connections);
  });

  test('its metric methods give the metric each alarm watches: same namespace, dimensions, statistic and period', () => {
    const config = (metric: cw.IMetric) => stack.resolve(metric.toMetricConfig());
    const watched = (resource: string, condition: string) => config(tier.monitoring.alarm(resource, condition).metric);
    expect(config(tier.metricReplicaLag(1))).toEqual(watched('replica-1', 'replica-lag-high'));
    expect(config(tier.metricCpuUtilization())).toEqual(watched('primary', 'cpu-high'));
    expect(config(tier.metricCpuUtilization(1))).toEqual(watched('replica-1', 'cpu-high'));
    expect(config(tier.metricQueryLatency('primary'))).toEqual(watched('primary', 'query-latency-p95-high'));
    expect(config(tier.metricProxyQueryLatency())).toEqual(watched('proxy', 'proxy-latency-p95-high'));
    expect(config(tier.database.metricReplicaLag(1))).toEqual(watched('replica-1', 'replica-lag-high'));
    expect(config(tier.database.metricFreeStorageSpace())).toEqual(watched('primary', 'free-storage-low'));
    expect(config(tier.cache.metricEngineCpuUtilization(1))).toEqual(watched(`cache-${tier.cache.nodeIds[0].slice(-3)}`, 'engine-cpu-high'));
  });

  test('refuses a metric of an instance or node it does not have, naming what it has', () => {
    expect(validationError(() => tier.metricReplicaLag(2)).message).toContain('must name a resource (primary, replica-1, proxy, cache-001, cache-002, cache-003,');
    expect(validationError(() => tier.database.metricCpuUtilization(3)).message).toContain("must be 'primary' or a replica number from 1 to 1");
    expect(validationError(() => tier.cache.metricEvictions(4)).message).toContain('must be a node number from 1 to 3');
  });
});

describe('DataTier in a caller\'s VPC with isolated subnets only', () => {
  const stack = newStack();
  const vpc = isolatedVpc(stack);
  const tier = new DataTier(stack, 'Db', { network: { vpc } });
  const template = Template.fromStack(stack);

  test('builds in that VPC, over its three zones', () => {
    expect(tier.vpc).toBe(vpc);
    expect(tier.availabilityZones).toEqual(TEST_ZONES);
    template.resourceCountIs('AWS::EC2::VPC', 1);
  });

  test('creates in it the interface endpoints its functions need to reach the AWS APIs, and the operator host\'s SSM ones', () => {
    expectApiEndpoints(template);
    for (const service of ['ssm', 'ssmmessages', 'ec2messages']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: `com.amazonaws.us-east-1.${service}` });
    }
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 8);
    template.allResourcesProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', VpcId: stack.resolve(vpc.vpcId) });
  });
});

describe('DataTier in a caller\'s VPC whose function subnets have a route out (NAT)', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_ZONES, natGateways: 1 });
  const tier = new DataTier(stack, 'Db', { network: { vpc } });
  const template = Template.fromStack(stack);
  const id = (sg: ec2.ISecurityGroup) => stack.resolve(sg.securityGroupId);

  test('adds no interface endpoints of its own', () => {
    expect(tier.network.endpointSecurityGroup).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('lets its functions and the secret rotation reach the AWS APIs on 443 through that route, as nothing else would', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const group of [tier.functionSecurityGroup, tier.database.rotationSecurityGroup]) {
      const logicalId = (id(group) as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      expect(groups[logicalId].Properties.SecurityGroupEgress).toEqual(expect.arrayContaining([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]));
    }
  });

  test('lets the operator host reach Systems Manager the same way (the VPC CIDR alone would leave it unmanaged)', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    const logicalId = (id(tier.operatorAccess!.securityGroup) as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    expect(groups[logicalId].Properties.SecurityGroupEgress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'Systems Manager through the route out of its subnets' }),
    ]));
  });
});

describe('Two DataTiers in one stack', () => {
  const twoTiers = (names: [string | undefined, string | undefined]) => {
    const stack = newStack();
    new DataTier(stack, 'A', { name: names[0] });
    new DataTier(stack, 'B', { name: names[1] });
    return Template.fromStack(stack);
  };

  test.each([
    ['without names', [undefined, undefined]],
    ['named', ['orders', 'billing']],
  ] as Array<[string, [string | undefined, string | undefined]]>)('%s share no physical name', (_, names) => {
    const all = physicalNames(twoTiers(names));
    expect(all.length).toBeGreaterThan(50);
    expect(duplicatesOf(all)).toEqual([]);
  });
});

describe('DataTier validation', () => {
  test('in an environment-agnostic stack, asks for availabilityZones', () => {
    const stack = new Stack(newApp(), 'Agnostic');
    const error = validationError(() => new DataTier(stack, 'Db'));
    expect(error.prop).toBe('availabilityZones');
    expect(error.message.startsWith(`${messageStart('Agnostic/Db/Network', 'availabilityZones')}undefined: must be given when the stack has no explicit region`)).toBe(true);
  });

  test('in an environment-agnostic stack with a caller\'s VPC, which shows two zones, asks for three', () => {
    const stack = new Stack(newApp(), 'Agnostic');
    const error = validationError(() => new DataTier(stack, 'Db', { network: { vpc: new ec2.Vpc(stack, 'Vpc') } }));
    expect(error.message.startsWith(`${messageStart('Agnostic/Db', 'availabilityZones')}["<token>","<token>"]: must be given: the VPC offers 2 zones, as a VPC in an environment-agnostic stack does`)).toBe(true);
  });

  test('refuses a zone of another region', () => {
    const error = validationError(() => new DataTier(newStack(), 'Db', { network: { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-west-2a'] } }));
    expect(error.prop).toBe('availabilityZones[2]');
    expect(error.message.startsWith(`${messageStart('Test/Db/Network', 'availabilityZones[2]')}"us-west-2a": must be a zone of us-east-1: one of us-east-1a,`)).toBe(true);
  });

  test.each([
    ['two', ['us-east-1a', 'us-east-1b']],
    ['four', ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d']],
  ])('refuses %s zones given where exactly three are used', (_, zones) => {
    const error = validationError(() => new DataTier(newStack(), 'Db', { network: { availabilityZones: zones } }));
    expect(error.message).toBe(`${messageStart('Test/Db/Network', 'availabilityZones')}${JSON.stringify(zones)}: must name exactly 3 zones: the primary, its standby and a replica each get one`);
  });

  test('refuses a name with uppercase letters', () => {
    const error = validationError(() => new DataTier(newStack(), 'Db', { name: 'Orders' }));
    expect(error.message.startsWith(`${messageStart('Test/Db', 'name')}"Orders": must be 2 to 30 lowercase letters, digits and single hyphens`)).toBe(true);
  });
});
