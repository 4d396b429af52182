import { App, CfnResource, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IConstruct } from 'constructs';
import { buildApp, buildAuroraSecondaryApp, buildDrReplicaApp } from '../../app/app';
import { ENVIRONMENT_NAMES } from '../../app/config';
import { TEST_ENVIRONMENT } from './synth';
import { environmentsOnTopology, TOPOLOGY_VARIANTS } from './topology-environments';

/** Rule ids acknowledged on a construct or any of its ancestors. */
function acknowledgedOn(construct: IConstruct): Set<string> {
  return new Set(
    construct.node.scopes
      .flatMap((scope) => scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.keys(m.data as Record<string, string>)),
  );
}

/**
 * aws-cdk-lib's CloudFormation validation of an environment's template, every finding as
 * `rule: construct path`, less those acknowledged on the resource (or above it) with a reason.
 * Plain `cdk synth` skips this validation (`-c cfnValidation=true` runs it), and when it runs it
 * only prints warnings: this test is where a finding fails the build.
 */
async function unacknowledgedFindings(envName: string, tamper: (stack: Stack) => void = () => {}, build: (app: App) => Stack = (app) => buildApp(app, { context: { env: envName }, environment: TEST_ENVIRONMENT })): Promise<string[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'data-tier-validate-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = build(app);
    tamper(stack);
    app.synth();
    const templatePath = join(outdir, stack.templateFile);
    const report = await new CloudFormationValidatePlugin().validate({
      appConstruct: app,
      templatePaths: [templatePath],
      stackTemplates: [{ stackConstructPath: stack.node.path, templatePath, accountId: stack.account, region: stack.region }],
    });
    const byLogicalId = new Map(stack.node.findAll().filter(CfnResource.isCfnResource).map((r) => [Stack.of(r).resolve(r.logicalId) as string, r]));
    return report.violations.flatMap((violation) =>
      violation.violatingResources
        .map((resource) => byLogicalId.get(resource.resourceLogicalId ?? '')!)
        .filter((resource) => !acknowledgedOn(resource).has(`CloudFormation-Validate::${violation.ruleName}`))
        .map((resource) => `${violation.ruleName}: ${resource.node.path}`),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the check', () => {
  it('fails on a finding nobody acknowledged', async () => {
    const findings = await unacknowledgedFindings('dev', (stack) => {
      new CfnResource(stack, 'Unchecked', { type: 'AWS::SQS::Queue', properties: { MessageRetentionPeriod: 'two weeks' } });
    });
    expect(findings).toEqual([expect.stringMatching(/: data-tier-dev\/Unchecked$/)]);
  });
});

describe.each(ENVIRONMENT_NAMES)('the CloudFormation validation of %s', (envName) => {
  it('finds nothing that is not acknowledged with a reason', async () => {
    expect(await unacknowledgedFindings(envName)).toEqual([]);
  });
});

describe.each(TOPOLOGY_VARIANTS)('the CloudFormation validation of prod on the topology %s', (kind) => {
  it('finds nothing that is not acknowledged with a reason', async () => {
    const environmentsDirectory = environmentsOnTopology(kind);
    try {
      expect(await unacknowledgedFindings('prod', () => {}, (app) => buildApp(app, { context: { env: 'prod' }, environment: TEST_ENVIRONMENT, environmentsDirectory }))).toEqual([]);
    } finally {
      rmSync(environmentsDirectory, { recursive: true, force: true });
    }
  });
});

describe('the CloudFormation validation of the secondary region of prod\'s Aurora global database', () => {
  it('finds nothing that is not acknowledged with a reason', async () => {
    const environmentsDirectory = environmentsOnTopology('aurora');
    try {
      expect(await unacknowledgedFindings('prod', () => {}, (app) => buildAuroraSecondaryApp(app, { context: { globalSecondaryOf: 'prod' }, environment: TEST_ENVIRONMENT, environmentsDirectory }))).toEqual([]);
    } finally {
      rmSync(environmentsDirectory, { recursive: true, force: true });
    }
  });
});

// The DR stack as deployed before a region loss and as the region-loss runbook promotes it: the
// promoted template keeps SourceRegion without SourceDBInstanceIdentifier (lib/cross-region-replica.ts).
describe.each([
  ['the cross-region replica', {}],
  ['the promoted cross-region replica', { promote: true }],
])('the CloudFormation validation of %s of prod', (_, drReplica) => {
  it('finds nothing that is not acknowledged with a reason', async () => {
    const overrides = JSON.stringify({ drReplica: { region: 'us-west-2', ...drReplica } });
    expect(await unacknowledgedFindings('prod', () => {}, (app) => buildDrReplicaApp(app, { context: { drReplicaOf: 'prod', overrides }, environment: TEST_ENVIRONMENT }))).toEqual([]);
  });
});
