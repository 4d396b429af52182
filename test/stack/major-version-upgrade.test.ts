// A major-version change goes through the blue/green path: the app prepares the target's
// parameter group, refuses an unprepared change of engineMajorVersion (the deployed major is
// the committed snapshot's), and lets the stack catch up once the switchover is acknowledged,
// which it takes only when the committed template shows the upgrade prepared.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedEngineMajorVersion, deployedTier } from '../../app/deployed-version';
import { DataTierValidationError } from '../../lib/private/validation';
import { synthesize } from './synth';
import { environmentsOnTopology } from './topology-environments';

const prodWith = (database: object) => ({ overrides: JSON.stringify({ database }) });

/** Logical IDs and properties of the template's resources of one type. */
function resources(template: ReturnType<typeof synthesize>['template'], type: string) {
  return Object.entries(template.findResources(type)) as Array<[string, { Properties: Record<string, unknown> }]>;
}

function refusal(database: object, templatesDirectory?: string, environmentsDirectory?: string): DataTierValidationError {
  try {
    synthesize('prod', prodWith(database), { sources: { templatesDirectory, environmentsDirectory } });
  } catch (error) {
    if (error instanceof DataTierValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(database)} to be refused`);
}

describe('major-version upgrade of prod (blue/green)', () => {
  const before = synthesize('prod');

  test('the deployed major is read from the committed prod snapshot', () => {
    expect(committedEngineMajorVersion('prod')).toBe(17);
    expect(committedEngineMajorVersion('no-such-env')).toBeUndefined();
  });

  test('upgradeTargetMajorVersion 18 prepares a postgres18 group with the same settings; existing logical IDs unchanged', () => {
    const prepared = synthesize('prod', prodWith({ upgradeTargetMajorVersion: 18 }));
    const groups = resources(prepared.template, 'AWS::RDS::DBParameterGroup');
    const [[, current]] = resources(before.template, 'AWS::RDS::DBParameterGroup');
    const target = groups.find(([, g]) => g.Properties.Family === 'postgres18');
    expect(target?.[0]).toMatch(/^DatabaseUpgradeParameterGroup/);
    expect(target?.[1].Properties.Parameters).toEqual(current.Properties.Parameters);
    // The current group turns on logical replication, which the blue/green deployment replicates with (static: a reboot applies it).
    const currentId = resources(before.template, 'AWS::RDS::DBParameterGroup')[0][0];
    expect(prepared.template.toJSON().Resources[currentId].Properties.Parameters).toEqual({ ...(current.Properties.Parameters as object), 'rds.logical_replication': '1' });
    expect(target?.[1].Properties.Parameters).not.toHaveProperty(['rds.logical_replication']);
    // Everything else that was there keeps its logical ID and its properties (the instances still use the 17 group).
    for (const type of ['AWS::RDS::DBInstance', 'AWS::RDS::DBProxy']) {
      for (const [id, resource] of resources(before.template, type)) {
        expect({ id, properties: prepared.template.toJSON().Resources[id]?.Properties }).toEqual({ id, properties: resource.Properties });
      }
    }
  });

  test('changing prod\'s engineMajorVersion to 18 unprepared is refused, with the reason', () => {
    const error = refusal({ engineMajorVersion: 18 });
    expect({ path: error.path, prop: error.prop, value: error.value }).toEqual({ path: 'data-tier-prod/Default/Database', prop: 'engineVersion', value: 18 });
    expect(error.message).toContain('differs from the deployed major version 17');
    expect(error.message).toContain('in-place upgrade');
    expect(error.message).toContain('runbooks/major-version-upgrade.md');
    expect(error.message).toContain("majorVersionUpgrade 'blue-green-completed'");
  });

  test('a target equal to the engine without the acknowledgement and an unknown acknowledgement are refused', () => {
    expect(refusal({ engineMajorVersion: 18, upgradeTargetMajorVersion: 18 }).prop).toBe('upgradeTarget');
    expect(refusal({ engineMajorVersion: 18, majorVersionUpgrade: 'in-place' }).prop).toBe('majorVersionUpgrade');
  });

  describe('once the upgrade to 18 is prepared and deployed (its template committed)', () => {
    const templatesDirectory = mkdtempSync(join(tmpdir(), 'templates-'));
    afterAll(() => rmSync(templatesDirectory, { recursive: true, force: true }));
    const prepared = synthesize('prod', prodWith({ upgradeTargetMajorVersion: 18 }));
    writeFileSync(join(templatesDirectory, 'prod.template.json'), JSON.stringify(prepared.template.toJSON()));
    const sources = { templatesDirectory };

    test('the committed template shows the prepared upgrade and the major the instances still run', () => {
      expect(deployedTier('prod', templatesDirectory)).toMatchObject({ engineMajorVersion: 17, preparedUpgradeMajorVersion: 18, restore: {} });
      expect(deployedTier('prod')).toMatchObject({ engineMajorVersion: 17, preparedUpgradeMajorVersion: undefined });
    });

    test('explicitly allowed after the switchover, the stack catches up: 18 on the prepared group, no instance replaced', () => {
      const after = synthesize('prod', prodWith({ engineMajorVersion: 18, upgradeTargetMajorVersion: 18, majorVersionUpgrade: 'blue-green-completed' }), { sources });
      const upgradeGroup = resources(after.template, 'AWS::RDS::DBParameterGroup').find(([id]) => id.startsWith('DatabaseUpgradeParameterGroup'))!;
      expect(upgradeGroup[1].Properties.Family).toBe('postgres18');
      const instances = resources(after.template, 'AWS::RDS::DBInstance');
      expect(instances.map(([id]) => id).sort()).toEqual(resources(before.template, 'AWS::RDS::DBInstance').map(([id]) => id).sort());
      for (const [, instance] of instances) expect(instance.Properties.DBParameterGroupName).toEqual({ Ref: upgradeGroup[0] });
      const primary = instances.find(([, i]) => i.Properties.SourceDBInstanceIdentifier === undefined)!;
      expect(primary[1].Properties.EngineVersion).toBe('18');
      // The identifiers the blue/green switchover kept are the stack's: CloudFormation updates, never replaces.
      const identifiers = (t: typeof instances) => t.map(([id, i]) => [id, i.Properties.DBInstanceIdentifier]);
      expect(identifiers(instances)).toEqual(identifiers(resources(before.template, 'AWS::RDS::DBInstance')));
    });

    test('a target lower than the engine is refused, acknowledged or not', () => {
      expect(refusal({ engineMajorVersion: 18, upgradeTargetMajorVersion: 17, majorVersionUpgrade: 'blue-green-completed' }, templatesDirectory).prop).toBe('upgradeTarget');
    });

    test('an acknowledgement of another major than the prepared one is still refused', () => {
      const template = JSON.stringify(prepared.template.toJSON()).replace(/"postgres18"/g, '"postgres19"');
      const other = mkdtempSync(join(tmpdir(), 'templates-'));
      try {
        writeFileSync(join(other, 'prod.template.json'), template);
        expect(refusal({ engineMajorVersion: 18, upgradeTargetMajorVersion: 18, majorVersionUpgrade: 'blue-green-completed' }, other).allowed).toContain('has the upgrade parameter group of postgres19, not of postgres18');
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });
  });

  test.each([
    ['alone', { engineMajorVersion: 18, majorVersionUpgrade: 'blue-green-completed' }],
    ['with the target set in the same change', { engineMajorVersion: 18, upgradeTargetMajorVersion: 18, majorVersionUpgrade: 'blue-green-completed' }],
  ])('the acknowledgement %s, with no upgrade prepared in the committed template, is refused naming the preparation step (it was an in-place upgrade)', (_, database) => {
    const error = refusal(database);
    expect({ path: error.path, prop: error.prop, value: error.value }).toEqual({ path: '', prop: 'database.majorVersionUpgrade', value: 'blue-green-completed' });
    for (const part of [
      'says the blue/green switchover from 17 to 18 happened, but app/templates/prod.template.json (the deployed stack) has no upgrade parameter group',
      'in-place upgrade of every instance',
      'engineMajorVersion 17 with upgradeTargetMajorVersion 18, deployed and its template committed (npm run snapshot:update)',
      'runbooks/major-version-upgrade.md, Mitigation step 1',
    ]) {
      expect(error.allowed).toContain(part);
    }
  });
});

describe.each([
  ['aurora', 'blue-green-completed', 'aurora-postgresql18', 'in-place-completed'],
  ['multi-az-cluster', 'in-place-completed', 'postgres18', 'blue-green-completed'],
] as const)('major-version upgrade of prod on the topology %s', (kind, acknowledgement, family, otherAcknowledgement) => {
  const environmentsDirectory = environmentsOnTopology(kind);
  const deployed = mkdtempSync(join(tmpdir(), 'templates-'));
  const prepared = mkdtempSync(join(tmpdir(), 'templates-'));
  afterAll(() => [environmentsDirectory, deployed, prepared].forEach((directory) => rmSync(directory, { recursive: true, force: true })));
  const synth = (database: object, templatesDirectory: string) => synthesize('prod', prodWith(database), { sources: { environmentsDirectory, templatesDirectory } });
  const clusterOf = (template: ReturnType<typeof synthesize>['template']) => resources(template, 'AWS::RDS::DBCluster')[0];
  // Deployed on 17 (its template committed), then with the upgrade to 18 prepared and deployed.
  writeFileSync(join(deployed, 'prod.template.json'), JSON.stringify(synthesize('prod', {}, { sources: { environmentsDirectory } }).template.toJSON()));
  const preparing = synth({ upgradeTargetMajorVersion: 18 }, deployed);
  writeFileSync(join(prepared, 'prod.template.json'), JSON.stringify(preparing.template.toJSON()));
  const to18 = { engineMajorVersion: 18, upgradeTargetMajorVersion: 18 };

  test("the committed template shows the cluster's major and, once deployed, the prepared cluster parameter group", () => {
    expect(deployedTier('prod', deployed)).toMatchObject({ engineMajorVersion: 17, preparedUpgradeMajorVersion: undefined, clustered: true });
    expect(deployedTier('prod', prepared)).toMatchObject({ engineMajorVersion: 17, preparedUpgradeMajorVersion: 18, clustered: true });
    const group = resources(preparing.template, 'AWS::RDS::DBClusterParameterGroup').find(([id]) => id.startsWith('DatabaseUpgradeParameterGroup'));
    expect(group?.[1].Properties.Family).toBe(family);
  });

  test('a changed engineMajorVersion on the deployed cluster is refused, naming the acknowledgement of its path', () => {
    const error = refusal({ engineMajorVersion: 18 }, deployed, environmentsDirectory);
    expect({ prop: error.prop, value: error.value }).toEqual({ prop: 'engineVersion', value: 18 });
    expect(error.message).toContain('differs from the deployed major version 17');
    expect(error.message).toContain(`majorVersionUpgrade '${acknowledgement}'`);
  });

  test('the acknowledgement with no upgrade prepared in the committed template is refused', () => {
    expect(refusal({ ...to18, majorVersionUpgrade: acknowledgement }, deployed, environmentsDirectory).prop).toBe('database.majorVersionUpgrade');
  });

  test("the other path's acknowledgement is refused", () => {
    expect(refusal({ ...to18, majorVersionUpgrade: otherAcknowledgement }, prepared, environmentsDirectory).prop).toBe('majorVersionUpgrade');
  });

  test('acknowledged after the upgrade, the stack catches up: the same cluster on 18 and on the prepared group', () => {
    const after = synth({ ...to18, majorVersionUpgrade: acknowledgement }, prepared);
    const [upgradeId] = resources(after.template, 'AWS::RDS::DBClusterParameterGroup').find(([id]) => id.startsWith('DatabaseUpgradeParameterGroup'))!;
    const [clusterId, cluster] = clusterOf(after.template);
    expect(clusterId).toBe(clusterOf(preparing.template)[0]);
    expect(cluster.Properties.DBClusterIdentifier).toBe(clusterOf(preparing.template)[1].Properties.DBClusterIdentifier);
    expect(cluster.Properties.DBClusterParameterGroupName).toEqual({ Ref: upgradeId });
    expect(String(cluster.Properties.EngineVersion)).toMatch(/^18\./);
  });
});
