// The review refuses moving a deployed tier to another topology, and says so: the switches of
// issue 26 as template pairs, each from prod's committed template (RDS DB instances) to the same
// stack with its database as a Multi-AZ DB cluster (`AWS::RDS::DBCluster` `<tier name>-cluster`,
// Engine postgres) or as Aurora PostgreSQL (the cluster with Engine aurora-postgresql, instances
// `<tier name>-writer` and `<tier name>-reader-<n>`), and from the one cluster to the other.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotPath } from '../../app/template-snapshot';
import type { CostEstimator } from '../../lib/cli/review/cost';
import type { Resource, TemplateJson } from '../../lib/cli/review/diff';
import { reviewEnvironment, reviewReport } from '../../lib/cli/review/report';
import { TOPOLOGY_SWITCH_RUNBOOK, topologiesOf, topologySwitches } from '../../lib/cli/review/topology';

const noCost = () => ({ region: 'us-east-1', currency: 'USD' as const, total: 0, lines: [], unpriced: [], assumptions: {} }) as unknown as ReturnType<CostEstimator>;
const review = (before: TemplateJson, after: TemplateJson, allowReplace: string[] = []) =>
  reviewEnvironment({ envName: 'data-tier-prod', before, after, baseLabel: 'the recorded template', region: 'us-east-1', allowReplace, estimateCost: noCost });

const prod = JSON.parse(readFileSync(snapshotPath('prod'), 'utf8')) as TemplateJson;
const resources = (template: TemplateJson) => template.Resources ?? {};
const ofType = (template: TemplateJson, type: string) => Object.keys(resources(template)).filter((id) => resources(template)[id].Type === type);

const DB_INSTANCES = ofType(prod, 'AWS::RDS::DBInstance');
const PRIMARY = DB_INSTANCES.find((id) => resources(prod)[id].Properties?.DBInstanceIdentifier === 'data-tier-prod-primary')!;
const CLUSTER = 'DatabaseCluster5D1A4E61';

/** The value with every Ref and Fn::GetAtt of `from` pointed at `to`. */
function retarget(value: unknown, from: readonly string[], to: string): unknown {
  if (Array.isArray(value)) return value.map((v) => retarget(v, from, to));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => {
      if (key === 'Ref' && typeof v === 'string' && from.includes(v)) return [key, to];
      if (key === 'Fn::GetAtt' && Array.isArray(v) && from.includes(String(v[0]))) return [key, [to, ...v.slice(1)]];
      return [key, retarget(v, from, to)];
    }),
  );
}

/** Prod with its DB instances, their subnet groups and parameter group replaced by `database` (logical ID → resource); what referenced the primary references `CLUSTER`. */
function withDatabase(database: Record<string, Resource>): TemplateJson {
  const primary = resources(prod)[PRIMARY].Properties!;
  const gone = new Set([...DB_INSTANCES, ...DB_INSTANCES.map((id) => (resources(prod)[id].Properties?.DBSubnetGroupName as { Ref: string }).Ref), (primary.DBParameterGroupName as { Ref: string }).Ref]);
  const kept = Object.fromEntries(Object.entries(resources(prod)).filter(([id]) => !gone.has(id)));
  const template = retarget({ ...prod, Resources: { ...kept } }, [...gone], CLUSTER) as TemplateJson;
  const targets = template.Resources!.DatabaseProxyProxyTargetGroupCFEDF3AA.Properties!;
  delete targets.DBInstanceIdentifiers;
  targets.DBClusterIdentifiers = [{ Ref: CLUSTER }];
  return { ...template, Resources: { ...template.Resources, ...database } };
}

/** The cluster both cluster topologies have: the primary's identity (user, key, database, port, security groups) as a cluster. */
function cluster(engine: string, properties: Record<string, unknown>): Record<string, Resource> {
  const primary = resources(prod)[PRIMARY].Properties!;
  const subnets = resources(prod)[(primary.DBSubnetGroupName as { Ref: string }).Ref].Properties!.SubnetIds;
  return {
    DatabaseClusterSubnetGroupB2C9A1E0: { Type: 'AWS::RDS::DBSubnetGroup', Properties: { DBSubnetGroupDescription: 'Subnet group for the cluster', SubnetIds: subnets } },
    DatabaseClusterParameterGroup0F6D3C2B: {
      Type: 'AWS::RDS::DBClusterParameterGroup',
      Properties: { Description: 'data-tier-prod cluster', Family: engine === 'postgres' ? 'postgres17' : 'aurora-postgresql17', Parameters: { 'rds.force_ssl': '1' } },
    },
    [CLUSTER]: {
      Type: 'AWS::RDS::DBCluster',
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: {
        DBClusterIdentifier: 'data-tier-prod-cluster',
        Engine: engine,
        EngineVersion: '17.6',
        DatabaseName: primary.DBName,
        MasterUsername: primary.MasterUsername,
        MasterUserPassword: primary.MasterUserPassword,
        StorageEncrypted: true,
        KmsKeyId: primary.KmsKeyId,
        Port: primary.Port,
        VpcSecurityGroupIds: primary.VPCSecurityGroups,
        DBSubnetGroupName: { Ref: 'DatabaseClusterSubnetGroupB2C9A1E0' },
        DBClusterParameterGroupName: { Ref: 'DatabaseClusterParameterGroup0F6D3C2B' },
        BackupRetentionPeriod: primary.BackupRetentionPeriod,
        DeletionProtection: true,
        ...properties,
      },
    },
  };
}

/** RDS creates a Multi-AZ DB cluster's writer and two readable standbys itself: the template has the cluster only. */
const multiAzCluster = () => withDatabase(cluster('postgres', { DBClusterInstanceClass: 'db.r6gd.xlarge', StorageType: 'io2', Iops: 3000, AllocatedStorage: 500 }));

/** Aurora: the cluster and its instances, which name it in DBClusterIdentifier. */
function aurora(): TemplateJson {
  const instance = (name: string) => ({
    Type: 'AWS::RDS::DBInstance',
    Properties: { DBInstanceIdentifier: `data-tier-prod-${name}`, DBClusterIdentifier: { Ref: CLUSTER }, Engine: 'aurora-postgresql', DBInstanceClass: 'db.r7g.xlarge' },
  });
  return withDatabase({
    ...cluster('aurora-postgresql', { StorageType: 'aurora-iopt1' }),
    DatabaseWriter9E1C2A44: instance('writer'),
    DatabaseReader1C3B7D21: instance('reader-1'),
    DatabaseReader2A8F0E63: instance('reader-2'),
  });
}

const deleted = (id: string, type: string) => `${id} (${type}) would be deleted`;

describe('the topology of each tier, told from its template', () => {
  it('reads RDS DB instances, a Multi-AZ DB cluster and Aurora from their resources, named by the tier that prefixes them', () => {
    expect(topologiesOf(prod).map((t) => [t.tier, t.signatures.map((s) => s.kind), t.resources.sort()])).toEqual([['data-tier-prod', ['instances'], [...DB_INSTANCES].sort()]]);
    expect(topologiesOf(multiAzCluster()).map((t) => [t.tier, t.signatures.map((s) => s.kind), t.resources])).toEqual([['data-tier-prod', ['multi-az-cluster'], [CLUSTER]]]);
    // Aurora's instances are members of its cluster, not DB instances of the instances topology.
    expect(topologiesOf(aurora()).map((t) => [t.tier, t.signatures.map((s) => s.kind), t.resources.length])).toEqual([['data-tier-prod', ['aurora'], 4]]);
  });

  it('finds no switch where the topology stays, whatever else changes', () => {
    const resized = JSON.parse(JSON.stringify(prod)) as TemplateJson;
    resized.Resources![PRIMARY].Properties!.DBInstanceClass = 'db.r7g.2xlarge';
    expect(topologySwitches(prod, resized)).toEqual([]);
    expect(review(prod, resized).markdown).not.toContain('topology switch');
    // A new stack has no topology to switch from.
    expect(topologySwitches({}, aurora())).toEqual([]);
  });
});

describe('the review refuses moving a deployed tier to another topology', () => {
  it('points to a runbook the package ships', () => {
    expect(existsSync(join(__dirname, '..', '..', TOPOLOGY_SWITCH_RUNBOOK))).toBe(true);
  });

  it.each([
    ['a Multi-AZ DB cluster', multiAzCluster, 'RDS for PostgreSQL DB instances → Multi-AZ DB cluster'],
    ['Aurora', aurora, 'RDS for PostgreSQL DB instances → Aurora PostgreSQL cluster'],
  ])('RDS DB instances → %s: the DB instances would be deleted, and the review names the switch and its runbook', (_name, after, change) => {
    const result = review(prod, after());
    expect(result.blocking[0]).toBe(`tier data-tier-prod: ${change} is a topology switch, which no deploy makes in place (${TOPOLOGY_SWITCH_RUNBOOK})`);
    expect(result.blocking).toEqual(expect.arrayContaining(DB_INSTANCES.map((id) => deleted(id, 'AWS::RDS::DBInstance'))));
    expect(result.topologySwitches.map((s) => [s.tier, s.refused])).toEqual([['data-tier-prod', true]]);
    expect(result.markdown).toContain(`> **Refused: a topology switch.** tier data-tier-prod: ${change}. CloudFormation cannot move a deployed tier to another topology`);
    expect(result.markdown).toContain(`restored from a snapshot of this one: ${TOPOLOGY_SWITCH_RUNBOOK}.`);
    const report = reviewReport([result]);
    expect(report.exitCode).toBe(1);
    expect(report.markdown).toContain(`- data-tier-prod: tier data-tier-prod: ${change} is a topology switch`);
    // The summary counts resources, not the switch.
    expect(report.markdown).toContain(`**Refused**: ${result.blocking.length - 1} stateful resource(s)`);
  });

  it('Multi-AZ DB cluster → Aurora: the cluster keeps its logical ID, but a new Engine replaces it (and its parameter group of another family)', () => {
    const result = review(multiAzCluster(), aurora());
    expect(result.blocking).toEqual([
      `tier data-tier-prod: Multi-AZ DB cluster → Aurora PostgreSQL cluster is a topology switch, which no deploy makes in place (${TOPOLOGY_SWITCH_RUNBOOK})`,
      'DatabaseClusterParameterGroup0F6D3C2B (AWS::RDS::DBClusterParameterGroup) would be replaced',
      `${CLUSTER} (AWS::RDS::DBCluster) would be replaced`,
    ]);
    const replaced = result.diff.modified.find((m) => m.logicalId === CLUSTER)!;
    expect(replaced.properties).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Engine', behavior: 'Replacement', note: 'a new Engine replaces the resource' })]));
    expect(result.markdown).toContain(`deletes or replaces the old topology's database (${CLUSTER})`);
  });

  it("RDS DB instances → Aurora with the writer in the primary's logical ID: the primary would be replaced, not updated into a cluster member", () => {
    const after = aurora();
    const { DatabaseWriter9E1C2A44: writer, ...rest } = after.Resources!;
    const result = review(prod, { ...after, Resources: { ...rest, [PRIMARY]: writer } });
    expect(result.blocking[0]).toMatch(/^tier data-tier-prod: RDS for PostgreSQL DB instances → Aurora PostgreSQL cluster is a topology switch/);
    expect(result.blocking).toContain(`${PRIMARY} (AWS::RDS::DBInstance) would be replaced`);
  });

  it('passes the switch with --allow-replace of everything it loses, still naming it and its runbook', () => {
    const refused = review(prod, multiAzCluster());
    const lost = refused.blocking.slice(1).map((line) => line.split(' ')[0]);
    const allowed = review(prod, multiAzCluster(), lost);
    expect(allowed.blocking).toEqual([]);
    expect(allowed.topologySwitches.map((s) => s.refused)).toEqual([false]);
    expect(allowed.markdown).toContain('> **A topology switch.** tier data-tier-prod: RDS for PostgreSQL DB instances → Multi-AZ DB cluster.');
    expect(allowed.markdown).toContain('(allowed by `--allow-replace`)');
  });

  it('names only the tier that switches, in a stack of two tiers', () => {
    const tier = (name: string) => ({ name, path: `Stack/${name}`, version: '0.1.0', outputs: {} });
    const instance = (name: string) => ({ Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: `${name}-primary`, Engine: 'postgres', DBInstanceClass: 'db.r7g.large' } });
    const metadata = { 'postgres-data-tier': [tier('orders'), tier('orders-archive')] };
    const before = { Metadata: metadata, Resources: { OrdersPrimary: instance('orders'), ArchivePrimary: instance('orders-archive') } };
    const after = {
      Metadata: metadata,
      Resources: {
        OrdersPrimary: instance('orders'),
        ArchiveCluster: { Type: 'AWS::RDS::DBCluster', Properties: { DBClusterIdentifier: 'orders-archive-cluster', Engine: 'aurora-postgresql' } },
        ArchiveWriter: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'orders-archive-writer', DBClusterIdentifier: { Ref: 'ArchiveCluster' }, Engine: 'aurora-postgresql' } },
      },
    };
    expect(review(before, after).blocking).toEqual([
      `tier orders-archive: RDS for PostgreSQL DB instances → Aurora PostgreSQL cluster is a topology switch, which no deploy makes in place (${TOPOLOGY_SWITCH_RUNBOOK})`,
      deleted('ArchivePrimary', 'AWS::RDS::DBInstance'),
    ]);
  });
});
