import path from 'node:path';

// Which migration streams a stack carries, with no database code: synthesis needs these, and
// importing them from migrations.ts would tie the construct library to the runner (and pg's types).

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
