import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqlDirectoryHash } from '../../lib/functions/shared/sql-directory-hash';

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

  it('changes when a migration is added, and ignores other files', () => {
    writeFileSync(join(directory, 'README'), 'still not a migration');
    expect(sqlDirectoryHash(directory)).toBe(before);
    writeFileSync(join(directory, '002_b.sql'), 'SELECT 1;');
    expect(sqlDirectoryHash(directory)).not.toBe(before);
  });
});
