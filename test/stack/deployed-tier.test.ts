import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployedTier } from '../../app/deployed-version';

// What the app reads of a deployed tier from its committed template: the restore it was built
// from, whatever its topology, in the settings' terms the lasting-restore check compares.
describe('a committed template', () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'deployed-'));
  const write = (name: string, resources: Record<string, unknown>) => writeFileSync(path.join(directory, `${name}.template.json`), JSON.stringify({ Resources: resources }));

  it("shows a cluster topology's restore as its cluster's properties: a snapshot, or a point in time of a cluster", () => {
    write('data-tier-prod-aurora', {
      Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { DBClusterIdentifier: 'data-tier-prod-aurora-cluster', SnapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:switch' } },
    });
    expect(deployedTier('data-tier-prod-aurora', directory)).toMatchObject({ clustered: true, restore: { SnapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:switch' } });
    write('data-tier-prod-r1', {
      Cluster: {
        Type: 'AWS::RDS::DBCluster',
        Properties: { DBClusterIdentifier: 'data-tier-prod-r1-cluster', SourceDBClusterIdentifier: 'data-tier-prod-cluster', RestoreToTime: '2026-11-28T22:15:00Z', Engine: 'aurora-postgresql' },
      },
    });
    expect(deployedTier('data-tier-prod-r1', directory)?.restore).toEqual({ SourceDBClusterIdentifier: 'data-tier-prod-cluster', RestoreToTime: '2026-11-28T22:15:00Z' });
  });

  it('shows no restore for a cluster created empty', () => {
    write('data-tier-prod-empty', { Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { DBClusterIdentifier: 'data-tier-prod-empty-cluster', DatabaseName: 'app' } } });
    expect(deployedTier('data-tier-prod-empty', directory)?.restore).toEqual({});
  });
});
