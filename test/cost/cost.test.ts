import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES } from '../../app/config';
import { snapshotPath } from '../../app/template-snapshot';
import { DEFAULT_ASSUMPTIONS } from '../../lib/cli/cost/assumptions';
import { UncoveredResourceTypeError, UnpricedRegionError } from '../../lib/cli/cost/errors';
import { estimateMonthlyCost } from '../../lib/cli/cost/estimate';
import { PRICED_REGIONS, PRICES } from '../../lib/cli/cost/prices';
import { customMetricCount } from '../../lib/cli/cost/pricing/observability';
import { diffEstimates } from '../../lib/cli/cost/report';
import { RESOURCE_TYPES } from '../../lib/cli/cost/resource-types';
import { HOURS_PER_MONTH } from '../../lib/cli/cost/units';

const snapshot = (env: string) => JSON.parse(readFileSync(snapshotPath(env as never), 'utf8'));
const PRICE = PRICES['us-east-1'];

describe('every resource type of every environment is accounted for', () => {
  // Types priced through another resource, or whose resources are not all billed (an
  // unscheduled function, a rule that only triggers others), are exempt from "each resource
  // appears on a line"; they are still listed in RESOURCE_TYPES.
  const pricedThroughOthers = new Set(['AWS::Events::Rule', 'AWS::EC2::FlowLog', 'AWS::Lambda::Function', 'AWS::EC2::VPCEndpoint']);

  for (const env of ENVIRONMENT_NAMES) {
    it(`${env}: each type is priced, or listed as free or usage-only with a reason`, () => {
      const types = new Set(Object.values(snapshot(env).Resources as Record<string, { Type: string }>).map((r) => r.Type));
      const missing = [...types].filter((t) => !RESOURCE_TYPES[t]);
      expect(missing).toEqual([]);
      for (const t of types) {
        const coverage = RESOURCE_TYPES[t];
        expect(coverage.kind === 'priced' ? coverage.how : coverage.reason).toMatch(/\w{3,}/);
      }
    });

    it(`${env}: each resource of a priced type is on a line`, () => {
      const template = snapshot(env);
      const estimate = estimateMonthlyCost(template, { region: 'us-east-1' });
      const onLines = new Set(estimate.lines.flatMap((l) => l.resources));
      const unlisted = Object.entries(template.Resources as Record<string, { Type: string }>)
        .filter(([, r]) => RESOURCE_TYPES[r.Type]?.kind === 'priced' && !pricedThroughOthers.has(r.Type))
        .filter(([id]) => !onLines.has(id))
        .map(([id, r]) => `${id} (${r.Type})`);
      expect(unlisted).toEqual([]);
    });
  }

  it('refuses a template with a resource type it does not know', () => {
    const template = { Resources: { Thing: { Type: 'AWS::Neptune::DBCluster', Properties: {} } } };
    expect(() => estimateMonthlyCost(template, { region: 'us-east-1' })).toThrow(UncoveredResourceTypeError);
    expect(() => estimateMonthlyCost(template, { region: 'us-east-1' })).toThrow(/AWS::Neptune::DBCluster/);
  });
});

describe('the price table', () => {
  it('has us-east-1 and eu-west-1, each figure with a unit, a date and a source or the reason it has none', () => {
    expect(PRICED_REGIONS).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
    for (const region of PRICED_REGIONS) {
      for (const [key, price] of Object.entries(PRICES[region])) {
        expect({ key, date: price.date }).toEqual({ key, date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
        expect(price.unit).not.toBe('');
        expect(price.page).toMatch(/^https:\/\/aws\.amazon\.com\//);
        if (price.usd === null) expect(price.source).toMatch(/^not sourced/);
        else expect({ key, source: price.source }).toEqual({ key, source: expect.stringMatching(/https:\/\//) });
      }
    }
  });
});

/** A small template: a primary, `replicas` read replicas of it, one alarm on an expression. */
function handMade(options: { multiAz: boolean; replicas: number }): object {
  const resources: Record<string, unknown> = {
    Primary: {
      Type: 'AWS::RDS::DBInstance',
      Properties: { DBInstanceClass: 'db.t4g.medium', DBInstanceIdentifier: 'primary', AllocatedStorage: '20', StorageType: 'gp3', MultiAZ: options.multiAz, BackupRetentionPeriod: 1 },
    },
    Deadlocks: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Metrics: [{ Id: 'e', Expression: 'DIFF(m)' }, { Id: 'm', MetricStat: { Metric: { Namespace: 'X', MetricName: 'a' }, Period: 60 } }, { Id: 'n', MetricStat: { Metric: { Namespace: 'X', MetricName: 'b' }, Period: 60 } }] },
    },
  };
  for (let i = 1; i <= options.replicas; i++) {
    resources[`Replica${i}`] = {
      Type: 'AWS::RDS::DBInstance',
      Properties: { DBInstanceClass: 'db.t4g.medium', DBInstanceIdentifier: `replica-${i}`, SourceDBInstanceIdentifier: { Ref: 'Primary' }, StorageType: 'gp3' },
    };
  }
  return { Resources: resources };
}

describe('the arithmetic', () => {
  const instanceHour = PRICE['rds.instance.db.t4g.medium'].usd!;
  const gbMonth = PRICE['rds.gp3.storage'].usd!;

  it('prices a Multi-AZ primary at the Multi-AZ rates of instance and storage (primary + standby), about twice the Single-AZ ones', () => {
    const single = estimateMonthlyCost(handMade({ multiAz: false, replicas: 0 }), { region: 'us-east-1' });
    const multi = estimateMonthlyCost(handMade({ multiAz: true, replicas: 0 }), { region: 'us-east-1' });
    const line = (e: typeof single, key: string) => e.lines.find((l) => l.key === key)!;
    const multiAzHour = PRICE['rds.instance.db.t4g.medium.multiAz'].usd!;
    const multiAzGbMonth = PRICE['rds.gp3.storage.multiAz'].usd!;
    expect(line(single, 'rds.instance:Primary').monthly).toBeCloseTo(HOURS_PER_MONTH * instanceHour, 2);
    expect(line(multi, 'rds.instance:Primary')).toMatchObject({ quantity: HOURS_PER_MONTH, unit: 'Multi-AZ instance-hour', unitPrice: multiAzHour });
    expect(line(multi, 'rds.storage:Primary').monthly).toBeCloseTo(20 * multiAzGbMonth, 2);
    expect(multiAzHour / instanceHour).toBeGreaterThan(1.9);
    expect(multiAzHour / instanceHour).toBeLessThanOrEqual(2);
    expect(multi.total - single.total).toBeCloseTo(HOURS_PER_MONTH * (multiAzHour - instanceHour) + 20 * (multiAzGbMonth - gbMonth), 2);
  });

  it('each replica adds exactly its instance-hours and its storage', () => {
    const none = estimateMonthlyCost(handMade({ multiAz: true, replicas: 0 }), { region: 'us-east-1' });
    const two = estimateMonthlyCost(handMade({ multiAz: true, replicas: 2 }), { region: 'us-east-1' });
    const replicaPrice = HOURS_PER_MONTH * instanceHour + 20 * gbMonth;
    expect(two.total - none.total).toBeCloseTo(2 * replicaPrice, 2);
    const diff = diffEstimates(none, two);
    expect(diff.totalDifference).toBeCloseTo(2 * replicaPrice, 2);
    expect(diff.lines.map((l) => l.key).sort()).toEqual(['rds.instance:Replica1', 'rds.instance:Replica2', 'rds.storage:Replica1', 'rds.storage:Replica2']);
  });

  it('prices an alarm on an expression per metric it reads', () => {
    const estimate = estimateMonthlyCost(handMade({ multiAz: false, replicas: 0 }), { region: 'us-east-1' });
    const math = estimate.lines.find((l) => l.key === 'alarms.math')!;
    expect(math.quantity).toBe(2);
    expect(math.monthly).toBeCloseTo(2 * PRICE['cloudwatch.alarm.standard'].usd!, 5);
  });

  it('keeps a line whose price is not sourced out of the total, and says so', () => {
    const template = handMade({ multiAz: false, replicas: 0 }) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    template.Resources.Primary.Properties.DBInstanceClass = 'db.r7g.xlarge';
    expect(PRICES['eu-west-1']['rds.instance.db.r7g.xlarge'].usd).toBeNull();
    const estimate = estimateMonthlyCost(template, { region: 'eu-west-1' });
    const instance = estimate.lines.find((l) => l.key === 'rds.instance:Primary')!;
    expect(instance).toMatchObject({ quantity: HOURS_PER_MONTH, unitPrice: null, monthly: null });
    expect(instance.source).toMatch(/^not sourced/);
    expect(estimate.unpriced).toContain(instance);
    expect(estimate.total).toBeCloseTo(estimate.lines.reduce((sum, l) => sum + (l.monthly ?? 0), 0), 2);
  });

  it('keeps a size the table does not list as an unpriced line, not an error', () => {
    const template = handMade({ multiAz: false, replicas: 0 }) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    template.Resources.Primary.Properties.DBInstanceClass = 'db.m5.large';
    const instance = estimateMonthlyCost(template, { region: 'us-east-1' }).lines.find((l) => l.key === 'rds.instance:Primary')!;
    expect(instance).toMatchObject({ unitPrice: null, monthly: null });
    expect(instance.source).toMatch(/^not in the price table: rds\.instance\.db\.m5\.large/);
  });

  it('refuses a region without prices', () => {
    expect(() => estimateMonthlyCost(handMade({ multiAz: false, replicas: 0 }), { region: 'ap-south-1' })).toThrow(UnpricedRegionError);
    expect(() => estimateMonthlyCost(handMade({ multiAz: false, replicas: 0 }), { region: 'ap-south-1' })).toThrow(/no prices for region ap-south-1/);
  });

  it('npm run cost refuses a region without prices with one line and exit code 1, before synthesizing', () => {
    const result = spawnSync(join(__dirname, '../../node_modules/.bin/tsx'), ['scripts/cost.ts', '--env', 'dev', '--region', 'ap-south-1'], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('no prices for region ap-south-1: lib/cli/cost/prices.ts has us-east-1, eu-west-1');
  });

  it('counts the custom metrics of the health check from the observability contract', () => {
    // Per primary: 30 health_check() series (20 single rows, default_partition_rows total and per
    // parent, 8 per-object rows) and 3 function metrics; a replica has no dead-tuple rows and no
    // primary_write_failed; maintenance publishes 2 metrics for each of its 2 tasks.
    expect(customMetricCount(1, 0, DEFAULT_ASSUMPTIONS).total).toBe(37);
    expect(customMetricCount(1, 2, DEFAULT_ASSUMPTIONS).total).toBe(89);
  });
});

describe('diffEstimates', () => {
  const tier = (nodes: number, storage: string) => ({
    Resources: {
      Primary: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.t4g.medium', AllocatedStorage: storage, MultiAZ: false, StorageType: 'gp3' } },
      // cache.m5.large is not in the price table: its line is unpriced.
      Cache: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { Engine: 'redis', CacheNodeType: 'cache.m5.large', NumCacheClusters: nodes } },
    },
  });

  it('shows a change of an unpriced line by its quantities, a priced one by its cost, and leaves unchanged lines out', () => {
    const before = estimateMonthlyCost(tier(2, '100'), { region: 'us-east-1' });
    const after = estimateMonthlyCost(tier(3, '150'), { region: 'us-east-1' });
    const diff = diffEstimates(before, after);
    expect(diff.lines.find((l) => l.key === 'cache.nodes:Cache')).toMatchObject({ quantityBefore: 2 * HOURS_PER_MONTH, quantityAfter: 3 * HOURS_PER_MONTH, difference: null });
    expect(diff.lines.find((l) => l.key === 'rds.storage:Primary')!.difference).toBeCloseTo(50 * PRICE['rds.gp3.storage'].usd!, 2);
    expect(diff.lines.find((l) => l.key === 'rds.instance:Primary')).toBeUndefined();
    expect(diffEstimates(before, before).lines).toEqual([]);
  });
});
