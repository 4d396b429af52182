import { EnvironmentSettings } from '../../app/config';
import { environmentsDirectoryWith, settingsOnTopology } from '../../app/topology-settings';
import type { TopologyKind } from '../../lib/topology';

/**
 * The settings prod would have on each cluster topology: its own, with `database.topology` set and
 * what the topology refuses taken out (app/topology-settings.ts); a Multi-AZ DB cluster takes a
 * local-NVMe class of the same size.
 */
export const PROD_ON_TOPOLOGY: Readonly<Record<Exclude<TopologyKind, 'instances'>, (prod: EnvironmentSettings) => EnvironmentSettings>> = {
  'multi-az-cluster': (prod) => settingsOnTopology(prod, { kind: 'multi-az-cluster', storageType: 'io2', iops: 12000 }, { instanceClass: 'db.r6gd.xlarge' }),
  aurora: (prod) => settingsOnTopology(prod, { kind: 'aurora', storageType: 'aurora-iopt1', readerAutoScaling: { minReaders: 2, maxReaders: 6 }, globalSecondaryRegion: 'us-west-2' }),
};

/** A settings directory holding prod's file rewritten for `kind` (and dev's and staging's as they are). */
export function environmentsOnTopology(kind: Exclude<TopologyKind, 'instances'>): string {
  return environmentsDirectoryWith((env, settings) => (env === 'prod' ? PROD_ON_TOPOLOGY[kind](settings) : settings), kind);
}
