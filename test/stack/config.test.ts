import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../app/app';
import { deployedTier } from '../../app/deployed-version';
import { diffTemplates } from '../../lib/cli/review/diff';
import { ConfigSources, ENVIRONMENT_NAMES, ENVIRONMENTS_DIRECTORY, effectiveDatabaseOptions, EnvironmentName, EnvironmentSettings, resolveConfig } from '../../app/config';
import { DataTierValidationError } from '../../lib/private/validation';
import { TEST_ENVIRONMENT } from './synth';
import { PROD_ON_TOPOLOGY } from './topology-environments';

/** What the committed file of an environment, app/environments/<env>.json, holds. */
const committed = (envName: EnvironmentName): EnvironmentSettings => JSON.parse(readFileSync(join(ENVIRONMENTS_DIRECTORY, `${envName}.json`), 'utf8'));

function resolve(context: Record<string, unknown>, environmentsDirectory?: string) {
  return resolveConfig({ context, environment: TEST_ENVIRONMENT, environmentsDirectory });
}

/** Key of a test context holding the sources besides the context (settings and template directories, the time). */
const SOURCES = 'sources (not context)';
type Sources = Pick<ConfigSources, 'environmentsDirectory' | 'templatesDirectory' | 'now'>;

/** The app built from a context, the sources it names under {@link SOURCES} too. */
function build(given: Record<string, unknown>, environmentsDirectory?: string) {
  const { [SOURCES]: sources, ...context } = given as Record<string, unknown> & { [SOURCES]?: Sources };
  return buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), { environmentsDirectory, ...sources, context, environment: TEST_ENVIRONMENT });
}

/** The refusal of a context: from the config, or from the construct the value configures when the app is built. */
function refusalOf(context: Record<string, unknown>, environmentsDirectory?: string): DataTierValidationError {
  try {
    build(context, environmentsDirectory);
  } catch (error) {
    if (error instanceof DataTierValidationError) return error;
    throw error;
  }
  throw new Error(`expected a DataTierValidationError for ${JSON.stringify(context)}`);
}

/** Context of prod with `settings` as the one-off overrides. */
const prodWith = (settings: object) => ({ env: 'prod', overrides: JSON.stringify(settings) });
/** Directories the tests write, removed at the end. */
const scratch: string[] = [];
afterAll(() => scratch.forEach((directory) => rmSync(directory, { recursive: true, force: true })));
function scratchDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(directory);
  return directory;
}

/** Settings files: prod's committed one and each of `files` (by name, without .json). */
function environmentsWith(files: Record<string, object>): string {
  const directory = scratchDirectory('environments-');
  writeFileSync(join(directory, 'prod.json'), JSON.stringify(committed('prod')));
  for (const [name, settings] of Object.entries(files)) writeFileSync(join(directory, `${name}.json`), JSON.stringify(settings));
  return directory;
}

/** The time the restore tests run at: restore times are checked against it. */
const NOW = new Date('2026-12-01T00:00:00Z');
/** No committed template: no tier deployed. */
const NO_TEMPLATES = scratchDirectory('templates-');

/** Context of a tier restored from prod, `data-tier-prod-r1`, never deployed, its committed file holding `restore` as its source. */
const restoredWith = (restore: object) => ({
  env: 'prod',
  name: 'data-tier-prod-r1',
  [SOURCES]: { environmentsDirectory: environmentsWith({ 'data-tier-prod-r1': { database: { restore } } }), templatesDirectory: NO_TEMPLATES, now: NOW },
});
const SNAPSHOT = 'arn:aws:rds:us-east-1:111111111111:snapshot:awsbackup:job-0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const DR_KEY = 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('environment config', () => {
  test('defaults to dev, the account and region of the CDK environment variables, and the region\'s first three zones', () => {
    expect(resolve({})).toEqual({
      envName: 'dev',
      account: '111111111111',
      region: 'us-east-1',
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      settings: committed('dev'),
    });
  });

  test('lets context override account, region, zones and any setting, over the environment\'s file', () => {
    const config = resolve({
      env: 'staging',
      account: '222222222222',
      region: 'eu-west-1',
      availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
      overrides: '{"database":{"replicaCount":2},"cache":{"engine":"valkey"}}',
    });
    expect(config).toMatchObject({ envName: 'staging', account: '222222222222', region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
    const staging = committed('staging');
    expect(config.settings).toEqual({ ...staging, database: { ...staging.database, replicaCount: 2 }, cache: { ...staging.cache, engine: 'valkey' } });
  });

  test('takes overrides given as an object (cdk.json) as well as JSON text (-c)', () => {
    expect(resolve({ overrides: { database: { replicaCount: 1 } } }).settings.database?.replicaCount).toBe(1);
  });

  test('gives prod a Multi-AZ primary, two replicas, 35 days of PITR and 731 days of Performance Insights', () => {
    const options = effectiveDatabaseOptions(resolveConfig({ context: { env: 'prod' } }));
    expect(options.multiAz).toBe(true);
    expect(options.replicaCount).toBe(2);
    expect(options.backupRetention.toDays()).toBe(35);
    expect(options.performanceInsightRetention).toBe(731);
    expect(options.deletionProtection).toBe(true);
  });

  test.each(ENVIRONMENT_NAMES)('the committed override file of %s is valid', (env) => {
    expect(() => resolveConfig({ context: { env }, environment: TEST_ENVIRONMENT })).not.toThrow();
  });
});

describe('interface endpoints', () => {
  /** Subnets of each interface endpoint of an environment's stack. */
  function endpointSubnetCounts(env: string): number[] {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = buildApp(app, { context: { env }, environment: TEST_ENVIRONMENT });
    return Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint')).map((e) => e.Properties.SubnetIds.length);
  }

  test('dev puts all eight in one zone (two thirds of their hourly cost); staging and prod keep every zone', () => {
    expect(endpointSubnetCounts('dev')).toEqual(Array(8).fill(1));
    expect(endpointSubnetCounts('prod')).toEqual(Array(8).fill(3));
  });
});

describe('the environment\'s file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'environments-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  writeFileSync(join(directory, 'prod.json'), JSON.stringify({ database: { replicaCount: 3, allocatedStorageGiB: 600 } }));
  writeFileSync(join(directory, 'staging.json'), JSON.stringify({ database: { replicaCont: 3 } }));

  test('is what the environment changes from the library\'s defaults, and context overrides are merged over it', () => {
    const { database } = resolve({ env: 'prod', overrides: '{"database":{"replicaCount":4}}' }, directory).settings;
    expect(database).toEqual({ allocatedStorageGiB: 600, replicaCount: 4 });
  });

  test('is required', () => {
    const error = refusalOf({ env: 'dev' }, directory);
    expect({ prop: error.prop, value: error.value }).toEqual({ prop: 'env', value: 'dev' });
    expect(error.allowed).toContain(`has no settings file ${join(directory, 'dev.json')}`);
  });

  test('is refused, naming the file, when it holds an unknown key', () => {
    const error = refusalOf({ env: 'staging' }, directory);
    const file = join(directory, 'staging.json');
    expect(error.prop).toBe(`${file}.database.replicaCont`);
    expect(error.message).toContain(file);
    expect(error.message).toContain('did you mean replicaCount?');
  });
});

describe('invalid configuration', () => {
  const US_EAST_1_ZONES = 'us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f';
  const existingVpc = {
    vpcId: 'vpc-0123456789abcdef0',
    dataSubnetIds: ['subnet-0000000a', 'subnet-0000000b', 'subnet-0000000c'],
    functionSubnetIds: ['subnet-0000000c', 'subnet-0000000d', 'subnet-0000000e'],
  };
  const APP = '';
  const DATABASE = 'data-tier-prod/Default/Database';
  const NETWORK = 'data-tier-prod/Default/Network';
  const CACHE = 'data-tier-prod/Default/Cache';
  const MONITORING = 'data-tier-prod/Default/Monitoring';
  const SCHEMA = 'data-tier-prod/Default/Schema';
  const RESTORED = 'data-tier-prod-r1/Default/Database';

  /** [what, context, construct path ('' for the app's own checks), prop, refused value, ...parts of what is allowed] */
  const cases: Array<[string, Record<string, unknown>, string, string, unknown, ...string[]]> = [
    // Shape of the overrides: the app's own checks.
    ['an unknown key at depth, suggesting the nearest', prodWith({ database: { replicaCont: 3 } }), APP, 'overrides.database.replicaCont', 3, 'unknown key; allowed at overrides.database: engineMajorVersion, instanceClass, replicaInstanceClass, replicaCount,', 'did you mean replicaCount?'],
    ['a value of another JSON type', prodWith({ database: { replicaCount: '3' } }), APP, 'overrides.database.replicaCount', '3', 'must be a number'],
    ['overrides that are not JSON', { env: 'prod', overrides: '{replicaCount:1' }, APP, 'overrides', '{replicaCount:1', 'must be valid JSON, such as {"database":{"replicaCount":1}}'],
    ['an unknown environment name', { env: 'qa' }, APP, 'env', 'qa', 'must be one of dev, staging, prod'],
    // Where the tier runs: the app's own checks.
    ['an unknown region', { env: 'prod', region: 'us-east-7' }, APP, 'region', 'us-east-7', 'must be a commercial AWS region; closest: us-east-1, us-east-2'],
    ['a zone of another region', { env: 'prod', availabilityZones: 'us-east-1a,us-east-1b,eu-west-1c' }, APP, 'availabilityZones[2]', 'eu-west-1c', `must be a zone of us-east-1: one of ${US_EAST_1_ZONES}`],
    ['a zone the region does not have', { env: 'prod', availabilityZones: 'us-east-1a,us-east-1b,us-east-1z' }, APP, 'availabilityZones[2]', 'us-east-1z', `is not a zone of us-east-1; its zones are ${US_EAST_1_ZONES}`],
    ['the same zone twice', { env: 'prod', availabilityZones: 'us-east-1a,us-east-1a,us-east-1b' }, APP, 'availabilityZones', ['us-east-1a', 'us-east-1a', 'us-east-1b'], 'lists "us-east-1a" twice; remove one'],
    ['a subnet of an existing VPC listed twice', prodWith({ network: { existingVpc } }), APP, 'network.existingVpc.functionSubnetIds', existingVpc.functionSubnetIds, 'lists subnet-0000000c, already listed in network.existingVpc.dataSubnetIds'],
    ['a copy vault in the tier\'s own region', prodWith({ backup: { copyToVaultArn: 'arn:aws:backup:us-east-1:111111111111:backup-vault:dr' } }), APP, 'backup.copyToVaultArn', 'arn:aws:backup:us-east-1:111111111111:backup-vault:dr', 'names a vault in us-east-1, the tier\'s own region'],
    // The app's rules for its environments.
    ['prod without Multi-AZ', prodWith({ database: { multiAz: false } }), APP, 'database.multiAz', false, 'must be true in prod'],
    ['prod without deletion protection', prodWith({ database: { deletionProtection: false } }), APP, 'database.deletionProtection', false, 'must be true in prod; only dev may be deleted freely'],
    // Values, validated by the construct they configure.
    ['a CIDR with host bits set', prodWith({ network: { vpcCidr: '10.42.7.9/16' } }), NETWORK, 'cidr', '10.42.7.9/16', 'host bits are zero; did you mean 10.42.0.0/16?'],
    ['a public VPC range', prodWith({ network: { vpcCidr: '8.8.0.0/16' } }), APP, 'network.vpcCidr', '8.8.0.0/16', 'is publicly routable', '(RFC 1918', '100.64.0.0/10 (RFC 6598)', 'set network.allowPublicCidr'],
    ['a public range for the DR replica\'s VPC', prodWith({ drReplica: { vpcCidr: '52.94.0.0/16' } }), APP, 'drReplica.vpcCidr', '52.94.0.0/16', 'is publicly routable', 'set network.allowPublicCidr'],
    ['a CIDR too small for the subnets', prodWith({ network: { vpcCidr: '10.42.0.0/24' } }), NETWORK, 'cidr', '10.42.0.0/24', 'has room for 1 of the 6 /24 subnets the tier needs; use a /21 or larger block, such as 10.42.0.0/21'],
    ['an instance class RDS does not offer', prodWith({ database: { instanceClass: 'db.m1.small' } }), DATABASE, 'instanceType', 'db.m1.small', 'db.m1 is not offered for RDS for PostgreSQL 17; offered families: db.t3'],
    ['Redis OSS 8.0', prodWith({ cache: { engineVersion: '8.0' } }), CACHE, 'engineVersion', '8.0', 'must be one of 6.0, 6.2, 7.0, 7.1 for redis; 8.0 is a valkey version'],
    ['a node type with a typo', prodWith({ cache: { nodeType: 'cache.r7g.lareg' } }), CACHE, 'nodeType', 'cache.r7g.lareg', 'cache.r7g comes in large, xlarge'],
    ['a log retention of 10 days', prodWith({ logs: { retentionDays: 10 } }), DATABASE, 'logRetention', 10, 'retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14'],
    ['a log retention of 1000 days', prodWith({ logs: { retentionDays: 1000 } }), DATABASE, 'logRetention', 1000, '; nearest: 731 or 1096'],
    ['a CPU threshold that could never fire', prodWith({ monitoring: { thresholds: { cpuPercent: 100 } } }), MONITORING, 'thresholds.cpuPercent', 100, 'must be a number from 1 to 99'],
    ['a free-storage floor above prod\'s 500 GiB', prodWith({ monitoring: { thresholds: { freeStorageGiB: 600 } } }), MONITORING, 'thresholds.freeStorageGiB', 600, 'must be below the allocated storage (500 GiB)'],
    ['the same alarm e-mail twice, in other case', prodWith({ monitoring: { alarmEmails: ['oncall@example.com', 'OnCall@Example.com'] } }), MONITORING, 'alarmEmails', ['oncall@example.com', 'OnCall@Example.com'], 'which differ only in case (e-mail addresses are compared without case); remove one'],
    ['an alarm condition the table does not have', prodWith({ monitoring: { disabledAlarms: ['cpu-hgh'] } }), MONITORING, 'disabledAlarms', 'cpu-hgh', 'unknown condition (did you mean cpu-high?); the defaults table has cpu-high,'],
    ['six replicas', prodWith({ database: { replicaCount: 6 } }), DATABASE, 'replicaCount', 6, 'must be a whole number from 0 to 5'],
    ['40 days of automated backups', prodWith({ database: { backupRetentionDays: 40 } }), DATABASE, 'backupRetention (days)', 40, 'must be a whole number from 1 to 35'],
    ['PostgreSQL 16', prodWith({ database: { engineMajorVersion: 16 } }), DATABASE, 'engineVersion', 16, 'must be one of 17, 18'],
    ['30 days of Performance Insights', prodWith({ database: { performanceInsightsRetentionDays: 30 } }), DATABASE, 'performanceInsightRetention (days)', 30, 'must be one of 7, 31, 62'],
    // Restore as a new tier and backup replication: the app's checks, then the construct's.
    ['a restore with two sources', restoredWith({ fromSnapshot: SNAPSHOT, fromInstance: 'data-tier-prod-primary' }), APP, 'database.restore', { fromSnapshot: SNAPSHOT, fromInstance: 'data-tier-prod-primary' }, 'must name exactly one source', '(fromSnapshot and fromInstance given)'],
    ['a restore without a source', restoredWith({ toTime: 'latest' }), APP, 'database.restore', { toTime: 'latest' }, 'must name exactly one source: fromSnapshot, fromInstance, fromReplicatedBackups or fromCluster'],
    ['a restore time for a snapshot', restoredWith({ fromSnapshot: SNAPSHOT, toTime: 'latest' }), APP, 'database.restore.toTime', 'latest', 'applies to fromInstance, fromReplicatedBackups and fromCluster only'],
    ['a restore time with an offset, not UTC', restoredWith({ fromInstance: 'data-tier-prod-primary', toTime: '2026-11-28T22:15:00+01:00' }), APP, 'database.restore.toTime', '2026-11-28T22:15:00+01:00', 'must be "latest" or a UTC time in ISO-8601'],
    ['a restore time that does not exist', restoredWith({ fromInstance: 'data-tier-prod-primary', toTime: '2026-02-30T03:00:00Z' }), APP, 'database.restore.toTime', '2026-02-30T03:00:00Z', 'is not a valid date and time'],
    ['a restore key with a typo', { env: 'prod', name: 'data-tier-prod-r1', overrides: JSON.stringify({ database: { restore: { fromSnaphot: SNAPSHOT } } }) }, APP, 'overrides.database.restore.fromSnaphot', SNAPSHOT, 'did you mean fromSnapshot?'],
    ['a restore given only on the command line', { env: 'prod', name: 'data-tier-prod-r1', overrides: JSON.stringify({ database: { restore: { fromSnapshot: SNAPSHOT } } }), [SOURCES]: { templatesDirectory: NO_TEMPLATES } }, APP, 'overrides.database.restore', { fromSnapshot: SNAPSHOT }, 'is not taken from the command line', `write {"database":{"restore":{"fromSnapshot":"${SNAPSHOT}"}}} to app/environments/data-tier-prod-r1.json`],
    ['a restore time in the future', restoredWith({ fromInstance: 'data-tier-prod-primary', toTime: '2026-12-01T00:00:01Z' }), APP, 'database.restore.toTime', '2026-12-01T00:00:01Z', 'is in the future (now: 2026-12-01T00:00:00Z)', '"latest"'],
    ['a restore time no backup can reach (1999)', restoredWith({ fromInstance: 'data-tier-prod-primary', toTime: '1999-01-01T00:00:00Z' }), APP, 'database.restore.toTime', '1999-01-01T00:00:00Z', 'is before 2026-10-27T00:00:00Z, 35 days ago: RDS keeps automated backups 35 days at most', 'fromSnapshot'],
    ['a restore time a second older than 35 days', restoredWith({ fromReplicatedBackups: 'arn:aws:rds:us-east-1:111111111111:auto-backup:ab-abcdefghijklmnopqrstuvwxyz', toTime: '2026-10-26T23:59:59Z' }), APP, 'database.restore.toTime', '2026-10-26T23:59:59Z', 'is before 2026-10-27T00:00:00Z'],
    ['a restore over the tier it restores from (no name of its own)', prodWith({ database: { restore: { fromInstance: 'data-tier-prod-primary' } } }), APP, 'database.restore', { fromInstance: 'data-tier-prod-primary' }, 'builds a new tier beside data-tier-prod, which stays for forensics', '-c name=data-tier-prod-<suffix>'],
    ['a name outside the environment', { env: 'prod', name: 'orders-r1' }, APP, 'name', 'orders-r1', 'must be data-tier-prod-<suffix>'],
    ['a snapshot of another region', restoredWith({ fromSnapshot: SNAPSHOT.replace('us-east-1', 'eu-west-1') }), RESTORED, 'restore.fromSnapshot', SNAPSHOT.replace('us-east-1', 'eu-west-1'), 'is in eu-west-1, but the tier is in us-east-1'],
    ['a snapshot of another account', restoredWith({ fromSnapshot: SNAPSHOT.replace('111111111111', '999999999999') }), RESTORED, 'restore.fromSnapshot', SNAPSHOT.replace('111111111111', '999999999999'), 'belongs to account 999999999999, but the tier is in 111111111111'],
    ['replicated backups given as a snapshot ARN', restoredWith({ fromReplicatedBackups: SNAPSHOT }), RESTORED, 'restore.fromReplicatedBackups', SNAPSHOT, 'auto-backup:ab-'],
    ['backups replicated to the tier\'s own region', prodWith({ database: { backupReplication: { region: 'us-east-1', kmsKeyArn: DR_KEY } } }), DATABASE, 'backupReplication.region', 'us-east-1', "is the tier's own region"],
    ['a replication key of another region', prodWith({ database: { backupReplication: { region: 'eu-west-1', kmsKeyArn: DR_KEY } } }), DATABASE, 'backupReplication.kmsKey', DR_KEY, 'is a key of us-west-2'],
    ['backup replication without a key', prodWith({ database: { backupReplication: { region: 'us-west-2' } } }), APP, 'database.backupReplication.kmsKeyArn', undefined, 'is required'],
    // Application roles: their shape is the app's, their values the constructs'.
    ['a role key with a typo', prodWith({ database: { applicationRoles: [{ name: 'orders_app', acess: 'read-only' }] } }), APP, 'overrides.database.applicationRoles[0].acess', 'read-only', 'did you mean access?'],
    ['a role\'s connection limit as text', prodWith({ database: { applicationRoles: [{ name: 'orders_app', access: 'read-only', connectionLimit: '20' }] } }), APP, 'overrides.database.applicationRoles[0].connectionLimit', '20', 'must be a number'],
    ['a negative statement timeout', prodWith({ database: { applicationRoles: [{ name: 'orders_app', access: 'read-only', statementTimeoutMs: -1 }] } }), APP, 'overrides.database.applicationRoles[0].statementTimeoutMs', -1, 'must be a whole number, 0 or more, not negative'],
    ['a role named postgres', prodWith({ database: { applicationRoles: [{ name: 'postgres', access: 'read-only', schemas: ['public'] }] } }), DATABASE, 'applicationRoles[0].name', 'postgres', "is reserved: postgres is PostgreSQL's own"],
    ['a role without access', prodWith({ database: { applicationRoles: [{ name: 'orders_app', schemas: ['public'] }] } }), DATABASE, 'applicationRoles[0].access', undefined, 'must be one of read-write, read-only'],
    ['a role in a schema no stream owns', prodWith({ database: { applicationRoles: [{ name: 'orders_app', access: 'read-write' }] } }), SCHEMA, 'applicationRoles[0].schemas', ['orders_app'], 'names unknown schema orders_app', 'the application streams own public'],
    ['40 days of replicated backups', prodWith({ database: { backupReplication: { region: 'us-west-2', kmsKeyArn: DR_KEY, retentionDays: 40 } } }), DATABASE, 'backupReplication.retention (days)', 40, 'from 1 to 35'],
  ];

  test.each(cases)('refuses %s, naming where, the prop, the value and what is allowed', (_, context, path, prop, value, ...allowed) => {
    const error = refusalOf(context);
    expect({ path: error.path, prop: error.prop, value: error.value }).toEqual({ path, prop, value });
    expect(error.message.startsWith(`${path ? `${path}: ` : ''}invalid ${prop} = ${JSON.stringify(value)}: `)).toBe(true);
    for (const part of allowed) expect(error.allowed).toContain(part);
  });
});

describe('a refusal from a construct', () => {
  test.each([
    [{ database: { backupRetentionDays: 40 } }, 'database.backupRetentionDays'],
    [{ network: { vpcCidr: '10.42.7.9/16' } }, 'network.vpcCidr'],
    [{ monitoring: { thresholds: { cpuPercent: 100 } } }, 'monitoring.thresholds.cpuPercent'],
    [{ network: { interfaceEndpointZones: 4 } }, 'network.interfaceEndpointZones'],
    [{ database: { applicationRoles: [{ name: 'rds_app', access: 'read-only', schemas: ['public'] }] } }, 'database.applicationRoles[0].name'],
    [{ database: { applicationRoles: [{ name: 'orders_app', access: 'read-only', schemas: ['public'] }, { name: 'orders_app', access: 'read-write', schemas: ['public'] }] } }, 'database.applicationRoles'],
    [{ database: { applicationRoles: [{ name: 'orders_app', access: 'read-only', schemas: ['public'], statementTimeoutMs: 90_000_000 }] } }, 'database.applicationRoles[0].statementTimeoutMs'],
    [{ database: { applicationRoles: [{ name: 'orders_app', access: 'read-only', schemas: ['orders'] }] } }, 'database.applicationRoles[0].schemas'],
    // A topology's refusals: of prod's own settings it cannot take, and of its own fields.
    [{ database: { topology: { kind: 'multi-az-cluster' } } }, 'database.instanceClass'],
    [{ database: { instanceClass: 'db.r6gd.xlarge', topology: { kind: 'multi-az-cluster' } } }, 'database.maxAllocatedStorageGiB'],
    [{ database: { topology: { kind: 'aurora' } } }, 'database.maxAllocatedStorageGiB'],
    [{ database: { topology: { kind: 'cluster' } } }, 'database.topology.kind'],
  ])('also names the app setting to change: %j', (settings, setting) => {
    expect(refusalOf(prodWith(settings)).message).toContain(`(the app's setting: ${setting}, in app/environments/prod.json or -c overrides)`);
  });

  test.each([
    [{ database: { topology: { kind: 'aurora', capacity: 'serverless-v2', serverlessV2MinCapacity: 0.3 } } }, 'database.topology.serverlessV2MinCapacity'],
    [{ database: { topology: { kind: 'aurora', readerAutoScaling: { minReaders: 1, maxReaders: 20 } } } }, 'database.topology.readerAutoScaling.maxReaders'],
    [{ database: { topology: { kind: 'multi-az-cluster', storageType: 'io1' }, instanceClass: 'db.r6gd.large', allocatedStorageGiB: 200 } }, 'database.topology.iops'],
  ])('names the topology field to change on staging: %j', (settings, setting) => {
    expect(refusalOf({ env: 'staging', overrides: JSON.stringify(settings) }).message).toContain(`(the app's setting: ${setting}, in app/environments/staging.json or -c overrides)`);
  });

  test('a topology field of another kind is refused by the app', () => {
    const error = refusalOf({ env: 'staging', overrides: JSON.stringify({ database: { topology: { kind: 'instances', storageType: 'io2' } } }) });
    expect(error.prop).toBe('database.topology.storageType');
    expect(error.allowed).toContain('does not apply to kind instances');
  });
});

describe('a tier restored from prod (-c name=data-tier-prod-r1)', () => {
  const stack = build(restoredWith({ fromInstance: 'data-tier-prod-primary', toTime: '2026-11-28T22:15:00Z' }));
  const template = Template.fromStack(stack);

  test('reads its own committed file, app/environments/<name>.json, after the environment\'s', () => {
    expect(stack.config.settings.database).toEqual({ ...committed('prod').database, restore: { fromInstance: 'data-tier-prod-primary', toTime: '2026-11-28T22:15:00Z' } });
  });

  test('is a new stack and tier with its own physical names, its primary restored to the time', () => {
    expect(stack.stackName).toBe('data-tier-prod-r1');
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'data-tier-prod-r1-primary',
      SourceDBInstanceIdentifier: 'data-tier-prod-primary',
      RestoreTime: '2026-11-28T22:15:00Z',
      MultiAZ: true,
      DBInstanceClass: 'db.r7g.xlarge',
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'data-tier-prod-r1/postgres/master' });
    template.hasResourceProperties('AWS::RDS::DBProxy', { DBProxyName: 'data-tier-prod-r1-proxy' });
  });

  test('keeps the logical IDs of a normal tier\'s stateful resources (the same constructs under Default)', () => {
    const normal = Template.fromStack(buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), { context: { env: 'prod' }, environment: TEST_ENVIRONMENT }));
    // Stateful resources; security-group rules between groups carry the stack name in their IDs.
    const stateful = (t: Template) =>
      ['AWS::RDS::DBInstance', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::ElastiCache::ReplicationGroup', 'AWS::Backup::BackupVault', 'AWS::Logs::LogGroup'].flatMap((type) => Object.keys(t.findResources(type))).sort();
    expect(stateful(template)).toEqual(stateful(normal));
    expect(stateful(template).length).toBeGreaterThan(10);
  });
});

describe('a restored tier stays restored: its committed template (app/templates/<name>.template.json) holds the restore it was built from', () => {
  const templates = scratchDirectory('templates-');
  /** Synthesizes a named tier of prod, never deployed, and commits its template as the review does. */
  function deploy(name: string, settings: object, prod: object = committed('prod')): void {
    const stack = build({ env: 'prod', name, [SOURCES]: { environmentsDirectory: environmentsWith({ prod, [name]: settings }), templatesDirectory: NO_TEMPLATES, now: NOW } });
    writeFileSync(join(templates, `${name}.template.json`), JSON.stringify(Template.fromStack(stack).toJSON()));
  }
  const POINT_IN_TIME = { fromInstance: 'data-tier-prod-primary', toTime: '2026-11-28T22:15:00Z' };
  deploy('data-tier-prod-r1', { database: { restore: { fromSnapshot: SNAPSHOT } } });
  deploy('data-tier-prod-r2', { database: { restore: POINT_IN_TIME } });
  deploy('data-tier-prod-blue', {});
  // Prod on Aurora, restored to a point in time of its cluster (DatabaseRestore.fromCluster).
  const prodOnAurora = { ...PROD_ON_TOPOLOGY.aurora(committed('prod')), database: { ...PROD_ON_TOPOLOGY.aurora(committed('prod')).database, topology: { kind: 'aurora' } } };
  const CLUSTER_POINT_IN_TIME = { fromCluster: 'data-tier-prod-cluster', toTime: '2026-11-28T22:15:00Z' };
  deploy('data-tier-prod-r4', { database: { restore: CLUSTER_POINT_IN_TIME } }, prodOnAurora);
  /** Context of a deployed named tier, its committed file holding `settings`, half a year later. */
  const deployedWith = (name: string, settings: object, context: Record<string, unknown> = {}, prod: object = committed('prod')) => ({
    env: 'prod',
    name,
    ...context,
    [SOURCES]: { environmentsDirectory: environmentsWith({ prod, [name]: settings }), templatesDirectory: templates, now: new Date('2027-06-01T00:00:00Z') },
  });

  test('the template shows the restore of the primary, and none for a tier created empty', () => {
    expect(deployedTier('data-tier-prod-r1', templates)?.restore).toEqual({ DBSnapshotIdentifier: SNAPSHOT });
    expect(deployedTier('data-tier-prod-r2', templates)?.restore).toEqual({ SourceDBInstanceIdentifier: 'data-tier-prod-primary', RestoreTime: '2026-11-28T22:15:00Z' });
    expect(deployedTier('data-tier-prod-blue', templates)?.restore).toEqual({});
    expect(deployedTier('data-tier-prod-r3', templates)).toBeUndefined();
  });

  test('with the same restore it builds as deployed, however long ago its restore time is', () => {
    Template.fromStack(build(deployedWith('data-tier-prod-r1', { database: { restore: { fromSnapshot: SNAPSHOT } } }))).hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'data-tier-prod-r1-primary',
      DBSnapshotIdentifier: SNAPSHOT,
    });
    expect(() => build(deployedWith('data-tier-prod-r2', { database: { restore: POINT_IN_TIME } }))).not.toThrow();
  });

  test('without its restore (a deploy that forgot it) it is refused, saying why and what to keep', () => {
    const error = refusalOf(deployedWith('data-tier-prod-r1', {}));
    expect({ path: error.path, prop: error.prop, value: error.value }).toEqual({ path: '', prop: 'database.restore', value: undefined });
    for (const part of [
      `is missing, but data-tier-prod-r1 was restored (app/templates/data-tier-prod-r1.template.json shows {"DBSnapshotIdentifier":"${SNAPSHOT}"})`,
      'CloudFormation would create an empty primary and delete the restored one',
      'DBName, MasterUsername, KmsKeyId and StorageEncrypted come back',
      `Keep {"database":{"restore":{"fromSnapshot":"${SNAPSHOT}"}}} in app/environments/data-tier-prod-r1.json`,
    ]) {
      expect(error.allowed).toContain(part);
    }
    expect(refusalOf(deployedWith('data-tier-prod-r2', {})).allowed).toContain(`Keep {"database":{"restore":${JSON.stringify(POINT_IN_TIME)}}} in app/environments/data-tier-prod-r2.json`);
  });

  test("a cluster restored to a point in time of a cluster keeps it: the same restore builds, without it or with another time it is refused", () => {
    expect(deployedTier('data-tier-prod-r4', templates)).toMatchObject({ clustered: true, restore: { SourceDBClusterIdentifier: 'data-tier-prod-cluster', RestoreToTime: '2026-11-28T22:15:00Z' } });
    Template.fromStack(build(deployedWith('data-tier-prod-r4', { database: { restore: CLUSTER_POINT_IN_TIME } }, {}, prodOnAurora))).hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'data-tier-prod-r4-cluster',
      SourceDBClusterIdentifier: 'data-tier-prod-cluster',
      RestoreToTime: '2026-11-28T22:15:00Z',
    });
    expect(refusalOf(deployedWith('data-tier-prod-r4', {}, {}, prodOnAurora)).allowed).toContain(`Keep {"database":{"restore":${JSON.stringify(CLUSTER_POINT_IN_TIME)}}} in app/environments/data-tier-prod-r4.json`);
    const later = { ...CLUSTER_POINT_IN_TIME, toTime: '2026-11-28T22:20:00Z' };
    expect(refusalOf(deployedWith('data-tier-prod-r4', { database: { restore: later } }, {}, prodOnAurora)).allowed).toContain('differs from the restore data-tier-prod-r4 was built from');
  });

  test('what the refused synth would deploy, by the review\'s own diff: the restored primary replaced', () => {
    // The same settings for a tier never deployed pass, and show what the refusal prevents.
    const forgotten = build({ env: 'prod', name: 'data-tier-prod-r1', [SOURCES]: { environmentsDirectory: environmentsWith({ 'data-tier-prod-r1': {} }), templatesDirectory: NO_TEMPLATES, now: NOW } });
    const deployed = JSON.parse(readFileSync(join(templates, 'data-tier-prod-r1.template.json'), 'utf8'));
    const primary = diffTemplates(deployed, Template.fromStack(forgotten).toJSON()).modified.find((m) => m.type === 'AWS::RDS::DBInstance' && m.logicalId.startsWith('DatabasePrimary'));
    expect(primary?.replacement).toBe('yes');
    const replacing = primary?.properties.filter((p) => p.behavior === 'Replacement').map((p) => p.name);
    expect(replacing).toEqual(expect.arrayContaining(['DBName', 'KmsKeyId', 'MasterUsername', 'StorageEncrypted']));
  });

  test('with the restore given only on the command line it is refused: the file must hold it', () => {
    const error = refusalOf(deployedWith('data-tier-prod-r1', {}, { overrides: JSON.stringify({ database: { restore: { fromSnapshot: SNAPSHOT } } }) }));
    expect({ prop: error.prop, value: error.value }).toEqual({ prop: 'overrides.database.restore', value: { fromSnapshot: SNAPSHOT } });
  });

  test.each([
    ['another snapshot', 'data-tier-prod-r1', { fromSnapshot: SNAPSHOT.replace('0a1b2c3d', '99999999') }],
    ['another time', 'data-tier-prod-r2', { ...POINT_IN_TIME, toTime: '2026-11-28T22:10:00Z' }],
    ['the latest time instead of the one restored to', 'data-tier-prod-r2', { fromInstance: 'data-tier-prod-primary' }],
    ['another source', 'data-tier-prod-r1', POINT_IN_TIME],
  ])('%s is refused: CloudFormation would restore a new primary and delete this one; a new restore is a new tier', (_, name, restore) => {
    const error = refusalOf(deployedWith(name, { database: { restore } }));
    expect({ prop: error.prop, value: error.value }).toEqual({ prop: 'database.restore', value: restore });
    expect(error.allowed).toContain(`differs from the restore ${name} was built from (app/templates/${name}.template.json shows `);
    expect(error.allowed).toContain('delete the one serving now');
    expect(error.allowed).toContain('a new restore is a new tier beside this one: give it its own name, -c name=data-tier-prod-<suffix>');
  });

  test('a restore cannot be added to a named tier deployed empty', () => {
    const error = refusalOf(deployedWith('data-tier-prod-blue', { database: { restore: { fromSnapshot: SNAPSHOT } } }));
    expect(error.prop).toBe('database.restore');
    expect(error.allowed).toContain('cannot be added to data-tier-prod-blue, deployed with a primary created empty (app/templates/data-tier-prod-blue.template.json)');
  });
});

describe('a named tier and the source\'s region-bound DR settings', () => {
  const directory = mkdtempSync(join(tmpdir(), 'environments-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  writeFileSync(join(directory, 'prod.json'), JSON.stringify({ database: { replicaCount: 3, backupReplication: { region: 'us-west-2', kmsKeyArn: DR_KEY } }, backup: { copyToVaultArn: 'arn:aws:backup:us-west-2:111111111111:backup-vault:dr' }, drReplica: { region: 'us-west-2' } }));

  test('are not inherited from app/environments/<env>.json (the tier may run in the DR region itself); the rest is', () => {
    const config = resolve({ env: 'prod', name: 'data-tier-prod-r1', region: 'us-west-2' }, directory);
    expect(config.settings.database?.replicaCount).toBe(3);
    expect(config.settings.database).not.toHaveProperty('backupReplication');
    expect(config.settings.backup).not.toHaveProperty('copyToVaultArn');
    expect(config.settings).not.toHaveProperty('drReplica');
  });

  test('stay on the environment\'s own stack', () => {
    expect(resolve({ env: 'prod' }, directory).settings.database?.backupReplication?.region).toBe('us-west-2');
  });
});

describe('the VPC\'s block', () => {
  test('may be public when network.allowPublicCidr says so', () => {
    const stack = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), { context: prodWith({ network: { vpcCidr: '8.8.0.0/16', allowPublicCidr: true } }), environment: TEST_ENVIRONMENT });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '8.8.0.0/16' });
  });
});

describe('backup replication of prod to another region', () => {
  test('sets the primary\'s AutomaticBackupReplication properties, retention in days', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = buildApp(app, { context: prodWith({ database: { backupReplication: { region: 'us-west-2', kmsKeyArn: DR_KEY, retentionDays: 7 } } }), environment: TEST_ENVIRONMENT });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'data-tier-prod-primary',
      AutomaticBackupReplicationRegion: 'us-west-2',
      AutomaticBackupReplicationKmsKeyId: DR_KEY,
      AutomaticBackupReplicationRetentionPeriod: 7,
    });
  });
});
