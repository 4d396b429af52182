import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployedTier } from '../../app/deployed-version';

// What the app reads of a deployed tier from its committed template: the restore it was built
// from, whatever its topology, in the settings' terms the lasting-restore check compares.
describe('a committed template', () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'deployed-'));
  const write = (name: string, resources: Record<string, unknown>) => writeFileSync(path.join(directory, `${name}.template.json`), JSON.stringify({ Resources: resources }));

  it("shows a cluster topology's restore as its cluster's SnapshotIdentifier, as a DB snapshot restore", () => {
    write('data-tier-prod-aurora', {
      Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { DBClusterIdentifier: 'data-tier-prod-aurora-cluster', SnapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:switch' } },
    });
    expect(deployedTier('data-tier-prod-aurora', directory)?.restore).toEqual({ DBSnapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:switch' });
  });

  it('shows no restore for a cluster created empty', () => {
    write('data-tier-prod-empty', { Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { DBClusterIdentifier: 'data-tier-prod-empty-cluster', DatabaseName: 'app' } } });
    expect(deployedTier('data-tier-prod-empty', directory)?.restore).toEqual({});
  });
});
