import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';

interface Action {
  action: string;
  partition_name: string;
  detail: string;
}

let db: TestDatabase;
let client: Client;
let tableCount = 0;
beforeAll(async () => {
  db = await migratedDatabase('partitions');
  client = await db.connect();
});
afterAll(() => db.drop());

/** A new RANGE-partitioned parent registered with the manager (no partitions yet). */
async function newParent(options: { interval?: string; premake?: number; retention?: string; action?: string } = {}): Promise<string> {
  const name = `events_${++tableCount}`;
  await client.query(`
    CREATE TABLE ${name} (
      id bigint GENERATED ALWAYS AS IDENTITY,
      created_at timestamptz NOT NULL,
      note text,
      PRIMARY KEY (id, created_at)
    ) PARTITION BY RANGE (created_at)`);
  await client.query(
    `SELECT data_tier.register_partitioned_parent($1, p_interval => $2, p_premake => $3, p_retention => $4, p_retention_action => $5)`,
    [name, options.interval ?? 'month', options.premake ?? 6, options.retention ?? '12 months', options.action ?? 'detach'],
  );
  return name;
}

async function maintain(parent: string, now: string, on: Client = client): Promise<Action[]> {
  const { rows } = await on.query<Action>(
    'SELECT action, partition_name, detail FROM data_tier.run_partition_maintenance($1, $2)',
    [now, parent],
  );
  return rows;
}

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

async function waitForAdvisoryLockWaiter(): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { rows } = await client.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
    if (rows[0].waiting > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

const month = (parent: string, yyyy_mm: string) => `public.${parent}_p${yyyy_mm.replace('-', '_')}`;

describe('data_tier.run_partition_maintenance', () => {
  it('gives a parent with no partitions a default, the current month and six ahead, with UTC month bounds', async () => {
    const parent = await newParent();

    const actions = await maintain(parent, '2026-03-15T12:00:00Z');

    expect(actions.map((a) => `${a.action} ${a.partition_name}`)).toEqual([
      `created default public.${parent}_default`,
      ...['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'].map((m) => `created ${month(parent, m)}`),
    ]);
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

  it('moves default-partition rows into their partition when it is created, and says what it left behind', async () => {
    const parent = await newParent();
    await maintain(parent, '2026-03-15T12:00:00Z');
    await client.query(`INSERT INTO ${parent} (created_at, note) VALUES ('2026-11-10T08:00:00Z', 'early'), ('2026-11-20T08:00:00Z', 'early'), ('2024-01-01T00:00:00Z', 'ancient')`);

    const actions = await maintain(parent, '2026-06-01T00:00:00Z');

    expect(actions).toContainEqual({
      action: 'created',
      partition_name: month(parent, '2026-11'),
      detail: '[2026-11-01, 2026-12-01) UTC, 2 rows moved from the default partition',
    });
    expect(actions).toContainEqual({
      action: 'left in default',
      partition_name: `public.${parent}_default`,
      detail: '1 rows lie past the premade range or before retention; move or delete them by hand',
    });
    expect(await partitionOf(parent, '2026-11-10T08:00:00Z')).toBe(month(parent, '2026-11'));
    const { rows } = await client.query(`SELECT note FROM ${parent}_default`);
    expect(rows).toEqual([{ note: 'ancient' }]);
  });

  it('is idempotent: a second run at the same time changes nothing', async () => {
    const parent = await newParent();
    await maintain(parent, '2026-03-15T12:00:00Z');
    const before = await partitions(parent);

    expect(await maintain(parent, '2026-03-15T12:00:00Z')).toEqual([]);
    expect(await partitions(parent)).toEqual(before);
  });

  it('fills gaps: a missing month in the middle and the months between an old partition and now', async () => {
    const parent = await newParent();
    await client.query(`CREATE TABLE ${parent}_old PARTITION OF ${parent} FOR VALUES FROM ('2025-12-01T00:00:00Z') TO ('2026-01-01T00:00:00Z')`);
    await maintain(parent, '2026-03-15T12:00:00Z');
    await client.query(`DROP TABLE ${month(parent, '2026-05')}`);

    const actions = await maintain(parent, '2026-03-15T12:00:00Z');

    expect(actions.map((a) => a.partition_name)).toEqual([month(parent, '2026-05')]);
    const bounds = await partitions(parent);
    expect(bounds.slice(0, 4)).toEqual([
      `public.${parent}_old [2025-12-01T00:00:00.000Z, 2026-01-01T00:00:00.000Z)`,
      `${month(parent, '2026-01')} [2026-01-01T00:00:00.000Z, 2026-02-01T00:00:00.000Z)`,
      `${month(parent, '2026-02')} [2026-02-01T00:00:00.000Z, 2026-03-01T00:00:00.000Z)`,
      `${month(parent, '2026-03')} [2026-03-01T00:00:00.000Z, 2026-04-01T00:00:00.000Z)`,
    ]);
    expect(bounds).toHaveLength(11);
  });

  it('survives a concurrent second run: it waits for the first, then finds nothing to do', async () => {
    const parent = await newParent();
    const first = await db.connect();
    const second = await db.connect();

    await first.query('BEGIN');
    const firstActions = await maintain(parent, '2026-03-15T12:00:00Z', first);
    const secondRun = maintain(parent, '2026-03-15T12:00:00Z', second);
    expect(await waitForAdvisoryLockWaiter()).toBe(true);
    await first.query('COMMIT');

    expect(firstActions.filter((a) => a.action === 'created')).toHaveLength(7);
    expect(await secondRun).toEqual([]);
    expect(await partitions(parent)).toHaveLength(8);
  });

  it('creates partitions while another transaction is inserting into the current month', async () => {
    const parent = await newParent();
    await maintain(parent, '2026-03-15T12:00:00Z');
    const inserter = await db.connect();
    const maintainer = await db.connect();
    await maintainer.query(`SET statement_timeout = '2s'`);
    await inserter.query('BEGIN');
    await inserter.query(`INSERT INTO ${parent} (created_at) VALUES ('2026-03-20T00:00:00Z')`);

    const actions = await maintain(parent, '2026-04-15T12:00:00Z', maintainer);
    await inserter.query('COMMIT');

    expect(actions.map((a) => a.partition_name)).toEqual([month(parent, '2026-10')]);
    expect(await partitionOf(parent, '2026-03-20T00:00:00Z')).toBe(month(parent, '2026-03'));
  });

  it('detaches only partitions entirely older than the retention, keeping them as tables', async () => {
    const parent = await newParent({ retention: '3 months', action: 'detach' });
    await maintain(parent, '2026-01-15T00:00:00Z');

    const actions = await maintain(parent, '2026-07-02T00:00:00Z');

    // Cutoff 2026-04-02: March ends 2026-04-01 and goes; April still holds recent days.
    expect(actions.filter((a) => a.action === 'detached').map((a) => a.partition_name)).toEqual(
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
    const actions = await maintain(parent, '2026-07-02T12:00:00Z');

    expect(actions.filter((a) => a.action === 'dropped').map((a) => a.partition_name)).toEqual(
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
    const actions = await maintain(parent, '2026-01-31 20:00:00', session);
    await session.query(`INSERT INTO ${parent} (created_at, note) VALUES ('2026-01-31 15:59:59', 'january in UTC'), ('2026-01-31 16:00:00', 'february in UTC')`);

    expect(actions.filter((a) => a.action === 'created')[0].partition_name).toBe(month(parent, '2026-02'));
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
      'partition key by_day.day is date, the partition manager needs timestamptz',
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
