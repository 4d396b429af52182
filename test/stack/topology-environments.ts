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

/** Prod on Aurora Serverless v2: every instance db.serverless from 4 to 16 ACUs, the range the side-by-side table prices for prod. */
export const PROD_ON_SERVERLESS_V2 = (prod: EnvironmentSettings): EnvironmentSettings =>
  settingsOnTopology(prod, { kind: 'aurora', capacity: 'serverless-v2', serverlessV2MinCapacity: 4, serverlessV2MaxCapacity: 16 });

/** A cluster topology, or Aurora's Serverless v2 capacity, which builds other resources than provisioned Aurora. */
export type TopologyVariant = Exclude<TopologyKind, 'instances'> | 'aurora-serverless-v2';
export const TOPOLOGY_VARIANTS: readonly TopologyVariant[] = ['multi-az-cluster', 'aurora', 'aurora-serverless-v2'];

/** A settings directory holding prod's file rewritten for `variant` (and dev's and staging's as they are). */
export function environmentsOnTopology(variant: TopologyVariant): string {
  const onVariant = variant === 'aurora-serverless-v2' ? PROD_ON_SERVERLESS_V2 : PROD_ON_TOPOLOGY[variant];
  return environmentsDirectoryWith((env, settings) => (env === 'prod' ? onVariant(settings) : settings), variant);
}
