/**
 * postgres-data-tier: a production PostgreSQL data tier on AWS as a CDK construct library.
 * `DataTier` builds all of it; each part is usable alone.
 *
 * This list is the package's public surface, by name: anything else (lib/private/, helpers of
 * the files below) may change in any release. `api/postgres-data-tier.api.md` records it, and
 * the tests fail when it changes without that report (`npm run api:update`).
 */
export { DataTier, type DataTierProps } from './data-tier';
export { type ApplicationRole, type ApplicationRoleAccess, type ApplicationRoleSignIn } from './application-roles';
export { type ApplicationMigrationsSource } from './functions/shared/migration-streams';
export { Network, type NetworkOptions, type NetworkProps } from './network';
export { EncryptionKeys, type EncryptionKeysProps } from './encryption';
export { Database, type DatabaseInstanceSelector, type DatabaseProps } from './database';
export { type DatabaseOptions, type ProxyOptions, type ResolvedDatabaseOptions } from './database-options';
export {
  type AuroraCapacity,
  type AuroraReaderAutoScaling,
  type AuroraStorageType,
  type AuroraTopology,
  type DatabaseTopology,
  type InstancesTopology,
  type MultiAzClusterStorageType,
  type MultiAzClusterTopology,
  type ResolvedAuroraTopology,
  type ResolvedClusterTopology,
  type ResolvedMultiAzClusterTopology,
  type ResolvedTopology,
  type TopologyKind,
} from './topology';
export { DatabaseRestore, type BackupReplicationOptions, type DatabaseRestoreSource, type PointInTimeOptions, type RestoreTime } from './restore';
export { type MajorVersionUpgradeOptions, type MajorVersionUpgradeState } from './major-version-upgrade';
export { CrossRegionReplica, type CrossRegionReplicaProps, type ReplicatedDatabaseSettings } from './cross-region-replica';
export { AuroraGlobalSecondary, type AuroraGlobalSecondaryProps } from './aurora-global-secondary';
export { Cache, type CacheOptions, type CacheProps } from './cache';
export { type CacheEngine } from './private/allowed-values';
export { CacheTokenRotation, type CacheTokenRotationProps } from './cache-token-rotation';
export { DatabaseBackup, type DatabaseBackupOptions, type DatabaseBackupProps } from './backup';
export { SchemaMigrations, type SchemaMigrationsProps } from './schema';
export { HealthCheck, type HealthCheckProps, type HealthCheckReader } from './health-check';
export { Maintenance, type MaintenanceProps } from './maintenance';
export { type FunctionPlacement } from './function-placement';
export { Monitoring, type MonitoredCluster, type MonitoredInstance, type MonitoringOptions, type MonitoringProps } from './monitoring';
export { ALARM_DEFINITIONS, type AlarmDefinition, type AlarmProof, type ClusterMetric, type ClusterTopologyKind, type MetricSource, type ThresholdContext } from './alarms';
export { DEFAULT_ALARM_THRESHOLDS, type AlarmThresholds } from './alarm-thresholds';
export { OperatorAccess, type OperatorAccessProps, type OperatorTarget } from './operator-access';
export { FaultInjection, type FaultInjectionProps } from './fault-injection';
export { OUTPUTS } from './outputs';
export { DataTierValidationError } from './errors';
export * as observability from './observability/contract';
