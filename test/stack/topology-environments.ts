import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS_DIRECTORY, EnvironmentSettings } from '../../app/config';
import type { TopologyKind } from '../../lib/topology';

/**
 * The settings prod would have on each cluster topology: its own, with `database.topology` set and
 * what the topology refuses taken out (a Multi-AZ DB cluster takes a local-NVMe class of the same
 * size and has no storage autoscaling; Aurora has neither allocated storage nor its ceiling).
 */
export const PROD_ON_TOPOLOGY: Readonly<Record<Exclude<TopologyKind, 'instances'>, (prod: EnvironmentSettings) => EnvironmentSettings>> = {
  'multi-az-cluster': (prod) => {
    const { maxAllocatedStorageGiB: _ceiling, ...database } = prod.database ?? {};
    return { ...prod, database: { ...database, instanceClass: 'db.r6gd.xlarge', topology: { kind: 'multi-az-cluster', storageType: 'io2', iops: 12000 } } };
  },
  aurora: (prod) => {
    const { maxAllocatedStorageGiB: _ceiling, allocatedStorageGiB: _size, ...database } = prod.database ?? {};
    return { ...prod, database: { ...database, topology: { kind: 'aurora', storageType: 'aurora-iopt1', readerAutoScaling: { minReaders: 2, maxReaders: 6 }, globalSecondaryRegion: 'us-west-2' } } };
  },
};

/** A settings directory holding prod's file rewritten for `kind` (and dev's and staging's as they are). */
export function environmentsOnTopology(kind: Exclude<TopologyKind, 'instances'>): string {
  const directory = mkdtempSync(join(tmpdir(), `environments-${kind}-`));
  for (const env of ['dev', 'staging', 'prod']) {
    const settings = JSON.parse(readFileSync(join(ENVIRONMENTS_DIRECTORY, `${env}.json`), 'utf8')) as EnvironmentSettings;
    writeFileSync(join(directory, `${env}.json`), JSON.stringify(env === 'prod' ? PROD_ON_TOPOLOGY[kind](settings) : settings, null, 2));
  }
  return directory;
}
