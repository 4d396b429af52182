import { App, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildDrReplicaApp, NAG_PACKS } from '../../app/app';
import { diffTemplates, isStateful, TemplateJson } from '../../lib/cli/review/diff';
import { cidrsOverlap } from '../../lib/private/cidr';
import { DataTierValidationError, parseCidr } from '../../lib/private/validation';
import { replacementByProperty } from '../support/registry-schema';
import { synthesize, TEST_ENVIRONMENT } from './synth';
import { templateView } from './template-view';

const PACKS = NAG_PACKS.map((Pack) => [new Pack().readPackName, Pack] as const);
const DR = { drReplica: { region: 'us-west-2' } };

function build(context: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = buildDrReplicaApp(app, { context, environment: TEST_ENVIRONMENT });
  return { app, stack, template: Template.fromStack(stack) };
}

function findings(report: PolicyValidationPluginReport): string[] {
  return report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

describe('the cross-region replica stack of prod (-c drReplicaOf=prod)', () => {
  const { app, stack, template } = build({ drReplicaOf: 'prod', overrides: JSON.stringify(DR) });

  test('is data-tier-prod-dr in the DR region', () => {
    expect(stack.stackName).toBe('data-tier-prod-dr');
    expect(stack.region).toBe('us-west-2');
  });

  test('replicates prod\'s primary by ARN from its region, encrypted with a key of its own region', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'data-tier-prod-dr-replica',
      SourceRegion: 'us-east-1',
      SourceDBInstanceIdentifier: { 'Fn::Join': ['', Match.arrayWith([':rds:us-east-1:111111111111:db:data-tier-prod-primary'])] },
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysDataKey'), 'Arn'] },
      DBInstanceClass: 'db.r7g.xlarge',
      Port: '5433',
      DBParameterGroupName: { Ref: Match.stringLikeRegexp('^ReplicaParameterGroup') },
      MonitoringInterval: 15,
      EnablePerformanceInsights: true,
      PubliclyAccessible: false,
    });
    const [instance] = Object.values(template.findResources('AWS::RDS::DBInstance')) as Array<{ Properties: Record<string, unknown>; DeletionPolicy: string }>;
    for (const p of ['StorageEncrypted', 'MasterUsername', 'MasterUserPassword', 'DBName', 'BackupRetentionPeriod']) expect(instance.Properties).not.toHaveProperty(p);
    expect(instance.DeletionPolicy).toBe('Snapshot');
  });

  test('has its own parameter group, keys, VPC and the replica alarms of the table, replica lag included', () => {
    template.resourceCountIs('AWS::RDS::DBParameterGroup', 1);
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: { AlarmName: string } }).Properties.AlarmName).sort();
    expect(names).toEqual(['cpu-high', 'disk-queue-high', 'free-storage-low', 'freeable-memory-low', 'replica-lag-high'].map((c) => `data-tier-prod-dr-replica-${c}`));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLag', Namespace: 'AWS/RDS', Threshold: 3, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'data-tier-prod-dr-replica' }] });
  });

  test('has a VPC whose block does not overlap the source tier\'s: prod\'s in the other half of 10.0.0.0/8', () => {
    const blocks = (t: Template) => Object.values(t.findResources('AWS::EC2::VPC')).map((r) => (r as { Properties: { CidrBlock: string } }).Properties.CidrBlock);
    const [source] = blocks(synthesize('prod').template);
    const [dr] = blocks(template);
    expect([source, dr]).toEqual(['10.42.0.0/16', '10.170.0.0/16']);
    expect(cidrsOverlap(parseCidr('', 'source', source), parseCidr('', 'dr', dr))).toBe(false);
  });

  test('outputs the replica under the main stack\'s output names', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['AlarmTopicArn', 'DataKeyArn', 'DatabasePort', 'Replica1Endpoint', 'Replica1InstanceId', 'ReplicaSecurityGroupId', 'VpcId']);
  });

  const view = templateView(stack, template.toJSON());
  it.each(PACKS)('%s reports no unacknowledged finding in the construct tree', (_, Pack) => {
    expect(findings(new Pack().validateScope(app))).toEqual([]);
  });
  it.each(PACKS)('%s reports no unacknowledged finding on the template', (_, Pack) => {
    expect(findings(new Pack().validateScope(view.app)).filter((f) => !f.includes('-VPCDefaultSecurityGroupClosed:'))).toEqual([]);
  });
});

describe('who the cross-region replica\'s alarms reach', () => {
  const monitoring = { alarmEmails: ['oncall@example.com', 'dba@example.com'], runbookBaseUrl: 'https://runbooks.example.com/data-tier' };
  const overrides = JSON.stringify({ ...DR, monitoring });
  const { app, template } = build({ drReplicaOf: 'prod', overrides });
  const endpoints = (t: Template) => Object.values(t.findResources('AWS::SNS::Subscription')).map((r) => (r as { Properties: { Protocol: string; Endpoint: string } }).Properties).map((p) => `${p.Protocol}:${p.Endpoint}`).sort();

  test('the tier\'s on-call: the main stack\'s alarm e-mails, subscribed to the DR region\'s own topic', () => {
    expect(endpoints(template)).toEqual(['email:dba@example.com', 'email:oncall@example.com']);
    expect(endpoints(template)).toEqual(endpoints(synthesize('prod', { overrides }).template));
    template.allResourcesProperties('AWS::SNS::Subscription', { TopicArn: { Ref: Match.stringLikeRegexp('^ReplicaAlarmTopic') } });
  });

  test('every alarm, replica lag included, notifies that topic on ALARM and OK and links the tier\'s runbooks', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: { AlarmName: string; AlarmActions: unknown[]; OKActions: unknown[]; AlarmDescription: string } }>;
    expect(alarms.map((a) => a.Properties.AlarmName)).toContain('data-tier-prod-dr-replica-replica-lag-high');
    for (const { Properties: p } of alarms) {
      expect(p.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^ReplicaAlarmTopic/) }]);
      expect(p.OKActions).toEqual(p.AlarmActions);
      expect(p.AlarmDescription).toContain(`${monitoring.runbookBaseUrl}/`);
    }
  });

  it.each(PACKS)('%s reports no unacknowledged finding with the subscriptions and their queue', (_, Pack) => {
    expect(findings(new Pack().validateScope(app))).toEqual([]);
  });
});

describe('promoting the cross-region replica as configuration (drReplica.promote)', () => {
  const replica = build({ drReplicaOf: 'prod', overrides: JSON.stringify(DR) }).template.toJSON() as TemplateJson;
  const { template } = build({ drReplicaOf: 'prod', overrides: JSON.stringify({ drReplica: { region: 'us-west-2', promote: true } }) });
  const promoted = template.toJSON() as TemplateJson;
  const [id] = Object.keys(template.findResources('AWS::RDS::DBInstance'));
  const before = replica.Resources![id];
  const after = promoted.Resources![id];
  const changed = [...new Set([...Object.keys(before.Properties ?? {}), ...Object.keys(after.Properties ?? {})])]
    .filter((p) => JSON.stringify(before.Properties?.[p]) !== JSON.stringify(after.Properties?.[p]))
    .sort();

  test('removes SourceDBInstanceIdentifier, which the RDS resource provider answers with PromoteReadReplica, keeps SourceRegion and turns on automated backups', () => {
    expect(after.Properties).not.toHaveProperty('SourceDBInstanceIdentifier');
    expect(after.Properties).toMatchObject({ DBInstanceIdentifier: 'data-tier-prod-dr-replica', SourceRegion: 'us-east-1', BackupRetentionPeriod: 35, KmsKeyId: before.Properties!.KmsKeyId });
    expect(changed).toEqual(['BackupRetentionPeriod', 'PreferredBackupWindow', 'SourceDBInstanceIdentifier']);
    expect(after.DeletionPolicy).toBe(before.DeletionPolicy);
  });

  // The registry schema's createOnlyProperties: a change of one replaces the instance, which
  // CloudFormation cannot do for the custom-named data-tier-prod-dr-replica (the update fails and
  // rolls back in the middle of a region loss).
  const schema = replacementByProperty('AWS::RDS::DBInstance');
  test('changes no property the AWS::RDS::DBInstance registry schema lists as create-only', () => {
    expect(schema.get('SourceRegion')).toBe('yes'); // what the promotion before this one removed
    expect(changed.filter((p) => !schema.has(p) || schema.get(p) === 'yes')).toEqual([]);
  });

  test('changes as conditionally create-only only what the provider\'s UpdateHandler updates in place', () => {
    // aws-rds-dbinstance at 5a410e84: ImmutabilityHelper.isChangeMutable accepts the removal of
    // SourceDBInstanceIdentifier as a promotion (isDBInstanceReadReplicaPromotion) and does not
    // check BackupRetentionPeriod, which PromoteReadReplica sets.
    expect(changed.filter((p) => schema.get(p) === 'maybe')).toEqual(['BackupRetentionPeriod', 'SourceDBInstanceIdentifier']);
  });

  test('is an in-place update of the DR instance for the project\'s diff engine, and replaces or removes nothing stateful', () => {
    const diff = diffTemplates(replica, promoted);
    expect(diff.modified.find((m) => m.logicalId === id)).toMatchObject({ type: 'AWS::RDS::DBInstance', replacement: 'no', attributes: [] });
    const replaced = diff.modified.filter((m) => m.replacement !== 'no').map((m) => m.logicalId);
    expect(replaced).toEqual([]);
    expect(diff.removed.filter((r) => isStateful(r.logicalId, replica.Resources!)).map((r) => r.logicalId)).toEqual([]);
  });

  test('watches it as a primary: no replica-lag alarm', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: { AlarmName: string } }).Properties.AlarmName);
    expect(names).toContain('data-tier-prod-dr-primary-transaction-ids-high');
    expect(names.filter((n) => n.includes('replica-lag'))).toEqual([]);
  });
});

describe('the PostgreSQL settings of the cross-region replica', () => {
  test('are the source tier\'s, not the library\'s defaults: a slow-statement threshold and idle timeout set for prod apply to its DR replica', () => {
    const settings = { ...DR, database: { slowStatementMs: 1000, idleInTransactionTimeoutMs: 120_000 } };
    const { template } = build({ drReplicaOf: 'prod', overrides: JSON.stringify(settings) });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ log_min_duration_statement: '1000', idle_in_transaction_session_timeout: '120000', 'rds.force_ssl': '1' }),
    });
  });
});

describe('refusals of the cross-region replica stack', () => {
  const refusal = (context: Record<string, unknown>) => {
    try {
      build(context);
    } catch (error) {
      if (error instanceof DataTierValidationError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  test('without a DR region', () => {
    expect(refusal({ drReplicaOf: 'prod' }).prop).toBe('drReplica.region');
  });

  test('in the tier\'s own region', () => {
    expect(refusal({ drReplicaOf: 'prod', overrides: JSON.stringify({ drReplica: { region: 'us-east-1' } }) }).message).toContain("is the tier's own region");
  });

  test('of a tier on the default port 5432, as the tier itself is refused', () => {
    const error = refusal({ drReplicaOf: 'prod', overrides: JSON.stringify({ ...DR, database: { port: 5432 } }) });
    expect(error.message).toBe('data-tier-prod-dr/Replica: invalid port = 5432: must not be the default 5432; pick another port from 1150 to 65535');
  });

  test('with a VPC block that overlaps the source tier\'s', () => {
    const error = refusal({ drReplicaOf: 'prod', overrides: JSON.stringify({ drReplica: { ...DR.drReplica, vpcCidr: '10.42.128.0/17' } }) });
    expect(error.message).toBe(
      'invalid drReplica.vpcCidr = "10.42.128.0/17": overlaps the source tier\'s VPC block 10.42.0.0/16 (network.vpcCidr): the two VPCs could not be peered or routed to each other; use one that does not, such as 10.170.0.0/16 (the default)',
    );
    expect(refusal({ drReplicaOf: 'dev', overrides: JSON.stringify({ drReplica: { ...DR.drReplica, vpcCidr: '10.0.0.0/8' } }) }).prop).toBe('drReplica.vpcCidr');
  });

  test('without a default VPC block, when the source\'s fills its private range', () => {
    const error = refusal({ drReplicaOf: 'prod', overrides: JSON.stringify({ ...DR, network: { vpcCidr: '192.168.0.0/16' } }) });
    expect(error.message).toMatch(/^invalid drReplica\.vpcCidr = undefined: is required: the source's VPC block 192\.168\.0\.0\/16/);
  });

  test('takes a VPC block that does not overlap the source\'s', () => {
    const { template } = build({ drReplicaOf: 'prod', overrides: JSON.stringify({ drReplica: { ...DR.drReplica, vpcCidr: '10.43.0.0/16' } }) });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.43.0.0/16' });
  });

  test('takes the region of backupReplication when drReplica.region is not set', () => {
    const key = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(build({ drReplicaOf: 'staging', overrides: JSON.stringify({ database: { backupReplication: { region: 'eu-west-1', kmsKeyArn: key } } }) }).stack.region).toBe('eu-west-1');
  });
});

describe('the cross-region replica of a tier on a cluster topology', () => {
  test('is refused: it replicates a primary instance', () => {
    const overrides = JSON.stringify({ ...DR, database: { topology: { kind: 'aurora' } } });
    expect(() => build({ drReplicaOf: 'staging', overrides })).toThrow(DataTierValidationError);
    expect(() => build({ drReplicaOf: 'staging', overrides })).toThrow('whose database.topology is aurora: the cross-region replica is built for the topology instances only');
    expect(() => build({ drReplicaOf: 'staging', overrides })).toThrow('globalSecondaryOf');
  });

  test('is refused on a Multi-AZ DB cluster, naming why AWS has no cross-Region replica of one', () => {
    const overrides = JSON.stringify({ ...DR, database: { topology: { kind: 'multi-az-cluster' }, instanceClass: 'db.r6gd.large', replicaCount: 2, multiAz: true } });
    expect(() => build({ drReplicaOf: 'staging', overrides })).toThrow("Cross-Region replication isn't supported");
  });
});
