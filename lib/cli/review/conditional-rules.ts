// What CloudFormation does when a conditionally create-only property of a stateful type changes:
// the registry schemas list these as `conditionalCreateOnlyProperties`, "properties that can only be
// updated under certain conditions ... the resource will be replaced if it cannot be updated"
// (CloudFormation CLI User Guide, resource type schema), and the rules table (the User Guide of
// 2023) mostly calls them "Some interruptions". The conditions are the resource providers':
//
// - AWS::RDS::DBInstance and AWS::RDS::DBCluster: ImmutabilityHelper.isChangeMutable of
//   github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds at 5a410e84 (July 2025),
//   aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/util/ImmutabilityHelper.java and
//   aws-rds-dbcluster/.../dbcluster/util/ImmutabilityHelper.java: a change they call immutable fails
//   the update with NotUpdatable, which makes CloudFormation replace the resource.
// - AWS::ElastiCache::ReplicationGroup (no public provider): the property documentation of the
//   registry schema (db.json.gz of @aws-cdk/aws-service-spec) and of the User Guide at 6c68a17a.
//
// Where the provider updates in place but AWS's documentation says otherwise (an instance whose
// DBSnapshotIdentifier leaves the template), the change is possibly replacing: the review refuses it
// on a stateful resource and says why. Every conditional property of a stateful type has a rule
// here; test/review/property-walk.test.ts checks it against the schemas and tries each.
import { type UpdateBehavior } from './replacement-rules';

type Properties = Record<string, unknown>;

/** What a change of value does, beyond the rules table: undefined leaves the table's behavior. */
export interface ConditionalOutcome {
  readonly behavior: UpdateBehavior | 'possibly';
  readonly note: string;
}

/**
 * Called for a changed property with the resource's properties before and after (a value that
 * references a replaced resource stands as a new, unknown one) and its new attributes.
 */
export type ConditionalRule = (before: Properties, after: Properties, resource: Readonly<Record<string, unknown>>) => ConditionalOutcome | undefined;

const empty = (value: unknown) => value === undefined || value === null || value === '';
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);

const replaced = (note: string): ConditionalOutcome => ({ behavior: 'Replacement', note });
const possibly = (note: string): ConditionalOutcome => ({ behavior: 'possibly', note });
/** No condition on this property in the provider: the table's behavior stands. */
const tableBehavior: ConditionalRule = () => undefined;

/** What leaving a restore property out of the template does. */
const RESTORE_REMOVED = possibly(
  'a restore leaving the template: AWS documents that "an empty DB instance is created, and the original DB instance is deleted" (DBSnapshotIdentifier), the provider updates in place; keep the restore for the tier\'s life',
);
/** A restore property: a new value restores a new instance in place of this one; leaving it out is possibly replacing. */
function setOnce(name: string): ConditionalRule {
  return (before, after) => {
    if (same(before[name], after[name])) return undefined;
    if (empty(after[name])) return RESTORE_REMOVED;
    return replaced(`a new ${name} restores a new instance in place of this one`);
  };
}

/** Engine changes the providers update in place; any other replaces (isEngineMutable). */
const ENGINE_UPGRADES: ReadonlyArray<readonly [string, string]> = [
  ['oracle-se', 'oracle-se2'],
  ['oracle-se1', 'oracle-se2'],
  ['aurora', 'aurora-mysql'],
  ['oracle-ee', 'oracle-ee-cdb'],
  ['oracle-se2', 'oracle-se2-cdb'],
];
const engineRule: ConditionalRule = (before, after) => {
  const [from, to] = [lower(before.Engine), lower(after.Engine)];
  if (same(from, to) || ENGINE_UPGRADES.some(([a, b]) => a === from && b === to)) return undefined;
  return replaced('a new Engine replaces the resource');
};

/** A point-in-time restore (SourceDBInstanceIdentifier with RestoreTime or UseLatestRestorableTime) is not a read replica. */
const isPointInTimeRestore = (p: Properties) => !empty(p.RestoreTime) || p.UseLatestRestorableTime === true || p.UseLatestRestorableTime === 'true';

function reshardedOnline(name: string): ConditionalRule {
  return (_before, _after, resource) =>
    (resource.UpdatePolicy as { UseOnlineResharding?: unknown } | undefined)?.UseOnlineResharding === true ? undefined : replaced(`${name} changes in place only with the UpdatePolicy UseOnlineResharding: true`);
}

export const CONDITIONAL_RULES: Record<string, Record<string, ConditionalRule>> = {
  'AWS::RDS::DBInstance': {
    Engine: engineRule,
    // isPerformanceInsightsKMSKeyIdMutable: setting one where there was none (the User Guide of 2023 said Replacement), or keeping it.
    PerformanceInsightsKMSKeyId: (before) =>
      empty(before.PerformanceInsightsKMSKeyId) ? { behavior: 'NoInterruption', note: 'a first Performance Insights key is set in place' } : replaced('a Performance Insights key cannot be changed once set'),
    // isAvailabilityZoneChangeMutable: unchanged, or left out of a Multi-AZ instance.
    AvailabilityZone: (before, after) =>
      same(before.AvailabilityZone, after.AvailabilityZone) || (empty(after.AvailabilityZone) && (after.MultiAZ === true || after.MultiAZ === 'true'))
        ? undefined
        : replaced('an instance moves to another Availability Zone by replacement'),
    // isSourceDBInstanceIdentifierMutable: unchanged, or removed (the read replica is promoted).
    SourceDBInstanceIdentifier: (before, after) => {
      if (same(before.SourceDBInstanceIdentifier, after.SourceDBInstanceIdentifier)) return undefined;
      if (!empty(after.SourceDBInstanceIdentifier)) return replaced('a read replica of another source, or a restore from another instance, is a new instance');
      if (isPointInTimeRestore(before)) return RESTORE_REMOVED;
      return undefined; // "AWS CloudFormation promotes the read replica to a standalone DB instance"
    },
    SourceDBClusterIdentifier: (before, after) =>
      same(before.SourceDBClusterIdentifier, after.SourceDBClusterIdentifier) || empty(after.SourceDBClusterIdentifier) ? undefined : replaced('a read replica of another cluster is a new instance'),
    DBSnapshotIdentifier: setOnce('DBSnapshotIdentifier'),
    DBClusterSnapshotIdentifier: setOnce('DBClusterSnapshotIdentifier'),
    RestoreTime: setOnce('RestoreTime'),
    SourceDBInstanceAutomatedBackupsArn: setOnce('SourceDBInstanceAutomatedBackupsArn'),
    SourceDbiResourceId: setOnce('SourceDbiResourceId'),
    // isUseLatestRestorableTimeMutable: unchanged, or not true.
    UseLatestRestorableTime: (before, after) => {
      const [was, is] = [before.UseLatestRestorableTime === true || before.UseLatestRestorableTime === 'true', after.UseLatestRestorableTime === true || after.UseLatestRestorableTime === 'true'];
      if (was === is) return undefined;
      return is ? replaced('restoring to the latest restorable time is a new instance') : RESTORE_REMOVED;
    },
    // Conditional in the schema, unchecked by the provider's ImmutabilityHelper: updated in place.
    AutoMinorVersionUpgrade: tableBehavior,
    BackupRetentionPeriod: tableBehavior,
    DBParameterGroupName: tableBehavior,
    MultiAZ: tableBehavior,
    PreferredMaintenanceWindow: tableBehavior,
    StorageType: tableBehavior,
  },
  'AWS::RDS::DBCluster': {
    Engine: engineRule,
    // isGlobalClusterMutable: unchanged, or removed (remove-from-global-cluster).
    GlobalClusterIdentifier: (before, after) =>
      same(before.GlobalClusterIdentifier, after.GlobalClusterIdentifier) || empty(after.GlobalClusterIdentifier) ? undefined : replaced('joining another global cluster replaces the cluster'),
    // Unchecked by the provider, and RDS cannot rename a master user (ModifyDBCluster has no such parameter).
    MasterUsername: (before, after) => (same(before.MasterUsername, after.MasterUsername) ? undefined : possibly('RDS cannot change a cluster\'s master user name; the provider neither applies nor refuses it')),
  },
  'AWS::ElastiCache::ReplicationGroup': {
    // User Guide: "If ADDING the AuthToken, update requires Replacement"; a new token is rotated in place.
    AuthToken: (before, after) => (empty(before.AuthToken) && !empty(after.AuthToken) ? replaced('adding an AuthToken replaces the replication group') : undefined),
    // "When UseOnlineResharding is set to false, or is not specified, updating NodeGroupConfiguration results in replacement" (also NumNodeGroups).
    NodeGroupConfiguration: reshardedOnline('NodeGroupConfiguration'),
    NumNodeGroups: reshardedOnline('NumNodeGroups'),
  },
};
