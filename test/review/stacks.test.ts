// `npm run review` knows every stack the app makes, each against the template last deployed from it
// (recorded per stack): on a copy of app/environments where prod declares its DR stack and a
// restored tier, data-tier-prod-r1, has its own settings file. Lambda bundling off, cdk-nag skipped.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMITTED_TEMPLATES_DIRECTORY } from '../../app/committed-templates';
import { ENVIRONMENTS_DIRECTORY } from '../../app/config';
import { appStackNamed, appStacks, committedTemplatePath } from '../../app/template-snapshot';
import { parseArguments, review, ReviewOptions } from '../../scripts/review/review';
import { recordTemplates } from '../../scripts/update-snapshots';

const SNAPSHOT = 'arn:aws:rds:us-east-1:111111111111:snapshot:rds:data-tier-prod-primary-2026-11-28-03-15';
const DB_INSTANCES = ['DatabasePrimaryEDE0B3D0', 'DatabaseReplica1ED560A1F', 'DatabaseReplica2035311FF'];

let environments: string;
let templates: string;
const settingsFile = (name: string) => join(environments, `${name}.json`);
const writeSettings = (name: string, settings: object) => writeFileSync(settingsFile(name), JSON.stringify(settings));
const reviewOf = (options: ReviewOptions) => review({ nag: false, environmentsDirectory: environments, templatesDirectory: templates, ...options });

beforeAll(() => {
  environments = mkdtempSync(join(tmpdir(), 'review-stacks-environments-'));
  templates = mkdtempSync(join(tmpdir(), 'review-stacks-templates-'));
  cpSync(ENVIRONMENTS_DIRECTORY, environments, { recursive: true });
  const prod = JSON.parse(readFileSync(settingsFile('prod'), 'utf8'));
  writeSettings('prod', { ...prod, drReplica: { region: 'us-west-2' } });
  writeSettings('data-tier-prod-r1', { database: { restore: { fromSnapshot: SNAPSHOT } } });
  recordTemplates(templates, { environmentsDirectory: environments }, () => undefined);
}, 120_000);
afterAll(() => {
  for (const dir of [environments, templates]) rmSync(dir, { recursive: true, force: true });
});

describe('the stacks of the app', () => {
  it('are each environment, each named tier with its own settings file, and each DR stack the settings declare', () => {
    expect(appStacks({ environmentsDirectory: environments }).map((s) => [s.stackName, s.kind, s.context])).toEqual([
      ['data-tier-dev', 'environment', { env: 'dev' }],
      ['data-tier-staging', 'environment', { env: 'staging' }],
      ['data-tier-prod', 'environment', { env: 'prod' }],
      ['data-tier-prod-dr', 'DR replica', { drReplicaOf: 'prod' }],
      ['data-tier-prod-r1', 'named tier', { env: 'prod', name: 'data-tier-prod-r1' }],
    ]);
    // The project's own settings declare no named tier and no DR stack yet (prod.json has no drReplica).
    expect(appStacks().map((s) => s.stackName)).toEqual(['data-tier-dev', 'data-tier-staging', 'data-tier-prod']);
  });

  it('are recorded one file each: <env>.template.json for an environment, <stack name>.template.json for the others', () => {
    expect(committedTemplatePath('data-tier-prod')).toBe(join(COMMITTED_TEMPLATES_DIRECTORY, 'prod.template.json'));
    expect(committedTemplatePath('data-tier-prod-r1')).toBe(join(COMMITTED_TEMPLATES_DIRECTORY, 'data-tier-prod-r1.template.json'));
    expect(committedTemplatePath('data-tier-prod-dr')).toBe(join(COMMITTED_TEMPLATES_DIRECTORY, 'data-tier-prod-dr.template.json'));
    for (const file of ['dev', 'staging', 'prod', 'data-tier-prod-dr', 'data-tier-prod-r1']) expect(existsSync(join(templates, `${file}.template.json`))).toBe(true);
    expect(appStackNamed('data-tier-prod-r1-dr')).toEqual({ stackName: 'data-tier-prod-r1-dr', kind: 'DR replica', envName: 'prod', context: { drReplicaOf: 'prod', name: 'data-tier-prod-r1' } });
    expect(appStackNamed('orders')).toBeUndefined();
  });

  it('snapshot:update removes the template of a stack the app no longer makes', () => {
    const stray = join(templates, 'data-tier-prod-r9.template.json');
    writeFileSync(stray, '{}');
    const lines: string[] = [];
    recordTemplates(templates, { environmentsDirectory: environments }, (line) => lines.push(line));
    expect(existsSync(stray)).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/^removed .*data-tier-prod-r9\.template\.json: no stack of the app records its template there$/));
  });
});

describe('npm run review of every stack', () => {
  it('compares each with its own recorded template: nothing changed, exit 0', () => {
    const { exitCode, reviews, markdown } = reviewOf({});
    expect(exitCode).toBe(0);
    expect(reviews.map((r) => [r.envName, r.diff.added.length + r.diff.modified.length + r.diff.removed.length])).toEqual([
      ['dev', 0],
      ['staging', 0],
      ['prod', 0],
      ['data-tier-prod-dr', 0],
      ['data-tier-prod-r1', 0],
    ]);
    expect(markdown).toMatch(/## data-tier-prod-r1: 0 added, 0 modified, 0 removed, 0 replaced\n\nCompared with the committed snapshot `\S*data-tier-prod-r1\.template\.json`\./);
  });

  // Before, `-c name=data-tier-prod-r1` was compared with prod's template: every stateful resource
  // (other names) was refused whether the restore was kept or removed.
  it('a restored tier keeping its restore passes; removing it from its settings is refused (an empty instance in its place)', () => {
    const kept = reviewOf({ context: { name: 'data-tier-prod-r1', overrides: JSON.stringify({ database: { backupRetentionDays: 30 } }) } });
    expect(kept.reviews.map((r) => r.envName)).toEqual(['data-tier-prod-r1']);
    expect(kept.exitCode).toBe(0);
    writeSettings('data-tier-prod-r1', {});
    try {
      const removed = reviewOf({ stackNames: ['data-tier-prod-r1'] });
      expect(removed.exitCode).toBe(1);
      expect(removed.reviews[0].blocking).toEqual(DB_INSTANCES.map((id) => `${id} (AWS::RDS::DBInstance) would be replaced`));
      const primary = removed.reviews[0].diff.modified.find((m) => m.logicalId === 'DatabasePrimaryEDE0B3D0')!;
      expect(primary.properties).toContainEqual(expect.objectContaining({ name: 'DBSnapshotIdentifier', behavior: undefined, note: expect.stringMatching(/^a restore leaving the template/) }));
      // The environment's own stack is not touched by the named tier's settings.
      expect(reviewOf({ stackNames: ['data-tier-prod'] }).exitCode).toBe(0);
    } finally {
      writeSettings('data-tier-prod-r1', { database: { restore: { fromSnapshot: SNAPSHOT } } });
    }
  });

  it('reviews the DR stack against its own template: a new instance class in place, a new VPC CIDR refused', () => {
    const resized = reviewOf({ context: { drReplicaOf: 'prod', overrides: JSON.stringify({ drReplica: { region: 'us-west-2', instanceClass: 'db.r7g.2xlarge' } }) } });
    expect(resized.reviews.map((r) => r.envName)).toEqual(['data-tier-prod-dr']);
    expect(resized.exitCode).toBe(0);
    expect(resized.reviews[0].diff.modified.filter((m) => m.type === 'AWS::RDS::DBInstance').map((m) => [m.replacement, m.properties.map((p) => p.name)])).toEqual([['no', ['DBInstanceClass']]]);
    const moved = reviewOf({ stackNames: ['data-tier-prod-dr'], context: { overrides: JSON.stringify({ drReplica: { region: 'us-west-2', vpcCidr: '10.52.0.0/16' } }) } });
    expect(moved.exitCode).toBe(1);
    expect(moved.reviews[0].blocking).toEqual(expect.arrayContaining([expect.stringMatching(/\(AWS::RDS::DBInstance\) would be replaced$/), expect.stringMatching(/\(AWS::RDS::DBSubnetGroup\) would be replaced$/)]));
  });

  it('--base <git ref>: a stack the ref records nothing of is a new stack, all of it created', () => {
    const { exitCode, reviews, markdown } = reviewOf({ stackNames: ['data-tier-prod-r1'], base: 'HEAD' });
    expect(exitCode).toBe(0);
    expect(reviews[0].diff.removed).toEqual([]);
    expect(reviews[0].diff.added.length).toBeGreaterThan(100);
    expect(markdown).toContain('Compared with nothing: no `HEAD:app/templates/data-tier-prod-r1.template.json`, so data-tier-prod-r1 is a new stack and all of it would be created.');
    expect(() => reviewOf({ stackNames: ['data-tier-prod-r1'], base: 'no-such-ref' })).toThrow('--base no-such-ref: not a commit of this repository');
  });

  it('--base <git ref> older than app/templates/: an environment keeps its old path', () => {
    // 65b9efe kept the environments' templates in test/snapshots/ (app/deployed-version.ts COMMITTED_TEMPLATE_PATHS).
    expect(reviewOf({ stackNames: ['data-tier-dev'], base: '65b9efe' }).markdown).toContain('Compared with `65b9efe:test/snapshots/dev.template.json`.');
  });

  it('takes --stack, and names what it cannot make', () => {
    expect(parseArguments(['--stack', 'data-tier-prod-dr', '--env=prod', '-c', 'name=data-tier-prod-r1'])).toEqual({
      envNames: ['prod'], stackNames: ['data-tier-prod-dr'], base: undefined, allowReplace: [], context: { name: 'data-tier-prod-r1' },
    });
    expect(() => reviewOf({ stackNames: ['orders'] })).toThrow('orders: not a stack this app makes');
  });
});
