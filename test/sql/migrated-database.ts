import { PROJECT_STREAMS } from '../../app/migrations';
import { runMigrations } from '../../lib/functions/shared/migrations';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The project's real migrations: the data tier's stream, then the example application's. */
export { PROJECT_STREAMS };

/** A fresh database with every stream of the project applied. */
export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await runMigrations(await db.connect(), { streams: PROJECT_STREAMS });
  return db;
}
