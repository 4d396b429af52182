// PostgreSQL write-ahead log positions ('16/B374D848') as numbers that compare and subtract.

/** A WAL position in bytes, as `pg_lsn` is: two 32-bit halves written in hex as `high/low`. */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i;

export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text.trim());
  if (!match) throw new TypeError(`not a WAL position (pg_lsn): ${JSON.stringify(text)}; expected two hex numbers such as 16/B374D848`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
