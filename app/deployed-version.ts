// What the app knows of a deployed tier without AWS credentials: the committed, reviewed template
// of its stack, app/templates/<env>.template.json for an environment's stack and
// app/templates/<stack name>.template.json for a named tier (a restore), which the review keeps
// equal to what the app synthesizes; no file means the stack was never deployed. It tells:
// - the PostgreSQL major the instances run (a change of major must come through the blue/green
//   path, runbooks/major-version-upgrade.md; `npm run snapshot:update` records the new one);
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
  /** The PostgreSQL major of the primary: its `EngineVersion`, else (a restored primary has none) its parameter group's family. */
  readonly engineMajorVersion?: number;
  /**
   * The restore properties of the primary (`DBSnapshotIdentifier`, `SourceDBInstanceIdentifier`,
   * `RestoreTime`...) or, on a cluster topology, of its cluster (`SnapshotIdentifier`,
   * `SourceDBClusterIdentifier`, `RestoreToTime`...): empty for a database created empty.
   */
  readonly restore: Readonly<Record<string, unknown>>;
  /** Whether the tier is a cluster topology (its restore properties are those of `AWS::RDS::DBCluster`). */
  readonly clustered: boolean;
  /** The major of the prepared blue/green upgrade: the family of the upgrade parameter group (`DatabaseUpgradeParameterGroup…`), if the template has one. */
  readonly preparedUpgradeMajorVersion?: number;
}

/**
 * The name of a stack's committed template: the environment's for its own stack (`prod`), the
 * stack's name for a named tier (`data-tier-prod-r1`).
 */
export function committedTemplateName(tier: { readonly envName: string; readonly name?: string }): string {
  return tier.name ?? tier.envName;
}

const majorOfFamily = (family: unknown) => (typeof family === 'string' && /^postgres\d+$/.test(family) ? Number(family.slice('postgres'.length)) : undefined);

/** What `app/templates/<templateName>.template.json` shows of the tier, or undefined when there is no such file (never deployed). */
export function deployedTier(templateName: string, directory = COMMITTED_TEMPLATES_DIR): DeployedTier | undefined {
  const file = join(directory, `${templateName}.template.json`);
  if (!existsSync(file)) return undefined;
  const resources = (JSON.parse(readFileSync(file, 'utf8')) as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
  // The primary's identifier is the tier's name with -primary (Database names every instance).
  const primary = Object.values(resources).find((r) => r.Type === 'AWS::RDS::DBInstance' && String(r.Properties?.DBInstanceIdentifier).endsWith('-primary'))?.Properties ?? {};
  const engineVersion = typeof primary.EngineVersion === 'string' ? Number.parseInt(primary.EngineVersion, 10) : NaN;
  const groupRef = (primary.DBParameterGroupName as { Ref?: string } | undefined)?.Ref;
  const engineMajorVersion = Number.isInteger(engineVersion) ? engineVersion : majorOfFamily(groupRef && resources[groupRef]?.Properties?.Family);
  const cluster = Object.values(resources).find((r) => r.Type === 'AWS::RDS::DBCluster' && String(r.Properties?.DBClusterIdentifier).endsWith('-cluster'))?.Properties;
  const restoredResource = cluster ?? primary;
  const restore = Object.fromEntries(
    (cluster ? CLUSTER_RESTORE_PROPERTIES : RESTORE_PROPERTIES).filter((key) => restoredResource[key] !== undefined).map((key) => [key, restoredResource[key]]),
  );
  const upgradeGroup = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::RDS::DBParameterGroup' && id.startsWith('DatabaseUpgradeParameterGroup'))?.[1];
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
