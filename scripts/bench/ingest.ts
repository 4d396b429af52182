// Client ingest into analytics_events (partitioned, with its indexes) by COPY, by batched
// multi-row INSERT, by single-row INSERT and by several writers at once, against the
// machine's limit: COPY of the same rows into an unlogged table with no indexes.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, type ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { clientRows, COLUMNS, copyText, multiRowInsert, PARTITIONED, secondaryIndexes } from './data';
import { median, timeMs } from './measure';
import type { Figure, IngestBar } from './report';

export const INGEST = {
  copyRows: 200_000,
  batchRows: 100_000,
  batchSize: 1_000,
  singleRows: 5_000,
  writers: 4,
  rowsPerWriter: 25_000,
  runs: 5,
} as const;

const LIMIT_TABLE = 'public.bench_ingest_limit';
const COPY_CHUNK = 1 << 20;

async function copyInto(client: ClientBase, table: string, data: Buffer): Promise<void> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += COPY_CHUNK) chunks.push(data.subarray(offset, offset + COPY_CHUNK));
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (${COLUMNS.join(', ')}) FROM STDIN`)));
}

async function insertBatches(client: ClientBase, batches: readonly { text: string; values: string[] }[], latencies?: number[]): Promise<void> {
  for (const batch of batches) {
    const ms = await timeMs(() => client.query(batch));
    latencies?.push(ms);
  }
}

function batchesOf(rows: readonly string[][], size: number): { text: string; values: string[] }[] {
  const batches = [];
  for (let i = 0; i < rows.length; i += size) batches.push(multiRowInsert(PARTITIONED, rows.slice(i, i + size)));
  return batches;
}

/** Milliseconds of each of `runs` runs of `work`, each on a freshly truncated analytics_events after a checkpoint. */
async function runsOnEmptyTable(
  client: ClientBase,
  runs: number,
  work: () => Promise<unknown>,
  after: () => Promise<unknown> = async () => {},
): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    await client.query(`TRUNCATE ${PARTITIONED}`);
    await client.query('CHECKPOINT');
    samples.push(await timeMs(work));
    await after();
  }
  return samples;
}

async function countRows(client: ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

/**
 * Where the gap to the limit goes: COPY of the same rows into a plain logged table (WAL, no
 * partitioning) with no index, then with each of analytics_events' indexes alone.
 */
async function indexCosts(client: ClientBase, data: Buffer, limitRate: number): Promise<Figure[]> {
  const table = 'public.bench_ingest_index_cost';
  const variants: { label: string; ddl: string[] }[] = [
    { label: 'no index', ddl: [] },
    { label: 'primary key (id, created_at) only', ddl: [`ALTER TABLE ${table} ADD PRIMARY KEY (id, created_at)`] },
    ...(await secondaryIndexes(client)).map((index) => ({
      label: `${index.name} only`,
      ddl: [index.template.replace(`INDEX ${index.name} `, `INDEX ${index.name}_cost `).replace('<table>', table)],
    })),
  ];
  const figures: Figure[] = [];
  for (const variant of variants) {
    await client.query(`CREATE TABLE ${table} (LIKE ${PARTITIONED} INCLUDING DEFAULTS INCLUDING IDENTITY)`);
    for (const statement of variant.ddl) await client.query(statement);
    const samples: number[] = [];
    for (let run = 0; run < 3; run++) {
      await client.query(`TRUNCATE ${table}`);
      await client.query('CHECKPOINT');
      samples.push(await timeMs(() => copyInto(client, table, data)));
    }
    await client.query(`DROP TABLE ${table}`);
    const rate = INGEST.copyRows / (median(samples) / 1000);
    figures.push({
      id: `ingest.indexCost.${variant.label.split(' ')[0]}`,
      section: 'ingest: where the gap goes',
      name: `COPY into a logged, unpartitioned table, ${variant.label} (${((100 * rate) / limitRate).toFixed(0)} % of the limit)`,
      value: rate,
      unit: 'rows/s',
      samples,
    });
  }
  return figures;
}

/** Runs the ingest measurements on an empty analytics_events and leaves it empty. */
export async function measureIngest(url: string, client: ClientBase): Promise<{ figures: Figure[]; bars: IngestBar[] }> {
  // Rows of the last few minutes: they land in the current month's partition, as live events do.
  const start = new Date(Date.now() - 10 * 60_000);
  await client.query(`CREATE UNLOGGED TABLE ${LIMIT_TABLE} (LIKE ${PARTITIONED} INCLUDING DEFAULTS INCLUDING IDENTITY)`);

  const copyData = copyText(clientRows(INGEST.copyRows, start));
  const limitMs: number[] = [];
  const copyMs: number[] = [];
  for (let run = 0; run < INGEST.runs; run++) {
    await client.query(`TRUNCATE ${LIMIT_TABLE}, ${PARTITIONED}`);
    await client.query('CHECKPOINT');
    limitMs.push(await timeMs(() => copyInto(client, LIMIT_TABLE, copyData)));
    copyMs.push(await timeMs(() => copyInto(client, PARTITIONED, copyData)));
  }
  const copied = await countRows(client, PARTITIONED);
  if (copied !== INGEST.copyRows) throw new Error(`COPY left ${copied} rows in ${PARTITIONED}, expected ${INGEST.copyRows}`);
  const limitRate = INGEST.copyRows / (median(limitMs) / 1000);
  const copyRate = INGEST.copyRows / (median(copyMs) / 1000);
  await client.query(`DROP TABLE ${LIMIT_TABLE}`);
  const costs = await indexCosts(client, copyData, limitRate);

  const batches = batchesOf(clientRows(INGEST.batchRows, start), INGEST.batchSize);
  const batchLatencies: number[] = [];
  const batchMs = await runsOnEmptyTable(client, 3, () => insertBatches(client, batches, batchLatencies));
  const batchRate = INGEST.batchRows / (median(batchMs) / 1000);

  const single = clientRows(INGEST.singleRows, start);
  const insertOne = `INSERT INTO ${PARTITIONED} (${COLUMNS.join(', ')}) VALUES ($1, $2, $3, $4, $5)`;
  const singleMs = await runsOnEmptyTable(client, 3, async () => {
    for (const values of single) await client.query({ name: 'bench-insert-one', text: insertOne, values });
  });
  const singleRate = INGEST.singleRows / (median(singleMs) / 1000);

  const writers = await Promise.all(
    Array.from({ length: INGEST.writers }, async () => {
      const writer = new Client({ connectionString: url, application_name: 'bench-writer' });
      await writer.connect();
      return writer;
    }),
  );
  const writerBatches = Array.from({ length: INGEST.writers }, (_, w) =>
    batchesOf(clientRows(INGEST.rowsPerWriter, new Date(start.getTime() + w * INGEST.rowsPerWriter)), INGEST.batchSize),
  );
  const counts: number[] = [];
  let concurrentMs: number[];
  try {
    concurrentMs = await runsOnEmptyTable(
      client,
      3,
      () => Promise.all(writers.map((w, i) => insertBatches(w, writerBatches[i]))),
      async () => counts.push(await countRows(client, PARTITIONED)),
    );
  } finally {
    await Promise.all(writers.map((w) => w.end()));
  }
  const sent = INGEST.writers * INGEST.rowsPerWriter;
  const concurrentRate = sent / (median(concurrentMs) / 1000);
  await client.query(`TRUNCATE ${PARTITIONED}`);

  const ratio = (100 * copyRate) / limitRate;
  const figures: Figure[] = [
    {
      id: 'ingest.limit',
      section: 'ingest',
      name: `machine limit: COPY ${INGEST.copyRows.toLocaleString('en-US')} rows into an unlogged table, no indexes`,
      value: limitRate,
      unit: 'rows/s',
      samples: limitMs,
    },
    {
      id: 'ingest.copy',
      section: 'ingest',
      name: 'COPY into analytics_events (partitioned, indexed)',
      value: copyRate,
      unit: 'rows/s',
      samples: copyMs,
      target: { text: '>= 40,000 rows/s', pass: copyRate >= 40_000 },
      designNote: { text: '10,000 inserts/s', pass: copyRate >= 10_000 },
    },
    {
      id: 'ingest.copyRatio',
      section: 'ingest',
      name: 'COPY into analytics_events / machine limit',
      value: ratio,
      unit: '%',
      target: { text: '>= 60 % of the limit', pass: ratio >= 60 },
    },
    {
      id: 'ingest.batched',
      section: 'ingest',
      name: `batched INSERT, ${INGEST.batchSize.toLocaleString('en-US')} rows per statement (${((100 * batchRate) / limitRate).toFixed(0)} % of the limit)`,
      value: batchRate,
      unit: 'rows/s',
      samples: batchMs,
      target: { text: '>= 20,000 rows/s', pass: batchRate >= 20_000 },
      designNote: { text: '10,000 inserts/s', pass: batchRate >= 10_000 },
    },
    {
      id: 'ingest.batchLatency',
      section: 'ingest',
      name: `one ${INGEST.batchSize.toLocaleString('en-US')}-row INSERT statement (median of ${batchLatencies.length})`,
      value: median(batchLatencies),
      unit: 'ms',
      designNote: { text: '1,000-row bulk insert < 100 ms', pass: median(batchLatencies) < 100 },
    },
    {
      id: 'ingest.single',
      section: 'ingest',
      name: `single-row INSERT, one transaction each, prepared (${((100 * singleRate) / limitRate).toFixed(1)} % of the limit)`,
      value: singleRate,
      unit: 'rows/s',
      samples: singleMs,
      designNote: { text: '10,000 inserts/s', pass: singleRate >= 10_000 },
    },
    {
      id: 'ingest.concurrent',
      section: 'ingest',
      name: `${INGEST.writers} writers at once, batched INSERT, ${sent.toLocaleString('en-US')} rows; count checked: ${counts.every((c) => c === sent) ? 'all rows present' : `MISMATCH ${counts.join('/')}`}`,
      value: concurrentRate,
      unit: 'rows/s',
      samples: concurrentMs,
      target: { text: '>= 20,000 rows/s and every row counted', pass: concurrentRate >= 20_000 && counts.every((c) => c === sent) },
    },
  ];
  figures.push(...costs);
  const bars: IngestBar[] = [
    { label: 'limit: COPY, unlogged, no indexes', rowsPerSecond: limitRate },
    { label: 'COPY', rowsPerSecond: copyRate },
    { label: `batched INSERT (${INGEST.batchSize}/stmt)`, rowsPerSecond: batchRate },
    { label: `${INGEST.writers} writers, batched INSERT`, rowsPerSecond: concurrentRate },
    { label: 'single-row INSERT', rowsPerSecond: singleRate },
  ];
  return { figures, bars };
}
