// The property walk: every create-only property, every "Replacement" property and every
// conditionally create-only property of the types the review counts as stateful, read from the
// CloudFormation registry schemas that aws-cdk ships (db.json.gz of @aws-cdk/aws-service-spec) and
// from the rules table, each tried on a synthetic pair of templates; then the changes the services
// refuse (storage shrinking), subnet groups moving to another VPC's subnets, and deletions.
import type { CostEstimator } from '../../lib/cli/review/cost';
import { CONDITIONAL_RULES } from '../../lib/cli/review/conditional-rules';
import { type Resource, type TemplateJson } from '../../lib/cli/review/diff';
import { CONDITIONALLY_REPLACING, REPLACEMENT_RULES } from '../../lib/cli/review/replacement-rules';
import { reviewEnvironment } from '../../lib/cli/review/report';
import { GROUP_TYPES, REVIEWED_TYPES, STATEFUL_TYPES } from '../../lib/cli/review/stateful-types';
import { registryTypes } from '../../scripts/review/registry-schemas';

const noCost = () => ({ region: 'us-east-1', currency: 'USD' as const, total: 0, lines: [], unpriced: [], assumptions: {} }) as unknown as ReturnType<CostEstimator>;
const blockingOf = (before: TemplateJson, after: TemplateJson) =>
  reviewEnvironment({ envName: 'walk', before, after, baseLabel: 'before', region: 'us-east-1', allowReplace: [], estimateCost: noCost }).blocking;

type Properties = Record<string, unknown>;

/** A resource of each group type's users that uses the group, so that the group counts as stateful. */
const USER_OF: Record<string, (group: string) => Resource> = {
  'AWS::RDS::DBSubnetGroup': (group) => ({ Type: 'AWS::RDS::DBInstance', Properties: { DBSubnetGroupName: { Ref: group } } }),
  'AWS::RDS::DBParameterGroup': (group) => ({ Type: 'AWS::RDS::DBInstance', Properties: { DBParameterGroupName: { Ref: group } } }),
  'AWS::RDS::DBClusterParameterGroup': (group) => ({ Type: 'AWS::RDS::DBCluster', Properties: { DBClusterParameterGroupName: { Ref: group } } }),
  'AWS::ElastiCache::SubnetGroup': (group) => ({ Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { CacheSubnetGroupName: { Ref: group } } }),
  'AWS::ElastiCache::ParameterGroup': (group) => ({ Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { CacheParameterGroupName: { Ref: group } } }),
};

/** The subject resource before and after, with a user when it is a group. */
function pair(type: string, before: Properties, after: Properties, attributes: Properties = {}): [TemplateJson, TemplateJson] {
  const user: Record<string, Resource> = USER_OF[type] ? { User: USER_OF[type]('Subject') } : {};
  return [{ Resources: { Subject: { Type: type, Properties: before }, ...user } }, { Resources: { Subject: { Type: type, Properties: after, ...attributes }, ...user } }];
}

const schemas = registryTypes();
const schemaOf = (type: string) => {
  const schema = schemas.get(type);
  if (!schema) throw new Error(`${type} is not in the registry schemas of node_modules/aws-cdk/db.json.gz`);
  return schema.properties;
};

describe('the registry schemas and the rules table agree on the stateful types', () => {
  it('reviews the types the issue names, each group with a user here', () => {
    expect(REVIEWED_TYPES).toEqual(
      expect.arrayContaining([
        'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::ElastiCache::ReplicationGroup', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Backup::BackupVault',
        'AWS::RDS::DBSubnetGroup', 'AWS::ElastiCache::SubnetGroup', 'AWS::RDS::DBParameterGroup', 'AWS::ElastiCache::ParameterGroup',
      ]),
    );
    expect(Object.keys(USER_OF).sort()).toEqual([...GROUP_TYPES].sort());
  });

  it.each(REVIEWED_TYPES)('%s: every property of its schema is in the table, or conditional (regenerate with scripts/review/generate-replacement-rules.ts)', (type) => {
    const unknown = Object.keys(schemaOf(type)).filter((name) => REPLACEMENT_RULES[type]?.[name] === undefined && !CONDITIONALLY_REPLACING[type]?.includes(name));
    expect(unknown).toEqual([]);
    const createOnly = Object.entries(schemaOf(type)).filter(([, p]) => p.causesReplacement === 'yes').map(([name]) => name);
    expect(createOnly.filter((name) => REPLACEMENT_RULES[type][name] !== 'Replacement')).toEqual([]);
    const conditional = Object.entries(schemaOf(type)).filter(([, p]) => p.causesReplacement === 'maybe').map(([name]) => name);
    expect([...(CONDITIONALLY_REPLACING[type] ?? [])].sort()).toEqual(conditional.sort());
  });

  it.each(STATEFUL_TYPES)('%s: every conditionally create-only property has a rule in lib/cli/review/conditional-rules.ts', (type) => {
    expect(Object.keys(CONDITIONAL_RULES[type] ?? {}).sort()).toEqual([...(CONDITIONALLY_REPLACING[type] ?? [])].sort());
  });
});

/** Create-only in the schema, or Replacement in the table: a new value replaces the resource. */
const replacing = REVIEWED_TYPES.flatMap((type) => {
  const names = new Set([
    ...Object.entries(schemaOf(type)).filter(([, p]) => p.causesReplacement === 'yes').map(([name]) => name),
    ...Object.entries(REPLACEMENT_RULES[type] ?? {}).filter(([, b]) => b === 'Replacement').map(([name]) => name),
  ]);
  return [...names].sort().map((name) => [type, name] as const);
});

describe('a new value of a replacing property is refused', () => {
  it('walks every one of them', () => {
    expect(replacing.length).toBeGreaterThan(60);
  });

  it.each(replacing)('%s.%s', (type, name) => {
    expect(blockingOf(...pair(type, { [name]: 'one' }, { [name]: 'two' }))).toContain(`Subject (${type}) would be replaced`);
  });
});

type Change = readonly [before: Properties, after: Properties, attributes?: Properties];
interface Cases {
  readonly replacing?: readonly Change[];
  readonly possibly?: readonly Change[];
  readonly inPlace?: readonly Change[];
}

/** For each conditionally create-only property of a stateful type: changes that replace, may replace, or update in place. */
const CONDITIONAL_CASES: Record<string, Cases> = {
  'AWS::RDS::DBInstance.Engine': { replacing: [[{ Engine: 'postgres' }, { Engine: 'mysql' }]], inPlace: [[{ Engine: 'oracle-se1' }, { Engine: 'oracle-se2' }]] },
  'AWS::RDS::DBInstance.PerformanceInsightsKMSKeyId': {
    replacing: [[{ PerformanceInsightsKMSKeyId: 'key-1' }, { PerformanceInsightsKMSKeyId: 'key-2' }]],
    inPlace: [[{}, { PerformanceInsightsKMSKeyId: 'key-1' }]],
  },
  'AWS::RDS::DBInstance.AvailabilityZone': {
    replacing: [[{ AvailabilityZone: 'us-east-1a' }, { AvailabilityZone: 'us-east-1b' }]],
    inPlace: [[{ AvailabilityZone: 'us-east-1a' }, { MultiAZ: true }]],
  },
  'AWS::RDS::DBInstance.SourceDBInstanceIdentifier': {
    replacing: [[{ SourceDBInstanceIdentifier: 'one' }, { SourceDBInstanceIdentifier: 'two' }]],
    // Removed from a point-in-time restore: a restore leaving the template.
    possibly: [[{ SourceDBInstanceIdentifier: 'one', RestoreTime: '2026-11-28T03:15:00Z' }, {}]],
    // Removed from a read replica: "AWS CloudFormation promotes the read replica to a standalone DB instance".
    inPlace: [[{ SourceDBInstanceIdentifier: 'one' }, {}]],
  },
  'AWS::RDS::DBInstance.SourceDBClusterIdentifier': {
    replacing: [[{ SourceDBClusterIdentifier: 'one' }, { SourceDBClusterIdentifier: 'two' }]],
    inPlace: [[{ SourceDBClusterIdentifier: 'one' }, {}]],
  },
  ...Object.fromEntries(
    ['DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier', 'RestoreTime', 'SourceDBInstanceAutomatedBackupsArn', 'SourceDbiResourceId'].map((name) => [
      `AWS::RDS::DBInstance.${name}`,
      { replacing: [[{ [name]: 'one' }, { [name]: 'two' }]], possibly: [[{ [name]: 'one' }, {}]], inPlace: [[{ [name]: 'one' }, { [name]: 'one', Tags: [] }]] },
    ]),
  ),
  'AWS::RDS::DBInstance.UseLatestRestorableTime': {
    replacing: [[{ SourceDBInstanceIdentifier: 'one' }, { SourceDBInstanceIdentifier: 'one', UseLatestRestorableTime: true }]],
    possibly: [[{ SourceDbiResourceId: 'db-ABCDEFGHIJ', UseLatestRestorableTime: true }, { SourceDbiResourceId: 'db-ABCDEFGHIJ' }]],
  },
  'AWS::RDS::DBInstance.AutoMinorVersionUpgrade': { inPlace: [[{ AutoMinorVersionUpgrade: true }, { AutoMinorVersionUpgrade: false }]] },
  'AWS::RDS::DBInstance.BackupRetentionPeriod': { inPlace: [[{ BackupRetentionPeriod: 7 }, { BackupRetentionPeriod: 35 }]] },
  'AWS::RDS::DBInstance.DBParameterGroupName': { inPlace: [[{ DBParameterGroupName: 'one' }, { DBParameterGroupName: 'two' }]] },
  'AWS::RDS::DBInstance.MultiAZ': { inPlace: [[{ MultiAZ: false }, { MultiAZ: true }]] },
  'AWS::RDS::DBInstance.PreferredMaintenanceWindow': { inPlace: [[{ PreferredMaintenanceWindow: 'sun:04:30-sun:05:30' }, { PreferredMaintenanceWindow: 'mon:04:30-mon:05:30' }]] },
  'AWS::RDS::DBInstance.StorageType': { inPlace: [[{ StorageType: 'gp2' }, { StorageType: 'gp3' }]] },
  'AWS::RDS::DBCluster.Engine': { replacing: [[{ Engine: 'aurora-postgresql' }, { Engine: 'aurora-mysql' }]], inPlace: [[{ Engine: 'aurora' }, { Engine: 'aurora-mysql' }]] },
  'AWS::RDS::DBCluster.GlobalClusterIdentifier': {
    replacing: [[{ GlobalClusterIdentifier: 'one' }, { GlobalClusterIdentifier: 'two' }]],
    inPlace: [[{ GlobalClusterIdentifier: 'one' }, {}]],
  },
  'AWS::RDS::DBCluster.MasterUsername': { possibly: [[{ MasterUsername: 'dbadmin' }, { MasterUsername: 'postgres' }]] },
  'AWS::ElastiCache::ReplicationGroup.AuthToken': { replacing: [[{}, { AuthToken: 'a-token-of-sixteen' }]], inPlace: [[{ AuthToken: 'a-token-of-sixteen' }, { AuthToken: 'another-token-of-16' }]] },
  ...Object.fromEntries(
    ['NodeGroupConfiguration', 'NumNodeGroups'].map((name) => [
      `AWS::ElastiCache::ReplicationGroup.${name}`,
      { replacing: [[{ [name]: 2 }, { [name]: 3 }]], inPlace: [[{ [name]: 2 }, { [name]: 3 }, { UpdatePolicy: { UseOnlineResharding: true } }]] },
    ]),
  ),
};

describe('a conditionally create-only property is refused exactly when the provider would replace', () => {
  const conditional = STATEFUL_TYPES.flatMap((type) => (CONDITIONALLY_REPLACING[type] ?? []).map((name) => `${type}.${name}`));

  it('has cases for every one of them, and each is tried', () => {
    expect(Object.keys(CONDITIONAL_CASES).sort()).toEqual(conditional.sort());
  });

  const tries = Object.entries(CONDITIONAL_CASES).flatMap(([key, cases]) =>
    (['replacing', 'possibly', 'inPlace'] as const).flatMap((outcome) => (cases[outcome] ?? []).map((change) => [key, outcome, change] as const)),
  );
  it.each(tries)('%s: %s %j', (key, outcome, [before, after, attributes]) => {
    const type = key.slice(0, key.lastIndexOf('.'));
    const blocking = blockingOf(...pair(type, before, after, attributes));
    const expected = { replacing: [`Subject (${type}) would be replaced`], possibly: [`Subject (${type}) would be possibly replaced`], inPlace: [] }[outcome];
    expect(blocking).toEqual(expected);
  });

  it('says why a restore leaving the template may lose the instance', () => {
    const [before, after] = pair('AWS::RDS::DBInstance', { DBSnapshotIdentifier: 'arn:aws:rds:us-east-1:111111111111:snapshot:one' }, {});
    const { markdown } = reviewEnvironment({ envName: 'walk', before, after, baseLabel: 'before', region: 'us-east-1', allowReplace: [], estimateCost: noCost });
    expect(markdown).toContain('| Subject **(stateful)** | AWS::RDS::DBInstance | possibly: DBSnapshotIdentifier (not in the rules table) (a restore leaving the template:');
  });
});

describe('storage that would shrink is refused: the update would fail', () => {
  const storage = STATEFUL_TYPES.filter((type) => 'AllocatedStorage' in schemaOf(type));

  it('AllocatedStorage is the storage size of the stateful types (the cache has none)', () => {
    expect(storage).toEqual(['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster']);
  });

  it.each(storage)('%s: AllocatedStorage 500 → 400 is refused, 500 → 600 is not', (type) => {
    expect(blockingOf(...pair(type, { AllocatedStorage: '500' }, { AllocatedStorage: '400' }))).toEqual([
      `Subject (${type}) cannot be updated: AllocatedStorage 500 → 400: RDS cannot reduce allocated storage`,
    ]);
    expect(blockingOf(...pair(type, { AllocatedStorage: 500 }, { AllocatedStorage: 600 }))).toEqual([]);
  });

  it('AWS::RDS::DBInstance: an additional storage volume that would shrink is refused too', () => {
    const volumes = (gib: string) => ({ AdditionalStorageVolumes: [{ VolumeName: 'RDSDBDATA2', AllocatedStorage: gib }] });
    expect(blockingOf(...pair('AWS::RDS::DBInstance', volumes('200'), volumes('100')))).toEqual([
      'Subject (AWS::RDS::DBInstance) cannot be updated: AdditionalStorageVolumes RDSDBDATA2 200 → 100: RDS cannot reduce allocated storage',
    ]);
  });

  it('cannot be allowed with --allow-replace, and says so', () => {
    const [before, after] = pair('AWS::RDS::DBInstance', { AllocatedStorage: '500' }, { AllocatedStorage: '400' });
    const result = reviewEnvironment({ envName: 'walk', before, after, baseLabel: 'before', region: 'us-east-1', allowReplace: ['Subject'], estimateCost: noCost });
    expect(result.blocking).toHaveLength(1);
    expect(result.markdown).toContain('> **Refused: the update would fail and roll back.**');
    expect(result.markdown).toContain('| Subject | AWS::RDS::DBInstance | AllocatedStorage (**refused**: 500 → 400: RDS cannot reduce allocated storage) |');
  });
});

describe('a subnet group moving to subnets of another VPC is refused', () => {
  const subnet = (vpc: unknown, cidr: string) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: vpc, CidrBlock: cidr } });
  const network = (cidr: string) => ({ Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: cidr } }, SubnetA: subnet({ Ref: 'Vpc' }, '10.0.1.0/24'), SubnetB: subnet({ Ref: 'Vpc' }, '10.0.2.0/24') });
  const groups: Array<[string, string, string, string]> = [
    ['AWS::RDS::DBSubnetGroup', 'DBSubnetGroupDescription', 'AWS::RDS::DBInstance', 'DBSubnetGroupName'],
    ['AWS::ElastiCache::SubnetGroup', 'Description', 'AWS::ElastiCache::ReplicationGroup', 'CacheSubnetGroupName'],
  ];
  const tier = (groupType: string, description: string, userType: string, reference: string, subnetIds: unknown[], resources: Record<string, Resource>): TemplateJson => ({
    Resources: { ...resources, Group: { Type: groupType, Properties: { [description]: 'data', SubnetIds: subnetIds } }, Data: { Type: userType, Properties: { [reference]: { Ref: 'Group' } } } },
  });

  describe.each(groups)('%s', (groupType, description, userType, reference) => {
    const of = (subnetIds: unknown[], resources: Record<string, Resource> = {}) => tier(groupType, description, userType, reference, subnetIds, resources);
    const own = of([{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }], network('10.0.0.0/16'));
    const both = [`Group (${groupType}) would be replaced`, `Data (${userType}) would be replaced`];

    it('its VPC replaced (a new CIDR)', () => {
      expect(blockingOf(own, of([{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }], network('10.1.0.0/16')))).toEqual(both);
    });

    it("an existing VPC's subnet ids, its own VPC removed (network.existingVpc on a deployed tier)", () => {
      expect(blockingOf(own, of(['subnet-0000000a', 'subnet-0000000b']))).toEqual(both);
    });

    it('the subnets of a second VPC of the template', () => {
      const second = { Vpc2: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.9.0.0/16' } }, SubnetC: subnet({ Ref: 'Vpc2' }, '10.9.1.0/24'), SubnetD: subnet({ Ref: 'Vpc2' }, '10.9.2.0/24') };
      expect(blockingOf(own, of([{ Ref: 'SubnetC' }, { Ref: 'SubnetD' }], { ...network('10.0.0.0/16'), ...second }))).toEqual(both);
    });

    it('other subnet ids it cannot place: possibly', () => {
      expect(blockingOf(of(['subnet-0000000a', 'subnet-0000000b']), of(['subnet-0000000c', 'subnet-0000000d']))).toEqual([`Group (${groupType}) would be possibly replaced`]);
    });

    it('passes a subnet added in the same VPC, and one id kept among others', () => {
      const third = { ...network('10.0.0.0/16'), SubnetC: subnet({ Ref: 'Vpc' }, '10.0.3.0/24') };
      expect(blockingOf(own, of([{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }, { Ref: 'SubnetC' }], third))).toEqual([]);
      expect(blockingOf(of(['subnet-0000000a', 'subnet-0000000b']), of(['subnet-0000000a', 'subnet-0000000c']))).toEqual([]);
    });
  });
});

describe('deleting a stateful resource is refused', () => {
  it.each(REVIEWED_TYPES)('%s', (type) => {
    const [before] = pair(type, {}, {});
    const after: TemplateJson = { Resources: USER_OF[type] ? { User: { ...before.Resources!.User, Properties: {} } } : {} };
    // (A user leaving its subnet group is itself replaced: DBSubnetGroupName and CacheSubnetGroupName are create-only.)
    expect(blockingOf(before, after)).toContain(`Subject (${type}) would be deleted`);
  });

  it('but not a group no database or cache uses (the parameter group a blue/green switchover left)', () => {
    const group = { Type: 'AWS::RDS::DBParameterGroup', Properties: { Family: 'postgres17', Description: 'old' } };
    expect(blockingOf({ Resources: { Old: group } }, { Resources: {} })).toEqual([]);
    expect(blockingOf({ Resources: { Old: group } }, { Resources: { Old: { ...group, Properties: { Family: 'postgres18', Description: 'new' } } } })).toEqual([]);
  });
});
