import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Database, DatabaseProps } from '../../lib/database';
import { DatabaseRestore, parseRestoreTime, PROPERTIES_REFUSED_ON_RESTORE } from '../../lib/restore';
import { isolatedVpc, messageStart, newStack, validationError } from './support';

type Instance = { Type: string; Properties: Record<string, unknown> };

/** A `Database` built from `props` in a bare stack (us-east-1, account 123456789012). */
function build(props: Omit<DatabaseProps, 'vpc'>): { template: Template; db: Database } {
  const stack = newStack();
  const db = new Database(stack, 'Db', { vpc: isolatedVpc(stack), replicaCount: 1, name: 'data-tier-test', ...props });
  return { template: Template.fromStack(stack), db };
}

/** The primary's AWS::RDS::DBInstance (the one that is not a read replica of it). */
function primaryOf(template: Template): Instance {
  const instances = Object.values(template.findResources('AWS::RDS::DBInstance')) as Instance[];
  const primaries = instances.filter((i) => typeof i.Properties.DBInstanceIdentifier === 'string' && String(i.Properties.DBInstanceIdentifier).endsWith('-primary'));
  expect(primaries).toHaveLength(1);
  return primaries[0];
}

const SNAPSHOT = 'arn:aws:rds:us-east-1:123456789012:snapshot:awsbackup:job-0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const SOURCE_ARN = 'arn:aws:rds:us-east-1:123456789012:db:data-tier-prod-primary';
const BACKUPS = 'arn:aws:rds:us-east-1:123456789012:auto-backup:ab-l2ijcexjp7xq7hoj4siexample';

describe.each([
  ['a snapshot or recovery point', DatabaseRestore.fromSnapshot(SNAPSHOT), { DBSnapshotIdentifier: SNAPSHOT }],
  ['a point in time of an instance', DatabaseRestore.fromInstance(SOURCE_ARN, { toTime: new Date('2026-11-28T22:15:00.500Z') }), { SourceDBInstanceIdentifier: SOURCE_ARN, RestoreTime: '2026-11-28T22:15:00Z' }],
  ['the latest restorable time of an instance', DatabaseRestore.fromInstance('data-tier-prod-primary', { toTime: 'latest' }), { SourceDBInstanceIdentifier: 'data-tier-prod-primary', UseLatestRestorableTime: true }],
  ['the retained backups of a deleted instance (its resource id)', DatabaseRestore.fromInstance('db-ABCDEFGHIJKLMNOPQRSTUVWXYZ'), { SourceDbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXYZ', UseLatestRestorableTime: true }],
  ['automated backups replicated from another region', DatabaseRestore.fromReplicatedBackups(BACKUPS, { toTime: new Date('2026-11-28T22:15:00Z') }), { SourceDBInstanceAutomatedBackupsArn: BACKUPS, RestoreTime: '2026-11-28T22:15:00Z' }],
])('a primary restored from %s', (_label, restore, expected) => {
  const { template } = build({ restore });
  const primary = primaryOf(template);

  test('carries the source properties of AWS::RDS::DBInstance', () => {
    expect(primary.Properties).toMatchObject(expected);
  });

  test('has none of the properties CloudFormation refuses next to them (database, master user, encryption, version come from the source)', () => {
    for (const property of PROPERTIES_REFUSED_ON_RESTORE) expect(primary.Properties).not.toHaveProperty(property);
    const sources = ['DBSnapshotIdentifier', 'SourceDBInstanceIdentifier', 'SourceDbiResourceId', 'SourceDBInstanceAutomatedBackupsArn'];
    expect(sources.filter((p) => p in primary.Properties)).toHaveLength(1);
    expect('RestoreTime' in primary.Properties && 'UseLatestRestorableTime' in primary.Properties).toBe(false);
  });

  test('sets MasterUserPassword from the new tier\'s master secret, which CloudFormation applies right after the restore', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'data-tier-test/postgres/master' } });
    const [secretId] = Object.keys(secrets);
    expect(secretId).toBeDefined();
    expect(JSON.stringify(primary.Properties.MasterUserPassword)).toContain(secretId);
    expect(JSON.stringify(primary.Properties.MasterUserPassword)).toContain(':SecretString:password::}}');
  });

  test('keeps its replicas, proxy and secrets around the restored primary', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    expect(JSON.stringify(template.findResources('AWS::RDS::DBInstance', { Properties: { DBInstanceIdentifier: 'data-tier-test-replica-1' } }))).toMatch(/"Ref":"DbPrimary[0-9A-F]{8}"/);
    template.resourceCountIs('AWS::RDS::DBProxy', 1);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 3);
  });
});

describe('a tier without restore', () => {
  test('keeps a new database: master user, database name, encryption and version in the template', () => {
    const primary = primaryOf(build({ name: 'data-tier-test' }).template);
    expect(primary.Properties).toMatchObject({ DBName: 'app', StorageEncrypted: true, EngineVersion: '17' });
    expect(primary.Properties).toHaveProperty('MasterUsername');
    expect(primary.Properties).toHaveProperty('KmsKeyId');
    for (const p of ['DBSnapshotIdentifier', 'SourceDBInstanceIdentifier', 'RestoreTime', 'UseLatestRestorableTime', 'AutomaticBackupReplicationRegion']) expect(primary.Properties).not.toHaveProperty(p);
  });

  test('keeps the construct id Primary and its logical ID whether restored or not', () => {
    const plain = Object.keys(build({ name: 'data-tier-test' }).template.findResources('AWS::RDS::DBInstance'));
    const restored = Object.keys(build({ name: 'data-tier-test', restore: DatabaseRestore.fromSnapshot(SNAPSHOT) }).template.findResources('AWS::RDS::DBInstance'));
    expect(restored).toEqual(plain);
  });
});

describe('restore validation', () => {
  const PATH = 'Test/Db';
  it.each([
    ['fromSnapshot', DatabaseRestore.fromSnapshot('my-snapshot'), 'must be an ARN'],
    ['fromSnapshot', DatabaseRestore.fromSnapshot('arn:aws:rds:eu-west-1:123456789012:snapshot:s1'), 'is in eu-west-1, but the tier is in us-east-1'],
    ['fromSnapshot', DatabaseRestore.fromSnapshot('arn:aws:rds:us-east-1:999999999999:snapshot:s1'), 'belongs to account 999999999999'],
    ['fromInstance', DatabaseRestore.fromInstance('arn:aws:rds:us-west-2:123456789012:db:data-tier-prod-primary'), 'is in us-west-2'],
    ['fromInstance', DatabaseRestore.fromInstance('not an id!'), 'must be a DB instance identifier'],
    ['fromReplicatedBackups', DatabaseRestore.fromReplicatedBackups('arn:aws:rds:us-east-1:123456789012:snapshot:x'), 'auto-backup'],
    ['fromReplicatedBackups', DatabaseRestore.fromReplicatedBackups('arn:aws:rds:us-west-2:123456789012:auto-backup:ab-abc123'), 'is in us-west-2'],
    ['toTime', DatabaseRestore.fromInstance('data-tier-prod-primary', { toTime: new Date('nonsense') }), 'must be a valid time'],
    ['toTime', DatabaseRestore.fromInstance('data-tier-prod-primary', { toTime: new Date(Date.now() + 3_600_000) }), 'must be in the past'],
  ])('refuses restore.%s: %s', (prop, restore, allowed) => {
    const error = validationError(() => build({ restore }));
    expect(error.message.startsWith(messageStart(PATH, `restore.${prop}`))).toBe(true);
    expect(error.allowed).toContain(allowed);
  });

  it.each([
    ['2026-11-28T22:15:00Z', '2026-11-28T22:15:00.000Z'],
    ['2026-11-28T22:15:00.250Z', '2026-11-28T22:15:00.250Z'],
  ])('parses the UTC time %s', (text, iso) => {
    expect((parseRestoreTime('', 'toTime', text) as Date).toISOString()).toBe(iso);
  });

  it.each(['2026-11-28 22:15:00', '2026-11-28T22:15:00+01:00', '2026-02-30T00:00:00Z', 'yesterday', 42])('refuses the time %p (not ISO-8601 UTC, or impossible)', (text) => {
    expect(validationError(() => parseRestoreTime('', 'database.restore.toTime', text)).prop).toBe('database.restore.toTime');
  });
});

describe('backup replication to another region', () => {
  const KEY = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  test('sets the AutomaticBackupReplication properties of the primary only', () => {
    const { template } = build({ backupReplication: { region: 'us-west-2', kmsKey: KEY, retention: Duration.days(14) } });
    expect(primaryOf(template).Properties).toMatchObject({
      AutomaticBackupReplicationRegion: 'us-west-2',
      AutomaticBackupReplicationKmsKeyId: KEY,
      AutomaticBackupReplicationRetentionPeriod: 14,
    });
    const replicas = (Object.values(template.findResources('AWS::RDS::DBInstance')) as Instance[]).filter((i) => 'SourceDBInstanceIdentifier' in i.Properties);
    for (const replica of replicas) expect(replica.Properties).not.toHaveProperty('AutomaticBackupReplicationRegion');
  });

  test('takes a key object and leaves the retention to the primary\'s by default', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'DrKey', KEY);
    const db = new Database(stack, 'Db', { vpc: isolatedVpc(stack), name: 'data-tier-test', backupReplication: { region: 'us-west-2', kmsKey: key } });
    const primary = primaryOf(Template.fromStack(stack));
    expect(primary.Properties.AutomaticBackupReplicationKmsKeyId).toBe(KEY);
    expect(primary.Properties).not.toHaveProperty('AutomaticBackupReplicationRetentionPeriod');
    expect(db.options.backupReplication?.region).toBe('us-west-2');
  });

  it.each([
    ['backupReplication.region', { region: 'us-east-1', kmsKey: KEY }, "is the tier's own region"],
    ['backupReplication.region', { region: 'us-westt-2', kmsKey: KEY }, 'must be a commercial AWS region'],
    ['backupReplication.kmsKey', { region: 'us-west-2', kmsKey: 'alias/dr' }, 'must be the ARN of a KMS key in us-west-2'],
    ['backupReplication.kmsKey', { region: 'eu-west-1', kmsKey: KEY }, 'is a key of us-west-2'],
    ['backupReplication.kmsKey', { region: 'us-west-2', kmsKey: KEY.replace('123456789012', '999999999999') }, 'belongs to account 999999999999'],
    ['backupReplication.retention (days)', { region: 'us-west-2', kmsKey: KEY, retention: Duration.days(36) }, 'from 1 to 35'],
  ])('refuses %s: %j', (prop, backupReplication, allowed) => {
    const error = validationError(() => build({ backupReplication }));
    expect(error.message.startsWith(messageStart('Test/Db', prop))).toBe(true);
    expect(error.allowed).toContain(allowed);
  });
});
