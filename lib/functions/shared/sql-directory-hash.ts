import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * sha256 over the names and contents of every migration of every stream, in order: each
 * stream's name, its versioned `.sql` files and those of its `repeatable/` directory. The
 * stack puts it on the migrations custom resource (so any SQL change in any stream re-runs
 * it) and the handler compares it with the SQL it carries (so a rollback does not re-apply
 * new SQL).
 */
export function migrationStreamsHash(streams: ReadonlyArray<{ readonly name: string; readonly directory: string }>): string {
  const hash = createHash('sha256');
  for (const stream of streams) {
    hash.update(`stream ${stream.name}`).update('\0');
    for (const directory of [stream.directory, join(stream.directory, 'repeatable')].filter((d) => existsSync(d))) {
      for (const file of readdirSync(directory).filter((f) => f.endsWith('.sql')).sort()) {
        hash.update(file).update('\0').update(readFileSync(join(directory, file))).update('\0');
      }
    }
  }
  return hash.digest('hex');
}
