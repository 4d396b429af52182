import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Database, DatabaseProps } from '../../lib/database';
import { isolatedVpc, messageStart, newStack, validationError } from './support';

interface Built {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly db: Database;
}

/** A stack holding a VPC and a `Database` built from `props`, with what `extend` adds, synthesized once. */
function databaseStack(props: Omit<DatabaseProps, 'vpc'> = {}, extend: (built: Built) => void = () => {}): Built & { template: Template } {
  const stack = newStack();
  const vpc = isolatedVpc(stack);
  const db = new Database(stack, 'Db', { vpc, ...props });
  extend({ stack, vpc, db });
  return { stack, vpc, db, template: Template.fromStack(stack) };
}

describe('Database with only a VPC', () => {
  const { template } = databaseStack();

  test('creates its own data and logs keys, with rotation', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('creates a Multi-AZ PostgreSQL 17 primary on port 5433 with encrypted gp3 storage', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^17'),
      DBInstanceClass: 'db.r7g.large',
      MultiAZ: true,
      Port: '5433',
      StorageType: 'gp3',
      StorageEncrypted: true,
      AllocatedStorage: '100',
      MaxAllocatedStorage: 500,
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      PubliclyAccessible: false,
    });
  });

  test('creates one read replica, in the zone outside the primary\'s pair', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: Match.anyValue(),
      AvailabilityZone: 'us-east-1c',
      Port: '5433',
    });
  });

  test('puts RDS Proxy in front of the primary, TLS required', () => {
    template.resourceCountIs('AWS::RDS::DBProxy', 1);
    template.hasResourceProperties('AWS::RDS::DBProxy', { EngineFamily: 'POSTGRESQL', RequireTLS: true });
  });

  test('shares one parameter group that forces TLS', () => {
    template.resourceCountIs('AWS::RDS::DBParameterGroup', 1);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', shared_preload_libraries: 'pg_stat_statements' }),
    });
  });

  test('rotates the master, monitor and operator secrets every 30 days', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 3);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });
});

describe('Database with replicaCount 2', () => {
  const { template } = databaseStack({ replicaCount: 2 });

  test('creates two replicas in distinct zones, neither the primary\'s', () => {
    const replicas = template.findResources('AWS::RDS::DBInstance', { Properties: { SourceDBInstanceIdentifier: Match.anyValue() } });
    const zones = Object.values(replicas).map((replica) => replica.Properties.AvailabilityZone);
    expect(zones.sort()).toEqual(['us-east-1b', 'us-east-1c']);
  });
});

describe('Database clients', () => {
  let role: iam.Role;
  let reader: ec2.SecurityGroup;
  let fn: ec2.SecurityGroup;
  const { stack, db, template } = databaseStack({ applicationRoles: [{ name: 'app_user', access: 'read-write' }] }, ({ stack, vpc, db }) => {
    role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    db.grantConnect(role, 'app_user');
    reader = new ec2.SecurityGroup(stack, 'Reader', { vpc, allowAllOutbound: false });
    fn = new ec2.SecurityGroup(stack, 'Function', { vpc, allowAllOutbound: false });
    db.allowClient(reader, 'Application', { direct: false });
    db.allowClient(fn, 'Migrations', { direct: true });
  });
  const id = (sg: ec2.ISecurityGroup) => stack.resolve(sg.securityGroupId);
  const ingress = (from: ec2.ISecurityGroup, to: ec2.ISecurityGroup) => ({
    IpProtocol: 'tcp',
    FromPort: 5433,
    ToPort: 5433,
    GroupId: id(to),
    SourceSecurityGroupId: id(from),
  });

  test('grantConnect lets the grantee sign in through the proxy with rds-db:connect', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect', Effect: 'Allow' })]) },
    });
  });

  test('allowClient opens the proxy and the replicas on the database port, not the primary', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', ingress(reader, db.proxySecurityGroup));
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', ingress(reader, db.replicaSecurityGroup));
    expect(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: ingress(reader, db.primarySecurityGroup) })).toEqual({});
  });

  test('allowClient opens the client\'s egress to the same targets', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: id(reader),
      DestinationSecurityGroupId: id(db.proxySecurityGroup),
      FromPort: 5433,
      ToPort: 5433,
    });
  });

  test('allowClient with direct also opens the primary', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', ingress(fn, db.primarySecurityGroup));
  });
});

describe('Database validation', () => {
  const build = (props: Omit<DatabaseProps, 'vpc'>) => validationError(() => databaseStack(props));

  test('refuses an instance class RDS does not offer for PostgreSQL 17', () => {
    const error = build({ instanceType: new ec2.InstanceType('m1.small') });
    expect(error.prop).toBe('instanceType');
    expect(error.message.startsWith(messageStart('Test/Db', 'instanceType') + '"db.m1.small"')).toBe(true);
    expect(error.allowed).toContain('db.m1 is not offered for RDS for PostgreSQL 17; offered families:');
  });

  test('refuses the default PostgreSQL port 5432', () => {
    const error = build({ port: 5432 });
    expect(error.message).toBe(`${messageStart('Test/Db', 'port')}5432: must not be the default 5432; pick another port from 1150 to 65535`);
  });

  test('refuses a storage ceiling not above the allocated storage', () => {
    const error = build({ allocatedStorageGiB: 200, maxAllocatedStorageGiB: 200 });
    expect(error.message.startsWith(`${messageStart('Test/Db', 'maxAllocatedStorageGiB')}200: must be a whole number above allocatedStorageGiB (200)`)).toBe(true);
  });

  test('refuses a log retention CloudWatch Logs does not accept, naming the nearest', () => {
    const error = build({ logRetention: 10 as logs.RetentionDays });
    expect(error.message.startsWith(`${messageStart('Test/Db', 'logRetention')}10: must be one of the retention periods CloudWatch Logs accepts`)).toBe(true);
    expect(error.message).toMatch(/nearest: 7 or 14$/);
  });
});
