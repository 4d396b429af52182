import { createTestDatabase } from './database';

describe('the test PostgreSQL', () => {
  it('is a real PostgreSQL 17 server with the stack preload settings', async () => {
    const db = await createTestDatabase();
    try {
      const client = await db.connect();
      const { rows } = await client.query(`SELECT current_setting('server_version_num')::int AS v, current_setting('shared_preload_libraries') AS preload`);
      expect(Math.floor(rows[0].v / 10000)).toBe(17);
      expect(rows[0].preload).toContain('pg_stat_statements');
    } finally {
      await db.drop();
    }
  });
});
