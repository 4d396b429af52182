/**
 * postgres-data-tier: a production PostgreSQL data tier on AWS as a CDK construct library.
 * `DataTier` builds all of it; each part is usable alone.
 */
export * from './data-tier';
export * from './database';
export * from './major-version-upgrade';
export * from './restore';
export * from './cross-region-replica';
export * from './cache';
export * from './network';
export * from './encryption';
export * from './backup';
export * from './schema';
export * from './health-check';
export * from './monitoring';
export * from './alarms';
export * from './alarm-thresholds';
export * from './operator-access';
export * from './fault-injection';
export * from './cache-token-rotation';
export * from './private/data-tier-function';
export * from './outputs';
export * from './private/validation';
export * from './private/allowed-values';
export { PLATFORM_SQL_DIR } from './platform-sql';
export * as observability from './observability/contract';
export { migrationStreams, PLATFORM_STREAM, streamNameOf, type MigrationStream } from './functions/shared/migration-streams';
