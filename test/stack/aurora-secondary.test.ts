import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { rmSync } from 'node:fs';
import { buildApp, buildAuroraSecondaryApp } from '../../app/app';
import { DataTierValidationError } from '../../lib/private/validation';
import { findings, PACKS, templateFindings } from './nag-findings';
import { TEST_ENVIRONMENT } from './synth';
import { templateView } from './template-view';
import { environmentsOnTopology } from './topology-environments';

const environmentsDirectory = environmentsOnTopology('aurora');
afterAll(() => rmSync(environmentsDirectory, { recursive: true, force: true }));
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

describe('prod on Aurora with a global database (database.topology.globalSecondaryRegion)', () => {
  const stack = buildApp(newApp(), { context: { env: 'prod' }, environment: TEST_ENVIRONMENT, environmentsDirectory });
  const template = Template.fromStack(stack);

  test('makes its cluster the primary of the global database data-tier-prod-global', () => {
    const clusterArn = stack.resolve(stack.tier.database.cluster!.attrDbClusterArn);
    template.hasResourceProperties('AWS::RDS::GlobalCluster', { GlobalClusterIdentifier: 'data-tier-prod-global', SourceDBClusterIdentifier: clusterArn, DeletionProtection: true });
    expect(Object.keys(template.toJSON().Outputs)).toEqual(expect.arrayContaining([expect.stringMatching(/^GlobalClusterIdentifier/)]));
  });
});

describe('the secondary region of prod\'s Aurora global database (-c globalSecondaryOf=prod)', () => {
  const app = newApp();
  const stack = buildAuroraSecondaryApp(app, { context: { globalSecondaryOf: 'prod' }, environment: TEST_ENVIRONMENT, environmentsDirectory });
  const template = Template.fromStack(stack);

  test('is data-tier-prod-secondary in the secondary region', () => {
    expect(stack.stackName).toBe('data-tier-prod-secondary');
    expect(stack.region).toBe('us-west-2');
  });

  test('joins an Aurora cluster to the global database, encrypted with a key of its own region, without a master user of its own', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'data-tier-prod-secondary-cluster',
      GlobalClusterIdentifier: 'data-tier-prod-global',
      Engine: 'aurora-postgresql',
      EngineVersion: '17.9',
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      MasterUsername: Match.absent(),
      MasterUserPassword: Match.absent(),
    });
    // prod's two readers, each of prod's class.
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'data-tier-prod-secondary-reader-1', DBInstanceClass: 'db.r7g.xlarge' });
  });

  test('alarms on its lag behind the primary region, in seconds, and on its readers', () => {
    const lag = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'data-tier-prod-secondary-readers-global-replication-lag-high' } }));
    expect(JSON.stringify(lag)).toContain('AuroraGlobalDBReplicationLag');
    expect(JSON.stringify(lag)).toContain('m / 1000');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'data-tier-prod-secondary-readers-cpu-high',
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'data-tier-prod-secondary-cluster' }, { Name: 'Role', Value: 'READER' }],
    });
  });

  test.each(PACKS)('%s reports no unacknowledged finding', (_, Pack) => {
    expect(findings(new Pack().validateScope(app))).toEqual([]);
    expect(templateFindings(Pack, templateView(stack, template.toJSON()))).toEqual([]);
  });
});

describe('the app refuses', () => {
  test('-c globalSecondaryOf for a tier without a global database', () => {
    expect(() => buildAuroraSecondaryApp(newApp(), { context: { globalSecondaryOf: 'staging' }, environment: TEST_ENVIRONMENT })).toThrow(DataTierValidationError);
  });

  test('a secondary region that is the tier\'s own', () => {
    const overrides = JSON.stringify({ database: { topology: { kind: 'aurora', globalSecondaryRegion: 'us-east-1' } } });
    expect(() => buildApp(newApp(), { context: { env: 'staging', overrides }, environment: TEST_ENVIRONMENT })).toThrow("invalid database.topology.globalSecondaryRegion = \"us-east-1\": is the tier's own region");
  });
});
