import { Match } from 'aws-cdk-lib/assertions';
import { OUTPUTS } from '../../app/data-tier-stack';
import { CACHE_DRILL_TAG } from '../../lib/fault-injection';
import { rmSync } from 'node:fs';
import { synthesize } from './synth';
import { environmentsOnTopology } from './topology-environments';

const withDrills = synthesize('prod', { overrides: JSON.stringify({ drills: { faultInjection: true } }) });

describe('game-day experiments', () => {
  it('are opt-in: no environment creates them by default', () => {
    for (const envName of ['dev', 'staging', 'prod'] as const) {
      synthesize(envName).template.resourceCountIs('AWS::FIS::ExperimentTemplate', 0);
    }
  });

  it('reboot the primary with a forced failover', () => {
    withDrills.template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Primary: { ResourceType: 'aws:rds:db', ResourceArns: [Match.anyValue()], SelectionMode: 'ALL' } },
      Actions: { RebootWithFailover: { ActionId: 'aws:rds:reboot-db-instances', Parameters: { forceFailover: 'true' }, Targets: { DBInstances: 'Primary' } } },
    });
  });

  it('cut power to the first zone of the cache, found by its tag', () => {
    withDrills.template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Cache: { ResourceType: 'aws:elasticache:replicationgroup', ResourceTags: { [CACHE_DRILL_TAG]: 'data-tier-prod-cache' }, Parameters: { availabilityZoneIdentifier: 'us-east-1a' } } },
      Actions: { InterruptAzPower: Match.objectLike({ ActionId: 'aws:elasticache:replicationgroup-interrupt-az-power', Parameters: { duration: 'PT10M' } }) },
    });
    withDrills.template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Tags: Match.arrayWith([{ Key: CACHE_DRILL_TAG, Value: 'data-tier-prod-cache' }]) });
  });

  it('stop when the primary health check fails or its p95 latency alarm fires', () => {
    const alarmIds = Object.entries(withDrills.template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([, a]) => ['data-tier-prod-primary-health-check-failing', 'data-tier-prod-primary-query-latency-p95-high'].includes(a.Properties.AlarmName))
      .map(([id]) => id);
    expect(alarmIds).toHaveLength(2);
    for (const template of Object.values(withDrills.template.findResources('AWS::FIS::ExperimentTemplate'))) {
      const stoppedBy = template.Properties.StopConditions.map((c: any) => ({ source: c.Source, alarm: c.Value['Fn::GetAtt'][0] }));
      expect(stoppedBy.sort((a: any, b: any) => a.alarm.localeCompare(b.alarm))).toEqual(alarmIds.sort().map((alarm) => ({ source: 'aws:cloudwatch:alarm', alarm })));
    }
  });

  it('run under a role that may reboot only the primary, and log to an encrypted group', () => {
    withDrills.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'], Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) })]) },
    });
    withDrills.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/fis/data-tier-prod', KmsKeyId: Match.anyValue() });
  });

  it('are named in the stack outputs', () => {
    const outputs = withDrills.template.findOutputs('*');
    expect(outputs[OUTPUTS.failoverExperimentTemplateId]).toBeDefined();
    expect(outputs[OUTPUTS.cacheAzPowerInterruptExperimentTemplateId]).toBeDefined();
  });
});

describe.each(['multi-az-cluster', 'aurora'] as const)('game-day experiments of prod on the topology %s', (kind) => {
  const environmentsDirectory = environmentsOnTopology(kind);
  afterAll(() => rmSync(environmentsDirectory, { recursive: true, force: true }));
  const { template } = synthesize('prod', { overrides: JSON.stringify({ drills: { faultInjection: true } }) }, { sources: { environmentsDirectory } });

  it("fail the cluster over to a reader, stopped by the writer's critical alarms", () => {
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Cluster: { ResourceType: 'aws:rds:cluster', ResourceArns: [{ 'Fn::GetAtt': [Match.anyValue(), 'DBClusterArn'] }], SelectionMode: 'ALL' } },
      Actions: { FailoverCluster: { ActionId: 'aws:rds:failover-db-cluster', Targets: { Clusters: 'Cluster' } } },
    });
    const names = Object.fromEntries(Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => [id, alarm.Properties.AlarmName]));
    for (const experiment of Object.values(template.findResources('AWS::FIS::ExperimentTemplate'))) {
      expect(experiment.Properties.StopConditions.map((c: any) => names[c.Value['Fn::GetAtt'][0]]).sort()).toEqual(['data-tier-prod-writer-health-check-failing', 'data-tier-prod-writer-query-latency-p95-high']);
    }
  });

  it('name the cluster failover in the stack output the game-day runbook reads', () => {
    expect(template.findOutputs(OUTPUTS.failoverExperimentTemplateId)[OUTPUTS.failoverExperimentTemplateId].Description).toMatch(/fail the DB cluster over to a reader/);
  });
});
