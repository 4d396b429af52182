import type { CostEstimator } from '../../lib/cli/review/cost';
import { diffTemplates, TemplateJson } from '../../lib/cli/review/diff';
import { reviewEnvironment } from '../../lib/cli/review/report';

const noCost = () => ({ region: 'us-east-1', currency: 'USD' as const, total: 0, lines: [], unpriced: [], assumptions: {} }) as unknown as ReturnType<CostEstimator>;
const review = (before: TemplateJson, after: TemplateJson, allowReplace: string[] = []) =>
  reviewEnvironment({ envName: 'test', before, after, baseLabel: 'before', region: 'us-east-1', allowReplace, estimateCost: noCost });

const vpc = (cidr: string) => ({ Type: 'AWS::EC2::VPC', Properties: { CidrBlock: cidr } });
const key = { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } };

describe('the template diff', () => {
  it('treats a changed logical id as a removal and an addition', () => {
    const result = review({ Resources: { KeyA: key } }, { Resources: { KeyB: key } });
    expect(result.diff.removed).toEqual([{ logicalId: 'KeyA', type: 'AWS::KMS::Key' }]);
    expect(result.diff.added).toEqual([{ logicalId: 'KeyB', type: 'AWS::KMS::Key' }]);
    expect(result.blocking).toEqual(['KeyA (AWS::KMS::Key) would be deleted']);
    expect(result.markdown).toMatch(/KeyA may have been renamed/);
  });

  it('counts a property whose value references a replaced resource as changed', () => {
    const sg = { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x', VpcId: { Ref: 'Vpc' } } };
    const diff = diffTemplates({ Resources: { Vpc: vpc('10.0.0.0/16'), Sg: sg } }, { Resources: { Vpc: vpc('10.1.0.0/16'), Sg: sg } });
    expect(diff.modified.map((m) => [m.logicalId, m.replacement])).toEqual([
      ['Vpc', 'yes'],
      ['Sg', 'yes'],
    ]);
    expect(diff.modified[1].properties).toEqual([{ name: 'VpcId', behavior: 'Replacement', via: ['Vpc'] }]);
  });

  it('flags a property the rules table does not know as possibly replacing, and refuses it on a stateful resource', () => {
    const before = { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { SomeFutureProperty: 1 } } } };
    const after = { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { SomeFutureProperty: 2 } } } };
    const result = review(before, after);
    expect(result.diff.modified[0]).toMatchObject({ replacement: 'possibly', properties: [{ name: 'SomeFutureProperty', behavior: undefined }] });
    expect(result.blocking).toEqual(['Key (AWS::KMS::Key) would be possibly replaced']);
    expect(result.markdown).toContain('SomeFutureProperty (not in the rules table)');
  });

  it("updates the tier's own migration resource in place whatever property changes (its handler keeps its physical id), but not a new service token", () => {
    const migrations = (properties: Record<string, unknown>) => ({ Type: 'Custom::SchemaMigrations', Properties: { ServiceToken: 'arn:one', SqlHash: 'a', ...properties } });
    const roles = diffTemplates({ Resources: { Schema: migrations({}) } }, { Resources: { Schema: migrations({ ApplicationRoles: '[]', StreamSchemas: '{}', SqlHash: 'b' }) } });
    expect(roles.modified[0]).toMatchObject({ replacement: 'no' });
    const token = diffTemplates({ Resources: { Schema: migrations({}) } }, { Resources: { Schema: migrations({ ServiceToken: 'arn:two' }) } });
    expect(token.modified[0]).toMatchObject({ replacement: 'possibly' });
  });

  it('counts the PostgreSQL (of an instance or of a cluster) and operator-session log groups as stateful, not the others', () => {
    const group = (name: string) => ({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: name } });
    const before = {
      Resources: {
        Pg: group('/aws/rds/instance/data-tier-prod-primary/postgresql'),
        ClusterPg: group('/aws/rds/cluster/data-tier-prod-cluster/postgresql'),
        Sessions: group('/aws/ssm/data-tier-prod/operator-sessions'),
        Upgrade: group('/aws/rds/instance/data-tier-prod-primary/upgrade'),
      },
    };
    expect(review(before, { Resources: {} }).blocking).toEqual([
      'Pg (AWS::Logs::LogGroup) would be deleted',
      'ClusterPg (AWS::Logs::LogGroup) would be deleted',
      'Sessions (AWS::Logs::LogGroup) would be deleted',
    ]);
    expect(review(before, { Resources: {} }, ['Pg', 'ClusterPg', 'Sessions']).blocking).toEqual([]);
  });

  it('reports alarms added, removed and re-thresholded by name', () => {
    const alarm = (name: string, threshold: number) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: name, Threshold: threshold } });
    const result = review({ Resources: { A: alarm('cpu', 80), B: alarm('lag', 3) } }, { Resources: { A: alarm('cpu', 70), C: alarm('storage', 10) } });
    expect(result.markdown).toContain('- added `storage` (threshold 10)\n- removed `lag` (threshold 3)\n- re-thresholded `cpu`: 80 → 70');
  });
});
