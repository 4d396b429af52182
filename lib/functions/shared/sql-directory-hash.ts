import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * sha256 over the names and contents of every `.sql` file in a directory, in order. The
 * stack puts it on the migrations custom resource (so any SQL change re-runs it) and the
 * handler compares it with the SQL it carries (so a rollback does not re-apply new SQL).
 */
export function sqlDirectoryHash(directory: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update('\0').update(readFileSync(join(directory, file))).update('\0');
  }
  return hash.digest('hex');
}
