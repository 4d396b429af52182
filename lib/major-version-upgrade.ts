import * as rds from 'aws-cdk-lib/aws-rds';
import { DataTierValidationError } from './private/validation';

/**
 * The acknowledgement that an RDS blue/green deployment already switched the tier's instances
 * over to the new major version (runbooks/major-version-upgrade.md), so that the stack may
 * now say so without asking CloudFormation for an in-place upgrade.
 */
export const BLUE_GREEN_COMPLETED: MajorVersionUpgradeState = 'blue-green-completed';
export type MajorVersionUpgradeState = 'blue-green-completed';

/** Options of a major-version upgrade, part of `DatabaseOptions`. */
export interface MajorVersionUpgradeOptions {
  /**
   * A later PostgreSQL major version to prepare a blue/green upgrade to: its parameter group
   * (the tier's settings, the target's family) is created ahead of time, for
   * `aws rds create-blue-green-deployment --target-db-parameter-group-name`. Once the
   * switchover happened and `engineVersion` is this version too (with `majorVersionUpgrade`),
   * the instances keep using that group, so the stack matches them without a change.
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
   * `'blue-green-completed'`: the instances already run `engineVersion`, switched over by an RDS
   * blue/green deployment; the stack only catches up with them.
   * @default - none
   */
  readonly majorVersionUpgrade?: MajorVersionUpgradeState;
}

const majorOf = (version: rds.PostgresEngineVersion) => Number(version.postgresMajorVersion);

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
): { readonly completed: boolean } {
  const major = majorOf(engineVersion);
  const acknowledged = options.majorVersionUpgrade === BLUE_GREEN_COMPLETED;
  if (options.majorVersionUpgrade !== undefined && !acknowledged) {
    throw new DataTierValidationError(path, 'majorVersionUpgrade', options.majorVersionUpgrade, `must be '${BLUE_GREEN_COMPLETED}' (the blue/green switchover happened) or unset`);
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
        `equals engineVersion (${major}), which says the blue/green switchover to ${major} happened: set majorVersionUpgrade '${BLUE_GREEN_COMPLETED}' to confirm, or keep engineVersion at the deployed major until then`,
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
        `differs from the deployed major version ${deployed}, and a major-version change is refused without the blue/green path: ` +
          `CloudFormation would ask RDS for an in-place upgrade of the primary and its replicas (pg_upgrade on each, the database unavailable throughout, ` +
          `no way back but a restore) and replace the parameter group with the new family. Keep engineVersion at ${deployed}, set upgradeTarget to ${major} ` +
          `(prepares its parameter group), deploy, follow runbooks/major-version-upgrade.md, then set engineVersion ${major} with majorVersionUpgrade '${BLUE_GREEN_COMPLETED}'`,
      );
    }
  }
  return { completed: acknowledged && target === major };
}
