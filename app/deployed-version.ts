// What the app knows of a deployed tier without AWS credentials: the committed, reviewed template
// of its stack, app/templates/<env>.template.json for an environment's stack and
// app/templates/<stack name>.template.json for a named tier (a restore), which the review keeps
// equal to what the app synthesizes; no file means the stack was never deployed. It tells:
// - the PostgreSQL major the instances or the cluster run (a change of major must come through the
//   runbook's path, runbooks/major-version-upgrade.md; `npm run snapshot:update` records the new one);
// - whether a blue/green upgrade was prepared (the upgrade target's parameter group is deployed);
// - whether the primary was restored, and from what: a restore is part of the tier for its life.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_RESTORE_PROPERTIES, RESTORE_PROPERTIES } from '../lib/restore';

/** Where the committed snapshots live. */
export const COMMITTED_TEMPLATES_DIR = join(__dirname, 'templates');

/** Where a git ref holds an environment's committed template: app/templates/, or test/snapshots/ in refs older than that. */
export const COMMITTED_TEMPLATE_PATHS = (envName: string) => [`app/templates/${envName}.template.json`, `test/snapshots/${envName}.template.json`];

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** What a tier's committed template shows of it. */
export interface DeployedTier {
  /** The template read, as the repository names it (`app/templates/<name>.template.json`). */
  readonly templateFile: string;
  /**
   * The PostgreSQL major of the primary, or on a cluster topology of the cluster: its
   * `EngineVersion`, else (a restored primary has none) its parameter group's family.
   */
  readonly engineMajorVersion?: number;
  /**
   * The restore properties of the primary (`DBSnapshotIdentifier`, `SourceDBInstanceIdentifier`,
   * `RestoreTime`...) or, on a cluster topology, of its cluster (`SnapshotIdentifier`,
   * `SourceDBClusterIdentifier`, `RestoreToTime`...): empty for a database created empty.
   */
  readonly restore: Readonly<Record<string, unknown>>;
  /** Whether the tier is a cluster topology (its restore properties are those of `AWS::RDS::DBCluster`). */
  readonly clustered: boolean;
  /** The major of the prepared upgrade: the family of the upgrade (cluster) parameter group (`DatabaseUpgradeParameterGroup…`), if the template has one. */
  readonly preparedUpgradeMajorVersion?: number;
}

/**
 * The name of a stack's committed template: the environment's for its own stack (`prod`), the
 * stack's name for a named tier (`data-tier-prod-r1`).
 */
export function committedTemplateName(tier: { readonly envName: string; readonly name?: string }): string {
  return tier.name ?? tier.envName;
}

/** The major of a parameter group family: `postgres17` (instances, a Multi-AZ DB cluster) or `aurora-postgresql17`. */
const majorOfFamily = (family: unknown) => {
  const major = typeof family === 'string' ? /^(?:aurora-)?postgres(?:ql)?(\d+)$/.exec(family)?.[1] : undefined;
  return major === undefined ? undefined : Number(major);
};
const majorOfVersion = (version: unknown) => (typeof version === 'string' && /^\d+/.test(version) ? Number.parseInt(version, 10) : undefined);

/** What `app/templates/<templateName>.template.json` shows of the tier, or undefined when there is no such file (never deployed). */
export function deployedTier(templateName: string, directory = COMMITTED_TEMPLATES_DIR): DeployedTier | undefined {
  const file = join(directory, `${templateName}.template.json`);
  if (!existsSync(file)) return undefined;
  const resources = (JSON.parse(readFileSync(file, 'utf8')) as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
  // The primary's identifier is the tier's name with -primary (Database names every instance).
  const primary = Object.values(resources).find((r) => r.Type === 'AWS::RDS::DBInstance' && String(r.Properties?.DBInstanceIdentifier).endsWith('-primary'))?.Properties ?? {};
  const cluster = Object.values(resources).find((r) => r.Type === 'AWS::RDS::DBCluster' && String(r.Properties?.DBClusterIdentifier).endsWith('-cluster'))?.Properties;
  const database = cluster ?? primary;
  const groupRef = ((cluster ? database.DBClusterParameterGroupName : database.DBParameterGroupName) as { Ref?: string } | undefined)?.Ref;
  const engineMajorVersion = majorOfVersion(database.EngineVersion) ?? majorOfFamily(groupRef && resources[groupRef]?.Properties?.Family);
  const restore = Object.fromEntries(
    (cluster ? CLUSTER_RESTORE_PROPERTIES : RESTORE_PROPERTIES).filter((key) => database[key] !== undefined).map((key) => [key, database[key]]),
  );
  const upgradeGroup = Object.entries(resources).find(([id, r]) => /^AWS::RDS::DB(Cluster)?ParameterGroup$/.test(r.Type) && id.startsWith('DatabaseUpgradeParameterGroup'))?.[1];
  return {
    templateFile: `app/templates/${templateName}.template.json`,
    engineMajorVersion,
    restore,
    clustered: cluster !== undefined,
    preparedUpgradeMajorVersion: majorOfFamily(upgradeGroup?.Properties?.Family),
  };
}

/** The PostgreSQL major of the primary in `<env>.template.json`, or undefined when there is no snapshot. */
export function committedEngineMajorVersion(envName: string, directory = COMMITTED_TEMPLATES_DIR): number | undefined {
  return deployedTier(envName, directory)?.engineMajorVersion;
}
