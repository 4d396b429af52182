/**
 * postgres-data-tier/migrations: the runner the tier's migration function uses, for scripts and
 * for consumers who apply their SQL outside CloudFormation. It takes a connected `pg` client and
 * imports nothing of aws-cdk-lib.
 */
export {
  MigrationError,
  runMigrations,
  type AppliedMigration,
  type MigrationKind,
  type MigrationOptions,
  type MigrationResult,
} from '../functions/shared/migrations';
export {
  defaultStreamSchema,
  migrationStreams,
  PLATFORM_STREAM,
  streamNameOf,
  streamOwnerRole,
  type ApplicationMigrationsSource,
  type MigrationStream,
} from '../functions/shared/migration-streams';
export { type ConnectAs } from '../functions/shared/stream-owners';
export { PLATFORM_SQL_DIR } from '../platform-sql';
export { type SqlStatement } from '../functions/shared/sql-statements';
