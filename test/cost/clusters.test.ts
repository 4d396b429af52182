// The pricers of the topologies beyond RDS instances, each on a synthetic template of the shapes
// the topology constructs declare: an RDS for PostgreSQL Multi-AZ DB cluster (AWS::RDS::DBCluster
// with Engine postgres and DBClusterInstanceClass, no instance resources) and Aurora PostgreSQL
// (AWS::RDS::DBCluster with Engine aurora-postgresql and its AWS::RDS::DBInstance resources,
// provisioned or db.serverless).
import { DEFAULT_ASSUMPTIONS } from '../../lib/cli/cost/assumptions';
import { CostEstimate } from '../../lib/cli/cost/cost-estimate';
import { estimateMonthlyCost } from '../../lib/cli/cost/estimate';
import { PRICES } from '../../lib/cli/cost/prices';
import { customMetricCount } from '../../lib/cli/cost/pricing/observability';
import { HOURS_PER_MONTH, SECONDS_PER_MONTH } from '../../lib/cli/cost/units';

const PRICE = PRICES['us-east-1'];
const usd = (key: keyof typeof PRICE) => PRICE[key].usd!;
const line = (estimate: CostEstimate, key: string) => {
  const found = estimate.lines.find((l) => l.key === key);
  if (!found) throw new Error(`no line ${key} among ${estimate.lines.map((l) => l.key).join(', ')}`);
  return found;
};

function multiAzCluster(props: Record<string, unknown> = {}): object {
  return {
    Resources: {
      Cluster: {
        Type: 'AWS::RDS::DBCluster',
        Properties: {
          Engine: 'postgres', DBClusterIdentifier: 'orders', DBClusterInstanceClass: 'db.r6gd.xlarge', StorageType: 'gp3',
          AllocatedStorage: 500, BackupRetentionPeriod: 7, ...props,
        },
      },
    },
  };
}

function aurora(options: { storageType?: string; readers: number; serverless?: { MinCapacity: number; MaxCapacity: number }; retention?: number }): object {
  const resources: Record<string, unknown> = {
    Cluster: {
      Type: 'AWS::RDS::DBCluster',
      Properties: {
        Engine: 'aurora-postgresql', DBClusterIdentifier: 'orders', BackupRetentionPeriod: options.retention ?? 1,
        ...(options.storageType ? { StorageType: options.storageType } : {}),
        ...(options.serverless ? { ServerlessV2ScalingConfiguration: options.serverless } : {}),
      },
    },
  };
  for (let i = 0; i <= options.readers; i++) {
    resources[i === 0 ? 'Writer' : `Reader${i}`] = {
      Type: 'AWS::RDS::DBInstance',
      Properties: {
        Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'Cluster' }, DBInstanceIdentifier: i === 0 ? 'orders-writer' : `orders-reader-${i}`,
        DBInstanceClass: options.serverless ? 'db.serverless' : 'db.r7g.xlarge',
      },
    };
  }
  return { Resources: resources };
}

const proxy = { Type: 'AWS::RDS::DBProxy', Properties: { EngineFamily: 'POSTGRESQL' } };
const withProxy = (template: object) => ({ Resources: { ...(template as { Resources: object }).Resources, Proxy: proxy } });
const estimate = (template: object, assumptions = {}) => estimateMonthlyCost(template, { region: 'us-east-1', assumptions });

describe('RDS Multi-AZ DB cluster', () => {
  it('prices the deployment of a writer and two readable standbys as one cluster-hour line, and leaves it out of the total while its rate is not sourced', () => {
    const cluster = line(estimate(multiAzCluster()), 'rds.cluster:Cluster');
    expect(cluster).toMatchObject({ quantity: HOURS_PER_MONTH, unit: 'Multi-AZ DB cluster hour', priceKey: 'rds.cluster.db.r6gd.xlarge', resources: ['Cluster'] });
    expect(PRICE['rds.cluster.db.r6gd.xlarge'].usd).toBeNull();
    expect(cluster.monthly).toBeNull();
    expect(cluster.source).toMatch(/^not sourced/);
  });

  it('prices its storage at the readable-standbys rate, three copies of the volume in one GB-month rate', () => {
    const storage = line(estimate(multiAzCluster()), 'rds.cluster.storage:Cluster');
    expect(storage).toMatchObject({ quantity: 500, unitPrice: usd('rds.cluster.gp3.storage') });
    expect(storage.monthly).toBeCloseTo(500 * 0.345, 2);
    expect(usd('rds.cluster.gp3.storage') / usd('rds.gp3.storage')).toBeCloseTo(3, 5);
  });

  it('bills gp3 IOPS above the baseline only, and every provisioned IOPS of io1 and io2', () => {
    expect(estimate(multiAzCluster({ Iops: 12_000 })).lines.map((l) => l.key)).not.toContain('rds.cluster.iops:Cluster');
    expect(line(estimate(multiAzCluster({ Iops: 15_000 })), 'rds.cluster.iops:Cluster')).toMatchObject({ quantity: 3_000, priceKey: 'rds.cluster.gp3.iops' });
    expect(line(estimate(multiAzCluster({ StorageType: 'io2', Iops: 3_000 })), 'rds.cluster.iops:Cluster')).toMatchObject({ quantity: 3_000, priceKey: 'rds.cluster.io2.iops' });
    expect(line(estimate(multiAzCluster({ StorageType: 'io1', Iops: 1_000 })), 'rds.cluster.storage:Cluster').priceKey).toBe('rds.cluster.io1.storage');
  });

  it('bills Performance Insights on the vCPUs of all three instances, and enhanced monitoring from each', () => {
    const e = estimate(multiAzCluster({ PerformanceInsightsEnabled: true, PerformanceInsightsRetentionPeriod: 731, MonitoringInterval: 15 }));
    expect(line(e, 'rds.pi.first:Cluster')).toMatchObject({ quantity: 12, assumption: 'billed on the vCPUs of the writer and both readable standbys' });
    expect(line(e, 'rds.pi.more:Cluster').quantity).toBe(12 * 23);
    const samples = SECONDS_PER_MONTH / 15;
    expect(line(e, 'rds.em:Cluster').quantity).toBeCloseTo(3 * samples * DEFAULT_ASSUMPTIONS.enhancedMonitoringEventBytes / 1e9, 3);
  });

  it('keeps its automated backups under the RDS allowance of its provisioned storage', () => {
    // 250 GB of data (50 % of 500), 2 % a day for 7 days: 285 GB kept, 500 GB free.
    expect(line(estimate(multiAzCluster()), 'rds.backup')).toMatchObject({ quantity: 0, resources: ['Cluster'] });
    // 35 days: 250 + 250 x 0.02 x 35 = 425 GB, still free; with AWS Backup's 35 daily snapshots on top: 425 + 420 = 845, 345 billed.
    const plan = { Type: 'AWS::Backup::BackupPlan', Properties: { BackupPlan: { BackupPlanRule: [{ Lifecycle: { DeleteAfterDays: 35 } }] } } };
    const withPlan = { Resources: { ...(multiAzCluster({ BackupRetentionPeriod: 35 }) as { Resources: object }).Resources, Plan: plan } };
    expect(line(estimate(withPlan), 'rds.backup').quantity).toBeCloseTo(345, 1);
  });

  it('puts an RDS Proxy over it on the vCPUs of its three instances', () => {
    expect(line(estimate(withProxy(multiAzCluster())), 'rds.proxy:Proxy')).toMatchObject({ quantity: 12 * HOURS_PER_MONTH, priceKey: 'rds.proxy.vcpu' });
  });
});

describe('Aurora PostgreSQL provisioned', () => {
  it('prices each instance at the Standard rate of its class, the volume it holds and Standard\'s I/O requests', () => {
    const e = estimate(aurora({ readers: 2 }), { auroraDataGb: 250 });
    for (const id of ['Writer', 'Reader1', 'Reader2']) {
      expect(line(e, `aurora.instance:${id}`)).toMatchObject({ quantity: HOURS_PER_MONTH, unitPrice: 0.553, priceKey: 'aurora.instance.db.r7g.xlarge' });
    }
    expect(line(e, 'aurora.storage:Cluster')).toMatchObject({ quantity: 250, unitPrice: 0.1 });
    // 1 billed I/O a second per GB of data: 250 a second over a month.
    expect(line(e, 'aurora.io:Cluster')).toMatchObject({ quantity: 657, unit: 'million I/O requests', unitPrice: 0.2 });
    const compute = e.lines.filter((l) => /^aurora\.(instance|storage|io):/.test(l.key)).reduce((sum, l) => sum + (l.monthly ?? 0), 0);
    expect(compute).toBeCloseTo(3 * HOURS_PER_MONTH * 0.553 + 250 * 0.1 + 657 * 0.2, 1);
    // A day of changes kept beyond the volume: 250 x 2 %.
    expect(line(e, 'aurora.backup').quantity).toBe(5);
  });

  it('prices I/O-Optimized at its own instance and storage rates, with no I/O requests', () => {
    const e = estimate(aurora({ readers: 1, storageType: 'aurora-iopt1' }), { auroraDataGb: 100 });
    expect(line(e, 'aurora.instance:Writer')).toMatchObject({ unitPrice: 0.719, priceKey: 'aurora.instance.db.r7g.xlarge.iopt' });
    expect(line(e, 'aurora.storage:Cluster')).toMatchObject({ quantity: 100, unitPrice: 0.225, priceKey: 'aurora.storage.iopt' });
    expect(e.lines.map((l) => l.key)).not.toContain('aurora.io:Cluster');
  });

  it('keeps Aurora backups free up to the cluster volume, at Aurora\'s backup rate', () => {
    // 100 GB of data, 2 % a day kept 35 days: 170 GB, 70 beyond the volume.
    const e = estimate(aurora({ readers: 0, retention: 35 }), { auroraDataGb: 100 });
    expect(line(e, 'aurora.backup')).toMatchObject({ quantity: 70, unitPrice: 0.021, resources: ['Cluster'] });
    expect(e.lines.map((l) => l.key)).not.toContain('rds.backup');
  });

  it('counts its writer as a primary and its readers as replicas for the health check\'s metrics, and puts a proxy on every instance', () => {
    const healthCheck = { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { METRIC_NAMESPACE: 'DataTier', PRIMARY_HOST: 'x' } } } };
    const template = { Resources: { ...(withProxy(aurora({ readers: 2 })) as { Resources: object }).Resources, HealthCheck: healthCheck } };
    const e = estimate(template);
    expect(line(e, 'metrics.custom').quantity).toBe(customMetricCount(1, 2, DEFAULT_ASSUMPTIONS, false).total);
    expect(line(e, 'rds.proxy:Proxy').quantity).toBe(12 * HOURS_PER_MONTH);
  });

  it('prices an Aurora instance whose cluster the template does not hold at the Standard rate, and says so', () => {
    const orphan = { Resources: { Writer: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: 'elsewhere', DBInstanceClass: 'db.r7g.large' } } } };
    expect(line(estimate(orphan), 'aurora.instance:Writer')).toMatchObject({ unitPrice: 0.276, assumption: expect.stringMatching(/not in the template/) });
  });
});

describe('Aurora Serverless v2', () => {
  const range = { MinCapacity: 4, MaxCapacity: 16 };

  it('prices each instance\'s ACU-hours from its cluster\'s capacity range and the assumed load', () => {
    // 4 + 25 % of 12 = 7 ACUs on average.
    const e = estimate(aurora({ readers: 1, serverless: range }));
    expect(line(e, 'aurora.acu:Writer')).toMatchObject({ quantity: 7 * HOURS_PER_MONTH, unitPrice: 0.12, priceKey: 'aurora.acu' });
    expect(line(e, 'aurora.acu:Reader1').quantity).toBe(7 * HOURS_PER_MONTH);
    expect(line(estimate(aurora({ readers: 0, serverless: range }), { serverlessV2LoadFraction: 0 }), 'aurora.acu:Writer').quantity).toBe(4 * HOURS_PER_MONTH);
    expect(line(estimate(aurora({ readers: 0, serverless: range }), { serverlessV2LoadFraction: 1 }), 'aurora.acu:Writer').quantity).toBe(16 * HOURS_PER_MONTH);
  });

  it('prices I/O-Optimized ACUs at their own rate', () => {
    expect(line(estimate(aurora({ readers: 0, serverless: range, storageType: 'aurora-iopt1' })), 'aurora.acu:Writer')).toMatchObject({ unitPrice: 0.16, priceKey: 'aurora.acu.iopt' });
  });

  it('names Performance Insights retention beyond 7 days, billed on the ACUs, as a line not sourced rather than leaving it out', () => {
    const withRetention = (days: number) => {
      const template = aurora({ readers: 0, serverless: range }) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
      Object.assign(template.Resources.Writer.Properties, { EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: days });
      return template;
    };
    const pi = line(estimate(withRetention(465)), 'rds.pi.acu:Writer');
    // 7 ACUs on average for the 15 months of a 465-day retention.
    expect(pi).toMatchObject({ quantity: 7 * 15, unit: 'ACU-month', priceKey: 'rds.performanceInsights.acuMonth', monthly: null });
    expect(pi.source).toMatch(/^not sourced/);
    expect(estimate(withRetention(7)).lines.find((l) => l.key === 'rds.pi.acu:Writer')).toBeUndefined();
  });

  it('puts a proxy over Serverless v2 on its ACU-hours, at least 8 ACUs', () => {
    const proxyLine = line(estimate(withProxy(aurora({ readers: 1, serverless: range }))), 'rds.proxy.acu:Proxy');
    expect(proxyLine).toMatchObject({ quantity: 2 * 7 * HOURS_PER_MONTH, priceKey: 'rds.proxy.acu', monthly: expect.closeTo(2 * 7 * HOURS_PER_MONTH * 0.015, 2) });
    const smallest = line(estimate(withProxy(aurora({ readers: 0, serverless: { MinCapacity: 0.5, MaxCapacity: 2 } }))), 'rds.proxy.acu:Proxy');
    expect(smallest).toMatchObject({ quantity: 8 * HOURS_PER_MONTH, monthly: expect.closeTo(8 * HOURS_PER_MONTH * 0.015, 2) });
    expect(smallest!.assumption).toContain('at least 8 ACUs are billed');
  });
});

describe('every cluster resource is on a line, and the table has both regions\' keys', () => {
  it.each([
    ['Multi-AZ DB cluster', multiAzCluster()],
    ['Aurora provisioned', aurora({ readers: 2 })],
    ['Aurora Serverless v2', aurora({ readers: 1, serverless: { MinCapacity: 0.5, MaxCapacity: 8 } })],
  ])('%s', (_name, template) => {
    const e = estimate(template);
    const onLines = new Set(e.lines.flatMap((l) => l.resources));
    expect(Object.keys((template as { Resources: object }).Resources).filter((id) => !onLines.has(id))).toEqual([]);
    expect(estimateMonthlyCost(template, { region: 'eu-west-1' }).lines.length).toBe(e.lines.length);
  });
});
