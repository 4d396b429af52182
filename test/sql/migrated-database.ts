import path from 'node:path';
import { runMigrations } from '../../lib/functions/shared/migrations';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The repository's real migrations. */
export const SQL_DIR = path.join(__dirname, '..', '..', 'sql');

/** A fresh database with every migration of sql/ applied. */
export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await runMigrations(await db.connect(), { directory: SQL_DIR });
  return db;
}

