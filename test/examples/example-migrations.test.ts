import path from 'node:path';
import type { Client } from 'pg';
import { migrationStreams, runMigrations } from '../../lib/functions/shared/migrations';
import { PLATFORM_SQL_DIR } from '../../lib/platform-sql';
import { createTestDatabase, type TestDatabase } from '../support/database';

const ORDERS = path.join(__dirname, '..', '..', 'examples', 'with-migrations', 'sql', 'orders');

describe('the migrations of examples/with-migrations, on a real PostgreSQL', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase('example_orders');
    client = await db.connect();
  });
  afterAll(() => db.drop());

  it('apply after the platform stream, as the custom resource applies them', async () => {
    const result = await runMigrations(client, { streams: migrationStreams(PLATFORM_SQL_DIR, [ORDERS]) });
    expect(result.applied.map((file) => `${file.stream}/${file.name}`)).toEqual(expect.arrayContaining(['orders/001_orders.sql', 'orders/repeatable/010_orders_by_status.sql']));
  });

  it('register orders with the partition manager, which premakes its monthly partitions', async () => {
    const { rows } = await client.query(`SELECT retention, premake FROM data_tier.partitioned_parents WHERE parent_table = 'orders.orders'::regclass`);
    expect(rows).toEqual([{ retention: expect.objectContaining({ years: 2 }), premake: 6 }]);
    const partitions = await client.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'orders.orders'::regclass`);
    expect(partitions.rows[0].n).toBeGreaterThan(1);
  });

  it('answer the support dashboard view', async () => {
    await client.query(`INSERT INTO orders.orders (customer_id, status, total_cents) VALUES (gen_random_uuid(), 'paid', 1250), (gen_random_uuid(), 'paid', 750)`);
    const { rows } = await client.query(`SELECT status, orders::int, total_cents::int FROM orders.orders_by_status`);
    expect(rows).toEqual([{ status: 'paid', orders: 2, total_cents: 2000 }]);
  });
});
