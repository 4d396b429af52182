import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';
import { type MaintenanceStep, runMaintenance } from './partition-maintenance';

// Partition maintenance while the application writes: several writers insert through the
// parent without pause while runs create partitions (current, premade, a gap, the month of
// rows past the premade range), move rows out of the default partition and detach an
// expired one. Writers must never see a deadlock or a failed insert, and every committed row
// must be in the table afterwards.

let db: TestDatabase;
let admin: Client;
beforeAll(async () => {
  db = await migratedDatabase('partition_load');
  admin = await db.connect();
});
afterAll(() => db.drop());

const WRITERS = 4;
const RUNS = 3;

/** Start of the month `months` after the current one, in UTC, as ISO text. */
async function monthStart(months: number): Promise<string> {
  const { rows } = await admin.query(`SELECT date_add(date_trunc('month', now(), 'UTC'), make_interval(months => $1), 'UTC') AS at`, [months]);
  return (rows[0].at as Date).toISOString();
}

const plus = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();

it('runs beside concurrent writers with no deadlock, no failed insert and every committed row kept', async () => {
  await admin.query(`
    CREATE TABLE load_events (
      id bigint GENERATED ALWAYS AS IDENTITY,
      created_at timestamptz NOT NULL,
      writer int NOT NULL,
      PRIMARY KEY (id, created_at)
    ) PARTITION BY RANGE (created_at)`);
  // Registration creates the default and months 0..4; drop month 2 to leave a gap.
  await admin.query(`SELECT data_tier.register_partitioned_parent('load_events', p_premake => 4, p_retention => interval '9 months', p_horizon => 12)`);
  await admin.query(`DROP TABLE load_events_p${(await monthStart(2)).slice(0, 7).replace('-', '_')}`);
  // Maintenance runs "as of" month 10: months 10..14 are due, month 2 is a gap, month 0 has
  // expired (cutoff mid-month 1); writers add rows for month 10 (no partition yet: they land
  // in the default partition until it is created) and month 16 (past the premade range).
  const asOf = plus(await monthStart(10), 14);
  const current = plus(await monthStart(10), 3);
  const pastPremade = plus(await monthStart(16), 5);
  const kept = plus(await monthStart(1), 20);

  const failures: string[] = [];
  let committed = 0;
  let writing = true;
  const writers = await Promise.all(Array.from({ length: WRITERS }, () => db.connect()));
  const done = writers.map(async (writer, n) => {
    while (writing) {
      try {
        await writer.query('BEGIN');
        await writer.query(`INSERT INTO load_events (created_at, writer) VALUES ($1, $2)`, [current, n]);
        await writer.query(`INSERT INTO load_events (created_at, writer) VALUES ($1, $2), ($3, $2)`, [pastPremade, n, kept]);
        await writer.query('COMMIT');
        committed += 3;
      } catch (error) {
        failures.push((error as Error).message);
        await writer.query('ROLLBACK').catch(() => {});
      }
    }
  });

  const maintainer = await db.connect();
  const runs: MaintenanceStep[][] = [];
  for (let run = 0; run < RUNS; run++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    runs.push(await runMaintenance(maintainer, asOf, 'load_events'));
  }
  writing = false;
  await Promise.all(done);
  // Rows written after the last run's plan wait in the default partition for the next run.
  const final = await runMaintenance(maintainer, asOf, 'load_events');

  const steps = [...runs.flat(), ...final];
  const { rows: counted } = await admin.query(`SELECT count(*)::int AS present, count(*) FILTER (WHERE tableoid = 'load_events_default'::regclass)::int AS in_default FROM load_events`);
  const { rows: bounds } = await admin.query(
    `SELECT lower_bound, upper_bound FROM data_tier.partition_bounds('load_events') WHERE NOT is_default ORDER BY lower_bound`,
  );
  console.log(
    `${committed} rows committed by ${WRITERS} writers during ${RUNS + 1} maintenance runs, ${counted[0].present} present, ` +
      `${failures.length} failed writes (${failures.filter((f) => /deadlock/.test(f)).length} deadlocks); steps: ` +
      steps.map((s) => `${s.step} ${s.partition} ${s.outcome} after ${s.attempts}`).join('; '),
  );

  expect(failures).toEqual([]);
  expect(counted[0]).toEqual({ present: committed, in_default: 0 });
  expect(steps.filter((s) => s.outcome === 'failed')).toEqual([]);
  expect(steps.filter((s) => s.outcome === 'done').map((s) => s.step).sort()).toEqual([
    ...Array(1).fill('create'), // month 2, the gap
    ...Array(12).fill('create'), // months 5..16: premade up to 14, gap 15, month 16 of the rows past the premade range
    'detach', // month 0
  ].sort());
  // One contiguous run of months from month 1 to month 16.
  const months: string[] = [];
  for (let i = 1; i <= 16; i++) months.push(await monthStart(i));
  expect(bounds.map((b) => (b.lower_bound as Date).toISOString())).toEqual(months);
  expect(bounds.every((b, i) => i === 0 || (b.lower_bound as Date).getTime() === (bounds[i - 1].upper_bound as Date).getTime())).toBe(true);
});
