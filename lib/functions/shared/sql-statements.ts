/** One statement of a SQL file, as the server will see it. */
export interface SqlStatement {
  /** The statement text, without the terminating semicolon. */
  readonly text: string;
  /** 1-based line of the file where the statement's first token is. */
  readonly line: number;
}

/**
 * Splits a SQL script into statements at top-level semicolons, the way psql does: semicolons
 * inside string literals ('...', E'...'), quoted identifiers, dollar-quoted bodies ($$...$$,
 * $tag$...$tag$), line comments and (nested) block comments do not end a statement.
 * Statements holding only comments are dropped. Not supported: SQL-standard function bodies
 * (BEGIN ATOMIC ... END), whose inner semicolons would split; write such functions with $$.
 */
export function splitSqlStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let firstToken = -1;
  let i = 0;

  const finish = (end: number) => {
    if (firstToken >= 0) {
      statements.push({ text: sql.slice(firstToken, end).trim(), line: lineAt(sql, firstToken) });
    }
    firstToken = -1;
  };

  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      i = endOfLineComment(sql, i);
      continue;
    }
    if (ch === '/' && next === '*') {
      i = endOfBlockComment(sql, i);
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === ';') {
      finish(i);
      i++;
      continue;
    }
    if (firstToken < 0) firstToken = i;
    if (ch === "'") {
      i = endOfQuoted(sql, i, "'", isEscapeString(sql, i));
    } else if (ch === '"') {
      i = endOfQuoted(sql, i, '"', false);
    } else if (ch === '$') {
      i = endOfDollarQuoted(sql, i);
    } else {
      i++;
    }
  }
  finish(sql.length);
  return statements;
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

function endOfLineComment(sql: string, from: number): number {
  const newline = sql.indexOf('\n', from);
  return newline < 0 ? sql.length : newline + 1;
}

function endOfBlockComment(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** E'...' strings honour backslash escapes; standard strings only double the quote. */
function isEscapeString(sql: string, quote: number): boolean {
  const prefix = sql[quote - 1];
  return (prefix === 'E' || prefix === 'e') && !/[\w$]/.test(sql[quote - 2] ?? '');
}

function endOfQuoted(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') {
      i += 2;
    } else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

function endOfDollarQuoted(sql: string, from: number): number {
  // A dollar-quote tag is $$ or $identifier$; `$1` (a parameter) is not a quote.
  const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(from));
  if (!tag || /[\w]/.test(sql[from - 1] ?? '')) return from + 1;
  const close = sql.indexOf(tag[0], from + tag[0].length);
  return close < 0 ? sql.length : close + tag[0].length;
}
