// The project's own application migrations: the example application (analytics_events and
// its dashboard rollup), applied after the data tier's stream by the app, `npm start`,
// `npm run db:apply`, the tests, the drills and the benchmark. Copy app/sql/analytics/ as the
// start of your own.
import { join } from 'node:path';
import { migrationStreams } from '../lib/functions/shared/migration-streams';
import { PLATFORM_SQL_DIR } from '../lib/platform-sql';

export const EXAMPLE_APPLICATION_MIGRATIONS = join(__dirname, 'sql', 'analytics');

/**
 * The example application's stream and the schemas its owner role (analytics_owner) owns: its
 * tables were created in public before streams had owners, so it keeps public.
 */
export const EXAMPLE_APPLICATION_STREAM = { directory: EXAMPLE_APPLICATION_MIGRATIONS, schemas: ['public'] } as const;

/** Every stream the project applies, in order: data_tier, then analytics. */
export const PROJECT_STREAMS = migrationStreams(PLATFORM_SQL_DIR, [EXAMPLE_APPLICATION_STREAM]);
