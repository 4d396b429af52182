import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { NAG_PACKS } from '../../app/app';
import { buildMinimalExample } from '../../examples/minimal/app';
import { buildMigrationsExample } from '../../examples/with-migrations/app';
import { DataTier } from '../../lib/data-tier';

const PACKS = NAG_PACKS.map((Pack) => [new Pack().readPackName, Pack] as const);

/** An example's app, synthesized once, Lambda code left unbundled (template assertions do not need it). */
function build(example: (app: App) => Stack) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = example(app);
  return { app, stack, template: Template.fromStack(stack), tier: stack.node.findAll().find((c): c is DataTier => c instanceof DataTier)! };
}

/** `rule: path` of each finding of a pack on constructs under `scope`. */
function findings(Pack: (typeof NAG_PACKS)[number], app: App, scope: IConstruct): string[] {
  return new Pack()
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`))
    .filter((finding) => finding.includes(`: ${scope.node.path}/`));
}

describe('examples/minimal: a VPC of isolated subnets and a DataTier with every default', () => {
  const { app, template, tier } = build(buildMinimalExample);

  it('builds the whole tier: a Multi-AZ primary with one replica, the proxy, a three-node cache', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, StorageEncrypted: true, Port: '5433' });
    template.resourceCountIs('AWS::RDS::DBProxy', 1);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { NumCacheClusters: 3, MultiAZEnabled: true, TransitEncryptionEnabled: true });
  });

  it('reaches the AWS APIs from isolated subnets through interface endpoints it adds to the VPC', () => {
    // Five for the functions' APIs, three for Systems Manager (the operator host).
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 8);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.secretsmanager', PrivateDnsEnabled: true });
  });

  it('names everything after the construct path, so a second tier would not collide', () => {
    expect(tier.name).toMatch(/^minimaldatatier-db-[0-9a-f]{8}$/);
  });

  it.each(PACKS)('passes %s on every construct of the tier', (_, Pack) => {
    expect(findings(Pack, app, tier)).toEqual([]);
  });
});

describe('examples/with-migrations: a named tier with its own migrations, sizes and alarm choices', () => {
  const { app, template, tier } = build(buildMigrationsExample);

  it('applies the application stream after the platform stream', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { MIGRATION_STREAMS: 'data_tier,orders' } } });
  });

  it('takes its sizes and names from the props', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 3);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'orders-prod-primary', DBInstanceClass: 'db.r7g.xlarge', BackupRetentionPeriod: 35 });
  });

  it('re-thresholds and drops alarms of the defaults table', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-prod-primary-query-latency-p95-high', Threshold: 200 });
    expect(Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => /disk-queue-high/.test(a.Properties.AlarmName))).toEqual([]);
  });

  it.each(PACKS)('passes %s on every construct of the tier', (_, Pack) => {
    expect(findings(Pack, app, tier)).toEqual([]);
  });
});

describe('the README\'s first example', () => {
  const source = readFileSync(join(__dirname, '..', '..', 'examples', 'readme', 'app.ts'), 'utf8');

  it('is examples/readme/app.ts, word for word', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${source}\`\`\`\n`);
  });

  it('synthesizes as written, with no AWS account', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'readme-example-'));
    const previous = process.env.CDK_OUTDIR;
    process.env.CDK_OUTDIR = outdir;
    try {
      jest.isolateModules(() => require('../../examples/readme/app'));
      const template = JSON.parse(readFileSync(join(outdir, 'Orders.template.json'), 'utf8'));
      expect(Object.values(template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::RDS::DBInstance')).toHaveLength(2);
    } finally {
      if (previous === undefined) delete process.env.CDK_OUTDIR;
      else process.env.CDK_OUTDIR = previous;
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("the README's client example", () => {
  const source = readFileSync(join(__dirname, '..', '..', 'examples', 'readme', 'client.ts'), 'utf8');

  it('is the import and the marked lines of examples/readme/client.ts (type-checked there), word for word, in ten lines', () => {
    const imports = source.split('\n').filter((line) => line.startsWith('import '));
    const marked = /\n {2}\/\/ readme:start\n([\s\S]*?)\n {2}\/\/ readme:end\n/.exec(source)![1].split('\n');
    expect(marked).toHaveLength(10);
    const snippet = [...imports, '', ...marked.map((line) => line.replace(/^ {2}/, ''))].join('\n');
    expect(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${snippet}\n\`\`\`\n`);
  });
});
