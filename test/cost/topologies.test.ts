import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../../app/config';
import { estimateMonthlyCost } from '../../lib/cli/cost/estimate';
import { RESOURCE_TYPES } from '../../lib/cli/cost/resource-types';
import { snapshotPath } from '../../app/template-snapshot';
import {
  auroraReaders, estimateTopology, serverlessCapacity, settingsFor, sizeOf, TOPOLOGIES, topologiesTableMarkdown, topologyEstimates, topologyTemplate,
} from '../../scripts/cost/topologies';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resources = (template: object) => (template as { Resources: Resources }).Resources;
const ofType = (template: object, type: string) => Object.entries(resources(template)).filter(([, r]) => r.Type === type);
const committedTemplate = (env: EnvironmentName): object => JSON.parse(readFileSync(snapshotPath(env), 'utf8'));

describe('each environment\'s size, read from its template on instances', () => {
  it('is the class, Multi-AZ, replicas and storage the environments configure', () => {
    expect(ENVIRONMENT_NAMES.map((env) => ({ env, ...sizeOf(topologyTemplate(env, 'instances')) }))).toEqual([
      { env: 'dev', instanceClass: 'db.t4g.medium', multiAz: false, replicas: 0, allocatedStorageGiB: 20 },
      { env: 'staging', instanceClass: 'db.r7g.large', multiAz: true, replicas: 1, allocatedStorageGiB: 100 },
      { env: 'prod', instanceClass: 'db.r7g.xlarge', multiAz: true, replicas: 2, allocatedStorageGiB: 500 },
    ]);
  });
});

describe('the settings each topology gives an environment', () => {
  const prod = JSON.parse(readFileSync(join(__dirname, '../../app/environments/prod.json'), 'utf8'));
  const size = sizeOf(committedTemplate('prod'));

  it('on instances are its own', () => {
    expect(settingsFor('instances', size, prod)).toBe(prod);
  });

  it('on a Multi-AZ DB cluster: the local-NVMe class of the same vCPUs and memory, without storage autoscaling or a replica count', () => {
    const { database } = settingsFor('multi-az-cluster', size, prod);
    expect(database).toMatchObject({ instanceClass: 'db.r6gd.xlarge', allocatedStorageGiB: 500, topology: { kind: 'multi-az-cluster' } });
    expect(database).not.toHaveProperty('maxAllocatedStorageGiB');
    expect(database).not.toHaveProperty('replicaCount');
  });

  it('on Aurora: a reader for each replica, and no allocated storage; on Serverless v2 no instance class either', () => {
    const provisioned = settingsFor('aurora-provisioned', size, prod).database;
    expect(provisioned).toMatchObject({ instanceClass: 'db.r7g.xlarge', replicaCount: 2, topology: { kind: 'aurora' } });
    const serverless = settingsFor('aurora-serverless-v2', size, prod).database;
    expect(serverless).toMatchObject({ replicaCount: 2, topology: { kind: 'aurora', capacity: 'serverless-v2', serverlessV2MinCapacity: 4, serverlessV2MaxCapacity: 16 } });
    for (const database of [provisioned, serverless]) {
      expect(database).not.toHaveProperty('allocatedStorageGiB');
      expect(database).not.toHaveProperty('maxAllocatedStorageGiB');
    }
    expect(serverless).not.toHaveProperty('instanceClass');
  });
});

describe('the synthesized template of each topology', () => {
  const prod = (topology: (typeof TOPOLOGIES)[number]) => topologyTemplate('prod', topology);

  it('of instances is priced as the committed template is (npm run cost)', () => {
    expect(estimateTopology('instances', prod('instances'), 'us-east-1').estimate).toEqual(estimateMonthlyCost(committedTemplate('prod'), { region: 'us-east-1' }));
  });

  it('of a Multi-AZ DB cluster has one AWS::RDS::DBCluster of the local-NVMe class with the same vCPUs and memory, and no DB instance', () => {
    const template = prod('multi-az-cluster');
    expect(ofType(template, 'AWS::RDS::DBInstance')).toEqual([]);
    const [[, cluster], ...others] = ofType(template, 'AWS::RDS::DBCluster');
    expect(others).toEqual([]);
    expect(cluster.Properties).toMatchObject({ Engine: 'postgres', DBClusterInstanceClass: 'db.r6gd.xlarge', StorageType: 'gp3', AllocatedStorage: 500, Iops: 12_000, BackupRetentionPeriod: 35 });
  });

  it('of Aurora has a writer and a reader for each replica, or one where the primary is Multi-AZ without replicas', () => {
    const template = prod('aurora-provisioned');
    const [[clusterId]] = ofType(template, 'AWS::RDS::DBCluster');
    expect(ofType(template, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({ Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: clusterId }, DBInstanceClass: 'db.r7g.xlarge', PromotionTier: 0 }),
      expect.objectContaining({ DBInstanceClass: 'db.r7g.xlarge', PromotionTier: 1 }),
      expect.objectContaining({ DBInstanceClass: 'db.r7g.xlarge', PromotionTier: 1 }),
    ]);
    expect(auroraReaders({ ...sizeOf(prod('instances')), replicas: 0, multiAz: true })).toBe(1);
    expect(auroraReaders({ ...sizeOf(prod('instances')), replicas: 0, multiAz: false })).toBe(0);
  });

  it('of Serverless v2 ranges each instance up to its class\'s memory in ACUs (2 GiB each), down to a quarter of it', () => {
    const template = prod('aurora-serverless-v2');
    const [[, cluster]] = ofType(template, 'AWS::RDS::DBCluster');
    expect(cluster.Properties.ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 4, MaxCapacity: 16 });
    expect(ofType(template, 'AWS::RDS::DBInstance').map(([, r]) => r.Properties.DBInstanceClass)).toEqual(['db.serverless', 'db.serverless', 'db.serverless']);
    expect(serverlessCapacity(sizeOf(topologyTemplate('dev', 'instances')))).toEqual({ min: 0.5, max: 2 });
  });
});

describe('the estimate of every topology of every environment', () => {
  for (const env of ENVIRONMENT_NAMES) {
    it(`${env}: covers every resource type and puts every database resource on a line`, () => {
      for (const t of topologyEstimates(env)) {
        const template = topologyTemplate(env, t.topology);
        expect(Object.values(resources(template)).filter((r) => !RESOURCE_TYPES[r.Type])).toEqual([]);
        const onLines = new Set(t.estimate.lines.flatMap((l) => l.resources));
        const database = [...ofType(template, 'AWS::RDS::DBInstance'), ...ofType(template, 'AWS::RDS::DBCluster')].map(([id]) => id);
        expect({ topology: t.topology, missing: database.filter((id) => !onLines.has(id)) }).toEqual({ topology: t.topology, missing: [] });
        expect(t.database).toBeLessThanOrEqual(t.estimate.total);
      }
    });
  }

  it('prices prod on Aurora at three db.r7g.xlarge instance-hours, and on Serverless v2 at three instances of 7 ACUs on average', () => {
    const [, , provisioned, serverless] = topologyEstimates('prod');
    expect(provisioned.databaseLines.filter((l) => l.priceKey === 'aurora.instance.db.r7g.xlarge').map((l) => l.monthly)).toEqual([403.69, 403.69, 403.69]);
    expect(serverless.databaseLines.filter((l) => l.priceKey === 'aurora.acu').map((l) => l.quantity)).toEqual([5110, 5110, 5110]);
  });
});

describe('docs/topologies.md', () => {
  it('shows the side-by-side tables exactly as the estimate computes them (refresh: npx tsx scripts/topologies-table.ts)', () => {
    const doc = readFileSync(join(__dirname, '../../docs/topologies.md'), 'utf8');
    const shown = /<!-- topologies:table -->\n([\s\S]*?)\n<!-- \/topologies:table -->/.exec(doc)?.[1];
    expect(shown).toBe(topologiesTableMarkdown());
  });
});

describe('npm run cost -- --topologies', () => {
  it('prints an itemised total for each topology of an environment in us-east-1', () => {
    const result = spawnSync(join(__dirname, '../../node_modules/.bin/tsx'), ['scripts/cost.ts', '--topologies', '--env', 'staging'], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
    expect(result.status).toBe(0);
    const titles = [...result.stdout.matchAll(/^## staging: (.+)$/gm)].map((m) => m[1]);
    expect(titles).toHaveLength(TOPOLOGIES.length);
    expect(result.stdout.match(/\*\*total of priced lines\*\*/g)).toHaveLength(TOPOLOGIES.length);
    expect(result.stdout).toContain('RDS PostgreSQL Multi-AZ DB cluster db.r6gd.large data-tier-staging-cluster (writer + two readable standbys)');
    expect(result.stdout).toMatch(/Aurora PostgreSQL db\.r7g\.large data-tier-staging-writer \(Standard\) \| 730 instance-hour \| \$0\.276 \| \$201\.48 \|/);
  });
});
