/** One statement of a SQL file, as the server will see it. */
export interface SqlStatement {
  /** The statement text, without the terminating semicolon. */
  readonly text: string;
  /** 1-based line of the file where the statement's first token is. */
  readonly line: number;
}

/** A token outside comments and whitespace. */
export interface SqlToken {
  /** `word`: a keyword or bare identifier; `quoted`: a "quoted identifier"; `literal`: a string or dollar-quoted body; `symbol`: anything else, one character. */
  readonly kind: 'word' | 'quoted' | 'literal' | 'symbol';
  /** The token as written, quotes included. */
  readonly text: string;
  /** Offset of the token's first character. */
  readonly start: number;
}

/**
 * Splits a SQL script into statements at top-level semicolons, the way psql does: semicolons
 * inside string literals ('...', E'...'), quoted identifiers, dollar-quoted bodies ($$...$$,
 * $tag$...$tag$), line comments and (nested) block comments do not end a statement.
 * Statements holding only comments are dropped. Not supported: SQL-standard function bodies
 * (BEGIN ATOMIC ... END), whose inner semicolons would split; the runner refuses them
 * (see `transactionControlOf`).
 */
export function splitSqlStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let firstToken = -1;
  // Lines are counted from where the previous statement began, so the file is read once.
  let counted = 0;
  let line = 1;
  const finish = (end: number) => {
    if (firstToken >= 0) {
      line += lineAt(sql.slice(counted, firstToken), firstToken - counted) - 1;
      counted = firstToken;
      statements.push({ text: sql.slice(firstToken, end).trim(), line });
    }
    firstToken = -1;
  };
  for (const token of sqlTokens(sql)) {
    if (token.text === ';') finish(token.start);
    else if (firstToken < 0) firstToken = token.start;
  }
  finish(sql.length);
  return statements;
}

/** The tokens of a statement or script, skipping whitespace and comments. */
export function sqlTokens(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const push = (kind: SqlToken['kind'], end: number) => {
    tokens.push({ kind, text: sql.slice(i, end), start: i });
    i = end;
  };
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    const tag = ch === '$' ? dollarQuoteTag(sql, i) : undefined;
    if (ch === '-' && next === '-') {
      i = endOfLineComment(sql, i);
    } else if (ch === '/' && next === '*') {
      i = endOfBlockComment(sql, i);
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      push('literal', endOfQuoted(sql, i, "'", isEscapeString(sql, i)));
    } else if (ch === '"') {
      push('quoted', endOfQuoted(sql, i, '"', false));
    } else if (tag) {
      push('literal', endOfDollarQuoted(sql, i, tag));
    } else if (WORD_START.test(ch)) {
      push('word', endOfWord(sql, i));
    } else {
      push('symbol', i + 1);
    }
  }
  return tokens;
}

/**
 * The transaction control a statement holds at its top level, as its leading words
 * ('COMMIT', 'START TRANSACTION', 'BEGIN ATOMIC', ...), or undefined. BEGIN ATOMIC is a
 * SQL-standard function body: its inner semicolons would split it (see splitSqlStatements).
 * Words inside dollar-quoted bodies, strings and quoted identifiers do not count.
 */
export function transactionControlOf(statement: SqlStatement): string | undefined {
  const tokens = sqlTokens(statement.text);
  const first = tokens[0].kind === 'word' ? tokens[0].text.toUpperCase() : '';
  if (first === 'START' || (first === 'PREPARE' && isWord(tokens[1], 'TRANSACTION'))) return `${first} TRANSACTION`;
  if (TRANSACTION_CONTROL.includes(first)) return first;
  return tokens.some((token, i) => isWord(token, 'BEGIN') && isWord(tokens[i + 1], 'ATOMIC')) ? 'BEGIN ATOMIC' : undefined;
}

/** What an index-building statement names, as written: quotes kept, so PostgreSQL resolves the names itself. */
export interface IndexBuild {
  /** The index CREATE INDEX names (always in its table's schema), or the one REINDEX INDEX rebuilds. */
  readonly index?: string;
  /** The table of CREATE INDEX ... ON, or REINDEX TABLE's. */
  readonly table?: string;
  /** REINDEX SCHEMA's schema. */
  readonly schema?: string;
  /** REINDEX DATABASE or SYSTEM: every table. */
  readonly everyTable?: boolean;
}

/**
 * The names in `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] table`
 * and `REINDEX [(options)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] [name]`;
 * undefined for any other statement.
 */
export function indexBuildOf(statement: SqlStatement): IndexBuild | undefined {
  const tokens = sqlTokens(statement.text);
  let at = 0;
  const accept = (...words: string[]) => {
    if (!words.every((word, i) => isWord(tokens[at + i], word))) return false;
    at += words.length;
    return true;
  };
  const qualifiedName = () => {
    const parts = [tokens[at++]?.text];
    while (tokens[at]?.text === '.') {
      parts.push(tokens[at + 1]?.text);
      at += 2;
    }
    return parts.join('.');
  };

  if (accept('CREATE')) {
    accept('UNIQUE');
    if (!accept('INDEX')) return undefined;
    accept('CONCURRENTLY');
    accept('IF', 'NOT', 'EXISTS');
    const index = isWord(tokens[at], 'ON') ? undefined : tokens[at++]?.text;
    if (!accept('ON')) return undefined;
    accept('ONLY');
    return { index, table: qualifiedName() };
  }
  if (!accept('REINDEX')) return undefined;
  if (tokens[at]?.text === '(') at = tokens.findIndex((token, i) => i > at && token.text === ')') + 1;
  const target = tokens[at++]?.text.toUpperCase();
  accept('CONCURRENTLY');
  if (target === 'INDEX') return { index: qualifiedName() };
  if (target === 'TABLE') return { table: qualifiedName() };
  if (target === 'SCHEMA') return { schema: qualifiedName() };
  return target === 'DATABASE' || target === 'SYSTEM' ? { everyTable: true } : undefined;
}

function isWord(token: SqlToken | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === word;
}

const TRANSACTION_CONTROL = ['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE'];

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

const DOLLAR_QUOTE_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;
const WORD_START = /[A-Za-z0-9_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function endOfWord(sql: string, from: number): number {
  let i = from;
  while (i < sql.length && WORD_PART.test(sql[i])) i++;
  return i;
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

/** The tag that opens a dollar-quoted body here ($$ or $identifier$); `$1` (a parameter) is not one. */
function dollarQuoteTag(sql: string, from: number): string | undefined {
  if (/\w/.test(sql[from - 1] ?? '')) return undefined;
  DOLLAR_QUOTE_TAG.lastIndex = from;
  return DOLLAR_QUOTE_TAG.exec(sql)?.[0];
}

function endOfDollarQuoted(sql: string, from: number, tag: string): number {
  const close = sql.indexOf(tag, from + tag.length);
  return close < 0 ? sql.length : close + tag.length;
}
