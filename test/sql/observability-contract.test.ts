import { HEALTH_CHECK_ROW_METRICS, type HealthCheckRowMetric, type HealthCheckRows, parseHealthCheckRow } from '../../lib/observability/contract';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';

type Form = 'one row' | 'per object';
const FORMS: Record<HealthCheckRows, readonly Form[]> = { one: ['one row'], 'per-object': ['per object'], 'one-and-per-object': ['one row', 'per object'] };

/** The metric of a health_check() row, its unit, and whether the row is about one object. */
interface Reported {
  readonly row: string;
  readonly name: string;
  readonly unit: string;
  readonly form: Form;
}

describe('health_check() on a primary, against lib/observability/contract.ts', () => {
  let db: TestDatabase;
  let reported: Reported[];

  beforeAll(async () => {
    db = await migratedDatabase('observability_contract');
    // A table with writes, its statistics flushed, so that the per-table rows (dead_tuple_pct:<table>) are there too.
    const writer = await db.connect();
    await writer.query(`CREATE TABLE contract_writes (id int PRIMARY KEY); INSERT INTO contract_writes VALUES (1); DELETE FROM contract_writes`);
    await writer.query('SELECT pg_stat_force_next_flush()');
    const { rows } = await (await db.connect()).query<{ metric: string; unit: string }>('SELECT metric, unit FROM data_tier.health_check()');
    reported = rows.map(({ metric, unit }) => {
      const { name, object } = parseHealthCheckRow(metric);
      return { row: metric, name, unit, form: object === undefined ? 'one row' : 'per object' };
    });
  });
  afterAll(() => db.drop());

  it('reports only metrics of the contract, each in the unit and the form of rows the contract gives it', () => {
    const contract: Record<string, (typeof HEALTH_CHECK_ROW_METRICS)[keyof typeof HEALTH_CHECK_ROW_METRICS] | undefined> = HEALTH_CHECK_ROW_METRICS;
    const problems = reported.flatMap(({ row, name, unit, form }) => {
      const metric = contract[name];
      if (!metric) return [`${row}: ${name} is not in HEALTH_CHECK_ROW_METRICS`];
      return [
        ...(unit === metric.unit ? [] : [`${row}: reported in ${unit}, the contract says ${metric.unit}`]),
        ...(FORMS[metric.rows].includes(form) ? [] : [`${row}: a row ${form}, the contract says rows: '${metric.rows}'`]),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('reports every metric of the contract, in each of its forms, but those reported only elsewhere', () => {
    const seen = new Set(reported.map(({ name, form }) => `${name} (${form})`));
    const everywhere = (Object.values(HEALTH_CHECK_ROW_METRICS) as HealthCheckRowMetric[]).filter((metric) => metric.only === undefined);
    const missing = everywhere.flatMap((metric) => FORMS[metric.rows].map((form) => `${metric.name} (${form})`)).filter((metric) => !seen.has(metric));
    expect(missing).toEqual([]);
  });

  it('reports none of the metrics the contract gives only to some topologies (a primary of instances is none of them)', () => {
    const elsewhere = (Object.values(HEALTH_CHECK_ROW_METRICS) as HealthCheckRowMetric[]).filter((metric) => metric.only !== undefined).map((metric) => metric.name);
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(reported.filter(({ name }) => elsewhere.includes(name))).toEqual([]);
  });
});
