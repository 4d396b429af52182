// The Ingester on a real PostgreSQL: what it writes, when, how it holds the caller back, and what
// a failed batch says and leaves.
import { Pool } from 'pg';
import { ingest, IngestBatchError, Ingester, type IngestRow, type WrittenBatch } from '../../lib/client/ingest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { sleep, until } from '../support/waiting';

let db: TestDatabase;
let pool: Pool;

const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

beforeAll(async () => {
  db = await createTestDatabase('ingest');
  pool = new Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => {});
  await pool.query(`CREATE SCHEMA telemetry`);
  await pool.query(`CREATE TABLE telemetry."Readings" (id int PRIMARY KEY, sensor text NOT NULL, value double precision)`);
  await pool.query(`
    CREATE TABLE every_type (
      id int PRIMARY KEY, label text, amount numeric, big bigint, flag boolean, at timestamptz,
      raw bytea, tags text[], matrix int[], doc jsonb)`);
});
beforeEach(() => pool.query(`TRUNCATE telemetry."Readings", every_type`));
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('Ingester', () => {
  it('writes every kind of value as it was given, through COPY escaping', async () => {
    const rows = [
      { id: 1, label: 'tab\there, newline\nthere, return\r, backslash \\ and \\N', amount: 12.5, big: 9007199254740993n, flag: true,
        at: new Date('2026-11-30T12:34:56.789Z'), raw: Buffer.from([0, 1, 254, 255]), tags: ['a,b', 'quote "q"', 'back\\slash', null, ''],
        matrix: [[1, 2], [3, 4]], doc: { nested: { text: 'line\nbreak', list: [1, 'two'] } } },
      { id: 2, label: '', amount: Number.NaN, big: -1n, flag: false, at: null, raw: Buffer.alloc(0), tags: [], matrix: null, doc: null },
      { id: 3, label: null, amount: undefined, big: null, flag: null, at: null, raw: null, tags: null, matrix: null, doc: '"a JSON string"' },
      { id: 4, label: 'ünïcödé 🚀', amount: 1e-7, big: 0n, flag: true, at: new Date(0), raw: null, tags: ['\t'], matrix: [], doc: JSON.stringify([1, 'two']) },
    ];

    const ingester = new Ingester(pool, 'every_type');
    for (const row of rows) await ingester.add(row);
    await ingester.close();

    const { rows: read } = await pool.query(
      `SELECT id, label, amount::text, big::text, flag, at, raw, tags, matrix, doc FROM every_type ORDER BY id`,
    );
    expect(read).toEqual([
      { ...rows[0], amount: '12.5', big: '9007199254740993' },
      { ...rows[1], amount: 'NaN', big: '-1' },
      { ...rows[2], amount: null, doc: 'a JSON string' },
      { ...rows[3], amount: '0.0000001', big: '0', doc: [1, 'two'] },
    ]);
  });

  it('writes a batch as soon as it has batchRows rows, and the rest within flushIntervalMs', async () => {
    const written: WrittenBatch[] = [];
    const ingester = new Ingester(pool, 'telemetry.Readings', { batchRows: 100, flushIntervalMs: 500, onBatchWritten: (batch) => written.push(batch) });
    for (let id = 1; id <= 250; id++) await ingester.add({ id, sensor: `s${id % 7}`, value: id / 10 });
    const lastAdded = performance.now();

    await until(() => ingester.progress.batchesWritten === 2, 10_000, 'two batches are written');
    expect(await count('telemetry."Readings"')).toBe(200);
    expect(ingester.progress).toEqual({ rowsWritten: 200, batchesWritten: 2, rowsBuffered: 50 });
    await until(() => ingester.progress.batchesWritten === 3, 10_000, 'the last batch is written');
    // The last batch's first row was added just before the last: its timer ran from there.
    expect(performance.now() - lastAdded).toBeGreaterThan(450);
    expect(await count('telemetry."Readings"')).toBe(250);
    await ingester.close();
    expect(ingester.progress).toEqual({ rowsWritten: 250, batchesWritten: 3, rowsBuffered: 0 });
    expect(written.map(({ number, firstRow, rows }) => ({ number, firstRow, rows }))).toEqual([
      { number: 1, firstRow: 1, rows: 100 },
      { number: 2, firstRow: 101, rows: 100 },
      { number: 3, firstRow: 201, rows: 50 },
    ]);
  });

  it('holds add() back while maxBufferedRows rows wait behind a COPY that cannot proceed', async () => {
    const locker = await pool.connect();
    await locker.query(`BEGIN; LOCK TABLE telemetry."Readings" IN ACCESS EXCLUSIVE MODE`);
    const ingester = new Ingester(pool, 'telemetry.Readings', { columns: ['id', 'sensor', 'value'], batchRows: 10, maxBufferedRows: 30 });
    let taken = 0;
    const held = (async () => {
      for (let id = 1; id <= 100; id++) {
        await ingester.add([id, 'blocked', null]);
        taken++;
      }
    })();
    await sleep(300);
    expect(taken).toBe(30);
    expect(ingester.progress).toEqual({ rowsWritten: 0, batchesWritten: 0, rowsBuffered: 30 });

    await locker.query('COMMIT');
    locker.release();
    await held;
    await ingester.close();
    expect(await count('telemetry."Readings"')).toBe(100);
  });

  it('fails a batch with a bad row, naming the table, batch, its rows, the row and the server message, and keeps every unwritten row', async () => {
    const rows: IngestRow[] = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, sensor: 'ok', value: i }));
    rows[16] = { id: 17, sensor: 'bad', value: 'not a number' };
    const ingester = new Ingester(pool, 'telemetry.Readings', { batchRows: 10, flushIntervalMs: 10_000 });

    for (const row of rows) await ingester.add(row);
    const failure = await ingester.close().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(IngestBatchError);
    const error = failure as IngestBatchError;
    expect(error.message).toBe(
      'ingest into telemetry.Readings: batch 2 (rows 11-20) failed at row 17, column value: invalid input syntax for type double precision: "not a number". ' +
        "None of its 10 rows were written, nor the 5 rows added after it: they are in this error's rows and unwrittenRows",
    );
    expect(error).toMatchObject({ table: 'telemetry.Readings', batch: 2, firstRow: 11, lastRow: 20, failedAt: { row: 17, column: 'value' } });
    expect(error.rows).toEqual(rows.slice(10, 20));
    expect(error.unwrittenRows).toEqual(rows.slice(20));
    expect((await pool.query(`SELECT min(id), max(id), count(*)::int FROM telemetry."Readings"`)).rows[0]).toEqual({ min: 1, max: 10, count: 10 });
    await expect(ingester.add({ id: 99, sensor: 'later', value: 1 })).rejects.toBe(error);
    await expect(ingester.flush()).rejects.toBe(error);
  });

  it('refuses a row that does not fit the columns, without taking it', async () => {
    const ingester = new Ingester(pool, 'telemetry.Readings');
    await ingester.add({ id: 1, sensor: 'a', value: 1 });

    await expect(ingester.add({ id: 2, sensor: 'b', valeu: 2 })).rejects.toThrow(
      'Ingester for telemetry.Readings: row 2 has "valeu", which is not one of the columns (id, sensor, value)',
    );
    await expect(ingester.add({ id: 3, sensor: 'c', value: Symbol('s') })).rejects.toThrow('row 2 holds a symbol, which has no PostgreSQL form');
    await ingester.add({ id: 4, sensor: 'd' });
    // Without `columns`, an array row has none to follow.
    await expect(new Ingester(pool, 'telemetry.Readings').add([5, 'e', 5])).rejects.toThrow('row 1 is an array, so the columns must be given');
    await ingester.close();
    expect((await pool.query(`SELECT id, value FROM telemetry."Readings" ORDER BY id`)).rows).toEqual([
      { id: 1, value: 1 },
      { id: 4, value: null },
    ]);
  });

  it('fails a batch that runs past batchTimeoutMs', async () => {
    const locker = await pool.connect();
    await locker.query(`BEGIN; LOCK TABLE telemetry."Readings" IN ACCESS EXCLUSIVE MODE`);
    try {
      const ingester = new Ingester(pool, 'telemetry.Readings', { batchTimeoutMs: 200 });
      await ingester.add({ id: 1, sensor: 'a', value: 1 });
      await expect(ingester.close()).rejects.toThrow('batch 1 (rows 1-1) failed: canceling statement due to statement timeout');
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
  });

  it('writes each batch in a transaction of its own with its statement_timeout, and synchronous_commit off if asked', async () => {
    await pool.query(`CREATE TABLE batch_settings (timeout text, synchronous_commit text, transaction xid8)`);
    await pool.query(`
      CREATE FUNCTION record_settings() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO batch_settings VALUES (current_setting('statement_timeout'), current_setting('synchronous_commit'), pg_current_xact_id());
        RETURN NULL;
      END $$`);
    await pool.query(`CREATE TRIGGER record_settings AFTER INSERT ON telemetry."Readings" FOR EACH STATEMENT EXECUTE FUNCTION record_settings()`);
    try {
      const ingester = new Ingester(pool, 'telemetry.Readings', { batchRows: 2, batchTimeoutMs: 1234, synchronousCommit: false });
      for (let id = 1; id <= 4; id++) await ingester.add({ id, sensor: 's', value: id });
      await ingester.close();

      const { rows } = await pool.query(`SELECT timeout, synchronous_commit, count(DISTINCT transaction)::int AS transactions FROM batch_settings GROUP BY 1, 2`);
      expect(rows).toEqual([{ timeout: '1234ms', synchronous_commit: 'off', transactions: 2 }]);
      expect(new Set((await pool.query(`SELECT DISTINCT xmin::text FROM telemetry."Readings"`)).rows.map((row) => row.xmin)).size).toBe(2);
    } finally {
      await pool.query(`DROP TRIGGER record_settings ON telemetry."Readings"; DROP FUNCTION record_settings(); DROP TABLE batch_settings`);
    }
  });

  it('ingest() writes an async iterable of rows and says how much it wrote', async () => {
    async function* readings() {
      for (let id = 1; id <= 20_000; id++) yield { id, sensor: `sensor-${id % 100}`, value: Math.sin(id) };
    }

    // No cadence: the batches are the two full ones, however slowly the rows come.
    const result = await ingest(() => pool.connect(), 'telemetry.Readings', readings(), { flushIntervalMs: 60_000 });

    expect(result).toEqual({ rowsWritten: 20_000, batchesWritten: 2, rowsBuffered: 0 });
    expect(await count('telemetry."Readings"')).toBe(20_000);
  });
});
