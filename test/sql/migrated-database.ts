import { runMigrations } from '../../lib/functions/shared/migrations';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The repository's real migrations. */
import { PROJECT_STREAMS } from '../../app/migrations';

export { PROJECT_STREAMS };
export { PLATFORM_SQL_DIR } from '../../lib/platform-sql';

/** A fresh database with every migration of sql/ applied. */
export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await runMigrations(await db.connect(), { streams: PROJECT_STREAMS });
  return db;
}

