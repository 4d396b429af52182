import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { splitSqlStatements } from '../../lib/functions/shared/sql-statements';
import { SQL_DIR } from '../sql/migrated-database';

const texts = (sql: string) => splitSqlStatements(sql).map((statement) => statement.text);

describe('splitSqlStatements', () => {
  it('splits at top-level semicolons and drops empty statements', () => {
    expect(texts('SELECT 1;\n\nSELECT 2 ;;\nSELECT 3')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  it('does not split inside string literals, escape strings or quoted identifiers', () => {
    expect(texts(`SELECT 'a;b', 'it''s;', E'\\';x';\nSELECT "odd;name" FROM t;`)).toEqual([
      `SELECT 'a;b', 'it''s;', E'\\';x'`,
      'SELECT "odd;name" FROM t',
    ]);
  });

  it('does not split inside dollar-quoted bodies, tagged or not, and tells $1 from a quote', () => {
    const fn = `CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN PERFORM $$;$$; RETURN 1; END $fn$`;
    expect(texts(`${fn};\nPREPARE p AS SELECT $1;\nDO $$ BEGIN NULL; END $$;`)).toEqual([
      fn,
      'PREPARE p AS SELECT $1',
      'DO $$ BEGIN NULL; END $$',
    ]);
  });

  it('ignores semicolons in line comments and nested block comments, and drops comment-only chunks', () => {
    const sql = `-- first; still a comment\nSELECT 1; /* outer ; /* inner ; */ still ; */\n-- trailing;\n`;
    expect(texts(sql)).toEqual(['SELECT 1']);
  });

  it('reports the line of each statement\'s first token, after leading comments', () => {
    const statements = splitSqlStatements(`-- header\n\nCREATE TABLE a (x int);\n\n/* note */ CREATE TABLE b (\n  y int\n);`);
    expect(statements.map((statement) => statement.line)).toEqual([3, 5]);
  });

  it('splits every file of sql/ into statements that each start with a SQL keyword', () => {
    for (const name of readdirSync(SQL_DIR).filter((file) => file.endsWith('.sql'))) {
      const statements = splitSqlStatements(readFileSync(path.join(SQL_DIR, name), 'utf8'));
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) expect(statement.text).toMatch(/^(CREATE|COMMENT|SELECT|INSERT|ALTER|DO|GRANT|REVOKE|DROP)\b/);
    }
  });
});
