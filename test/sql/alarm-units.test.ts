import { ALARM_DEFINITIONS } from '../../lib/alarms';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from './migrated-database';

/** Metrics the health-check function measures itself rather than reading from health_check(). */
const MEASURED_BY_THE_FUNCTION: Record<string, string> = { query_latency: 'Milliseconds', health_check_failed: 'Count', primary_write_failed: 'Count' };

describe('alarms on health_check() metrics', () => {
  let db: TestDatabase;
  let units: Map<string, string>;

  beforeAll(async () => {
    db = await migratedDatabase('alarm_units');
    const client = await db.connect();
    const { rows } = await client.query<{ metric: string; unit: string }>('SELECT metric, unit FROM data_tier.health_check()');
    units = new Map(rows.map((row) => [row.metric, row.unit]));
  });
  afterAll(() => db.drop());

  it.each(ALARM_DEFINITIONS.filter((d) => d.source === 'health-check').map((d) => [d.metricName, d] as const))(
    '%s: watches a metric the database really reports, in the unit it reports it',
    (metricName, definition) => {
      const reported = MEASURED_BY_THE_FUNCTION[metricName] ?? units.get(metricName);
      expect({ metricName, unit: definition.unit }).toEqual({ metricName, unit: reported });
    },
  );
});
