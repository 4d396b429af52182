import * as rds from 'aws-cdk-lib/aws-rds';
import { DataTierValidationError } from './private/validation';
import type { TopologyKind } from './topology';

/**
 * The acknowledgement that an RDS blue/green deployment already switched the tier's instances
 * (or its Aurora cluster) over to the new major version (runbooks/major-version-upgrade.md), so
 * that the stack may now say so without asking CloudFormation for an in-place upgrade.
 */
export const BLUE_GREEN_COMPLETED: MajorVersionUpgradeState = 'blue-green-completed';
/**
 * The acknowledgement that a Multi-AZ DB cluster, which blue/green deployments do not support,
 * was already upgraded in place by the runbook (after its cluster snapshot), so that the stack
 * only catches up with it.
 */
export const IN_PLACE_COMPLETED: MajorVersionUpgradeState = 'in-place-completed';
export type MajorVersionUpgradeState = 'blue-green-completed' | 'in-place-completed';

/** Options of a major-version upgrade, part of `DatabaseOptions`. */
export interface MajorVersionUpgradeOptions {
  /**
   * A later PostgreSQL major version to prepare a blue/green upgrade to: its parameter group
   * (the tier's settings, the target's family) is created ahead of time, for
   * `aws rds create-blue-green-deployment --target-db-parameter-group-name` (on Aurora a DB
   * cluster parameter group of family `aurora-postgresql<major>`, for
   * `--target-db-cluster-parameter-group-name`; on a Multi-AZ DB cluster, which blue/green does
   * not support, a DB cluster parameter group for the in-place `modify-db-cluster`). Once the
   * upgrade happened and `engineVersion` is this version too (with `majorVersionUpgrade`), the
   * database keeps using that group, so the stack matches it without a change.
   * @default - none
   */
  readonly upgradeTarget?: rds.PostgresEngineVersion;
  /**
   * The PostgreSQL major version the deployed instances run, from the consumer's own record
   * (the project's app reads its committed template snapshot). When it differs from
   * `engineVersion`, synthesis is refused unless `majorVersionUpgrade` says the blue/green
   * switchover already happened: CloudFormation would otherwise ask RDS for an in-place upgrade.
   * @default - unknown: no check
   */
  readonly deployedMajorVersion?: number;
  /**
   * `'blue-green-completed'`: the instances (or the Aurora cluster) already run `engineVersion`,
   * switched over by an RDS blue/green deployment; `'in-place-completed'`: a Multi-AZ DB cluster
   * already runs it, upgraded in place by runbooks/major-version-upgrade.md. The stack only
   * catches up.
   * @default - none
   */
  readonly majorVersionUpgrade?: MajorVersionUpgradeState;
}

const majorOf = (version: rds.PostgresEngineVersion) => Number(version.postgresMajorVersion);

/** How the database changes major: what CloudFormation would do instead, and the acknowledgement of the path the runbook takes. */
export interface MajorVersionUpgradePath {
  /** The acknowledgement this database takes. */
  readonly acknowledgement: MajorVersionUpgradeState;
  /** What the acknowledgement says happened. */
  readonly upgrade: string;
  /** What CloudFormation would ask of RDS on a changed engine version. */
  readonly inPlace: string;
  /** The step that prepares the path, and where it goes on. */
  readonly prepare: (deployed: number, major: number) => string;
}

/** How each topology changes major (runbooks/major-version-upgrade.md). */
export const MAJOR_VERSION_UPGRADE_PATHS: Readonly<Record<TopologyKind, MajorVersionUpgradePath>> = {
  instances: {
    acknowledgement: BLUE_GREEN_COMPLETED,
    upgrade: 'blue/green switchover',
    inPlace: 'CloudFormation would ask RDS for an in-place upgrade of the primary and its replicas (pg_upgrade on each, the database unavailable throughout, no way back but a restore) and replace the parameter group with the new family',
    prepare: (deployed, major) => `Keep engineVersion at ${deployed}, set upgradeTarget to ${major} (prepares its parameter group), deploy, follow runbooks/major-version-upgrade.md`,
  },
  aurora: {
    acknowledgement: BLUE_GREEN_COMPLETED,
    upgrade: 'blue/green switchover',
    inPlace: 'CloudFormation would ask RDS for an in-place upgrade of the Aurora cluster (every instance down throughout, no way back but a restore) and replace its cluster parameter group with the new family',
    prepare: (deployed, major) =>
      `Keep engineVersion at ${deployed}, set upgradeTarget to ${major} (prepares its cluster parameter group and turns on logical replication), deploy, follow runbooks/major-version-upgrade.md (Aurora)`,
  },
  'multi-az-cluster': {
    acknowledgement: IN_PLACE_COMPLETED,
    upgrade: 'in-place upgrade of the runbook',
    inPlace: 'CloudFormation would upgrade the Multi-AZ DB cluster in place at deploy time (the writer and both readers down throughout), without the cluster snapshot to come back to and the preflight of the runbook, and replace its cluster parameter group with the new family',
    prepare: (deployed, major) =>
      `Keep engineVersion at ${deployed}, set upgradeTarget to ${major} (prepares its cluster parameter group), deploy, upgrade the cluster as runbooks/major-version-upgrade.md (Multi-AZ DB cluster) does`,
  },
};

/**
 * Refuses a major-version change the blue/green path did not prepare and complete, and an
 * upgrade target that is not a later supported major. Returns whether the upgrade is complete
 * (the instances use the upgrade target's parameter group).
 */
export function validateMajorVersionUpgrade(
  path: string,
  engineVersion: rds.PostgresEngineVersion,
  options: MajorVersionUpgradeOptions,
  supportedMajors: readonly number[],
  upgradePath: MajorVersionUpgradePath = MAJOR_VERSION_UPGRADE_PATHS.instances,
): { readonly completed: boolean } {
  const major = majorOf(engineVersion);
  const { acknowledgement } = upgradePath;
  const acknowledged = options.majorVersionUpgrade === acknowledgement;
  if (options.majorVersionUpgrade !== undefined && !acknowledged) {
    throw new DataTierValidationError(path, 'majorVersionUpgrade', options.majorVersionUpgrade, `must be '${acknowledgement}' (the ${upgradePath.upgrade} happened) or unset`);
  }
  const target = options.upgradeTarget === undefined ? undefined : majorOf(options.upgradeTarget);
  if (target !== undefined) {
    if (!supportedMajors.includes(target)) {
      throw new DataTierValidationError(path, 'upgradeTarget', target, `must be one of ${supportedMajors.join(', ')}`);
    }
    if (target < major) {
      throw new DataTierValidationError(path, 'upgradeTarget', target, `must be a later major version than engineVersion (${major}); remove it once the upgrade is done`);
    }
    if (target === major && !acknowledged) {
      throw new DataTierValidationError(
        path,
        'upgradeTarget',
        target,
        `equals engineVersion (${major}), which says the upgrade to ${major} happened: set majorVersionUpgrade '${acknowledgement}' to confirm, or keep engineVersion at the deployed major until then`,
      );
    }
  }
  const deployed = options.deployedMajorVersion;
  if (deployed !== undefined && deployed !== major) {
    if (major < deployed) {
      throw new DataTierValidationError(path, 'engineVersion', major, `must not be below the deployed major version ${deployed}: RDS cannot downgrade; restore a snapshot of ${major} instead`);
    }
    if (!acknowledged) {
      throw new DataTierValidationError(
        path,
        'engineVersion',
        major,
        `differs from the deployed major version ${deployed}, and a major-version change is refused without the runbook's path: ${upgradePath.inPlace}. ` +
          `${upgradePath.prepare(deployed, major)}, then set engineVersion ${major} with majorVersionUpgrade '${acknowledgement}'`,
      );
    }
  }
  return { completed: acknowledged && target === major };
}
