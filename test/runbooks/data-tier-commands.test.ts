// Every `npx data-tier <command> ...` a runbook shows names a command the CLI has and only options
// that command accepts, checked with the CLI's own option table (COMMAND_OPTIONS) and parser.
import { parseArgs } from 'node:util';
import { COMMAND_OPTIONS } from '../../lib/cli/index';
import { dataTierCommands, INDEX_FILE, readRunbook, runbookFiles } from './runbooks';

const files = [INDEX_FILE, ...runbookFiles()];
const commands = files.flatMap((file) => dataTierCommands(readRunbook(file)).map((command) => ({ file, command })));

/** What is wrong with one command line, as the CLI would say it; none when it parses. */
function problem(command: string, args: string[]): string | undefined {
  if (command === '--help') return args.length === 0 ? undefined : `--help takes no arguments`;
  const options = (COMMAND_OPTIONS as Record<string, NonNullable<Parameters<typeof parseArgs>[0]>['options']>)[command];
  if (!options) return `no command "${command}" (there are ${Object.keys(COMMAND_OPTIONS).join(', ')})`;
  try {
    parseArgs({ args, options, strict: true, allowPositionals: false });
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

describe('data-tier commands in the runbooks', () => {
  it('finds them: outputs in every setup, tunnel wherever the database is reached', () => {
    const seen = new Set(commands.map(({ command }) => command.command));
    expect([...seen]).toEqual(expect.arrayContaining(['outputs', 'tunnel', 'upgrade preflight']));
    expect(commands.length).toBeGreaterThan(50);
  });

  it.each(files)('%s runs only commands the CLI has, with options they accept', (file) => {
    const problems = dataTierCommands(readRunbook(file)).flatMap(({ command, args, source }) => {
      const wrong = problem(command, args);
      return wrong ? [`data-tier ${command}: ${wrong}: ${source}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('would refuse a command or an option the CLI does not have', () => {
    expect(problem('tunnel', ['--deployed', '--tier', 'x', '--to', 'primary', '--env', 'prod'])).toMatch(/Unknown option '--env'/);
    expect(problem('tunnel', ['--deployed', '--to'])).toMatch(/--to/);
    expect(problem('outputs', ['--deployed', '--get', 'WriterEndpoint'])).toBeUndefined();
    expect(problem('outputz', [])).toMatch(/^no command "outputz"/);
    expect(dataTierCommands({ ...readRunbook(INDEX_FILE), blocks: [{ language: 'bash', text: 'eval "$(npx data-tier outputs --deployed --tier "$TIER")"\n# terminal 2: npx data-tier tunnel --stack "$S" --to primary   # kept open', line: 1 }], inlineCode: ['npx data-tier db apply --database-url x'] })).toEqual([
      { command: 'outputs', args: ['--deployed', '--tier', '$TIER'], source: 'eval "$(npx data-tier outputs --deployed --tier "$TIER")"' },
      { command: 'tunnel', args: ['--stack', '$S', '--to', 'primary'], source: 'terminal 2: npx data-tier tunnel --stack "$S" --to primary  ' },
      { command: 'db apply', args: ['--database-url', 'x'], source: 'npx data-tier db apply --database-url x' },
    ]);
  });
});
