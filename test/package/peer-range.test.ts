// The peer range of aws-cdk-lib in package.json is what this test synthesizes against: its oldest
// version (the devDependency every other test uses) and its newest (the `aws-cdk-lib-newest`
// alias). The library is compiled once, type-checked against the newest version's types, and a
// consumer's app runs in a child process whose node_modules has `aws-cdk-lib` linked to the
// version under test, as a consumer's install would resolve it.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../support/run';

const REPO = join(__dirname, '..', '..');
const NODE_MODULES = join(REPO, 'node_modules');
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** The versions tested: the pinned devDependency and the aliased newest one. */
const OLDEST = { version: manifest.devDependencies['aws-cdk-lib'], directory: join(NODE_MODULES, 'aws-cdk-lib') };
const NEWEST = { version: manifest.devDependencies['aws-cdk-lib-newest'].replace(/^npm:aws-cdk-lib@/, ''), directory: join(NODE_MODULES, 'aws-cdk-lib-newest') };

/**
 * A consumer's app: a tier with every default (its own VPC) and a tier in the caller's VPC, in one
 * stack. It writes which aws-cdk-lib it loaded and what the template holds.
 */
const CONSUMER_APP = `
const { App, Stack } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const { writeFileSync } = require('node:fs');
const { DataTier } = require('postgres-data-tier');

const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const app = new App({ context: { 'availability-zones:account=111111111111:region=us-east-1': zones } });
const stack = new Stack(app, 'Consumer', { env: { account: '111111111111', region: 'us-east-1' } });
new DataTier(stack, 'Db');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  availabilityZones: zones,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
});
new DataTier(stack, 'Db2', { network: { vpc } });
const template = app.synth().getStackByName('Consumer').template;
const types = Object.values(template.Resources).map((resource) => resource.Type);
writeFileSync(process.env.REPORT, JSON.stringify({ awsCdkLib: require('aws-cdk-lib/package.json').version, types }));
`;

interface Report {
  readonly awsCdkLib: string;
  readonly types: string[];
}

describe('the aws-cdk-lib peer range', () => {
  let work: string;
  const reports = new Map<string, Report>();

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'data-tier-peer-range-'));
    // Compiled as tsconfig.build.json does, with `aws-cdk-lib` typed by the newest version.
    const dist = join(work, 'dist');
    const tsconfig = join(work, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(REPO, 'tsconfig.build.json'),
        compilerOptions: {
          outDir: dist,
          rootDir: join(REPO, 'lib'),
          declaration: false,
          typeRoots: [join(NODE_MODULES, '@types')],
          paths: { 'aws-cdk-lib': [NEWEST.directory], 'aws-cdk-lib/*': [`${NEWEST.directory}/*`] },
        },
      }),
    );
    run(process.execPath, [join(NODE_MODULES, 'typescript', 'bin', 'tsc'), '-p', tsconfig], REPO);

    for (const tested of [OLDEST, NEWEST]) {
      const consumer = join(work, `consumer-${tested.version}`);
      const installed = join(consumer, 'node_modules', 'postgres-data-tier');
      mkdirSync(installed, { recursive: true });
      writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'postgres-data-tier', version: '0.0.0-test', main: 'dist/index.js' }));
      // A copy, not a link: the library resolves aws-cdk-lib from where its files really are.
      cpSync(dist, join(installed, 'dist'), { recursive: true });
      // The handler bundles (npm run bundle) and the platform SQL, as the package ships them.
      for (const shipped of ['assets', 'sql']) symlinkSync(join(REPO, shipped), join(installed, shipped), 'dir');
      symlinkSync(tested.directory, join(consumer, 'node_modules', 'aws-cdk-lib'), 'dir');
      symlinkSync(join(NODE_MODULES, 'constructs'), join(consumer, 'node_modules', 'constructs'), 'dir');
      writeFileSync(join(consumer, 'app.js'), CONSUMER_APP);
      const report = join(consumer, 'report.json');
      run(process.execPath, ['app.js'], consumer, { ...process.env, CDK_OUTDIR: join(consumer, 'cdk.out'), REPORT: report });
      reports.set(tested.version, JSON.parse(readFileSync(report, 'utf8')) as Report);
    }
  }, 90_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is exactly the versions tested here, from the oldest to the newest', () => {
    expect(manifest.peerDependencies['aws-cdk-lib']).toBe(`>=${OLDEST.version} <=${NEWEST.version}`);
  });

  it.each([
    ['oldest', OLDEST],
    ['newest', NEWEST],
  ])('synthesizes a tier of its own and a tier in the caller\'s VPC with the %s version', (_, tested) => {
    const report = reports.get(tested.version)!;
    expect(report.awsCdkLib).toBe(tested.version);
    const count = (type: string) => report.types.filter((t) => t === type).length;
    // Each tier: a primary and one replica, a proxy, a cache replication group.
    expect(count('AWS::RDS::DBInstance')).toBe(4);
    expect(count('AWS::RDS::DBProxy')).toBe(2);
    expect(count('AWS::ElastiCache::ReplicationGroup')).toBe(2);
    // Two tiers fit CloudFormation's 500 resources per stack (README, "Install").
    expect(report.types.length).toBeLessThanOrEqual(500);
  });
});
