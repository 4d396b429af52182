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
  /**
   * The role that runs the stream's files and owns its schemas (see stream-owners.ts), created by
   * the runner. The runner signs in as it, so a file can change nothing the stream does not own.
   * @default - none: the files run as the user the runner signed in as (the platform's stream)
   */
  readonly owner?: string;
  /** Schemas the owner owns (for `public`: may create in). @default - [the stream's name, `-` as `_`] */
  readonly schemas?: readonly string[];
}

/** An application's migration directory, with the schemas its stream owns. */
export interface ApplicationMigrationsSource {
  /** The stream's directory; the stream is named after it (`app/sql/orders` is stream `orders`). */
  readonly directory: string;
  /**
   * Schemas the stream's owner role owns. A schema belongs to one stream; `public` may be given to
   * one stream, whose owner may then create there (the history table stays the platform's).
   * @default - one schema named after the stream (`-` as `_`)
   */
  readonly schemas?: readonly string[];
}

/**
 * The platform stream, then one stream per application directory, named after the directory
 * (`app/sql/analytics` is stream `analytics`; see streamNameOf), run by its own owner role.
 */
export function migrationStreams(platformDirectory: string, applications: readonly (string | ApplicationMigrationsSource)[] = []): MigrationStream[] {
  return [
    { name: PLATFORM_STREAM, directory: platformDirectory },
    ...applications.map((application) => {
      const { directory, schemas } = typeof application === 'string' ? { directory: application, schemas: undefined } : application;
      const name = streamNameOf(directory);
      return { name, directory, owner: streamOwnerRole(name), schemas: schemas ?? [defaultStreamSchema(name)] };
    }),
  ];
}

/** The role that owns an application stream: `<stream>_owner`, `-` as `_`. */
export function streamOwnerRole(stream: string): string {
  return `${defaultStreamSchema(stream)}_owner`;
}

/** The schema an application stream owns unless told otherwise: its name, `-` as `_`. */
export function defaultStreamSchema(stream: string): string {
  return stream.replace(/-/g, '_');
}

/** A directory's stream name: its base name, lower case, other characters than [a-z0-9_-] as `-`. */
export function streamNameOf(directory: string): string {
  return path.basename(path.resolve(directory)).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

/** What a stream's schema may be called: a PostgreSQL identifier that needs no quoting. */
export const SCHEMA_NAME = /^[a-z][a-z0-9_]*$/;
/** The longest PostgreSQL identifier (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_LENGTH = 63;

/** Why a stream may not own `schema`, or undefined when it may. */
function schemaRefusal(schema: string): string | undefined {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.length > MAX_IDENTIFIER_LENGTH) {
    return `must be 1 to ${MAX_IDENTIFIER_LENGTH} lower-case letters, digits and _, starting with a letter`;
  }
  if (schema === PLATFORM_STREAM) return 'is the data tier\'s own schema';
  if (schema.startsWith('pg_') || schema === 'information_schema') return 'is PostgreSQL\'s system catalog';
  return undefined;
}

/**
 * What the runner would refuse at deploy time in these streams, found without a database: a
 * missing directory, a file name it does not accept, an invalid or repeated stream name, a schema
 * that is not an application's to own or that two streams claim. Each problem names the
 * directory and what to change.
 */
export function migrationStreamProblems(streams: readonly MigrationStream[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const schemaOwners = new Map<string, string>();
  for (const stream of streams) {
    if (stream.owner && stream.schemas?.length === 0) problems.push(`${stream.directory} owns no schema: give its stream at least one (schemas), or leave schemas out for ${defaultStreamSchema(stream.name)}`);
    for (const schema of stream.owner ? (stream.schemas ?? []) : []) {
      const refusal = schemaRefusal(schema);
      if (refusal) problems.push(`${stream.directory} owns schema ${JSON.stringify(schema)}, which ${refusal}: choose another schema for stream ${stream.name}`);
      const first = schemaOwners.get(schema);
      if (first !== undefined && first !== stream.directory) problems.push(`${stream.directory} and ${first} both own schema ${schema}: a schema belongs to one stream, whose owner role alone changes it`);
      schemaOwners.set(schema, stream.directory);
    }
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
