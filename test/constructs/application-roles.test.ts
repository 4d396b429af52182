import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationRole } from '../../lib/application-roles';
import { DataTier } from '../../lib/data-tier';
import { Database } from '../../lib/database';
import { ApplicationMigrationsSource } from '../../lib/functions/shared/migration-streams';
import { isolatedVpc, messageStart, newStack, validationError } from './support';

const root = mkdtempSync(join(tmpdir(), 'roles-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** A migration directory `name` with one file. */
function streamDirectory(name: string): string {
  const directory = join(root, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, '001_create.sql'), 'SELECT 1;\n');
  return directory;
}
const orders: ApplicationMigrationsSource = { directory: streamDirectory('orders'), schemas: ['orders', 'orders_audit'] };

const ref = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => ({ Ref: stack.getLogicalId(construct.node.defaultChild as iam.CfnRole) });

describe('a DataTier with an IAM role and a secret role on the orders stream', () => {
  const stack = newStack();
  const tier = new DataTier(stack, 'Orders', {
    name: 'orders',
    applicationMigrations: [orders],
    applicationRoles: [
      { name: 'orders_app', access: 'read-write', schemas: ['orders'] },
      { name: 'orders_report', access: 'read-only', schemas: ['orders', 'orders_audit'], signIn: 'secret', connectionLimit: 5, statementTimeout: Duration.seconds(30) },
    ],
  });
  const service = new iam.Role(stack, 'OrdersService', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const reporting = new iam.Role(stack, 'Reporting', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  tier.grantConnect(service, 'orders_app');
  tier.grantConnect(reporting, 'orders_report');
  const template = Template.fromStack(stack);
  const resolve = (value: unknown) => stack.resolve(value);
  // From the L1s: a replica's instanceResourceId is its ARN without a feature flag this app does not set.
  const primaryResourceId = resolve((tier.database.primary!.node.defaultChild as rds.CfnDBInstance).attrDbiResourceId);
  const replicaResourceId = resolve((tier.database.replicas[0].node.defaultChild as rds.CfnDBInstance).attrDbiResourceId);
  const dbUser = (resourceId: unknown, user: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:us-east-1:123456789012:dbuser:', resourceId, `/${user}`]] });
  const reportSecret = tier.applicationRoleSecret('orders_report');

  test('the secret role gets its own secret, named after it, with the master secret\'s ARN (masterarn) for rotation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'orders/postgres/app/orders_report',
      KmsKeyId: resolve(tier.dataKey.keyArn),
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: { 'Fn::Join': ['', ['{"username":"orders_report","masterarn":"', resolve(tier.database.secret.secretArn), '"}']] },
      }),
    });
    // The IAM role has no password anywhere.
    const names = Object.values(template.findResources('AWS::SecretsManager::Secret')).map((secret) => secret.Properties.Name);
    expect(names.filter((name) => name.startsWith('orders/postgres/app/'))).toEqual(['orders/postgres/app/orders_report']);
  });

  test('it rotates every 30 days with alternating users, in the VPC, once the migrations have created the role', () => {
    template.hasResource('AWS::SecretsManager::RotationSchedule', {
      Properties: {
        SecretId: resolve(reportSecret.secretArn),
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        HostedRotationLambda: Match.objectLike({
          RotationType: 'PostgreSQLMultiUser',
          RotationLambdaName: 'orders-orders_report-secret-rotation',
          MasterSecretArn: resolve(tier.database.secret.secretArn),
          VpcSecurityGroupIds: resolve(tier.database.rotationSecurityGroup.securityGroupId),
        }),
      },
      DependsOn: Match.arrayWith([stack.getLogicalId(tier.schema.resource.node.defaultChild as iam.CfnRole)]),
    });
  });

  test('the proxy signs the secret role in with its secret and the IAM role in with IAM end to end', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      DefaultAuthScheme: 'IAM_AUTH',
      Auth: [
        ...Array(3).fill(Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'DISABLED' })),
        { AuthScheme: 'SECRETS', IAMAuth: 'DISABLED', SecretArn: resolve(reportSecret.secretArn) },
      ],
    });
  });

  test('the proxy\'s role may sign in to the primary as the IAM role only, not as any user', () => {
    const proxyRole = tier.database.proxy.node.findChild('IAMRole') as iam.Role;
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(stack, proxyRole)] } }));
    const connects = policy.Properties.PolicyDocument.Statement.filter((statement: { Action: unknown }) => statement.Action === 'rds-db:connect');
    expect(connects).toEqual([{ Action: 'rds-db:connect', Effect: 'Allow', Resource: dbUser(primaryResourceId, 'orders_app') }]);
  });

  test('grantConnect of the IAM role: rds-db:connect as that user on the proxy and on each read replica', () => {
    const statements = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(stack, service)] } });
    const [policy] = Object.values(statements);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'rds-db:connect',
        Effect: 'Allow',
        Resource: dbUser({ 'Fn::Select': [6, { 'Fn::Split': [':', resolve(tier.database.proxy.dbProxyArn)] }] }, 'orders_app'),
      },
      { Action: 'rds-db:connect', Effect: 'Allow', Resource: dbUser(replicaResourceId, 'orders_app') },
    ]);
  });

  test('grantConnect of the secret role: read of its secret, nothing to sign in with IAM', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(stack, reporting)] } }));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: resolve(reportSecret.secretArn) },
    ]);
  });

  test('the migration function is told the roles (defaults filled in) and the streams\' schemas, and may read the role\'s secret', () => {
    const roles = [
      { name: 'orders_app', access: 'read-write', schemas: ['orders'], signIn: 'iam' },
      { name: 'orders_report', access: 'read-only', schemas: ['orders', 'orders_audit'], signIn: 'secret', connectionLimit: 5, statementTimeoutMs: 30_000, secretArn: '<secret>' },
    ];
    const rolesJson = { 'Fn::Join': ['', [JSON.stringify(roles).split('"<secret>"')[0] + '"', resolve(reportSecret.secretArn), '"' + JSON.stringify(roles).split('"<secret>"')[1]]] };
    const streamSchemas = JSON.stringify({ orders: ['orders', 'orders_audit'] });
    // On the custom resource, not in the function's environment (4 KB in all): changing a role or a
    // stream's schemas runs the migrations again, and a rollback sends the previous ones.
    template.hasResourceProperties('Custom::SchemaMigrations', { ApplicationRoles: rolesJson, StreamSchemas: streamSchemas });
    const [migrations] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'orders-schema-migrations' } }));
    expect(JSON.stringify(migrations.Properties.Environment)).not.toContain('orders_report');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(stack, tier.schema.handler.role!)],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: resolve(reportSecret.secretArn) })]) },
    });
  });

  test('grantConnect takes only the declared names: tsc refuses another, and so does synth', () => {
    // @ts-expect-error 'orders_admin' is not one of the roles the props declare
    const error = validationError(() => tier.grantConnect(service, 'orders_admin'));
    expect(error.message.startsWith(messageStart('Test/Orders/Database', 'role'))).toBe(true);
    expect(error.allowed).toBe('must be a declared application role (applicationRoles): orders_app, orders_report');
  });

  test('an IAM role has no secret to hand out', () => {
    expect(validationError(() => tier.applicationRoleSecret('orders_app')).allowed).toContain("signs in with IAM (signIn 'iam'), so it has no secret");
  });
});

describe('a DataTier without application roles', () => {
  const stack = newStack();
  const tier = new DataTier(stack, 'Orders', { name: 'orders' });
  const template = Template.fromStack(stack);

  test('keeps today\'s proxy: three secrets, no default auth scheme, no rds-db:connect for the proxy', () => {
    const [proxy] = Object.values(template.findResources('AWS::RDS::DBProxy'));
    expect(proxy.Properties.Auth).toHaveLength(3);
    expect(proxy.Properties).not.toHaveProperty('DefaultAuthScheme');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('rds-db:connect');
  });

  test('keeps its migration resource\'s properties and the function\'s environment', () => {
    const [resource] = Object.values(template.findResources('Custom::SchemaMigrations'));
    expect(Object.keys(resource.Properties).sort()).toEqual(['ServiceTimeout', 'ServiceToken', 'SqlHash']);
    const variables = template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'orders-schema-migrations' } });
    expect(Object.keys(Object.values(variables)[0].Properties.Environment.Variables)).not.toEqual(expect.arrayContaining(['APPLICATION_ROLES']));
  });

  test('refuses to grant any role, saying none is declared', () => {
    const role = new iam.Role(stack, 'Late', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(validationError(() => tier.grantConnect(role, 'app_user')).allowed).toContain('no role is declared; declare it in applicationRoles');
  });
});

describe('application roles refused at synth', () => {
  /** The refusal of a `Database` with these roles: the names are checked before anything is built. */
  const refusal = (applicationRoles: ApplicationRole[]) => {
    const stack = newStack();
    return validationError(() => new Database(stack, 'Db', { vpc: isolatedVpc(stack), name: 'orders', applicationRoles }));
  };
  const role = (name: string, more: Partial<ApplicationRole> = {}): ApplicationRole => ({ name, access: 'read-write', ...more });

  test.each([
    ['a name with capitals', [role('OrdersApp')], 'applicationRoles[0].name', 'OrdersApp', 'lower-case letters, digits and _, starting with a letter'],
    ['a name of 64 characters', [role('a'.repeat(64))], 'applicationRoles[0].name', 'a'.repeat(64), 'must be 1 to 63'],
    ['postgres', [role('postgres')], 'applicationRoles[0].name', 'postgres', "is reserved: postgres is PostgreSQL's own"],
    ['public', [role('public')], 'applicationRoles[0].name', 'public', 'is reserved'],
    ['the master user', [role('dbadmin')], 'applicationRoles[0].name', 'dbadmin', "the tier's master user"],
    ['an RDS name', [role('rdsproxy_app')], 'applicationRoles[0].name', 'rdsproxy_app', "names starting rds are Amazon RDS's"],
    ['a PostgreSQL predefined role', [role('pg_reader')], 'applicationRoles[0].name', 'pg_reader', "PostgreSQL's predefined roles"],
    ['a name of the tier\'s', [role('data_tier_app')], 'applicationRoles[0].name', 'data_tier_app', "the tier's own roles"],
    ['a stream owner\'s name', [role('orders_owner')], 'applicationRoles[0].name', 'orders_owner', "the migration streams' owner roles"],
    ['a rotation clone\'s name', [role('orders_clone')], 'applicationRoles[0].name', 'orders_clone', 'second users that secret rotation makes'],
    ['a secret role too long for its clone', [role('a'.repeat(58), { signIn: 'secret' })], 'applicationRoles[0].name', 'a'.repeat(58), 'at most 57 characters with signIn \'secret\''],
    ['a rotation function name over 64 characters', [role('r'.repeat(42), { signIn: 'secret' })], 'applicationRoles[0].name', 'r'.repeat(42), `makes the rotation function name orders-${'r'.repeat(42)}-secret-rotation (65 characters), longer than Lambda's 64`],
    ['the same name twice', [role('orders_app'), role('orders_app', { access: 'read-only' })], 'applicationRoles', ['orders_app', 'orders_app'], 'lists "orders_app" twice'],
    ['an unknown access', [role('orders_app', { access: 'admin' as never })], 'applicationRoles[0].access', 'admin', 'must be one of read-write, read-only'],
    ['an unknown sign-in', [role('orders_app', { signIn: 'password' as never })], 'applicationRoles[0].signIn', 'password', 'must be one of iam, secret'],
    ['no schema', [role('orders_app', { schemas: [] })], 'applicationRoles[0].schemas', [], 'must list at least one schema'],
    ['a connection limit of 0', [role('orders_app', { connectionLimit: 0 })], 'applicationRoles[0].connectionLimit', 0, 'whole number from 1 to'],
    ['a statement timeout of half a millisecond', [role('orders_app', { statementTimeout: Duration.millis(0.5) })], 'applicationRoles[0].statementTimeout (ms)', 0.5, 'whole number from 1 to 86400000'],
    ['a statement timeout over a day', [role('orders_app', { statementTimeout: Duration.hours(25) })], 'applicationRoles[0].statementTimeout (ms)', 90_000_000, 'whole number from 1 to 86400000'],
  ])('%s', (_, roles, prop, value, allowed) => {
    const error = refusal(roles);
    expect({ path: error.path, prop: error.prop, value: error.value }).toEqual({ path: 'Test/Db', prop, value });
    expect(error.allowed).toContain(allowed);
  });

  test('a schema no application stream owns, listing those the streams own', () => {
    const error = validationError(() => new DataTier(newStack(), 'Orders', { applicationMigrations: [orders], applicationRoles: [role('orders_app', { schemas: ['orders', 'billing'] })] }));
    expect(error.message.startsWith(messageStart('Test/Orders/Schema', 'applicationRoles[0].schemas'))).toBe(true);
    expect(error.allowed).toContain('names unknown schema billing');
    expect(error.allowed).toContain('the application streams own orders, orders_audit');
  });

  test('the default schema, the role\'s own name, when no stream owns it', () => {
    const error = validationError(() => new DataTier(newStack(), 'Orders', { applicationRoles: [role('orders_app')] }));
    expect(error.allowed).toContain('names unknown schema orders_app');
    expect(error.allowed).toContain('no application stream is declared (applicationMigrations)');
  });
});

describe('the schemas of application streams, refused at synth', () => {
  const refusal = (applicationMigrations: ApplicationMigrationsSource[]) => validationError(() => new DataTier(newStack(), 'Orders', { applicationMigrations }));

  test.each([
    ['the data tier\'s own schema', ['data_tier'], "is the data tier's own schema"],
    ['a system catalog', ['pg_catalog'], "is PostgreSQL's system catalog"],
    ['information_schema', ['information_schema'], "is PostgreSQL's system catalog"],
    ['a name that needs quoting', ['Orders'], 'must be 1 to 63 lower-case letters, digits and _, starting with a letter'],
  ])('%s', (_, schemas, allowed) => {
    const error = refusal([{ directory: orders.directory, schemas }]);
    expect(error.message.startsWith(messageStart('Test/Orders/Schema', 'applicationMigrations'))).toBe(true);
    expect(error.allowed).toContain(`owns schema ${JSON.stringify(schemas[0])}, which ${allowed}`);
  });

  test('one schema in two streams', () => {
    const billing = streamDirectory('billing');
    expect(refusal([orders, { directory: billing, schemas: ['orders'] }]).allowed).toContain(`${billing} and ${orders.directory} both own schema orders`);
  });
});
