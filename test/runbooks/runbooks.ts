import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the runbooks live. */
export const RUNBOOK_DIR = path.join(__dirname, '..', '..', 'runbooks');
export const INDEX_FILE = 'README.md';

/** The sections every runbook has, in this order, as `## ` headings. */
export const SECTIONS = ['Symptoms', 'Impact', 'Diagnosis', 'Mitigation', 'Verification', 'Rollback', 'Follow-up'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface CodeBlock {
  readonly language: string;
  readonly text: string;
  /** The `## ` section the block is in, if any. */
  readonly section?: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
}

export interface Runbook {
  readonly file: string;
  readonly text: string;
  /** `## ` headings in order. */
  readonly headings: string[];
  /** Text of each `## ` section, keyed by heading. */
  readonly sections: Map<string, string>;
  readonly blocks: CodeBlock[];
  /** Inline code spans outside fenced blocks. */
  readonly inlineCode: string[];
}

/** Runbook files (every `.md` in runbooks/ except the index), sorted. */
export function runbookFiles(): string[] {
  return readdirSync(RUNBOOK_DIR)
    .filter((file) => file.endsWith('.md') && file !== INDEX_FILE)
    .sort();
}

export function readRunbook(file: string): Runbook {
  const text = readFileSync(path.join(RUNBOOK_DIR, file), 'utf8');
  const headings: string[] = [];
  const sections = new Map<string, string>();
  const blocks: CodeBlock[] = [];
  const inlineCode: string[] = [];
  let section: string | undefined;
  let fence: { language: string; line: number; lines: string[] } | undefined;
  text.split('\n').forEach((line, index) => {
    if (fence) {
      if (/^\s*```\s*$/.test(line)) {
        blocks.push({ language: fence.language, text: fence.lines.join('\n'), section, line: fence.line });
        fence = undefined;
      } else {
        fence.lines.push(line.replace(/^ {0,3}/, ''));
      }
    } else if (/^\s*```/.test(line)) {
      fence = { language: line.trim().slice(3).trim(), line: index + 1, lines: [] };
    } else {
      const heading = /^## (.+?)\s*$/.exec(line);
      if (heading) {
        section = heading[1];
        headings.push(section);
      }
      for (const span of line.matchAll(/`([^`]+)`/g)) inlineCode.push(span[1]);
    }
    if (section !== undefined) sections.set(section, `${sections.get(section) ?? ''}${line}\n`);
  });
  return { file, text, headings, sections, blocks, inlineCode };
}

export function readIndex(): string {
  return readFileSync(path.join(RUNBOOK_DIR, INDEX_FILE), 'utf8');
}

/** Relative links to markdown files: `[text](file.md)` or `[text](file.md#anchor)`. */
export function markdownLinks(text: string): Array<{ file: string; anchor?: string }> {
  return [...text.matchAll(/\]\(([a-z0-9-]+\.md)(?:#([a-z0-9-]+))?\)/gi)].map((m) => ({ file: m[1], anchor: m[2] }));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** Every heading's anchor in a markdown text. */
export function anchorsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/^#{1,6} (.+?)\s*$/gm)].map((m) => anchorOf(m[1])));
}

/** An `aws <service> <operation>` invocation found in a runbook. */
export interface AwsCommand {
  readonly service: string;
  /** The operation, or `wait <waiter>` for waiters. */
  readonly operation: string;
  /** Option names (`--name`), in order. */
  readonly options: string[];
  /** The value after an option (the next word), quotes removed. */
  readonly valueOf: (option: string) => string | undefined;
  /** The command line it came from, for messages. */
  readonly source: string;
}

/** Shell lines of a block, with backslash-continued lines joined and comments dropped. */
export function shellLines(script: string): string[] {
  return script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

interface Word {
  readonly raw: string;
  readonly unquoted: string;
}

/**
 * Splits a shell line into simple commands: words between `|`, `;`, `&&`, `||`, `$(`, `(`,
 * `)` and backticks. Quoted strings stay whole words; a quoted `$(aws ...)` is refused by
 * `awsCommands`, since its options would not be seen here.
 */
export function simpleCommands(line: string): Word[][] {
  const commands: Word[][] = [[]];
  let raw = '';
  let unquoted = '';
  const endWord = () => {
    if (raw !== '') commands[commands.length - 1].push({ raw, unquoted });
    raw = '';
    unquoted = '';
  };
  const endCommand = () => {
    endWord();
    commands.push([]);
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const close = line.indexOf(c, i + 1);
      const end = close === -1 ? line.length : close;
      raw += line.slice(i, end + 1);
      unquoted += line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === '$' && line[i + 1] === '(') {
      endCommand();
      i++;
    } else if (c === '|' || c === ';' || c === '(' || c === ')' || c === '`') {
      endCommand();
      if (line[i + 1] === '|') i++;
    } else if (c === '&' && line[i + 1] === '&') {
      endCommand();
      i++;
    } else {
      raw += c;
      unquoted += c;
    }
  }
  endWord();
  return commands.filter((words) => words.length > 0);
}

function toAwsCommand(words: Word[], source: string): AwsCommand | undefined {
  const start = words.findIndex((w) => w.raw === 'aws');
  if (start === -1 || words.length < start + 3) return undefined;
  const rest = words.slice(start + 1);
  const service = rest[0].raw;
  const waiter = rest[1].raw === 'wait';
  const operation = waiter ? `wait ${rest[2]?.raw ?? ''}` : rest[1].raw;
  const args = rest.slice(waiter ? 3 : 2);
  const options = args.filter((w) => w.raw.startsWith('--')).map((w) => w.raw.split('=')[0]);
  const valueOf = (option: string) => {
    const at = args.findIndex((w) => w.raw === option);
    if (at !== -1) return args[at + 1]?.unquoted;
    return args.find((w) => w.raw.startsWith(`${option}=`))?.unquoted.slice(option.length + 1);
  };
  return { service, operation, options, valueOf, source };
}

/** Every `aws` invocation of a runbook: in its shell blocks and its inline code. */
export function awsCommands(runbook: Runbook): AwsCommand[] {
  const lines = [
    ...runbook.blocks.filter((b) => b.language === 'bash' || b.language === 'sh').flatMap((b) => shellLines(b.text)),
    ...runbook.inlineCode.filter((code) => /^aws [a-z]/.test(code)),
  ];
  return lines.flatMap((line) =>
    simpleCommands(line)
      .map((words) => {
        const hidden = words.find((w) => w.raw.startsWith('"') && /\$\(\s*aws /.test(w.raw));
        if (hidden) throw new Error(`${runbook.file}: an aws command inside a quoted string is not checked; assign it to a variable first: ${line}`);
        return toAwsCommand(words, line);
      })
      .filter((command): command is AwsCommand => command !== undefined),
  );
}

/** Stack output names looked up with `OutputKey=='<Name>'`. */
export function outputKeys(text: string): string[] {
  return [...new Set([...text.matchAll(/OutputKey=='([A-Za-z0-9]+)'/g)].map((m) => m[1]))];
}

/** Functions of the data_tier schema a runbook calls: `data_tier.<name>(`. */
export function dataTierFunctions(text: string): string[] {
  return [...new Set([...text.matchAll(/\bdata_tier\.([a-z_][a-z0-9_]*)\(/g)].map((m) => m[1]))];
}

/** A name of the tier a runbook mentions, as written, and how to match it. */
export interface NameMention {
  readonly written: string;
  /** Matches the names the mention may stand for in the prod environment. */
  readonly pattern: RegExp;
}

const PLACEHOLDERS: Record<string, string> = {
  '<env>': 'prod',
  '<instance>': '(?:primary|replica-\\d+)',
  '<n>': '\\d+',
  '<nnn>': '\\d{3}',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A written name, with `<placeholders>` and an optional trailing `-` (a prefix), as a pattern. */
function namePattern(written: string): RegExp {
  const prefix = /[-/]$/.test(written);
  const body = written
    .split(/(<[A-Za-z]+>)/)
    .map((part) => (part.startsWith('<') ? (PLACEHOLDERS[part] ?? '[A-Za-z0-9-]+') : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${body}${prefix ? '.*' : ''}$`);
}

/**
 * Names of the tier a runbook mentions: `data-tier-<env>-...` in prose and code, and
 * `$STACK-...` in shell (a name built further with `$...` is a new name the runbook creates,
 * and is left out).
 */
export function nameMentions(text: string): NameMention[] {
  const mentions = new Map<string, NameMention>();
  for (const m of text.matchAll(/data-tier-(?:<env>|dev|staging|prod)(?:[-/][A-Za-z0-9<>_]+(?:[A-Za-z0-9<>_-]*[A-Za-z0-9<>_])?)*-?/g)) {
    const written = m[0].replace(/^data-tier-(?:dev|staging|prod)/, 'data-tier-<env>');
    mentions.set(written, { written, pattern: namePattern(written) });
  }
  for (const m of text.matchAll(/\$\{?STACK\}?((?:[-/][A-Za-z0-9_]+)*)(-?)(.?)/g)) {
    if (m[3] === '$') continue;
    const written = `data-tier-<env>${m[1]}${m[2]}`;
    mentions.set(written, { written, pattern: namePattern(written) });
  }
  return [...mentions.values()];
}

/** The line that sets the tier's outputs as shell variables (Before you start, and each runbook's setup). */
export const OUTPUTS_EVAL = 'eval "$(npx data-tier outputs --deployed --tier "$TIER")"';

/** Whether a script sets the variables of `data-tier outputs` with `eval`. */
export function evalsOutputs(script: string): boolean {
  return /^eval "\$\(npx data-tier outputs [^\n]*\)"$/m.test(script);
}

/** Shell variables a script assigns: `NAME=`, `export NAME=`, loop variables and lower-case locals. */
export function assignedVariables(script: string): Set<string> {
  const assigned = new Set([...script.matchAll(/(?:^|[\s;(])(?:export\s+)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  for (const loop of script.matchAll(/\bfor ([a-z_]+) in\b/g)) assigned.add(loop[1]);
  for (const m of script.matchAll(/\b([a-z_]+)=/g)) assigned.add(m[1]);
  return assigned;
}

/** Shell variables a text uses (`$NAME`, `${NAME}`), once each. */
export function usedVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]))];
}

/** The shell lines of a runbook's bash blocks, joined. */
export function shellScript(runbook: Runbook): string {
  return runbook.blocks.filter((b) => b.language === 'bash').map((b) => shellLines(b.text).join('\n')).join('\n');
}

/** A `npx data-tier <command> ...` invocation found in a runbook. */
export interface DataTierCommand {
  /** `outputs`, `tunnel`, `db apply`...; `--help` for the usage. */
  readonly command: string;
  /** The words after the command, quotes removed. */
  readonly args: string[];
  readonly source: string;
}

/** The part of a shell line holding its `npx data-tier` command: the code, or the comment that shows a command to run elsewhere (`# terminal 2: npx data-tier tunnel ...`). */
function commandText(line: string): string {
  const at = line.search(/(^|\s)#/);
  if (at === -1) return line;
  const code = line.slice(0, at);
  return code.includes('npx data-tier') ? code : commandText(line.slice(at).replace(/^\s*#\s*/, ''));
}

/** Every `npx data-tier` invocation of a runbook: in its shell blocks (comments included: they show commands to run elsewhere) and its inline code. */
export function dataTierCommands(runbook: Runbook): DataTierCommand[] {
  const lines = [...runbook.blocks.filter((b) => b.language === 'bash').flatMap((b) => b.text.replace(/\\\n/g, ' ').split('\n')), ...runbook.inlineCode]
    // Inline `npx data-tier` alone names the command; with words after it, it is one to run.
    .filter((line) => /npx data-tier \S/.test(line))
    .map(commandText);
  return lines.flatMap((line) =>
    // `eval "$(npx data-tier ...)"`: the command inside the quotes, as the shell runs it.
    simpleCommands(line.replace(/"\$\((npx data-tier [^\n]*)\)"/g, '$($1)'))
      .map((words) => words.map((w) => w.unquoted))
      .flatMap((words) => {
        const at = words.findIndex((word, i) => word === 'npx' && words[i + 1] === 'data-tier');
        if (at === -1) return [];
        const [first, second] = words.slice(at + 2);
        const two = ['db', 'upgrade', 'drill'].includes(first) && second !== undefined && !second.startsWith('-');
        return [{ command: two ? `${first} ${second}` : (first ?? ''), args: words.slice(at + (two ? 4 : 3)), source: line }];
      }),
  );
}
