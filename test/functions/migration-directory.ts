import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temporary directory named `app` (so its stream is `app`) holding the given migration files (name -> SQL). */
export function migrationDirectory(files: Record<string, string>): string {
  const directory = path.join(mkdtempSync(path.join(os.tmpdir(), 'migrations-')), 'app');
  mkdirSync(directory);
  addMigrations(directory, files);
  return directory;
}

/** Adds (or overwrites) files in a migration directory. */
export function addMigrations(directory: string, files: Record<string, string>): void {
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(directory, name), sql);
}

/** Takes a migration file out again (a file that never shipped). */
export function removeMigration(directory: string, name: string): void {
  rmSync(path.join(directory, name));
}
