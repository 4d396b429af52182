import { PROJECT_STREAMS } from '../../app/migrations';
import { collectSchemaReport, formatSchemaReport } from '../../lib/cli/db-local';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('report');
});
afterAll(() => db.drop());

describe('the local schema report', () => {
  it('applies the migrations, lists partitions per parent with UTC bounds and prints every health metric with its unit', async () => {
    const report = await collectSchemaReport(await db.connect(), PROJECT_STREAMS);
    const text = formatSchemaReport(report);

    expect(report.migrations.applied.map((file) => file.name)).toContain('repeatable/040_health_check.sql');
    expect(report.partitions.filter((p) => p.parent === 'public.analytics_events')).toHaveLength(8);
    expect(text).toMatch(/^PostgreSQL 17\./);
    expect(text).toContain('Partitions of public.analytics_events (8, bounds in UTC):');
    expect(text).toMatch(/public\.analytics_events_default +DEFAULT/);
    expect(text).toMatch(/partitions_ahead_min +6 +Count/);
    expect(text).toMatch(/heartbeat_age_seconds +0\.\d{3} +Seconds/);
    for (const metric of report.health) expect(text).toContain(metric.metric);
  });
});
