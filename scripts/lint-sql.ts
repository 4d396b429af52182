// Lints migrations with squawk the way the runner executes them: a file in one transaction
// with squawk's --assume-in-transaction, a `-- migrate:no-transaction` file without it (there
// each statement runs on its own, so CREATE INDEX CONCURRENTLY is right, not an error).
//   npm run lint:sql [-- <.sql files or stream directories>]     default: the project's streams
// Settings shared by both kinds (PostgreSQL version, rules turned off) are in .squawk.toml.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isTransactional, REPEATABLE_DIRECTORY } from '../lib/functions/shared/migrations';
import { PROJECT_STREAMS } from '../app/migrations';

const ROOT = path.join(__dirname, '..');
const SQUAWK = path.join(ROOT, 'node_modules', '.bin', 'squawk');

export interface LintResult {
  /** 0 when every file passed. */
  readonly status: number;
  /** squawk's findings. */
  readonly output: string;
}

/**
 * Lints the .sql files at these paths (files, or directories of them), each kind with its own
 * settings. `reporter` is squawk's: `tty` explains each finding, `gcc` gives one line each.
 */
export function lintSql(paths: string[], reporter: 'tty' | 'gcc' = 'tty'): LintResult {
  const sqlFilesIn = (directory: string) => readdirSync(directory).filter((name) => name.endsWith('.sql')).sort().map((name) => path.join(directory, name));
  // A stream directory: its versioned files and its repeatable definitions.
  const files = paths.flatMap((entry) =>
    statSync(entry).isDirectory()
      ? [...sqlFilesIn(entry), ...(existsSync(path.join(entry, REPEATABLE_DIRECTORY)) ? sqlFilesIn(path.join(entry, REPEATABLE_DIRECTORY)) : [])]
      : [entry],
  );
  const transactional = files.filter((file) => isTransactional(readFileSync(file, 'utf8')));
  const groups = [
    { flag: '--assume-in-transaction', files: transactional },
    { flag: '--no-assume-in-transaction', files: files.filter((file) => !transactional.includes(file)) },
  ];
  const runs = groups
    .filter((group) => group.files.length > 0)
    .map((group) => spawnSync(SQUAWK, ['--config', path.join(ROOT, '.squawk.toml'), '--reporter', reporter, group.flag, ...group.files], { encoding: 'utf8' }));
  return {
    status: runs.some((run) => run.status !== 0) ? 1 : 0,
    output: runs.map((run) => `${run.stdout}${run.stderr}`).join(''),
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const { status, output } = lintSql(args.length > 0 ? args : PROJECT_STREAMS.map((stream) => stream.directory));
  process.stdout.write(output);
  process.exit(status);
}
