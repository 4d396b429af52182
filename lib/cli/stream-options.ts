// The options that name application migration streams, shared by the commands that apply them:
//   --migrations <dir> ...                   each directory a stream named after it, applied in order
//   --schemas <stream>=<schema>[,<schema>]   the schemas that stream's owner role owns
//                                            (default: one schema named after the stream)
import { type ApplicationMigrationsSource, migrationStreams, type MigrationStream, streamNameOf } from '../functions/shared/migration-streams';
import { PLATFORM_SQL_DIR } from '../platform-sql';

export const STREAM_OPTIONS = {
  migrations: { type: 'string', multiple: true, default: [] as string[] },
  schemas: { type: 'string', multiple: true, default: [] as string[] },
} as const;

/** The platform's stream, then one per --migrations directory, with the schemas --schemas gives it. */
export function streamsOfOptions(values: { readonly migrations?: readonly string[]; readonly schemas?: readonly string[] }): MigrationStream[] {
  const directories = values.migrations ?? [];
  const schemas = new Map<string, string[]>();
  for (const given of values.schemas ?? []) {
    const match = /^([a-z][a-z0-9_-]*)=([^,=\s]+(?:,[^,=\s]+)*)$/.exec(given);
    if (!match) throw new Error(`--schemas ${given}: give <stream>=<schema>[,<schema>], such as --schemas analytics=public`);
    const [, stream, list] = match;
    if (!directories.some((directory) => streamNameOf(directory) === stream)) {
      throw new Error(`--schemas ${given}: no --migrations directory is stream ${stream} (streams: ${directories.map(streamNameOf).join(', ') || 'none'})`);
    }
    schemas.set(stream, list.split(','));
  }
  const sources = directories.map((directory): ApplicationMigrationsSource => ({ directory, schemas: schemas.get(streamNameOf(directory)) }));
  return migrationStreams(PLATFORM_SQL_DIR, sources);
}
