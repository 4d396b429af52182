import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientBase } from 'pg';
import { type UnusableIndex, unusableIndexes } from './index-validity';
import { type AppliedRow, historyProblems, type HistoryProblem, lastApplied } from './migration-history';
import { lineAt, splitSqlStatements, transactionControlOf, type SqlStatement } from './sql-statements';
import { defaultStreamSchema, MIGRATION_FILE_NAME as FILE_NAME, type MigrationStream, STREAM_NAME } from './migration-streams';
import { type ConnectAs, connectLike, prepareStreamOwner, signInAsOwner } from './stream-owners';

// Kept importable from here: the runner, scripts and tests take them with runMigrations.
export { defaultStreamSchema, migrationStreams, PLATFORM_STREAM, streamNameOf, streamOwnerRole, type ApplicationMigrationsSource, type MigrationStream } from './migration-streams';
export type { ConnectAs } from './stream-owners';

/** Where applied migrations are recorded, one row per (stream, file). */
export const MIGRATIONS_TABLE = 'public.schema_migrations';
/** First line that makes a file run statement by statement outside a transaction (CREATE INDEX CONCURRENTLY). */
export const NO_TRANSACTION_DIRECTIVE = '-- migrate:no-transaction';
/**
 * `-- migrate:replaces <file> <sha256>`: this file does what a file applied before migration
 * streams existed did. A database whose history holds every file it names, with that sha256,
 * records this file as applied (carried over) instead of running it; see prepareHistory.
 */
export const REPLACES_DIRECTIVE = '-- migrate:replaces';
/** Subdirectory of a stream holding its repeatable definitions. */
export const REPEATABLE_DIRECTORY = 'repeatable';
/** Stream name of a run given a single `directory`. */
export const DEFAULT_STREAM = 'app';
// Session-level advisory lock key shared by every runner of this schema (hashtext is stable).
const LOCK_KEY_SQL = `hashtext('data-tier schema migrations')`;

export interface MigrationOptions {
  /** The streams, applied one after the other in this order (the platform's first). */
  readonly streams?: readonly MigrationStream[];
  /** One directory, as a stream named `app`; for a run with a single owner. */
  readonly directory?: string;
  /** lock_timeout for every statement: how long DDL may queue behind running queries. @default '5s' */
  readonly lockTimeout?: string;
  /** statement_timeout for every statement. @default '15min' */
  readonly statementTimeout?: string;
  /** How long to wait for another runner to finish before giving up. @default 600_000 */
  readonly lockWaitMs?: number;
  /**
   * Pending files to apply although a later-numbered file is already applied; without this a
   * file that sorts before the last applied one stops the run. @default []
   */
  readonly allowOutOfOrder?: readonly string[];
  /**
   * Applied files removed from the directory on purpose: their rows in `public.schema_migrations`
   * are deleted (what they did to the schema stays). Without this a missing applied file stops the run. @default []
   */
  readonly forget?: readonly string[];
  /** Receives one line per step (waiting, forgot, applying, applied, up to date). */
  readonly log?: (line: string) => void;
  /**
   * When the run must end, in milliseconds since the epoch (the deploy-time function's own time
   * limit, less room to roll back and answer): a file that reaches it stops before its next
   * statement and is rolled back, with the runner's message naming the file and how far it got.
   * @default - no limit but statement_timeout
   */
  readonly deadline?: number;
  /**
   * Opens a session as a stream's owner role (see `MigrationStream.owner`) with the password the
   * runner set for this run, on the same database.
   * @default - a session like the runner's (host, port, database, TLS), when its client is a pg Client
   */
  readonly connectAs?: ConnectAs;
}

export interface AppliedMigration {
  readonly stream: string;
  /** The file name; a repeatable definition's is prefixed `repeatable/`. */
  readonly name: string;
  readonly kind: MigrationKind;
  readonly durationMs: number;
}

export type MigrationKind = 'versioned' | 'repeatable';

export interface MigrationResult {
  /** Files applied by this run, in order. */
  readonly applied: AppliedMigration[];
  /** Files that were already applied (repeatable ones unchanged) and left alone. */
  readonly skipped: number;
  /** Files recorded as applied because a file applied before streams existed did the same. */
  readonly carriedOver: readonly string[];
  readonly durationMs: number;
}

/** A migration that could not be applied; the message says which file, which statement and what to do. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly statement?: SqlStatement,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface MigrationFile {
  readonly stream: string;
  /** The stream's owner role and its schemas, when the stream has one. */
  readonly owner?: { readonly role: string; readonly schemas: readonly string[] };
  readonly name: string;
  readonly kind: MigrationKind;
  readonly sql: string;
  readonly statements: SqlStatement[];
  readonly checksum: string;
  readonly transactional: boolean;
  /** Files applied before streams existed that this one stands for, with their sha256. */
  readonly replaces: ReadonlyArray<{ readonly name: string; readonly checksum: string }>;
}

interface StreamFiles {
  readonly stream: MigrationStream;
  readonly versioned: MigrationFile[];
  readonly repeatable: MigrationFile[];
}

interface HistoryRow extends AppliedRow {
  readonly stream: string;
}

/**
 * Applies each stream in turn to the database behind `client`: its pending versioned files,
 * each in its own transaction (unless it starts with `-- migrate:no-transaction`), statement
 * by statement so a failure names its statement, recorded with stream, sha256 and duration in
 * `public.schema_migrations` once the indexes it builds are valid; then its repeatable
 * definitions whose content changed since they were last applied, each in a transaction (a
 * failure rolls it back, so the previous definition stays). A session advisory lock keeps
 * concurrent runners from interleaving. Before anything runs, the run stops when an applied
 * file changed, was renamed or is gone, when a new file sorts before the last applied one of
 * its stream, or when a pending file controls transactions itself. A history written before
 * streams existed is carried over first (see prepareHistory).
 */
export async function runMigrations(client: ClientBase, options: MigrationOptions): Promise<MigrationResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const streams = await Promise.all(streamsOf(options).map(readStream));
  const named = (file: { stream: string; name: string }) => (streams.length > 1 ? `${file.stream}/${file.name}` : file.name);
  await client.query(`SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)`, [
    options.lockTimeout ?? '5s',
    options.statementTimeout ?? '15min',
  ]);

  await acquireRunnerLock(client, options.lockWaitMs ?? 600_000, log);
  try {
    const carriedOver = await prepareHistory(client, streams, log);
    const { rows } = await client.query<HistoryRow>(`SELECT stream, name, checksum, applied_at FROM ${MIGRATIONS_TABLE}`);
    const forget = options.forget ?? [];
    const plans = streams.map(({ stream, versioned, repeatable }) => {
      const rowsOfStream = rows.filter((row) => row.stream === stream.name);
      const history = rowsOfStream.filter((row) => !row.name.startsWith(`${REPEATABLE_DIRECTORY}/`) && !forget.includes(row.name));
      const problems = historyProblems(versioned, history, {
        directory: stream.directory,
        allowOutOfOrder: options.allowOutOfOrder ?? [],
        forget: forget.filter((name) => rowsOfStream.some((row) => row.name === name) || versioned.some((file) => file.name === name)),
      });
      const pending = versioned.filter((file) => !history.some((row) => row.name === file.name));
      const changed = repeatable.filter((file) => !rowsOfStream.some((row) => row.name === file.name && row.checksum === file.checksum));
      const goneRepeatable = rowsOfStream.filter(
        (row) => row.name.startsWith(`${REPEATABLE_DIRECTORY}/`) && !forget.includes(row.name) && !repeatable.some((file) => file.name === row.name),
      );
      if (goneRepeatable.length > 0) problems.push(goneRepeatableProblem(stream, goneRepeatable));
      return { stream, versioned, repeatable, problems, last: lastApplied(history), pending, changed, forgotten: rowsOfStream.filter((row) => forget.includes(row.name)) };
    });
    const problems = plans.flatMap((plan) => plan.problems);
    if (problems.length > 0) throw new MigrationError(problems.map((problem) => problem.message).join('\n\n'), problems[0].file);
    refuseTransactionControl(plans.flatMap((plan) => [...plan.pending, ...plan.changed]));
    refuseNoTransactionRepeatables(plans.flatMap((plan) => plan.changed));
    for (const plan of plans) await forgetRows(client, plan.stream.name, plan.forgotten, log);

    const total = streams.reduce((sum, stream) => sum + stream.versioned.length + stream.repeatable.length, 0);
    if (plans.every((plan) => plan.pending.length === 0 && plan.changed.length === 0)) log(`up to date: ${total} migrations already applied`);
    const done: AppliedMigration[] = [];
    for (const plan of plans) {
      const files = [...plan.pending, ...plan.changed];
      // An application stream's files run on a session of its owner's; the platform's on the runner's.
      const ownSession = await sessionOfStream(client, plan.stream, files.length > 0, options, log);
      const session = ownSession ?? client;
      try {
        for (const file of files) {
          const outOfOrder = file.kind === 'versioned' && plan.last && file.name < plan.last.name;
          const reapplied = rows.some((row) => row.stream === file.stream && row.name === file.name);
          const notes = [
            !file.transactional && 'no transaction',
            outOfOrder && 'out of order, accepted',
            file.kind === 'repeatable' && (reapplied ? 'repeatable, changed' : 'repeatable'),
          ].filter(Boolean);
          log(`applying ${named(file)}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
          const durationMs = await applyFile(session, file, options.deadline);
          log(`applied ${named(file)} in ${durationMs.toFixed(0)} ms`);
          done.push({ stream: file.stream, name: file.name, kind: file.kind, durationMs });
        }
      } finally {
        await ownSession?.end().catch(() => {});
      }
    }
    return { applied: done, skipped: total - done.length, carriedOver, durationMs: performance.now() - started };
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY_SQL})`).catch(() => {});
  }
}

/**
 * The session a stream's files run on: the runner's own for a stream without an owner; for one
 * with an owner, a session signed in as that role, once the role owns the stream's schemas and
 * what the master user had created in them (done on every run, so a database migrated before
 * streams had owners is handed over in one step, even with nothing to apply).
 */
async function sessionOfStream(client: ClientBase, stream: MigrationStream, needed: boolean, options: MigrationOptions, log: (line: string) => void): Promise<OwnSession | undefined> {
  if (!stream.owner) return undefined;
  const schemas = schemasOf(stream);
  const adopted = await prepareStreamOwner(client, { stream: stream.name, owner: stream.owner, schemas });
  if (adopted.length > 0) log(`${stream.owner} now owns ${adopted.length} objects of stream ${stream.name}: ${adopted.join(', ')}`);
  if (!needed) return undefined;
  const session = await signInAsOwner(client, stream.owner, options.connectAs ?? connectLike(client));
  await session.query(`SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false), set_config('search_path', $3, false)`, [
    options.lockTimeout ?? '5s',
    options.statementTimeout ?? '15min',
    schemas.map((schema) => session.escapeIdentifier(schema)).join(', '),
  ]);
  return session;
}

type OwnSession = ClientBase & { end(): Promise<void> };

function schemasOf(stream: MigrationStream): readonly string[] {
  return stream.schemas ?? [defaultStreamSchema(stream.name)];
}

function streamsOf(options: MigrationOptions): MigrationStream[] {
  const streams = [...(options.streams ?? []), ...(options.directory ? [{ name: DEFAULT_STREAM, directory: options.directory }] : [])];
  if (streams.length === 0) throw new MigrationError('no migrations to apply: give the runner a directory or streams');
  for (const stream of streams) {
    if (!STREAM_NAME.test(stream.name)) {
      throw new MigrationError(`migration stream "${stream.name}" (${stream.directory}): a stream name is lower case letters, digits, _ and -, starting with a letter`);
    }
  }
  const duplicate = streams.find((stream, i) => streams.findIndex((other) => other.name === stream.name) !== i);
  if (duplicate) {
    throw new MigrationError(
      `two migration streams are named "${duplicate.name}" (${streams.filter((s) => s.name === duplicate.name).map((s) => s.directory).join(', ')}): ` +
        'each directory needs a name of its own, since the history is kept per stream',
    );
  }
  return streams;
}

/** False when the file's first line is `-- migrate:no-transaction`. */
export function isTransactional(sql: string): boolean {
  return sql.split('\n', 1)[0].trim() !== NO_TRANSACTION_DIRECTIVE;
}

/** sha256 of a migration, with line endings normalised so a CRLF checkout is not drift. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

async function readStream(stream: MigrationStream): Promise<StreamFiles> {
  const repeatableDirectory = path.join(stream.directory, REPEATABLE_DIRECTORY);
  return {
    stream,
    versioned: await readMigrationFiles(stream, stream.directory, 'versioned'),
    repeatable: existsSync(repeatableDirectory) ? await readMigrationFiles(stream, repeatableDirectory, 'repeatable') : [],
  };
}

async function readMigrationFiles(stream: MigrationStream, directory: string, kind: MigrationKind): Promise<MigrationFile[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  const misnamed = names.filter((name) => !FILE_NAME.test(name));
  if (misnamed.length > 0) {
    throw new MigrationError(`${misnamed.join(', ')} in ${directory}: migration files must be named NNN_description.sql`);
  }
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(directory, name), 'utf8');
      return {
        stream: stream.name,
        owner: stream.owner ? { role: stream.owner, schemas: schemasOf(stream) } : undefined,
        name: kind === 'repeatable' ? `${REPEATABLE_DIRECTORY}/${name}` : name,
        kind,
        sql,
        statements: splitSqlStatements(sql),
        checksum: migrationChecksum(sql),
        transactional: isTransactional(sql),
        replaces: replacedFiles(sql, path.join(directory, name)),
      };
    }),
  );
}

/** The `-- migrate:replaces <file> <sha256>` lines of a file. */
function replacedFiles(sql: string, file: string): MigrationFile['replaces'] {
  return sql
    .split('\n')
    .filter((line) => line.startsWith(REPLACES_DIRECTIVE))
    .map((line) => {
      const match = /^-- migrate:replaces\s+(\S+\.sql)\s+([0-9a-f]{64})\s*$/.exec(line.trim());
      if (!match) throw new MigrationError(`${file}: "${line.trim()}" should read ${REPLACES_DIRECTIVE} <NNN_file.sql> <sha256 of that file>`);
      return { name: match[1], checksum: match[2] };
    });
}

/**
 * Creates the history table, or brings one from before streams to the current shape: a stream
 * and kind per row, keyed by (stream, name). Rows from before streams (stream '') are then
 * carried over: a stream file whose `-- migrate:replaces` lines name applied files, all with
 * their recorded sha256, is recorded as applied (listing them in `replaces`) and their rows go;
 * one that names only some of them runs (such files are written to be safe on either side).
 * An old row no file claims, or claimed with another sha256, stops the run: nothing is changed.
 * Returns the stream files carried over.
 */
async function prepareHistory(client: ClientBase, streams: readonly StreamFiles[], log: (line: string) => void): Promise<string[]> {
  const { rows: columns } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'schema_migrations'`,
  );
  if (columns.length === 0) {
    await client.query(`
      CREATE TABLE ${MIGRATIONS_TABLE} (
        stream text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL DEFAULT 'versioned' CHECK (kind IN ('versioned', 'repeatable')),
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        duration_ms double precision NOT NULL,
        replaces text[],
        PRIMARY KEY (stream, name)
      )`);
    return [];
  }
  if (columns.some((column) => column.column_name === 'stream')) return [];

  await client.query('BEGIN');
  try {
    await client.query(`
      ALTER TABLE ${MIGRATIONS_TABLE}
        ADD COLUMN stream text NOT NULL DEFAULT '',
        ADD COLUMN kind text NOT NULL DEFAULT 'versioned' CHECK (kind IN ('versioned', 'repeatable')),
        ADD COLUMN replaces text[]`);
    await client.query(`ALTER TABLE ${MIGRATIONS_TABLE} DROP CONSTRAINT schema_migrations_pkey, ADD PRIMARY KEY (stream, name), ALTER COLUMN stream DROP DEFAULT`);
    const { rows: old } = await client.query<AppliedRow>(`SELECT name, checksum, applied_at FROM ${MIGRATIONS_TABLE} WHERE stream = ''`);
    const files = streams.flatMap((stream) => stream.versioned);
    const mismatched = files.flatMap((file) =>
      file.replaces
        .filter((claim) => old.some((row) => row.name === claim.name && row.checksum !== claim.checksum))
        .map((claim) => `  ${file.stream}/${file.name} stands for ${claim.name} with sha256 ${claim.checksum.slice(0, 12)}…, but the database applied ${claim.name} with ${old.find((row) => row.name === claim.name)!.checksum.slice(0, 12)}…`),
    );
    const unclaimed = old.filter((row) => !files.some((file) => file.replaces.some((claim) => claim.name === row.name)));
    if (mismatched.length > 0 || unclaimed.length > 0) {
      throw new MigrationError(
        [
          `Refusing to migrate: ${MIGRATIONS_TABLE} holds files applied before migration streams, and the streams given (${streams.map((s) => s.stream.name).join(', ')}) do not account for them:`,
          ...mismatched,
          ...unclaimed.map((row) => `  ${row.name} (applied ${row.applied_at.toISOString()}) is named by no ${REPLACES_DIRECTIVE} line`),
          'Give the run every stream this database was migrated with (npx data-tier db apply --migrations <directory>, or the applicationMigrations of the construct). ' +
            'Nothing was changed.',
        ].join('\n'),
        unclaimed[0]?.name,
      );
    }
    const carried: string[] = [];
    for (const file of files.filter((f) => f.replaces.length > 0)) {
      const claimed = file.replaces.filter((claim) => old.some((row) => row.name === claim.name));
      if (claimed.length === 0) continue;
      if (claimed.length === file.replaces.length) {
        const appliedAt = old.filter((row) => claimed.some((claim) => claim.name === row.name)).map((row) => row.applied_at).sort((a, b) => b.getTime() - a.getTime())[0];
        await client.query(
          `INSERT INTO ${MIGRATIONS_TABLE} (stream, name, kind, checksum, applied_at, duration_ms, replaces) VALUES ($1, $2, 'versioned', $3, $4, 0, $5)`,
          [file.stream, file.name, file.checksum, appliedAt, claimed.map((claim) => claim.name)],
        );
        carried.push(`${file.stream}/${file.name}`);
        log(`carried over ${file.stream}/${file.name}: applied before streams as ${claimed.map((claim) => claim.name).join(', ')}`);
      } else {
        log(`${file.stream}/${file.name} will run: of the files it stands for, only ${claimed.map((claim) => claim.name).join(', ')} were applied`);
      }
      await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE stream = '' AND name = ANY($1)`, [claimed.map((claim) => claim.name)]);
    }
    await client.query('COMMIT');
    return carried;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function acquireRunnerLock(client: ClientBase, waitMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + waitMs;
  let announced = false;
  // Polled rather than blocking, so the wait is not cut short by lock_timeout/statement_timeout.
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY_SQL}) AS locked`);
    if (rows[0].locked) return;
    if (Date.now() >= deadline) {
      throw new MigrationError(`another migration runner held the lock for more than ${Math.round(waitMs / 1000)} s; retry when it has finished`);
    }
    if (!announced) log('waiting for another migration runner to finish');
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Deletes the history rows of files removed on purpose. */
async function forgetRows(client: ClientBase, stream: string, forgotten: AppliedRow[], log: (line: string) => void): Promise<void> {
  for (const row of forgotten) {
    await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE stream = $1 AND name = $2`, [stream, row.name]);
    log(`forgot ${row.name} (applied ${row.applied_at.toISOString()}, sha256 ${row.checksum.slice(0, 12)}…): its row in ${MIGRATIONS_TABLE} is deleted, what it did to the schema stays`);
  }
}

/**
 * A file's own BEGIN, COMMIT or ROLLBACK would commit or discard part of it behind the runner's
 * back while the runner reports the whole file rolled back; a BEGIN ATOMIC body would be cut
 * at its inner semicolons. Every pending file is checked before the first one runs.
 */
/**
 * Removing a repeatable file does not remove what it defined: the functions stay, unmaintained,
 * and nothing would say so. The removal must be said once, as for a versioned file.
 */
function goneRepeatableProblem(stream: MigrationStream, gone: readonly HistoryRow[]): HistoryProblem {
  return {
    file: gone[0].name,
    message: [
      `Refusing to migrate: applied repeatable ${gone.length === 1 ? 'definition is' : 'definitions are'} missing from ${path.join(stream.directory, REPEATABLE_DIRECTORY)}:`,
      ...gone.map((row) => `  ${row.name}: last applied ${row.applied_at.toISOString()}`),
      'What a repeatable file defined stays in the database when the file goes. Restore it, or drop its objects in a new versioned file ' +
        `and tell the runner to forget it: npx data-tier db apply ${gone.map((row) => `--forget ${row.name}`).join(' ')}.`,
    ].join('\n'),
  };
}

/** A repeatable definition replaces objects in place: half of one would leave a mix of old and new. */
function refuseNoTransactionRepeatables(files: MigrationFile[]): void {
  const offending = files.filter((file) => !file.transactional);
  if (offending.length === 0) return;
  throw new MigrationError(
    `Refusing to migrate: ${offending.map((file) => `${file.stream}/${file.name}`).join(', ')}: a repeatable definition always runs in one transaction, ` +
      `so that a failure leaves the previous definition in place; remove its ${NO_TRANSACTION_DIRECTIVE} line, or make it a versioned file. Nothing was applied.`,
    offending[0].name,
  );
}

function refuseTransactionControl(pending: MigrationFile[]): void {
  const problems = pending.flatMap((file) => {
    const found = file.statements
      .map((statement, index) => ({ statement, index, control: transactionControlOf(statement) }))
      .find(({ control }) => control);
    if (!found) return [];
    const { statement, index, control } = found;
    const advice =
      control === 'BEGIN ATOMIC'
        ? 'the runner cannot tell where its body ends; write the body as a string (AS $$ ... $$)'
        : file.transactional
          ? 'remove it; the runner already runs the file in one transaction and commits it together with its record in ' + MIGRATIONS_TABLE
          : `a ${NO_TRANSACTION_DIRECTIVE} file runs each statement on its own, so move statements that must succeed or fail together into a file without that line`;
    return [{ file, statement, text: `  ${file.name}, statement ${index + 1} (line ${statement.line}), ${control}: ${advice}.` }];
  });
  if (problems.length === 0) return;
  throw new MigrationError(
    ['Refusing to migrate: transaction control inside migration files:', ...problems.map((problem) => problem.text), 'Nothing was applied.'].join('\n'),
    problems[0].file.name,
    problems[0].statement,
  );
}

async function applyFile(client: ClientBase, file: MigrationFile, deadline?: number): Promise<number> {
  const started = performance.now();
  const statements = file.statements;
  if (file.transactional) await client.query('BEGIN');
  try {
    for (const [index, statement] of statements.entries()) {
      if (deadline !== undefined && Date.now() > deadline) throw outOfTime(file, index, deadline);
      try {
        await client.query(statement.text);
      } catch (error) {
        // A failed concurrent build leaves its index behind, INVALID; say which, so it is dropped before the re-run.
        const leftInvalid = file.transactional ? [] : await unusableIndexes(client, statements.slice(0, index + 1)).catch(() => []);
        throw statementFailure(file, index, error, leftInvalid.filter((unusable) => unusable.problem === 'invalid'));
      }
    }
    const unusable = await unusableIndexes(client, statements);
    if (unusable.length > 0) throw unusableIndexFailure(file, unusable);
    const durationMs = performance.now() - started;
    // A repeatable definition's row is rewritten each time it is applied again.
    await client.query(
      `INSERT INTO ${MIGRATIONS_TABLE} (stream, name, kind, checksum, duration_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (stream, name) DO UPDATE SET checksum = excluded.checksum, duration_ms = excluded.duration_ms, applied_at = now()`,
      [file.stream, file.name, file.kind, file.checksum, durationMs],
    );
    if (file.transactional) await client.query('COMMIT');
    return durationMs;
  } catch (error) {
    if (file.transactional) await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** A file stopped before statement `index` because the run's time budget ran out. */
function outOfTime(file: MigrationFile, index: number, deadline: number): MigrationError {
  const statement = file.statements[index];
  const outcome = file.transactional
    ? 'The file was rolled back; earlier migrations stay applied.'
    : `The file runs without a transaction: its statements before #${index + 1} stay applied, so make them re-runnable (IF NOT EXISTS) before running again.`;
  return new MigrationError(
    [
      `Migration ${file.name} (stream ${file.stream}) stopped before statement ${index + 1} of ${file.statements.length} (line ${statement.line}): the run's time budget ran out at ${new Date(deadline).toISOString()}, ${index} statements in.`,
      outcome,
      'Split the file into smaller ones, or apply it outside CloudFormation (data-tier db apply through a tunnel), then deploy again.',
    ].join('\n'),
    file.name,
    statement,
  );
}

function statementFailure(file: MigrationFile, index: number, error: unknown, leftInvalid: UnusableIndex[]): MigrationError {
  const statement = file.statements[index];
  const pgError = error as { message?: string; position?: string; code?: string };
  // The server reports a 1-based character position within the statement; turn it into a file line.
  const position = Number(pgError.position);
  const line = position > 0 ? statement.line + lineAt(statement.text, position - 1) - 1 : statement.line;
  const excerpt = statement.text.length > 300 ? `${statement.text.slice(0, 300)}…` : statement.text;
  const outcome = file.transactional
    ? `The file was rolled back${file.kind === 'repeatable' ? ', so the definitions it replaces stay as they were' : ''}; earlier migrations stay applied. Fix the file and run again.`
    : `The file runs without a transaction: its statements before #${index + 1} stay applied, so make them re-runnable (IF NOT EXISTS) before running again.`;
  // 42501: insufficient_privilege. Say why an application stream may not do it.
  const ownership =
    pgError.code === '42501' && file.owner
      ? [
          `Stream ${file.stream} runs as role ${file.owner.role}, which owns schema ${file.owner.schemas.join(', ')} and may change only what its own migrations created there: ` +
            'the data tier\'s objects (data_tier, the migration history) and other streams\' belong to others. Register tables with data_tier.register_partitioned_parent() and views with data_tier.register_materialized_view().',
        ]
      : [];
  const leftovers = leftInvalid.map(
    ({ index: name, table }) =>
      `It left index ${name} on ${table} INVALID: drop it (DROP INDEX CONCURRENTLY ${name};) and fix what made the build fail before running again; ` +
      'IF NOT EXISTS would skip the invalid index, and the runner would refuse the file.',
  );
  return new MigrationError(
    [
      `Migration ${file.name} (stream ${file.stream}) failed at statement ${index + 1} of ${file.statements.length} (line ${line}): ${pgError.message ?? String(error)}` +
        `${pgError.code ? ` [SQLSTATE ${pgError.code}]` : ''}`,
      excerpt,
      ...ownership,
      outcome,
      ...leftovers,
    ].join('\n'),
    file.name,
    statement,
  );
}

/** The file ran, but an index it names is not usable: recording it would hide a missing index or unique constraint. */
function unusableIndexFailure(file: MigrationFile, unusable: UnusableIndex[]): MigrationError {
  const where = (position: number) => `(statement ${position + 1}, line ${file.statements[position].line})`;
  const findings = unusable.map(({ statement, problem, index, table, namedTable }) =>
    problem === 'invalid'
      ? `index ${index} on ${table} ${where(statement)} is INVALID`
      : table
        ? `index ${index} ${where(statement)} is on ${table}, not on ${namedTable}`
        : `${index} ${where(statement)} is not an index, so nothing was built on ${namedTable}`,
  );
  const invalid = unusable.filter((found) => found.problem === 'invalid').map((found) => found.index);
  const advice = [
    invalid.length > 0 &&
      'A CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed or was cancelled leaves its index INVALID, and IF NOT EXISTS skips it: ' +
        'queries do not use it and a unique index enforces nothing.\n' +
        `To recover: ${invalid.map((name) => `DROP INDEX CONCURRENTLY ${name};`).join(' ')} fix what made the build fail (for a unique index, the duplicate rows), then run again.`,
    invalid.length < unusable.length &&
      'IF NOT EXISTS skipped the build because the name is taken: give the index a name of its own in the file (it is not recorded, so it may change), then run again.',
    file.transactional && 'The file was rolled back.',
  ];
  return new MigrationError(
    [`Migration ${file.name} is not recorded: ${findings.join('; ')}.`, ...advice.filter(Boolean)].join('\n'),
    file.name,
    file.statements[unusable[0].statement],
  );
}
