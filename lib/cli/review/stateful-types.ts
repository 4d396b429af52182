// The resource types the review refuses to lose: read by the diff (lib/cli/review/diff.ts), by the
// generator of the rules table (scripts/review/generate-replacement-rules.ts), which always covers
// them, and by the property walk (test/review/property-walk.test.ts).

/** Types whose replacement or removal loses data or identity. */
export const STATEFUL_TYPES = [
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::Backup::BackupVault',
];

/**
 * Groups a database or cache stands on. Replacing one moves its users to a new group: a new subnet
 * group replaces them (`DBSubnetGroupName` and `CacheSubnetGroupName` are create-only), a new
 * parameter group reboots them with its defaults for whatever the template leaves out. They count
 * as stateful while a resource of {@link STATEFUL_TYPES} uses them; the group a blue/green switchover
 * leaves behind, which no instance uses, does not.
 */
export const GROUP_TYPES = [
  'AWS::RDS::DBSubnetGroup',
  'AWS::ElastiCache::SubnetGroup',
  'AWS::RDS::DBParameterGroup',
  'AWS::RDS::DBClusterParameterGroup',
  'AWS::ElastiCache::ParameterGroup',
];

/** Every type the review can count as stateful. */
export const REVIEWED_TYPES = [...STATEFUL_TYPES, ...GROUP_TYPES];
