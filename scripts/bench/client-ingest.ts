// The application client's Ingester (lib/client/ingest.ts) against a raw COPY of the same rows
// into analytics_events: what batching, the 100 ms cadence and backpressure cost at full speed
// (goal: at least 90 % of the raw COPY), and the batch latency at the design's 10,000 rows/s.
import type { ClientBase, Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { copyLineOf } from '../../lib/client/copy-text';
import { Ingester, type WrittenBatch } from '../../lib/client/ingest';
import { clientRows, COLUMNS, PARTITIONED } from './data';
import { median, percentile, timeMs } from './measure';
import type { Figure } from './report';

export const CLIENT_INGEST = { rows: 200_000, runs: 5, pacedRowsPerSecond: 10_000, pacedSeconds: 5 } as const;

/** The rows as an application holds them: objects with a Date and a JSON payload. */
function eventObjects(count: number, start: Date): Record<string, unknown>[] {
  return clientRows(count, start).map(([tenant_id, entity_id, event_type, created_at, payload]) => ({
    tenant_id,
    entity_id,
    event_type,
    created_at: new Date(created_at),
    payload: JSON.parse(payload),
  }));
}

/** The baseline: the same objects encoded the same way, streamed as they are encoded into one COPY. */
async function rawCopy(client: ClientBase, rows: readonly Record<string, unknown>[]): Promise<void> {
  function* chunks() {
    for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000).map((row) => copyLineOf(COLUMNS, row)).join('');
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${PARTITIONED} (${COLUMNS.join(', ')}) FROM STDIN`)));
}

async function ingesterRun(pool: Pool, rows: readonly Record<string, unknown>[], onBatchWritten?: (batch: WrittenBatch) => void): Promise<void> {
  const ingester = new Ingester(pool, PARTITIONED, { onBatchWritten });
  for (const row of rows) await ingester.add(row);
  await ingester.close();
}

async function emptyTable(client: ClientBase): Promise<void> {
  await client.query(`TRUNCATE ${PARTITIONED}`);
  await client.query('CHECKPOINT');
}

/** Rows added at `rowsPerSecond` (every millisecond, the rows due), as a service receiving events would. */
async function pacedRun(pool: Pool, rows: readonly Record<string, unknown>[], rowsPerSecond: number): Promise<{ batches: WrittenBatch[]; rowLatencyMs: number[] }> {
  const addedAt: number[] = [];
  const rowLatencyMs: number[] = [];
  const batches: WrittenBatch[] = [];
  const ingester = new Ingester(pool, PARTITIONED, {
    onBatchWritten: (batch) => {
      batches.push(batch);
      const now = performance.now();
      for (let row = batch.firstRow; row < batch.firstRow + batch.rows; row++) rowLatencyMs.push(now - addedAt[row - 1]);
    },
  });
  const started = performance.now();
  for (let i = 0; i < rows.length; i++) {
    const due = started + (i * 1000) / rowsPerSecond;
    if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
    addedAt.push(performance.now());
    await ingester.add(rows[i]);
  }
  await ingester.close();
  return { batches, rowLatencyMs };
}

/**
 * On a database with the project's migrations and the current month's partition (as `npm run
 * bench` prepares it); leaves analytics_events empty.
 */
export async function measureClientIngest(pool: Pool): Promise<Figure[]> {
  // Rows of the last few minutes: they land in the current month's partition, as live events do.
  const start = new Date(Date.now() - 10 * 60_000);
  const rows = eventObjects(CLIENT_INGEST.rows, start);
  const client = await pool.connect();
  const rawMs: number[] = [];
  const ingesterMs: number[] = [];
  try {
    for (let run = 0; run < CLIENT_INGEST.runs; run++) {
      await emptyTable(client);
      rawMs.push(await timeMs(() => rawCopy(client, rows)));
      await emptyTable(client);
      ingesterMs.push(await timeMs(() => ingesterRun(pool, rows)));
      const { rows: counted } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${PARTITIONED}`);
      if (Number(counted[0].n) !== rows.length) throw new Error(`the Ingester left ${counted[0].n} rows in ${PARTITIONED}, expected ${rows.length}`);
    }
    await emptyTable(client);
    const paced = await pacedRun(pool, rows.slice(0, CLIENT_INGEST.pacedRowsPerSecond * CLIENT_INGEST.pacedSeconds), CLIENT_INGEST.pacedRowsPerSecond);
    await client.query(`TRUNCATE ${PARTITIONED}`);

    const rawRate = rows.length / (median(rawMs) / 1000);
    const ingesterRate = rows.length / (median(ingesterMs) / 1000);
    const share = (100 * ingesterRate) / rawRate;
    const batchP95 = percentile(paced.batches.map((batch) => batch.durationMs), 95);
    const rowP99 = percentile(paced.rowLatencyMs, 99);
    const rowsPerBatch = Math.round(median(paced.batches.map((batch) => batch.rows)));
    const section = 'client: ingest';
    const count = rows.length.toLocaleString('en-US');
    return [
      {
        id: 'client.ingest.rawCopy',
        section,
        name: `raw COPY of ${count} event objects into ${PARTITIONED}: one statement, encoded as it streams`,
        value: rawRate,
        unit: 'rows/s',
        samples: rawMs,
      },
      {
        id: 'client.ingest.ingester',
        section,
        name: `Ingester, the same objects, default options (batches of 10,000, 100 ms cadence), one add() per row`,
        value: ingesterRate,
        unit: 'rows/s',
        samples: ingesterMs,
        designNote: { text: '10,000 inserts/s', pass: ingesterRate >= 10_000 },
      },
      {
        id: 'client.ingest.share',
        section,
        name: 'Ingester / raw COPY',
        value: share,
        unit: '%',
        target: { text: '>= 90 % of the raw COPY', pass: share >= 90 },
      },
      {
        id: 'client.ingest.pacedBatchP95',
        section,
        name: `one batch at ${CLIENT_INGEST.pacedRowsPerSecond.toLocaleString('en-US')} rows/s (${rowsPerBatch} rows, cut by the 100 ms cadence), p95 of ${paced.batches.length}`,
        value: batchP95,
        unit: 'ms',
        designNote: { text: 'p95 < 50 ms for batch writes', pass: batchP95 < 50 },
      },
      {
        id: 'client.ingest.pacedRowP99',
        section,
        name: `a row from add() to committed at ${CLIENT_INGEST.pacedRowsPerSecond.toLocaleString('en-US')} rows/s, p99`,
        value: rowP99,
        unit: 'ms',
        target: { text: '< 100 ms cadence + 50 ms', pass: rowP99 < 150 },
      },
    ];
  } finally {
    client.release();
  }
}
