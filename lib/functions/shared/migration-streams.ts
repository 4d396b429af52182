import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// Which migration streams a stack carries, with no database code: synthesis needs these, and
// importing them from migrations.ts would tie the construct library to the runner (and pg's types).

/** What the runner accepts as a migration file name (versioned or repeatable): `NNN_description.sql`. */
export const MIGRATION_FILE_NAME = /^\d+_[A-Za-z0-9_-]+\.sql$/;
/** What the runner accepts as a stream name. */
export const STREAM_NAME = /^[a-z][a-z0-9_-]*$/;

/** The data tier's own stream (the data_tier schema), always applied first. */
export const PLATFORM_STREAM = 'data_tier';

/**
 * One owner's migrations: versioned `NNN_description.sql` files in `directory`, applied once
 * each in lexical order, then the repeatable definitions in `directory/repeatable/`, re-applied
 * in lexical order whenever their content changes.
 */
export interface MigrationStream {
  /** Recorded with each file, so two streams may both have a `001_...sql`. Lower case, digits, `_`, `-`. */
  readonly name: string;
  readonly directory: string;
}

/**
 * The platform stream, then one stream per application directory, named after the directory
 * (`app/sql/analytics` is stream `analytics`; see streamNameOf).
 */
export function migrationStreams(platformDirectory: string, applicationDirectories: readonly string[] = []): MigrationStream[] {
  return [
    { name: PLATFORM_STREAM, directory: platformDirectory },
    ...applicationDirectories.map((directory) => ({ name: streamNameOf(directory), directory })),
  ];
}

/** A directory's stream name: its base name, lower case, other characters than [a-z0-9_-] as `-`. */
export function streamNameOf(directory: string): string {
  return path.basename(path.resolve(directory)).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

/**
 * What the runner would refuse at deploy time in these streams, found without a database: a
 * missing directory, a file name it does not accept, an invalid or repeated stream name. Each
 * problem names the directory and what to change.
 */
export function migrationStreamProblems(streams: readonly MigrationStream[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const stream of streams) {
    const first = seen.get(stream.name);
    if (first !== undefined) problems.push(`${stream.directory} and ${first} are both stream ${stream.name} (a stream is named after its directory): rename one directory`);
    seen.set(stream.name, stream.directory);
    if (!STREAM_NAME.test(stream.name)) problems.push(`${stream.directory} gives the stream name ${stream.name}: a directory name must start with a letter (lower case letters, digits, _ and -)`);
    if (!existsSync(stream.directory) || !statSync(stream.directory).isDirectory()) {
      problems.push(`${stream.directory} is not a directory (resolved from ${process.cwd()})`);
      continue;
    }
    for (const directory of [stream.directory, path.join(stream.directory, 'repeatable')]) {
      if (!existsSync(directory)) continue;
      const misnamed = readdirSync(directory).filter((name) => name.endsWith('.sql') && !MIGRATION_FILE_NAME.test(name));
      if (misnamed.length > 0) problems.push(`${misnamed.join(', ')} in ${directory}: migration files must be named NNN_description.sql, such as 001_create_orders.sql`);
    }
  }
  return problems;
}
