import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { buildApp } from '../../app/app';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, ENVIRONMENTS_DIRECTORY } from '../../app/config';
import { findings, PACKS, templateFindings } from './nag-findings';
import { synthesize, Synthesized, TEST_ENVIRONMENT } from './synth';
import { templateView } from './template-view';
import { environmentsOnTopology, TOPOLOGY_VARIANTS } from './topology-environments';

/** [rule id, reason] of every cdk-nag pack acknowledgement recorded on the given constructs. */
function nagAcknowledgements(constructs: IConstruct[]): Array<[string, string]> {
  return constructs
    .flatMap((construct) => construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .filter(([id]) => /(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|Serverless)-/.test(id));
}

function expectNoUnacknowledgedFinding({ app, stack, template }: Synthesized): void {
  const view = templateView(stack, template.toJSON());

  it.each(PACKS)('%s reports no unacknowledged finding in the construct tree', (_, Pack) => {
    expect(findings(new Pack().validateScope(app))).toEqual([]);
  });

  it.each(PACKS)('%s reports no unacknowledged finding on any resource of the template, aws-cdk-lib’s own providers included', (_, Pack) => {
    expect(templateFindings(Pack, view)).toEqual([]);
  });
}

describe.each(ENVIRONMENT_NAMES)('cdk-nag on %s', (envName) => {
  expectNoUnacknowledgedFinding(synthesize(envName));
});

describe('cdk-nag on a tier restored from prod (point in time, backups replicated to another region)', () => {
  // A restore is read from the tier's committed file only; this one was never deployed.
  const environmentsDirectory = mkdtempSync(join(tmpdir(), 'environments-'));
  const templatesDirectory = mkdtempSync(join(tmpdir(), 'templates-'));
  afterAll(() => [environmentsDirectory, templatesDirectory].forEach((directory) => rmSync(directory, { recursive: true, force: true })));
  copyFileSync(join(ENVIRONMENTS_DIRECTORY, 'prod.json'), join(environmentsDirectory, 'prod.json'));
  const restored = {
    database: {
      restore: { fromInstance: 'data-tier-prod-primary', toTime: '2026-11-28T22:15:00Z' },
      backupReplication: { region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
    },
  };
  writeFileSync(join(environmentsDirectory, 'data-tier-prod-r1.json'), JSON.stringify(restored));
  expectNoUnacknowledgedFinding(synthesize('prod', { name: 'data-tier-prod-r1' }, { sources: { environmentsDirectory, templatesDirectory, now: new Date('2026-12-01T00:00:00Z') } }));
});

describe.each(TOPOLOGY_VARIANTS)('cdk-nag on prod on the topology %s, with the game-day experiments on and an upgrade to 18 prepared', (kind) => {
  const environmentsDirectory = environmentsOnTopology(kind);
  afterAll(() => rmSync(environmentsDirectory, { recursive: true, force: true }));
  const overrides = { drills: { faultInjection: true }, database: { upgradeTargetMajorVersion: 18 } };
  expectNoUnacknowledgedFinding(synthesize('prod', { overrides: JSON.stringify(overrides) }, { sources: { environmentsDirectory } }));
});

describe('cdk-nag with the game-day experiments on', () => {
  expectNoUnacknowledgedFinding(synthesize('prod', { overrides: JSON.stringify({ drills: { faultInjection: true } }) }));
});

describe('the packs on the template', () => {
  const { stack, template } = synthesize('prod');
  const view = templateView(stack, template.toJSON());
  const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string }>);
  const idsOf = (type: string) => resources.filter(([, r]) => r.Type === type).map(([id]) => id);

  it('are needed: aws-cdk-lib builds the provider of Custom::VpcRestrictDefaultSG from plain CfnResources, which no rule reads', () => {
    const plain = stack.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .filter((r) => r.constructor === CfnResource && r.cfnResourceType.startsWith('AWS::'))
      .map((r) => r.node.path);
    expect(plain).toEqual(expect.arrayContaining([`${stack.stackName}/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler`, `${stack.stackName}/Custom::VpcRestrictDefaultSGCustomResourceProvider/Role`]));
  });

  it('see every resource of the template as the class the rules test for', () => {
    const untyped = resources
      .filter(([, r]) => !r.Type.startsWith('Custom::') && r.Type !== 'AWS::CloudFormation::CustomResource')
      .filter(([id]) => view.include.getResource(id).constructor === CfnResource)
      .map(([id, r]) => `${id} (${r.Type})`);
    expect(untyped).toEqual([]);
    expect(idsOf('AWS::Lambda::Function').filter((id) => !(view.include.getResource(id) instanceof lambda.CfnFunction))).toEqual([]);
    expect(idsOf('AWS::IAM::Role').filter((id) => !(view.include.getResource(id) instanceof iam.CfnRole))).toEqual([]);
    const provider = [...idsOf('AWS::Lambda::Function'), ...idsOf('AWS::IAM::Role')].filter((id) => view.pathOf(id).includes('/Custom::VpcRestrictDefaultSGCustomResourceProvider/'));
    expect(provider).toHaveLength(2);
  });

  it('report a non-compliant function added at the stack root as aws-cdk-lib adds its providers, which the construct tree hides', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = buildApp(app, { context: { env: 'dev' }, environment: TEST_ENVIRONMENT });
    new CfnResource(stack, 'Unchecked', {
      type: 'AWS::Lambda::Function',
      properties: {
        Role: `arn:aws:iam::${TEST_ENVIRONMENT.CDK_DEFAULT_ACCOUNT}:role/unchecked`,
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Code: { ZipFile: 'exports.handler = async () => {};' },
      },
    });
    const view = templateView(stack, Template.fromStack(stack).toJSON());
    const unchecked = `${stack.stackName}/Unchecked`;
    const rulesOn = (list: string[]) => list.filter((finding) => finding.split(': ')[1].split(', ').includes(unchecked)).map((finding) => finding.split(': ')[0]);

    expect(rulesOn(findings(new NIST80053R5Checks().validateScope(app)))).toEqual([]);
    expect(rulesOn(templateFindings(NIST80053R5Checks, view))).toEqual(
      expect.arrayContaining(['NIST.800.53.R5-LambdaConcurrency', 'NIST.800.53.R5-LambdaDLQ', 'NIST.800.53.R5-LambdaInsideVPC']),
    );
  });
});

describe('acknowledgements', () => {
  const { stack } = synthesize('prod');

  it('each give a reason a reviewer can check, of more than a few words', () => {
    const reasons = nagAcknowledgements(stack.node.findAll());
    expect(reasons.length).toBeGreaterThanOrEqual(10);
    const tooShort = reasons.filter(([, reason]) => reason.split(/\s+/).length < 12);
    expect(tooShort).toEqual([]);
  });

  it('sit on the construct they name, never on the stack or the app', () => {
    expect(nagAcknowledgements([stack, stack.node.root])).toEqual([]);
  });
});
