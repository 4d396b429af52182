// Rows in COPY's text format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2):
// one line per row, columns separated by tabs, NULL as \N, and backslash, newline, carriage return
// and tab escaped with a backslash. Values are converted much as node-postgres converts query
// parameters (arrays to PostgreSQL arrays, objects to JSON), but Dates are written in UTC.

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : text;
}

/** An element of a PostgreSQL array literal: quoted, with backslash and double quote escaped. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return arrayLiteral(value);
  return `"${scalarText(value).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function arrayLiteral(values: readonly unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

/** The text PostgreSQL parses for one non-null value, before COPY's own escaping. */
function scalarText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      // NaN, Infinity and -Infinity are what float columns accept; numeric accepts NaN and Infinity too.
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    case 'object': {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new Error('an invalid Date');
        return value.toISOString();
      }
      if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
      if (Array.isArray(value)) return arrayLiteral(value);
      return JSON.stringify(value);
    }
    default:
      throw new Error(`a ${typeof value}, which has no PostgreSQL form`);
  }
}

/**
 * One column's value in COPY text format: null and undefined are NULL; strings as they are;
 * numbers, bigints and booleans as PostgreSQL reads them; Dates as ISO 8601 in UTC; Buffers and
 * Uint8Arrays as bytea; arrays as PostgreSQL arrays; other objects as JSON (for json and jsonb
 * columns; give a JSON array as `JSON.stringify(array)`, since arrays become PostgreSQL arrays).
 */
export function copyValue(value: unknown): string {
  return value === null || value === undefined ? '\\N' : escapeText(scalarText(value));
}

/** Values in order as a COPY text line, newline included. */
export function copyLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : '\t') + copyValue(values[i]);
  return line + '\n';
}

/** An object's values of `columns` (missing ones NULL) as a COPY text line, newline included. */
export function copyLineOf(columns: readonly string[], row: Readonly<Record<string, unknown>>): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i === 0 ? '' : '\t') + copyValue(row[columns[i]]);
  return line + '\n';
}

/** `name`, or `schema.name`, as a quoted SQL identifier: each part is taken literally (case included). */
export function quotedName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((part) => part === '')) throw new Error(`"${name}" is not a table name or schema.table`);
  return parts.map(quotedIdentifier).join('.');
}

export function quotedIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
