import { dbApply, type Output } from '../../scripts/db-apply';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { addMigrations, migrationDirectory, removeMigration } from './migration-directory';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('db_apply');
});
afterAll(() => db.drop());

/** An Output that keeps what db:apply prints. */
function captured(): Output & { logged: string[]; errors: string[] } {
  const logged: string[] = [];
  const errors: string[] = [];
  return { logged, errors, log: (line) => logged.push(line), error: (line) => errors.push(line) };
}

describe('npm run db:apply', () => {
  it('passes --allow-out-of-order and --forget, each repeatable, to the runner', async () => {
    const directory = migrationDirectory({
      '001_a.sql': 'CREATE TABLE a (id bigint);',
      '003_c.sql': 'CREATE TABLE c (id bigint);',
      '004_gone.sql': 'CREATE TABLE gone (id bigint);',
      '005_gone_too.sql': 'CREATE TABLE gone_too (id bigint);',
    });
    const first = captured();
    expect(await dbApply(['--database-url', db.url, '--dir', directory], {}, first)).toBe(0);
    removeMigration(directory, '004_gone.sql');
    removeMigration(directory, '005_gone_too.sql');
    addMigrations(directory, { '002_b.sql': 'CREATE TABLE b (id bigint);', '002_b2.sql': 'CREATE TABLE b2 (id bigint);' });
    const args = ['--database-url', db.url, '--dir', directory];

    const refused = captured();
    expect(await dbApply(args, {}, refused)).toBe(1);
    expect(refused.errors.join('\n')).toContain('--forget 004_gone.sql --forget 005_gone_too.sql');
    expect(refused.errors.join('\n')).toContain('--allow-out-of-order 002_b.sql --allow-out-of-order 002_b2.sql');

    const accepted = captured();
    const code = await dbApply(
      [...args, '--allow-out-of-order', '002_b.sql', '--allow-out-of-order', '002_b2.sql', '--forget', '004_gone.sql', '--forget', '005_gone_too.sql'],
      {},
      accepted,
    );

    expect(accepted.errors).toEqual([]);
    expect(code).toBe(0);
    expect(accepted.logged).toEqual([
      expect.stringMatching(/^forgot 004_gone\.sql /),
      expect.stringMatching(/^forgot 005_gone_too\.sql /),
      'applying 002_b.sql (out of order, accepted)',
      expect.stringMatching(/^applied 002_b\.sql/),
      'applying 002_b2.sql (out of order, accepted)',
      expect.stringMatching(/^applied 002_b2\.sql/),
      expect.stringMatching(/^done: 2 applied, 2 already applied/),
    ]);
  });
});
