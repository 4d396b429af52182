import path from 'node:path';

/** A row of `public.schema_migrations`. */
export interface AppliedRow {
  readonly name: string;
  readonly checksum: string;
  readonly applied_at: Date;
}

/** A migration file as the history knows it: by name and sha256. */
export interface DirectoryFile {
  readonly name: string;
  readonly checksum: string;
}

export interface HistoryOptions {
  /** The migrations directory, as the messages name it. */
  readonly directory: string;
  /** Pending files that may run although a later-numbered file is already applied. */
  readonly allowOutOfOrder: readonly string[];
  /** Files to forget: their rows are left out of `history`, and they must be gone from the directory. */
  readonly forget: readonly string[];
}

/** One way the directory and the history disagree: a paragraph of the refusal, and the file it names first. */
export interface HistoryProblem {
  readonly file: string;
  readonly message: string;
}

/**
 * How the files of the directory disagree with the applied history, each class of problem a
 * paragraph that says what to do: an applied file that changed, was renamed or is gone, a
 * pending file that sorts before the last applied one, a file to forget that is still there.
 * The history is keyed by file name, so each of these would otherwise re-run, skip or reorder
 * a migration without a word.
 */
export function historyProblems(files: readonly DirectoryFile[], history: readonly AppliedRow[], options: HistoryOptions): HistoryProblem[] {
  const present = new Map(files.map((file) => [file.name, file]));
  const pending = files.filter((file) => !history.some((row) => row.name === file.name));
  const gone = history.filter((row) => !present.has(row.name));
  const renames = gone.flatMap((row) => pending.filter((file) => file.checksum === row.checksum).map((file) => ({ file, row })));
  const context: Context = { files, present, directory: options.directory };
  return [
    changedFiles(context, history.filter((row) => present.has(row.name) && present.get(row.name)!.checksum !== row.checksum)),
    renamedFiles(context, renames),
    deletedFiles(context, gone.filter((row) => !renames.some((rename) => rename.row === row))),
    outOfOrderFiles(
      lastApplied(history),
      pending.filter((file) => !options.allowOutOfOrder.includes(file.name) && !renames.some((rename) => rename.file === file)),
    ),
    presentFilesToForget(context, options.forget.filter((name) => present.has(name))),
  ].filter((problem): problem is HistoryProblem => problem !== undefined);
}

/** The applied file that sorts last: pending files sorting before it are out of order. */
export function lastApplied(history: readonly AppliedRow[]): AppliedRow | undefined {
  return [...history].sort((a, b) => (a.name < b.name ? -1 : 1)).pop();
}

interface Context {
  readonly files: readonly DirectoryFile[];
  readonly present: ReadonlyMap<string, DirectoryFile>;
  readonly directory: string;
}

function changedFiles({ files, present, directory }: Context, changed: AppliedRow[]): HistoryProblem | undefined {
  if (changed.length === 0) return undefined;
  return {
    file: changed[0].name,
    message: [
      `Refusing to migrate: ${changed.length === 1 ? 'a migration was' : 'migrations were'} changed after being applied:`,
      ...changed.map((row) => `  ${row.name}: applied ${when(row)} with sha256 ${short(row.checksum)}, file now ${short(present.get(row.name)!.checksum)}`),
      `Applied migrations are immutable. Restore ${itOrThem(changed)} to the applied content (git log -p -- ${relative(directory, changed[0].name)} ` +
        `shows the history) and put the change in a new file ordered after ${files[files.length - 1].name}.`,
    ].join('\n'),
  };
}

function renamedFiles({ directory }: Context, renames: { file: DirectoryFile; row: AppliedRow }[]): HistoryProblem | undefined {
  if (renames.length === 0) return undefined;
  return {
    file: renames[0].file.name,
    message: [
      'Refusing to migrate: an applied migration was renamed:',
      ...renames.map(({ file, row }) => `  ${file.name} has the content of ${row.name}, applied ${when(row)} and no longer in ${directory}`),
      `The history is kept by file name, so a renamed file would run again. Rename ${itOrThem(renames)} back to ` +
        `${renames.map(({ row }) => row.name).join(', ')}.`,
    ].join('\n'),
  };
}

function deletedFiles({ directory }: Context, deleted: AppliedRow[]): HistoryProblem | undefined {
  if (deleted.length === 0) return undefined;
  return {
    file: deleted[0].name,
    message: [
      `Refusing to migrate: applied ${deleted.length === 1 ? 'migration is' : 'migrations are'} missing from ${directory}:`,
      ...deleted.map((row) => `  ${row.name}: applied ${when(row)} with sha256 ${short(row.checksum)}`),
      `Restore ${itOrThem(deleted)} (git log --diff-filter=D -- ${relative(directory, deleted[0].name)} shows the commit that removed it). ` +
        `If the removal was deliberate, tell the runner to forget ${itOrThem(deleted)}: ` +
        `npx data-tier db apply ${deleted.map((row) => `--forget ${row.name}`).join(' ')} (runner option forget), ` +
        'which deletes the row from public.schema_migrations and leaves the schema as it is.',
    ].join('\n'),
  };
}

function outOfOrderFiles(last: AppliedRow | undefined, candidates: DirectoryFile[]): HistoryProblem | undefined {
  const early = candidates.filter((file) => last && file.name < last.name);
  if (!last || early.length === 0) return undefined;
  return {
    file: early[0].name,
    message: [
      'Refusing to migrate: a new migration sorts before one already applied:',
      ...early.map((file) => `  ${file.name} sorts before ${last.name}, applied ${when(last)}`),
      `Applied now, ${itOrThem(early)} would run after migrations written and tested without ${itOrThem(early)}. ` +
        `Renumber ${itOrThem(early)} after ${last.name} if no database has applied ${itOrThem(early)} yet. ` +
        `If running ${itOrThem(early)} now is deliberate and safe, accept ${itOrThem(early)}: ` +
        `npx data-tier db apply ${early.map((file) => `--allow-out-of-order ${file.name}`).join(' ')} ` +
        '(runner option allowOutOfOrder; ALLOW_OUT_OF_ORDER in the deploy-time custom resource).',
    ].join('\n'),
  };
}

function presentFilesToForget({ directory }: Context, names: string[]): HistoryProblem | undefined {
  if (names.length === 0) return undefined;
  return {
    file: names[0],
    message:
      `Refusing to forget ${names.join(', ')}: ${names.length === 1 ? 'it is' : 'they are'} still in ${directory}, and a forgotten file ` +
      'that is still there would run again. Forget only files removed on purpose.',
  };
}

const when = (row: AppliedRow) => row.applied_at.toISOString();
const short = (checksum: string) => `${checksum.slice(0, 12)}…`;
const itOrThem = (list: readonly unknown[]) => (list.length === 1 ? 'it' : 'them');
const relative = (directory: string, name: string) => path.join(path.basename(directory), name);
