import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildApp } from '../../app/app';
import { appStacks, committedTemplatePath, reviewableStackTemplate, reviewableTemplate, strayTemplates } from '../../app/template-snapshot';
import { TEST_ENVIRONMENT } from './synth';

// Every stack the app makes: the environments', and each named tier's and DR stack's the settings declare.
const stacks = appStacks();
const templates = Object.fromEntries(stacks.map((stack) => [stack.stackName, reviewableStackTemplate(stack)]));
templates.prod = templates['data-tier-prod'];

describe('what reviewers diff', () => {
  it('is deterministic: two synths give byte-identical templates', () => {
    expect(reviewableTemplate('prod')).toBe(templates.prod);
  });

  it.each(stacks.map((stack) => [stack.stackName, stack.kind]))('matches the committed template of %s (%s; refresh with `npm run snapshot:update`)', (stackName) => {
    const file = committedTemplatePath(stackName);
    const shown = relative(join(__dirname, '..', '..'), file);
    if (!existsSync(file)) throw new Error(`${shown} is missing: the app makes ${stackName}; run \`npm run snapshot:update\` and commit it`);
    if (readFileSync(file, 'utf8') !== templates[stackName]) {
      throw new Error(`${shown} is stale: run \`npm run snapshot:update\` and review the diff`);
    }
  });

  it('records no template of a stack the app no longer makes (`npm run snapshot:update` removes it)', () => {
    expect(strayTemplates(stacks)).toEqual([]);
  });

  it('carries the cdk-nag acknowledgements in the template metadata, each reason once', () => {
    const template = JSON.parse(templates.prod);
    const recorded: Array<{ reason: string; rules: string[]; resources: string[] }> = template.Metadata.cdk_nag.acknowledgements;
    expect(recorded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rules: expect.arrayContaining(['AwsSolutions-RDS11']), reason: expect.stringMatching(/non-default port 5433/), resources: expect.arrayContaining(['DatabaseReplica1ED560A1F']) }),
        // aws-cdk-lib's own note, recorded on the stack: once, for every resource.
        expect.objectContaining({ rules: ['CloudFormation-Validate::W3010'], reason: expect.stringMatching(/^Literal AZs/), resources: ['*'] }),
      ]),
    );
    expect(Object.values(template.Resources as Record<string, any>).filter((r) => r.Metadata?.cdk_nag)).toEqual([]);
  });
});

describe('stateful resources', () => {
  // Renaming one of these replaces it: a new, empty database, cache or key. Change this list
  // only together with a migration plan (snapshot restore, key re-encryption).
  const pinned: Record<string, string[]> = {
    'AWS::RDS::DBInstance': ['DatabasePrimaryEDE0B3D0', 'DatabaseReplica1ED560A1F', 'DatabaseReplica2035311FF'],
    'AWS::ElastiCache::ReplicationGroup': ['CacheReplicationGroupBFE59FF3'],
    'AWS::KMS::Key': ['KeysDataKey8F3FE3A4', 'KeysLogsKeyD24E82DB'],
    'AWS::SecretsManager::Secret': ['CacheAuthToken04672416', 'DatabaseMasterSecretC5C2A01F', 'DatabaseMonitorSecret613A06D6', 'DatabaseOperatorSecret6F893D69', 'DatabaseApplicationRolesAnalyticsReader3CC09D4E'],
    'AWS::Backup::BackupVault': ['BackupVaultADF21B19'],
  };
  const template = Template.fromJSON(JSON.parse(templates.prod));

  it.each(Object.entries(pinned))('keep their logical ids: %s', (type, ids) => {
    expect(Object.keys(template.findResources(type)).sort()).toEqual([...ids].sort());
  });

  // A changed physical name replaces the resource just as a changed logical id does.
  const physicalNames: Record<string, [string, unknown]> = {
    DatabasePrimaryEDE0B3D0: ['DBInstanceIdentifier', 'data-tier-prod-primary'],
    DatabaseReplica1ED560A1F: ['DBInstanceIdentifier', 'data-tier-prod-replica-1'],
    DatabaseReplica2035311FF: ['DBInstanceIdentifier', 'data-tier-prod-replica-2'],
    CacheReplicationGroupBFE59FF3: ['ReplicationGroupId', 'data-tier-prod-cache'],
    CacheAuthToken04672416: ['Name', 'data-tier-prod/cache/auth-token'],
    DatabaseMasterSecretC5C2A01F: ['Name', 'data-tier-prod/postgres/master'],
    DatabaseMonitorSecret613A06D6: ['Name', 'data-tier-prod/postgres/monitor'],
    DatabaseOperatorSecret6F893D69: ['Name', 'data-tier-prod/postgres/operator'],
    // Named after its role: renaming the role is a new role with a new secret.
    DatabaseApplicationRolesAnalyticsReader3CC09D4E: ['Name', 'data-tier-prod/postgres/app/analytics_reader'],
    BackupVaultADF21B19: ['BackupVaultName', 'data-tier-prod-vault'],
  };
  it.each(Object.entries(physicalNames))('keep their physical names: %s', (logicalId, [property, name]) => {
    expect(template.toJSON().Resources[logicalId].Properties[property]).toEqual(name);
  });

  it('keep the aliases of their keys', () => {
    const aliases = Object.values(template.findResources('AWS::KMS::Alias')).map((alias) => [alias.Properties.AliasName, alias.Properties.TargetKeyId]);
    expect(aliases).toEqual(
      expect.arrayContaining([
        ['alias/data-tier-prod/data', { 'Fn::GetAtt': ['KeysDataKey8F3FE3A4', 'Arn'] }],
        ['alias/data-tier-prod/logs', { 'Fn::GetAtt': ['KeysLogsKeyD24E82DB', 'Arn'] }],
      ]),
    );
  });
});

describe('configuration errors', () => {
  it('stop the app before synthesis with the field, the value and what is allowed', () => {
    const run = () =>
      execFileSync(join(__dirname, '../../node_modules/.bin/tsx'), [join(__dirname, '../../bin/data-tier.ts')], {
        env: { ...process.env, ...TEST_ENVIRONMENT, CDK_CONTEXT_JSON: JSON.stringify({ env: 'prod', overrides: '{"database":{"backupRetentionDays":40}}' }), CDK_OUTDIR: '/nonexistent/should-not-be-written' },
        stdio: 'pipe',
      });
    expect(run).toThrow(/data-tier-prod\/Default\/Database: invalid backupRetention \(days\) = 40: must be a whole number from 1 to 35/);
  });

  it('never reach the constructs', () => {
    const app = new App();
    expect(() => buildApp(app, { context: { env: 'prod', region: 'us-east-1', availabilityZones: 'us-east-1a' }, environment: TEST_ENVIRONMENT })).toThrow(/availabilityZones/);
    expect(app.node.children).toHaveLength(0);
  });
});
