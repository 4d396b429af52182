import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientBase } from 'pg';
import { type UnusableIndex, unusableIndexes } from './index-validity';
import { type AppliedRow, historyProblems, lastApplied } from './migration-history';
import { lineAt, splitSqlStatements, transactionControlOf, type SqlStatement } from './sql-statements';

/** Where applied migrations are recorded. */
export const MIGRATIONS_TABLE = 'public.schema_migrations';
/** First line that makes a file run statement by statement outside a transaction (CREATE INDEX CONCURRENTLY). */
export const NO_TRANSACTION_DIRECTIVE = '-- migrate:no-transaction';
const FILE_NAME = /^\d+_[A-Za-z0-9_-]+\.sql$/;
// Session-level advisory lock key shared by every runner of this schema (hashtext is stable).
const LOCK_KEY_SQL = `hashtext('data-tier schema migrations')`;

export interface MigrationOptions {
  /** Directory of `NNN_description.sql` files, applied in lexical order. */
  readonly directory: string;
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
}

export interface AppliedMigration {
  readonly name: string;
  readonly durationMs: number;
}

export interface MigrationResult {
  /** Files applied by this run, in order. */
  readonly applied: AppliedMigration[];
  /** Files that were already applied and left alone. */
  readonly skipped: number;
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
  readonly name: string;
  readonly sql: string;
  readonly statements: SqlStatement[];
  readonly checksum: string;
  readonly transactional: boolean;
}

/**
 * Applies the pending migrations of `options.directory` to the database behind `client`:
 * each file in its own transaction (unless it starts with `-- migrate:no-transaction`),
 * statement by statement so a failure names its statement, recorded with its sha256 and
 * duration in `public.schema_migrations` once the indexes it builds are valid. A session
 * advisory lock keeps concurrent runners from interleaving. Before anything runs, the run
 * stops when an applied file changed, was renamed or is gone, when a new file sorts before
 * the last applied one, or when a pending file controls transactions itself.
 */
export async function runMigrations(client: ClientBase, options: MigrationOptions): Promise<MigrationResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const files = await readMigrationFiles(options.directory);
  await client.query(`SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)`, [
    options.lockTimeout ?? '5s',
    options.statementTimeout ?? '15min',
  ]);

  await acquireRunnerLock(client, options.lockWaitMs ?? 600_000, log);
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        name text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        duration_ms double precision NOT NULL
      )`);
    const { rows } = await client.query<AppliedRow>(`SELECT name, checksum, applied_at FROM ${MIGRATIONS_TABLE}`);
    const forget = options.forget ?? [];
    const history = rows.filter((row) => !forget.includes(row.name));
    const problems = historyProblems(files, history, { directory: options.directory, allowOutOfOrder: options.allowOutOfOrder ?? [], forget });
    if (problems.length > 0) throw new MigrationError(problems.map((problem) => problem.message).join('\n\n'), problems[0].file);
    const last = lastApplied(history);
    const pending = files.filter((file) => !history.some((row) => row.name === file.name));
    refuseTransactionControl(pending);
    await forgetRows(client, rows.filter((row) => forget.includes(row.name)), log);

    if (pending.length === 0) log(`up to date: ${files.length} migrations already applied`);
    const done: AppliedMigration[] = [];
    for (const file of pending) {
      const notes = [!file.transactional && 'no transaction', last && file.name < last.name && 'out of order, accepted'].filter(Boolean);
      log(`applying ${file.name}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
      const durationMs = await applyFile(client, file);
      log(`applied ${file.name} in ${durationMs.toFixed(0)} ms`);
      done.push({ name: file.name, durationMs });
    }
    return { applied: done, skipped: files.length - pending.length, durationMs: performance.now() - started };
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY_SQL})`).catch(() => {});
  }
}

/** False when the file's first line is `-- migrate:no-transaction`. */
export function isTransactional(sql: string): boolean {
  return sql.split('\n', 1)[0].trim() !== NO_TRANSACTION_DIRECTIVE;
}

/** sha256 of a migration, with line endings normalised so a CRLF checkout is not drift. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  const misnamed = names.filter((name) => !FILE_NAME.test(name));
  if (misnamed.length > 0) {
    throw new MigrationError(`${misnamed.join(', ')} in ${directory}: migration files must be named NNN_description.sql`);
  }
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(directory, name), 'utf8');
      return { name, sql, statements: splitSqlStatements(sql), checksum: migrationChecksum(sql), transactional: isTransactional(sql) };
    }),
  );
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
async function forgetRows(client: ClientBase, forgotten: AppliedRow[], log: (line: string) => void): Promise<void> {
  for (const row of forgotten) {
    await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [row.name]);
    log(`forgot ${row.name} (applied ${row.applied_at.toISOString()}, sha256 ${row.checksum.slice(0, 12)}…): its row in ${MIGRATIONS_TABLE} is deleted, what it did to the schema stays`);
  }
}

/**
 * A file's own BEGIN, COMMIT or ROLLBACK would commit or discard part of it behind the runner's
 * back while the runner reports the whole file rolled back; a BEGIN ATOMIC body would be cut
 * at its inner semicolons. Every pending file is checked before the first one runs.
 */
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

async function applyFile(client: ClientBase, file: MigrationFile): Promise<number> {
  const started = performance.now();
  const statements = file.statements;
  if (file.transactional) await client.query('BEGIN');
  try {
    for (const [index, statement] of statements.entries()) {
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
    await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum, duration_ms) VALUES ($1, $2, $3)`, [
      file.name,
      file.checksum,
      durationMs,
    ]);
    if (file.transactional) await client.query('COMMIT');
    return durationMs;
  } catch (error) {
    if (file.transactional) await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

function statementFailure(file: MigrationFile, index: number, error: unknown, leftInvalid: UnusableIndex[]): MigrationError {
  const statement = file.statements[index];
  const pgError = error as { message?: string; position?: string; code?: string };
  // The server reports a 1-based character position within the statement; turn it into a file line.
  const position = Number(pgError.position);
  const line = position > 0 ? statement.line + lineAt(statement.text, position - 1) - 1 : statement.line;
  const excerpt = statement.text.length > 300 ? `${statement.text.slice(0, 300)}…` : statement.text;
  const outcome = file.transactional
    ? 'The file was rolled back; earlier migrations stay applied. Fix the file and run again.'
    : `The file runs without a transaction: its statements before #${index + 1} stay applied, so make them re-runnable (IF NOT EXISTS) before running again.`;
  const leftovers = leftInvalid.map(
    ({ index: name, table }) =>
      `It left index ${name} on ${table} INVALID: drop it (DROP INDEX CONCURRENTLY ${name};) and fix what made the build fail before running again; ` +
      'IF NOT EXISTS would skip the invalid index, and the runner would refuse the file.',
  );
  return new MigrationError(
    [
      `Migration ${file.name} failed at statement ${index + 1} of ${file.statements.length} (line ${line}): ${pgError.message ?? String(error)}` +
        `${pgError.code ? ` [SQLSTATE ${pgError.code}]` : ''}`,
      excerpt,
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
