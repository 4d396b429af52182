// An environment's settings moved to another database topology, and a settings directory holding
// them: how the tests (test/stack/topology-environments.ts) and the topology cost comparison
// (scripts/cost/topologies.ts) synthesize the app's own stack on a cluster topology.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, ENVIRONMENTS_DIRECTORY, EnvironmentName, EnvironmentSettings } from './config';

type DatabaseSettings = NonNullable<EnvironmentSettings['database']>;
/** `database.topology` of an environment file. */
export type TopologySettings = NonNullable<DatabaseSettings['topology']>;

/**
 * What each cluster topology refuses of the instances' database settings (lib/topology.ts
 * validateClusterOptions): both span three zones on their own (`multiAz: false` is refused); a
 * Multi-AZ DB cluster always has two standbys of its writer's class and no storage autoscaling;
 * Aurora's volume has neither an allocated size nor its ceiling, and Serverless v2 instances have
 * no class.
 */
function refusedBy(topology: TopologySettings): ReadonlyArray<keyof DatabaseSettings> {
  switch (topology.kind) {
    case 'multi-az-cluster':
      return ['multiAz', 'replicaCount', 'replicaInstanceClass', 'maxAllocatedStorageGiB'];
    case 'aurora':
      return ['multiAz', 'allocatedStorageGiB', 'maxAllocatedStorageGiB', ...(topology.capacity === 'serverless-v2' ? ['instanceClass', 'replicaInstanceClass'] as const : [])];
    default:
      return [];
  }
}

/**
 * `settings` on `topology`: `database.topology` set, what the topology refuses taken out, and
 * `database` (e.g. a cluster's instance class, Aurora's readers) laid over the rest.
 */
export function settingsOnTopology(settings: EnvironmentSettings, topology: TopologySettings, database: DatabaseSettings = {}): EnvironmentSettings {
  const refused = new Set<string>(refusedBy(topology));
  const kept = Object.fromEntries(Object.entries(settings.database ?? {}).filter(([key]) => !refused.has(key)));
  return { ...settings, database: { ...kept, ...database, topology } };
}

/**
 * A new temporary settings directory holding every environment's file, each as `rewrite` makes it
 * from the committed one (app/environments). The caller removes it.
 */
export function environmentsDirectoryWith(rewrite: (env: EnvironmentName, settings: EnvironmentSettings) => EnvironmentSettings, label = 'rewritten'): string {
  const directory = mkdtempSync(join(tmpdir(), `environments-${label}-`));
  for (const env of ENVIRONMENT_NAMES) {
    const settings = JSON.parse(readFileSync(join(ENVIRONMENTS_DIRECTORY, `${env}.json`), 'utf8')) as EnvironmentSettings;
    writeFileSync(join(directory, `${env}.json`), JSON.stringify(rewrite(env, settings), null, 2));
  }
  return directory;
}
