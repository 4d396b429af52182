import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationStreamsHash } from '../../lib/functions/shared/sql-directory-hash';

const sqlDirectoryHash = (directory: string) => migrationStreamsHash([{ name: 'app', directory }]);

describe('the hash that re-runs migrations', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sql-hash-'));
  writeFileSync(join(directory, '001_a.sql'), 'SELECT 1;');
  writeFileSync(join(directory, 'notes.md'), 'not a migration');
  const before = sqlDirectoryHash(directory);

  it('changes when a migration changes', () => {
    writeFileSync(join(directory, '001_a.sql'), 'SELECT 2;');
    expect(sqlDirectoryHash(directory)).not.toBe(before);
    writeFileSync(join(directory, '001_a.sql'), 'SELECT 1;');
    expect(sqlDirectoryHash(directory)).toBe(before);
  });

  it('changes when a repeatable definition changes, and with the streams\' names and order', () => {
    mkdirSync(join(directory, 'repeatable'), { recursive: true });
    writeFileSync(join(directory, 'repeatable', '010_f.sql'), 'SELECT 1;');
    const withRepeatable = sqlDirectoryHash(directory);
    expect(withRepeatable).not.toBe(before);
    writeFileSync(join(directory, 'repeatable', '010_f.sql'), 'SELECT 2;');
    expect(sqlDirectoryHash(directory)).not.toBe(withRepeatable);
    rmSync(join(directory, 'repeatable'), { recursive: true });
    expect(sqlDirectoryHash(directory)).toBe(before);
    const other = mkdtempSync(join(tmpdir(), 'sql-hash-'));
    const two = [{ name: 'app', directory }, { name: 'more', directory: other }];
    expect(migrationStreamsHash(two)).not.toBe(migrationStreamsHash([...two].reverse()));
    expect(migrationStreamsHash([{ name: 'renamed', directory }])).not.toBe(before);
  });

  it('changes when a migration is added, and ignores other files', () => {
    writeFileSync(join(directory, 'README'), 'still not a migration');
    expect(sqlDirectoryHash(directory)).toBe(before);
    writeFileSync(join(directory, '002_b.sql'), 'SELECT 1;');
    expect(sqlDirectoryHash(directory)).not.toBe(before);
  });
});
