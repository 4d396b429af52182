// Batched ingest by COPY: rows are buffered and written in COPY batches, one at a time, each in
// its own transaction, when a batch is full or every flushIntervalMs, whichever comes first.
import { finished } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyLine, copyLineOf, quotedIdentifier, quotedName } from './copy-text';

/** A row: an object keyed by column name, or an array of values in the order of `columns`. */
export type IngestRow = Readonly<Record<string, unknown>> | readonly unknown[];

/** Where batches get a connection: a `pg` Pool, or a function giving a pooled client (released after each batch). */
export type IngestDatabase = Pick<Pool, 'connect'> | (() => Promise<PoolClient>);

/** Options of an {@link Ingester}. */
export interface IngesterOptions {
  /**
   * `columns` in the order array rows give them.
   * @default - the keys of the first row (an object)
   */
  readonly columns?: readonly string[];
  /**
   * Rows per COPY batch: a batch is written as soon as it has this many. Each batch is a
   * transaction, and its commit costs a WAL flush: smaller batches lower throughput.
   * @default 10000
   */
  readonly batchRows?: number;
  /**
   * A batch is written at most this long after its first row was added, full or not.
   * @default 100
   */
  readonly flushIntervalMs?: number;
  /**
   * Rows held at most: those waiting to be written and those of the batch being written. `add()`
   * waits while the ingester holds this many, so a COPY slower than the rows coming in holds the
   * caller back instead of growing the buffer.
   * @default 4 × batchRows
   */
  readonly maxBufferedRows?: number;
  /**
   * A batch running longer than this is cancelled by the server (`statement_timeout`) and fails
   * like any other.
   * @default 30000
   */
  readonly batchTimeoutMs?: number;
  /**
   * `false` commits each batch with `synchronous_commit = off` (the seeds' choice for non-critical
   * writes): the commit returns before its WAL is on disk, so a crash of the database server can
   * lose the batches of its last few hundred milliseconds, acknowledged or not, but never leaves
   * a batch half written.
   * @default true
   */
  readonly synchronousCommit?: boolean;
  /**
   * Told of each batch once committed, for metrics and logs. It must not throw.
   * @default - none
   */
  readonly onBatchWritten?: (batch: WrittenBatch) => void;
}

/** A committed batch, as `onBatchWritten` is told of it. */
export interface WrittenBatch {
  /** The batch's number, from 1. */
  readonly number: number;
  /** Number of its first row, counting added rows from 1. */
  readonly firstRow: number;
  readonly rows: number;
  /** From taking a connection to the commit. */
  readonly durationMs: number;
}

/**
 * A batch the server refused. None of its rows were written (a batch is one transaction), and
 * the ingester stopped: the rows added after the batch were not written either and are in
 * `unwrittenRows`, in the order they were added, for the caller to retry or set aside. Batches
 * before it were committed.
 */
export class IngestBatchError extends Error {
  constructor(
    /** The table as given. */
    readonly table: string,
    /** The batch's number, from 1. */
    readonly batch: number,
    /** Number of the batch's first row, counting added rows from 1. */
    readonly firstRow: number,
    /** Number of the batch's last row. */
    readonly lastRow: number,
    /** The batch's rows. */
    readonly rows: readonly IngestRow[],
    /** The rows added after the batch, not written. */
    readonly unwrittenRows: readonly IngestRow[],
    /** Where the server said the batch failed (a COPY error names the line and column), as row numbers. */
    readonly failedAt: { readonly row: number; readonly column?: string } | undefined,
    /** What the server (or the connection) said. */
    readonly serverMessage: string,
    options?: { cause?: unknown },
  ) {
    const number = (n: number) => n.toLocaleString('en-US');
    const at = failedAt === undefined ? '' : ` at row ${number(failedAt.row)}${failedAt.column ? `, column ${failedAt.column}` : ''}`;
    super(
      `ingest into ${table}: batch ${batch} (rows ${number(firstRow)}-${number(lastRow)}) failed${at}: ${serverMessage}. ` +
        `None of its ${number(rows.length)} rows were written, nor the ${number(unwrittenRows.length)} rows added after it: ` +
        `they are in this error's rows and unwrittenRows`,
      options,
    );
    this.name = 'IngestBatchError';
  }
}

interface Batch {
  readonly number: number;
  readonly firstRow: number;
  readonly lines: string[];
  readonly rows: IngestRow[];
}

/** What an ingester has written so far. */
export interface IngestProgress {
  readonly rowsWritten: number;
  readonly batchesWritten: number;
  /** Rows added and not yet written (including the batch being written). */
  readonly rowsBuffered: number;
}

/**
 * Writes rows to one table in COPY batches (text format), one batch at a time.
 *
 * ```ts
 * const events = new Ingester(pool, 'analytics.events');
 * for (const event of incoming) await events.add(event);   // waits while too many rows are buffered
 * await events.close();                                    // writes the rest
 * ```
 *
 * A batch the server refuses stops the ingester: see {@link IngestBatchError} for what happens to
 * its rows and the rows after it. The next `add()`, `flush()` or `close()` rejects with that
 * error, and so does every later one (`add()` then does not take its row).
 */
export class Ingester {
  private readonly connect: () => Promise<PoolClient>;
  private readonly target: string;
  private columns?: readonly string[];
  private columnSet?: ReadonlySet<string>;
  /** The whole batch's query string, known once the columns are. */
  private batchSql?: string;
  private readonly transactionSettings: string;
  private readonly batchRows: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferedRows: number;
  private readonly onBatchWritten?: (batch: WrittenBatch) => void;
  private pending?: Batch;
  private timer?: NodeJS.Timeout;
  private readonly queue: Batch[] = [];
  private writing?: Promise<void>;
  private failure?: IngestBatchError;
  private closed = false;
  private lastYield = 0;
  private rowsAdded = 0;
  private batchesCut = 0;
  private buffered = 0;
  private readonly done = { rows: 0, batches: 0 };
  /** Resolved (and replaced) whenever rows leave the buffer or the ingester fails. */
  private changed = signal();

  /**
   * @param database where each batch gets its connection
   * @param table `table` or `schema.table`, each part taken literally (quoted; case-sensitive)
   */
  constructor(
    database: IngestDatabase,
    private readonly table: string,
    options: IngesterOptions = {},
  ) {
    this.connect = typeof database === 'function' ? database : () => database.connect();
    this.target = quotedName(table);
    this.batchRows = positiveInteger('batchRows', options.batchRows ?? 10_000);
    this.flushIntervalMs = positiveInteger('flushIntervalMs', options.flushIntervalMs ?? 100);
    this.maxBufferedRows = positiveInteger('maxBufferedRows', options.maxBufferedRows ?? 4 * this.batchRows);
    if (this.maxBufferedRows < this.batchRows) throw new Error(`Ingester: maxBufferedRows (${this.maxBufferedRows}) must be at least batchRows (${this.batchRows})`);
    const timeoutMs = positiveInteger('batchTimeoutMs', options.batchTimeoutMs ?? 30_000);
    this.transactionSettings = `SET LOCAL statement_timeout = ${timeoutMs};${options.synchronousCommit === false ? ' SET LOCAL synchronous_commit = off;' : ''}`;
    this.onBatchWritten = options.onBatchWritten;
    if (options.columns) this.useColumns(options.columns);
  }

  /**
   * Buffers a row; resolves once it is taken, which waits while `maxBufferedRows` rows are held.
   * Rejects without taking the row if it does not fit the columns, or if a batch has failed
   * (with that batch's {@link IngestBatchError}).
   */
  add(row: IngestRow): Promise<void> {
    // Not an async function: most rows are taken at once, and ingest runs at 10^5 rows/s.
    if (this.buffered >= this.maxBufferedRows && !this.failure && !this.closed) return this.changed.promise.then(() => this.add(row));
    try {
      this.take(row);
    } catch (error) {
      return Promise.reject(error);
    }
    // A caller adding rows in a loop of resolved promises would starve the event loop, and so the
    // batch being written: every few milliseconds, add() lets I/O run first.
    const now = performance.now();
    if (now - this.lastYield < YIELD_EVERY_MS) return TAKEN;
    this.lastYield = now;
    return new Promise((resolve) => setImmediate(resolve));
  }

  private take(row: IngestRow): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error(`Ingester for ${this.table} is closed`);
    const line = this.lineOf(row, this.rowsAdded + 1);
    this.rowsAdded++;
    this.buffered++;
    if (!this.pending) {
      this.pending = { number: ++this.batchesCut, firstRow: this.rowsAdded, lines: [], rows: [] };
      this.timer = setTimeout(() => this.cut(), this.flushIntervalMs);
    }
    this.pending.lines.push(line);
    this.pending.rows.push(row);
    if (this.pending.rows.length >= this.batchRows) this.cut();
  }

  /** Writes every row added so far; rejects with the {@link IngestBatchError} of a failed batch. */
  async flush(): Promise<void> {
    this.cut();
    while (this.writing && !this.failure) await this.writing;
    if (this.failure) throw this.failure;
  }

  /** Writes the rest and takes no more rows; rejects like `flush()`. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.changed.resolve();
    }
  }

  /** Rows and batches written so far, and rows waiting. */
  get progress(): IngestProgress {
    return { rowsWritten: this.done.rows, batchesWritten: this.done.batches, rowsBuffered: this.buffered };
  }

  private useColumns(columns: readonly string[]): void {
    if (columns.length === 0) throw new Error(`Ingester for ${this.table}: no columns`);
    this.columns = columns;
    this.columnSet = new Set(columns);
    this.batchSql = `BEGIN; ${this.transactionSettings} COPY ${this.target} (${columns.map(quotedIdentifier).join(', ')}) FROM STDIN; COMMIT`;
  }

  private lineOf(row: IngestRow, number: number): string {
    if (!this.columns) {
      if (Array.isArray(row)) throw new Error(`Ingester for ${this.table}: row ${number} is an array, so the columns must be given`);
      this.useColumns(Object.keys(row));
    }
    const columns = this.columns!;
    if (Array.isArray(row)) {
      if (row.length !== columns.length) throw new Error(`Ingester for ${this.table}: row ${number} has ${row.length} values for ${columns.length} columns`);
    } else {
      for (const key in row) {
        if (!this.columnSet!.has(key)) throw new Error(`Ingester for ${this.table}: row ${number} has "${key}", which is not one of the columns (${columns.join(', ')})`);
      }
    }
    try {
      return Array.isArray(row) ? copyLine(row) : copyLineOf(columns, row as Readonly<Record<string, unknown>>);
    } catch (error) {
      throw new Error(`Ingester for ${this.table}: row ${number} holds ${(error as Error).message}`);
    }
  }

  /** Ends the batch being filled and has it written after those before it. */
  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    this.queue.push(this.pending);
    this.pending = undefined;
    this.writing ??= this.writeQueue().finally(() => (this.writing = undefined));
  }

  private async writeQueue(): Promise<void> {
    for (let batch = this.queue.shift(); batch && !this.failure; batch = this.queue.shift()) {
      const started = performance.now();
      try {
        await this.write(batch);
      } catch (error) {
        this.fail(batch, error);
      }
      if (!this.failure) {
        this.done.rows += batch.rows.length;
        this.done.batches++;
        this.buffered -= batch.rows.length;
        this.report({ number: batch.number, firstRow: batch.firstRow, rows: batch.rows.length, durationMs: performance.now() - started });
      }
      this.changed.resolve();
      this.changed = signal();
    }
  }

  private report(batch: WrittenBatch): void {
    try {
      this.onBatchWritten?.(batch);
    } catch {
      // A throwing listener must not fail the ingest: the batch is committed.
    }
  }

  /**
   * One transaction in one query string, `BEGIN; SET LOCAL …; COPY … FROM STDIN; COMMIT`: the
   * server runs the statements after the COPY's data, so a batch costs one wait for the server,
   * not three. A failed COPY skips the COMMIT and leaves the transaction aborted.
   */
  private async write(batch: Batch): Promise<void> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await finished(client.query(copyFrom(this.batchSql!)).end(batch.lines.join('')));
    } catch (error) {
      // A ROLLBACK that fails too means the connection failed: the pool must drop it, not reuse it.
      await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private fail(batch: Batch, error: unknown): void {
    const { message = String(error), detail, where = '' } = error as { message?: string; detail?: string; where?: string };
    // The COPY's own context line, after any of the value's ("JSON data, line 1: ..."):
    // "COPY events, line 17, column value: "x"".
    const copyContext = /(?:^|\n)COPY .*?, line (\d+)(?:, column (.+?):)?/.exec(where);
    const unwritten = [...this.queue.flatMap((later) => later.rows), ...(this.pending?.rows ?? [])];
    clearTimeout(this.timer);
    this.queue.length = 0;
    this.pending = undefined;
    this.buffered = 0;
    this.failure = new IngestBatchError(
      this.table,
      batch.number,
      batch.firstRow,
      batch.firstRow + batch.rows.length - 1,
      batch.rows,
      unwritten,
      copyContext ? { row: batch.firstRow + Number(copyContext[1]) - 1, column: copyContext[2] } : undefined,
      detail ? `${message} (${detail})` : message,
      { cause: error },
    );
  }
}

/**
 * Writes `rows` to `table` with an {@link Ingester} and closes it; resolves with what was written.
 * On a failed batch, rejects with its {@link IngestBatchError}; rows the iterable had not yielded
 * yet are still in it. A row that does not fit the columns rejects with an error naming it, after
 * the rows before it are written.
 */
export async function ingest(
  database: IngestDatabase,
  table: string,
  rows: Iterable<IngestRow> | AsyncIterable<IngestRow>,
  options?: IngesterOptions,
): Promise<IngestProgress> {
  const ingester = new Ingester(database, table, options);
  try {
    for await (const row of rows) await ingester.add(row);
  } catch (error) {
    // A row that does not fit (the rows before it are still written), or a failed batch (close() rejects with it too).
    await ingester.close().catch(() => {});
    throw error;
  }
  await ingester.close();
  return ingester.progress;
}

const TAKEN = Promise.resolve();
const YIELD_EVERY_MS = 2;

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`Ingester: ${name} must be a positive integer, got ${value}`);
  return value;
}
