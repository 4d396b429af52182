// The package's entry point: the constructs of the data tier and what their props refer to.
// The app in bin/ and app/ (and lib/app.ts, lib/template-snapshot.ts) are this repository's own
// deployment, not part of the package.
export * from './alarms';
export * from './backup';
export * from './cache';
export * from './cache-token-rotation';
export * from './data-tier-function';
export * from './data-tier-stack';
export * from './database';
export * from './encryption';
export * from './fault-injection';
export * from './health-check';
export * from './monitoring';
export * from './nag';
export * from './network';
export * from './operator-access';
export * from './platform-sql';
export * from './schema';
export { migrationStreams, PLATFORM_STREAM, streamNameOf, type MigrationStream } from './functions/shared/migration-streams';
// DataTierStack takes a validated config: resolveConfig builds one the way this repository's app does.
export { ConfigError, resolveConfig, validateConfig, type ConfigSources } from './config';
export type * from './config';
