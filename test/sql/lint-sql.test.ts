import { lintSql } from '../../scripts/lint-sql';
import { migrationDirectory } from '../functions/migration-directory';
import { PROJECT_STREAMS } from './migrated-database';

/** squawk's findings for one migration file, as `rule` names. */
function findings(sql: string): string[] {
  const { status, output } = lintSql([migrationDirectory({ '001_file.sql': sql })], 'gcc');
  const rules = [...output.matchAll(/warning: (\S+)/g)].map((match) => match[1]);
  expect(status).toBe(rules.length > 0 ? 1 : 0);
  return rules;
}

describe('npm run lint:sql', () => {
  it('passes every stream of the project, repeatable definitions included', () => {
    expect(lintSql(PROJECT_STREAMS.map((stream) => stream.directory), 'gcc')).toEqual({ status: 0, output: '' });
  });

  it('passes a no-transaction file that builds two indexes concurrently', () => {
    const sql = [
      '-- migrate:no-transaction',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email ON public.accounts (email);',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_created_at ON public.accounts (created_at);',
    ].join('\n');
    expect(findings(sql)).toEqual([]);
  });

  it('passes a no-transaction file that drops a leftover index before building it again', () => {
    const sql = [
      '-- migrate:no-transaction',
      'DROP INDEX CONCURRENTLY IF EXISTS public.accounts_email_key;',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_key ON public.accounts (email);',
    ].join('\n');
    expect(findings(sql)).toEqual([]);
  });

  it('fails a concurrent build in a file the runner wraps in a transaction', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS public.t (id bigint);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id ON public.t (id);';
    expect(findings(sql)).toEqual(['ban-concurrent-index-creation-in-transaction']);
  });

  it('fails a blocking index build in a no-transaction file', () => {
    expect(findings('-- migrate:no-transaction\nCREATE INDEX IF NOT EXISTS accounts_email ON public.accounts (email);')).toEqual([
      'require-concurrent-index-creation',
    ]);
  });

  it('fails transaction control in a file the runner wraps in a transaction', () => {
    expect(findings('BEGIN;\nCREATE TABLE IF NOT EXISTS public.t (id bigint);\nCOMMIT;')).toContain('transaction-nesting');
  });
});
