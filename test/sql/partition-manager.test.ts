import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';
import { type MaintenanceStep as Step, runMaintenance } from './partition-maintenance';

let db: TestDatabase;
let client: Client;
let tableCount = 0;
beforeAll(async () => {
  db = await migratedDatabase('partitions');
  client = await db.connect();
});
afterAll(() => db.drop());

/** A new RANGE-partitioned parent, not registered (registration creates partitions as of now). */
async function newTable(): Promise<string> {
  const name = `events_${++tableCount}`;
  await client.query(`
    CREATE TABLE ${name} (
      id bigint GENERATED ALWAYS AS IDENTITY,
      created_at timestamptz NOT NULL,
      note text,
      PRIMARY KEY (id, created_at)
    ) PARTITION BY RANGE (created_at)`);
  return name;
}

/**
 * A new parent registered with the manager, without the partitions registration creates as of
 * the real now, so that each test can run maintenance "as of" the time it chooses.
 */
async function newParent(options: { interval?: string; premake?: number; retention?: string; action?: string; horizon?: number } = {}): Promise<string> {
  const name = await newTable();
  await client.query(
    `SELECT data_tier.register_partitioned_parent($1, p_interval => $2, p_premake => $3, p_retention => $4, p_retention_action => $5, p_horizon => $6)`,
    [name, options.interval ?? 'month', options.premake ?? 6, options.retention ?? '12 months', options.action ?? 'detach', options.horizon ?? 12],
  );
  const { rows } = await client.query(`SELECT data_tier.qualified_name(partition_table) AS partition FROM data_tier.partition_bounds($1)`, [name]);
  for (const { partition } of rows) await client.query(`DROP TABLE ${partition}`);
  return name;
}

const maintain = (parent: string, now: string, on: Client = client): Promise<Step[]> => runMaintenance(on, now, parent);

const summary = (steps: Step[]) => steps.map((s) => `${s.outcome} ${s.step} ${s.partition}`);

/** Attached partitions as "name [lower, upper)" in UTC ISO form, the default last. */
async function partitions(parent: string): Promise<string[]> {
  const { rows } = await client.query(
    `SELECT data_tier.qualified_name(partition_table) AS name, lower_bound, upper_bound, is_default
     FROM data_tier.partition_bounds($1)`,
    [parent],
  );
  return rows.map((row) => (row.is_default ? `${row.name} DEFAULT` : `${row.name} [${row.lower_bound.toISOString()}, ${row.upper_bound.toISOString()})`));
}

async function partitionOf(parent: string, createdAt: string): Promise<string> {
  const { rows } = await client.query(`SELECT data_tier.qualified_name(tableoid) AS name FROM ${parent} WHERE created_at = $1`, [createdAt]);
  return rows.map((row) => row.name).join(',');
}

const month = (parent: string, yyyy_mm: string) => `public.${parent}_p${yyyy_mm.replace('-', '_')}`;

describe('CALL data_tier.run_partition_maintenance()', () => {
  it('gives a parent with no partitions a default, the current month and six ahead, with UTC month bounds', async () => {
    const parent = await newParent();

    const steps = await maintain(parent, '2026-03-15T12:00:00Z');

    expect(summary(steps)).toEqual([
      `done create default public.${parent}_default`,
      ...['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'].map((m) => `done create ${month(parent, m)}`),
    ]);
    expect(steps.every((s) => s.attempts === 1)).toBe(true);
    expect(await partitions(parent)).toEqual([
      `${month(parent, '2026-03')} [2026-03-01T00:00:00.000Z, 2026-04-01T00:00:00.000Z)`,
      `${month(parent, '2026-04')} [2026-04-01T00:00:00.000Z, 2026-05-01T00:00:00.000Z)`,
      `${month(parent, '2026-05')} [2026-05-01T00:00:00.000Z, 2026-06-01T00:00:00.000Z)`,
      `${month(parent, '2026-06')} [2026-06-01T00:00:00.000Z, 2026-07-01T00:00:00.000Z)`,
      `${month(parent, '2026-07')} [2026-07-01T00:00:00.000Z, 2026-08-01T00:00:00.000Z)`,
      `${month(parent, '2026-08')} [2026-08-01T00:00:00.000Z, 2026-09-01T00:00:00.000Z)`,
      `${month(parent, '2026-09')} [2026-09-01T00:00:00.000Z, 2026-10-01T00:00:00.000Z)`,
      `public.${parent}_default DEFAULT`,
    ]);
  });

  it('routes rows to their month, and rows outside every partition to the default partition', async () => {
    const parent = await newParent();
    await maintain(parent, '2026-03-15T12:00:00Z');

    await client.query(`INSERT INTO ${parent} (created_at) VALUES ('2026-03-01T00:00:00Z'), ('2026-09-30T23:59:59Z'), ('2027-01-10T00:00:00Z'), ('2025-01-01T00:00:00Z')`);

    expect(await partitionOf(parent, '2026-03-01T00:00:00Z')).toBe(month(parent, '2026-03'));
    expect(await partitionOf(parent, '2026-09-30T23:59:59Z')).toBe(month(parent, '2026-09'));
    expect(await partitionOf(parent, '2027-01-10T00:00:00Z')).toBe(`public.${parent}_default`);
    expect(await partitionOf(parent, '2025-01-01T00:00:00Z')).toBe(`public.${parent}_default`);
  });

  it('moves default-partition rows within the horizon into their partition, and reports the rest', async () => {
    const parent = await newParent({ horizon: 9 });
    await maintain(parent, '2026-03-15T12:00:00Z');
    await client.query(`INSERT INTO ${parent} (created_at, note) VALUES ('2026-11-10T08:00:00Z', 'early'), ('2026-11-20T08:00:00Z', 'early'), ('2024-01-01T00:00:00Z', 'ancient'), ('2027-06-01T00:00:00Z', 'typo?')`);

    const steps = await maintain(parent, '2026-06-01T00:00:00Z');

    // Premade up to 2026-12 anyway (June + 6); the horizon (June + 9 = 2027-03) takes the
    // November rows, not the 2027-06 one, and never the one older than the retention.
    expect(steps).toContainEqual(expect.objectContaining({
      step: 'create',
      partition: month(parent, '2026-11'),
      outcome: 'done',
      detail: '[2026-11-01, 2026-12-01) UTC, 2 rows moved from the default partition',
    }));
    expect(steps.find((s) => s.step === 'leave in default')).toEqual(expect.objectContaining({
      partition: `public.${parent}_default`,
      outcome: 'reported',
      detail: expect.stringMatching(/^2 rows from 2024-01-01 to 2027-07-01 UTC lie beyond the horizon or before the retention: create their partition on purpose with CALL data_tier.create_partition_for/),
    }));
    expect(await partitionOf(parent, '2026-11-10T08:00:00Z')).toBe(month(parent, '2026-11'));
    const { rows } = await client.query(`SELECT note FROM ${parent}_default ORDER BY created_at`);
    expect(rows).toEqual([{ note: 'ancient' }, { note: 'typo?' }]);
  });

  it('creates the partition of a row beyond the horizon when told to, moving the row into it', async () => {
    const parent = await newParent({ horizon: 6 });
    await maintain(parent, '2026-03-15T12:00:00Z');
    await client.query(`INSERT INTO ${parent} (created_at, note) VALUES ('2027-12-24T00:00:00Z', 'booked far ahead')`);

    const { rows } = await client.query(`CALL data_tier.create_partition_for($1, '2027-12-24T00:00:00Z')`, [parent]);

    expect(rows[0].p_result).toEqual({
      outcome: 'done',
      partition_name: month(parent, '2027-12'),
      detail: '[2027-12-01, 2028-01-01) UTC, 1 rows moved from the default partition',
    });
    expect(await partitionOf(parent, '2027-12-24T00:00:00Z')).toBe(month(parent, '2027-12'));
    // A partition made by hand beyond the horizon does not make maintenance fill up to it.
    expect(await maintain(parent, '2026-03-15T12:00:00Z')).toEqual([]);
  });

  it('is idempotent: a second run at the same time changes nothing', async () => {
    const parent = await newParent();
    await maintain(parent, '2026-03-15T12:00:00Z');
    const before = await partitions(parent);

    expect(await maintain(parent, '2026-03-15T12:00:00Z')).toEqual([]);
    expect(await partitions(parent)).toEqual(before);
    const { rows } = await client.query(`SELECT count(*)::int AS steps FROM data_tier.partition_maintenance_plan('2026-03-15T12:00:00Z', $1)`, [parent]);
    expect(rows[0].steps).toBe(0);
  });

  it('fills every gap in one run: between an old partition and now, and up to a later partition', async () => {
    const parent = await newParent();
    await client.query(`CREATE TABLE ${parent}_old PARTITION OF ${parent} FOR VALUES FROM ('2025-12-01T00:00:00Z') TO ('2026-01-01T00:00:00Z')`);
    await client.query(`CREATE TABLE ${parent}_later PARTITION OF ${parent} FOR VALUES FROM ('2026-12-01T00:00:00Z') TO ('2027-01-01T00:00:00Z')`);

    const steps = await maintain(parent, '2026-03-15T12:00:00Z');

    // Current first, then ahead, then the past newest first; 2026-10 and 2026-11 lie between
    // the last premade month (2026-09) and the later partition.
    expect(summary(steps)).toEqual([
      `done create default public.${parent}_default`,
      ...['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-02', '2026-01'].map((m) => `done create ${month(parent, m)}`),
    ]);
    const bounds = await partitions(parent);
    expect(bounds).toHaveLength(14);
    expect(bounds[0]).toBe(`public.${parent}_old [2025-12-01T00:00:00.000Z, 2026-01-01T00:00:00.000Z)`);
    expect(bounds[12]).toBe(`public.${parent}_later [2026-12-01T00:00:00.000Z, 2027-01-01T00:00:00.000Z)`);
    expect(await maintain(parent, '2026-03-15T12:00:00Z')).toEqual([]);
  });

  it('lets two concurrent runs share the work: each partition is created once, the other run skips it', async () => {
    const parent = await newParent();
    const [first, second] = await Promise.all([db.connect(), db.connect()]);

    const [a, b] = await Promise.all([maintain(parent, '2026-03-15T12:00:00Z', first), maintain(parent, '2026-03-15T12:00:00Z', second)]);

    const done = [...a, ...b].filter((s) => s.outcome === 'done').map((s) => s.partition).sort();
    expect(done).toEqual([`public.${parent}_default`, ...['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'].map((m) => month(parent, m))].sort());
    expect([...a, ...b].filter((s) => s.outcome !== 'done' && s.outcome !== 'skipped')).toEqual([]);
    expect(await partitions(parent)).toHaveLength(8);
  });

  it('retries a step that cannot get its locks, reports it failed after the last attempt, and goes on with the others', async () => {
    const parent = await newParent({ premake: 2, retention: '1 day' });
    await maintain(parent, '2026-01-15T00:00:00Z');
    const writer = await db.connect();
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO ${parent} (created_at) VALUES ('2026-02-25T00:00:00Z')`);

    // Due as of 20 February: April (premake) and January's retention.
    const started = Date.now();
    const { rows } = await client.query(`CALL data_tier.run_partition_maintenance('2026-02-20T00:00:00Z', $1, p_lock_timeout => '100ms', p_attempts => 3)`, [parent]);
    const elapsedMs = Date.now() - started;
    await writer.query('COMMIT');

    // The open insert holds the parent: creating (SHARE ROW EXCLUSIVE) and detaching (ACCESS
    // EXCLUSIVE) both wait for it, three times 100 ms with backoff between, then give up.
    const steps: Step[] = rows[0].p_report;
    expect(steps.map((s) => `${s.outcome} ${s.step} ${s.attempts}`)).toEqual(['failed create 3', 'failed detach 3']);
    expect(steps[0].detail).toBe('could not get its locks in 3 attempts (canceling statement due to lock timeout); the next run tries again');
    expect(steps[0].partition).toBe(`public.${parent} [2026-04-01, 2026-05-01)`);
    expect(elapsedMs).toBeLessThan(3_000);
    // Once the writer has committed, the next run does both.
    expect(summary(await maintain(parent, '2026-02-20T00:00:00Z'))).toEqual([`done create ${month(parent, '2026-04')}`, `done detach ${month(parent, '2026-01')}`]);
  });

  it('refuses to run inside a transaction block, since every step commits', async () => {
    const parent = await newParent();
    const session = await db.connect();
    await session.query('BEGIN');
    await expect(session.query(`CALL data_tier.run_partition_maintenance(p_parent => $1)`, [parent])).rejects.toThrow('invalid transaction termination');
    await session.query('ROLLBACK');
  });

  it('detaches only partitions entirely older than the retention, keeping them as tables', async () => {
    const parent = await newParent({ retention: '3 months', action: 'detach' });
    await maintain(parent, '2026-01-15T00:00:00Z');

    const steps = await maintain(parent, '2026-07-02T00:00:00Z');

    // Cutoff 2026-04-02: March ends 2026-04-01 and goes; April still holds recent days.
    expect(steps.filter((s) => s.step === 'detach' && s.outcome === 'done').map((s) => s.partition)).toEqual(
      ['2026-01', '2026-02', '2026-03'].map((m) => month(parent, m)),
    );
    expect((await partitions(parent))[0]).toContain(month(parent, '2026-04'));
    const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS kept`, [month(parent, '2026-01')]);
    expect(rows[0].kept).toBe(true);
  });

  it('drops expired partitions when told to, and never touches the current or a future one', async () => {
    const parent = await newParent({ retention: '1 day', action: 'drop' });
    await maintain(parent, '2026-05-20T00:00:00Z');

    // Cutoff 2026-07-01 12:00: June has ended before it; July is the current month.
    const steps = await maintain(parent, '2026-07-02T12:00:00Z');

    expect(steps.filter((s) => s.step === 'drop' && s.outcome === 'done').map((s) => s.partition)).toEqual(
      ['2026-05', '2026-06'].map((m) => month(parent, m)),
    );
    const { rows } = await client.query(`SELECT to_regclass($1) AS gone`, [month(parent, '2026-05')]);
    expect(rows[0].gone).toBeNull();
    expect((await partitions(parent))[0]).toContain(`${month(parent, '2026-07')} [2026-07-01T00:00:00.000Z`);
  });

  it('puts month edges in UTC whatever the session time zone', async () => {
    const parent = await newParent();
    const session = await db.connect();
    await session.query(`SET TimeZone = 'America/Los_Angeles'`);

    // 20:00 on 31 January in Los Angeles is already 1 February in UTC.
    const steps = await maintain(parent, '2026-01-31 20:00:00', session);
    await session.query(`INSERT INTO ${parent} (created_at, note) VALUES ('2026-01-31 15:59:59', 'january in UTC'), ('2026-01-31 16:00:00', 'february in UTC')`);

    expect(steps.filter((s) => s.step === 'create')[0].partition).toBe(month(parent, '2026-02'));
    expect((await partitions(parent))[0]).toBe(`${month(parent, '2026-02')} [2026-02-01T00:00:00.000Z, 2026-03-01T00:00:00.000Z)`);
    const { rows } = await session.query(`SELECT note, data_tier.qualified_name(tableoid) AS partition FROM ${parent} ORDER BY created_at`);
    expect(rows).toEqual([
      { note: 'january in UTC', partition: `public.${parent}_default` },
      { note: 'february in UTC', partition: month(parent, '2026-02') },
    ]);
  });

  it('cuts daily partitions at UTC midnight, 24 hours apart across a daylight-saving change', async () => {
    const parent = await newParent({ interval: 'day', premake: 2 });
    const session = await db.connect();
    await session.query(`SET TimeZone = 'Pacific/Auckland'`);

    // New Zealand daylight saving ends on 5 April 2026.
    await maintain(parent, '2026-04-04T12:00:00Z', session);

    expect((await partitions(parent)).slice(0, 3)).toEqual([
      `public.${parent}_p2026_04_04 [2026-04-04T00:00:00.000Z, 2026-04-05T00:00:00.000Z)`,
      `public.${parent}_p2026_04_05 [2026-04-05T00:00:00.000Z, 2026-04-06T00:00:00.000Z)`,
      `public.${parent}_p2026_04_06 [2026-04-06T00:00:00.000Z, 2026-04-07T00:00:00.000Z)`,
    ]);
  });
});

describe('data_tier.register_partitioned_parent', () => {
  it('refuses a table that is not range-partitioned on a timestamptz column, saying why', async () => {
    await client.query('CREATE TABLE plain_table (id bigint)');
    await client.query('CREATE TABLE by_day (day date NOT NULL) PARTITION BY RANGE (day)');

    await expect(client.query(`SELECT data_tier.register_partitioned_parent('plain_table')`)).rejects.toThrow(
      'plain_table is not partitioned BY RANGE on a single column',
    );
    await expect(client.query(`SELECT data_tier.register_partitioned_parent('by_day')`)).rejects.toThrow(
      'partition key public.by_day.day is date, the partition manager needs timestamptz',
    );
  });

  it('leaves a newly registered table with its default, current and premade partitions, in the caller\'s transaction', async () => {
    const name = await newTable();
    await client.query('BEGIN');
    await client.query(`SELECT data_tier.register_partitioned_parent($1, p_premake => 2)`, [name]);
    const { rows } = await client.query(`SELECT count(*) FILTER (WHERE is_default)::int AS defaults, count(*) FILTER (WHERE NOT is_default)::int AS ranges FROM data_tier.partition_bounds($1)`, [name]);
    await client.query('COMMIT');

    expect(rows[0]).toEqual({ defaults: 1, ranges: 3 });
  });

  it('refuses a horizon nearer than the premade range', async () => {
    const name = await newTable();
    await expect(client.query(`SELECT data_tier.register_partitioned_parent($1, p_premake => 6, p_horizon => 3)`, [name])).rejects.toThrow(
      `horizon 3 is less than premake 6 for public.${name}`,
    );
  });

  it('stamps updated_at through the shared trigger when a registration changes', async () => {
    const parent = await newParent();
    await client.query(`UPDATE data_tier.partitioned_parents SET created_at = created_at - interval '1 day', updated_at = created_at - interval '1 day' WHERE parent_table = $1::regclass`, [parent]);
    await client.query(`SELECT data_tier.register_partitioned_parent($1, p_premake => 3)`, [parent]);

    const { rows } = await client.query(`SELECT premake, updated_at > created_at AS stamped FROM data_tier.partitioned_parents WHERE parent_table = $1::regclass`, [parent]);
    expect(rows[0]).toEqual({ premake: 3, stamped: true });
  });
});
