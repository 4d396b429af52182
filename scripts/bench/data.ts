// The benchmark's rows: generated server-side (generate_series) where the measurement is not
// about client ingest, and in the client, as text-format COPY data and as batches of values,
// where it is. Plus the unpartitioned twin of analytics_events used as the baseline.
import type { ClientBase } from 'pg';

export const TENANT_COUNT = 64;
export const ENTITY_COUNT = 20_000;
/** pin.viewed twice: the most common event, as in the pin analytics of the source documents. */
export const EVENT_TYPES = ['pin.viewed', 'pin.viewed', 'pin.shared', 'pin.saved', 'profile.viewed', 'message.sent'];
export const PARTITIONED = 'public.analytics_events';
export const UNPARTITIONED = 'public.analytics_events_unpartitioned';
export const COLUMNS = ['tenant_id', 'entity_id', 'event_type', 'created_at', 'payload'] as const;

export function tenantId(k: number): string {
  return `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
}

export function entityId(k: number): string {
  return `00000000-0000-4000-9000-${String(k).padStart(12, '0')}`;
}

/** Knuth's multiplicative hash: a cheap, deterministic spread of row numbers over tenants, entities and types. */
function spread(i: number, salt: number, modulo: number): number {
  return (Math.imul(i + salt, 2654435761) >>> 0) % modulo;
}

/** `count` client-side events in time order from `start`, one millisecond apart. */
export function clientRows(count: number, start: Date): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < count; i++) {
    rows.push([
      tenantId(spread(i, 1, TENANT_COUNT)),
      entityId(spread(i, 2, ENTITY_COUNT)),
      EVENT_TYPES[spread(i, 3, EVENT_TYPES.length)],
      new Date(start.getTime() + i).toISOString(),
      JSON.stringify({ seq: i, path: `/pins/${spread(i, 4, 100_000)}`, source: 'bench' }),
    ]);
  }
  return rows;
}

/** Rows as COPY text format (no field contains a tab, newline or backslash). */
export function copyText(rows: readonly string[][]): Buffer {
  return Buffer.from(rows.map((r) => r.join('\t')).join('\n') + '\n');
}

/** A multi-row INSERT of `rows` into `table`, with bind parameters. */
export function multiRowInsert(table: string, rows: readonly string[][]): { text: string; values: string[] } {
  const tuples = rows.map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
  return { text: `INSERT INTO ${table} (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values: rows.flat() };
}

/** SQL for server-side rows $1 = count, evenly spread over the 365 days before $2, oldest first. */
const GENERATED_ROWS = `
  SELECT ('00000000-0000-4000-8000-' || lpad((abs(hashint4(i)) % ${TENANT_COUNT})::text, 12, '0'))::uuid,
         ('00000000-0000-4000-9000-' || lpad((abs(hashint4(i + 7)) % ${ENTITY_COUNT})::text, 12, '0'))::uuid,
         (ARRAY[${EVENT_TYPES.map((t) => `'${t}'`).join(', ')}])[1 + abs(hashint4(i + 3)) % ${EVENT_TYPES.length}],
         $2::timestamptz - interval '365 days' * ($1::bigint - i) / $1::bigint,
         jsonb_build_object('seq', i, 'path', '/pins/' || abs(hashint4(i + 11)) % 100000, 'source', 'bench')
  FROM generate_series(1, $1::int) AS i`;

/** Partitions for the 12 months before `end` and the stack's premake after it. */
export async function preparePartitions(client: ClientBase, end: Date): Promise<void> {
  await client.query(`CALL data_tier.run_partition_maintenance($1::timestamptz - interval '12 months')`, [end]);
  await client.query('CALL data_tier.run_partition_maintenance($1)', [end]);
}

export interface SecondaryIndex {
  readonly name: string;
  /** CREATE INDEX ... ON <table> ..., with <table> to fill in. */
  readonly template: string;
}

/** analytics_events' indexes other than its primary key, as the migrations define them now. */
export async function secondaryIndexes(client: ClientBase): Promise<SecondaryIndex[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass AND NOT i.indisprimary ORDER BY 1`,
    [PARTITIONED],
  );
  return rows.map(({ name, definition }) => {
    const template = definition.replace(new RegExp(` ON (ONLY )?${PARTITIONED.replace('.', '\\.')} `), ' ON <table> ');
    if (!template.includes('<table>')) throw new Error(`cannot read index definition: ${definition}`);
    return { name, template };
  });
}

/**
 * Empties analytics_events and fills it with `count` server-side rows over the 12 months before
 * `end`, then builds the unpartitioned twin from it: the same columns, primary key and index
 * definitions (read from the catalog, so a migration that changes the index set changes both
 * sides) and the same rows, ids included, in the same (time) order. To keep the run short, both
 * sides load without their secondary indexes and build them afterwards with the same
 * definitions (analytics_events' under their own names, so the schema is as migrated again):
 * both sides' indexes are then equally compact.
 */
export async function loadBothTables(client: ClientBase, count: number, end: Date, withUnpartitioned: boolean): Promise<void> {
  const indexes = await secondaryIndexes(client);
  await client.query(`DROP TABLE IF EXISTS ${UNPARTITIONED}`);
  await client.query(`TRUNCATE ${PARTITIONED}`);
  for (const index of indexes) await client.query(`DROP INDEX public.${index.name}`);
  await client.query(`INSERT INTO ${PARTITIONED} (${COLUMNS.join(', ')}) ${GENERATED_ROWS}`, [count, end]);
  for (const index of indexes) await client.query(index.template.replace('<table>', PARTITIONED));
  if (!withUnpartitioned) return;
  await client.query(`CREATE TABLE ${UNPARTITIONED} (LIKE ${PARTITIONED} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)`);
  await client.query(`INSERT INTO ${UNPARTITIONED} OVERRIDING SYSTEM VALUE SELECT * FROM ${PARTITIONED} ORDER BY created_at, id`);
  await client.query(`ALTER TABLE ${UNPARTITIONED} ADD PRIMARY KEY (id, created_at)`);
  for (const index of indexes) {
    await client.query(index.template.replace(`INDEX ${index.name} `, `INDEX ${index.name}_unpartitioned `).replace('<table>', UNPARTITIONED));
  }
}

/**
 * Appends the same `count` server-side rows to both tables: the `days` after `from`, as the
 * next weeks of live traffic would arrive (ids from analytics_events' identity, copied).
 */
export async function appendToBoth(client: ClientBase, count: number, from: Date, days: number): Promise<void> {
  const { rows } = await client.query<{ max: string | null }>(`SELECT max(id) AS max FROM ${PARTITIONED}`);
  const end = new Date(from.getTime() + days * 86_400_000);
  await client.query(
    `INSERT INTO ${PARTITIONED} (${COLUMNS.join(', ')}) ${GENERATED_ROWS.replace("interval '365 days'", `interval '${days} days'`)}`,
    [count, end],
  );
  await client.query(`INSERT INTO ${UNPARTITIONED} OVERRIDING SYSTEM VALUE SELECT * FROM ${PARTITIONED} WHERE id > $1 ORDER BY created_at, id`, [
    rows[0].max ?? 0,
  ]);
}
