import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { indexBuildOf, splitSqlStatements, sqlTokens, transactionControlOf } from '../../lib/functions/shared/sql-statements';
import { PROJECT_STREAMS } from '../sql/migrated-database';

const projectSqlFiles = PROJECT_STREAMS.flatMap((stream) =>
  readdirSync(stream.directory, { recursive: true }).map(String).filter((file) => file.endsWith('.sql')).map((file) => path.join(stream.directory, file)),
);

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

  it('numbers the lines of many statements of several lines, with comments and literals spanning lines between them', () => {
    const statement = (i: number) => `-- row ${i}\nINSERT INTO seed VALUES (${i},\n  'a; b\nc');\n/* between\n */`;
    const statements = splitSqlStatements(Array.from({ length: 2_000 }, (_, i) => statement(i)).join('\n'));
    expect(statements).toHaveLength(2_000);
    // Each statement takes six lines; its first token is on its second.
    expect(statements.map((s) => s.line)).toEqual(Array.from({ length: 2_000 }, (_, i) => i * 6 + 2));
    expect(statements[1_999].text).toBe("INSERT INTO seed VALUES (1999,\n  'a; b\nc')");
  });

  it('splits every file of the project\'s streams into statements that each start with a SQL keyword', () => {
    expect(projectSqlFiles.length).toBeGreaterThan(5);
    for (const file of projectSqlFiles) {
      const statements = splitSqlStatements(readFileSync(file, 'utf8'));
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) expect(statement.text).toMatch(/^(CREATE|COMMENT|SELECT|INSERT|ALTER|DO|GRANT|REVOKE|DROP)\b/);
    }
  });
});

describe('sqlTokens', () => {
  it('reads words, quoted identifiers, literals and symbols, skipping comments', () => {
    const tokens = sqlTokens(`CREATE INDEX "Odd ""name""" ON s.t /* c */ (x) -- note\nWHERE y = E'a\\'b' AND z = $q$;$q$`);
    expect(tokens.map(({ kind, text }) => `${kind}:${text}`)).toEqual([
      'word:CREATE', 'word:INDEX', 'quoted:"Odd ""name"""', 'word:ON', 'word:s', 'symbol:.', 'word:t', 'symbol:(', 'word:x', 'symbol:)',
      'word:WHERE', 'word:y', 'symbol:=', 'word:E', "literal:'a\\'b'", 'word:AND', 'word:z', 'symbol:=', 'literal:$q$;$q$',
    ]);
  });
});

describe('transactionControlOf', () => {
  const control = (sql: string) => transactionControlOf(splitSqlStatements(sql)[0]);

  it('names transaction control at the top of a statement', () => {
    expect(['begin', 'BEGIN WORK', 'START TRANSACTION READ WRITE', 'COMMIT', 'end', 'ROLLBACK TO SAVEPOINT s', 'ABORT', 'SAVEPOINT s', 'RELEASE s', "PREPARE TRANSACTION 'x'"].map(control)).toEqual([
      'BEGIN', 'BEGIN', 'START TRANSACTION', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE', 'PREPARE TRANSACTION',
    ]);
  });

  it('names a BEGIN ATOMIC function body, whatever its case', () => {
    expect(control('CREATE PROCEDURE p() LANGUAGE sql begin atomic SELECT 1; END')).toBe('BEGIN ATOMIC');
  });

  it('ignores the same words in bodies, strings, quoted names and prepared statements', () => {
    const statements = [
      'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$',
      "SELECT 'BEGIN ATOMIC', \"end\" FROM t",
      'PREPARE commit_plan AS SELECT 1',
      'CREATE TABLE periods ("begin" date, "atomic" bool)',
    ];
    expect(statements.map(control)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('indexBuildOf', () => {
  const build = (sql: string) => indexBuildOf(splitSqlStatements(sql)[0]);

  it('reads the index and table a CREATE INDEX names, as written', () => {
    expect(build('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Odd name" ON ONLY "App".events USING btree (id)')).toEqual({ index: '"Odd name"', table: '"App".events' });
    expect(build('create index concurrently on events (id)')).toEqual({ index: undefined, table: 'events' });
    expect(build('CREATE INDEX e_id ON public.events (id) WHERE id > 0')).toEqual({ index: 'e_id', table: 'public.events' });
  });

  it('reads what a REINDEX rebuilds, after its options', () => {
    expect(build('REINDEX (VERBOSE, TABLESPACE fast) INDEX CONCURRENTLY public.e_id')).toEqual({ index: 'public.e_id' });
    expect(build('REINDEX TABLE CONCURRENTLY events')).toEqual({ table: 'events' });
    expect(build('REINDEX SCHEMA "App"')).toEqual({ schema: '"App"' });
    expect(build('REINDEX DATABASE CONCURRENTLY')).toEqual({ everyTable: true });
  });

  it('is undefined for other statements', () => {
    expect(['CREATE TABLE "index" (id int)', 'DROP INDEX CONCURRENTLY e_id', 'CREATE MATERIALIZED VIEW m AS SELECT 1', "SELECT 'CREATE INDEX x ON t'"].map(build)).toEqual([
      undefined, undefined, undefined, undefined,
    ]);
  });
});
