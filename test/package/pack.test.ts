// Packs the package as npm would publish it, installs the tarball into a fresh consumer
// project offline, and synthesizes the consumer's app: the package must work without its
// sources, esbuild or Docker, with the handler bundles it ships.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const NODE_MODULES = join(REPO, 'node_modules');

/** What the package build needs; copied so packing (which rebuilds) never touches this checkout's dist/ and assets/. */
const SOURCES = ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'lib', 'scripts', 'sql'];

/**
 * The consumer's app: it uses the package only by its name. Change the construct here when
 * the package's entry point changes (e.g. to `new DataTier(stack, 'Db', { vpc })`).
 */
const CONSUMER_APP = `
import { App } from 'aws-cdk-lib';
import { DataTierStack, resolveConfig } from 'postgres-data-tier';

const app = new App();
const config = resolveConfig({ context: { env: 'dev' }, environment: { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' } });
new DataTierStack(app, 'ConsumerDataTier', { config, env: { account: config.account, region: config.region } });
app.synth();
`;

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the npm package', () => {
  let work: string;
  let packed: PackResult;
  let consumer: string;
  let outdir: string;
  let dockerCalls: string;

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
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        version: '1.0.0',
        private: true,
        dependencies: { 'postgres-data-tier': `file:${tarball}` },
      }),
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, types: [], outDir: 'out' },
        files: ['app.ts'],
      }),
    );
    writeFileSync(join(consumer, 'app.ts'), CONSUMER_APP);
    // The package's own files come from the tarball. The test may not reach the registry, so
    // npm leaves the peers alone and they are linked to this repository's copies afterwards.
    run('npm', ['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], consumer);
    for (const peer of ['aws-cdk-lib', 'constructs']) symlinkSync(join(NODE_MODULES, peer), join(consumer, 'node_modules', peer), 'dir');

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
    run(process.execPath, [join(consumer, 'out', 'app.js')], consumer, { ...process.env, CDK_OUTDIR: outdir, PATH: `${fakeBin}:${process.env.PATH}` });
    phase('synthesized');
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('ships the compiled library, the handler bundles and the platform SQL, not the sources', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'sql/001_data_tier_schema.sql']));
    for (const name of ['migrate', 'health-check', 'maintenance', 'cache-token-rotation']) {
      expect(paths).toContain(`assets/functions/${name}/index.js`);
    }
    expect(paths.filter((path) => !/^(dist|assets|sql)\/|^(package\.json|README\.md)$/.test(path))).toEqual([]);
    expect(paths.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
  });

  test('is installed from the tarball, not linked to this checkout', () => {
    const installed = join(consumer, 'node_modules', 'postgres-data-tier');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installed, 'lib'))).toBe(false);
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
    expect(deployed.map(({ bundle }) => bundle).sort()).toEqual(['cache-token-rotation', 'health-check', 'maintenance', 'migrate']);
    const migrate = deployed.find(({ bundle }) => bundle === 'migrate')!.asset;
    expect(readdirSync(join(migrate, 'sql', 'data_tier')).sort()).toEqual(readdirSync(join(REPO, 'sql')).sort());
  });
});
