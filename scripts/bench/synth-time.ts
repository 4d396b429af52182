// Times `cdk synth -c env=<env> --quiet` in this checkout and, given --baseline <checkout>, in
// another one (an older main with its node_modules installed), alternating runs so both see the
// same machine load, and prints each run and the medians.
//   npx tsx scripts/bench/synth-time.ts [--env prod] [--runs 5] [--baseline /path/to/old/checkout]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { env: { type: 'string', default: 'prod' }, runs: { type: 'string', default: '5' }, baseline: { type: 'string' } } });
const checkouts: Array<[string, string]> = [['this checkout', path.join(__dirname, '..', '..')], ...(values.baseline ? [['baseline', path.resolve(values.baseline)] as [string, string]] : [])];

function synthSeconds(directory: string): number {
  const outdir = mkdtempSync(path.join(tmpdir(), 'synth-time-'));
  const started = process.hrtime.bigint();
  const result = spawnSync(path.join(directory, 'node_modules', '.bin', 'cdk'), ['synth', '-c', `env=${values.env}`, '--quiet', '--output', outdir], { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`cdk synth failed in ${directory}:\n${result.stderr}`);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = new Map<string, number[]>(checkouts.map(([name]) => [name, []]));
for (let run = 1; run <= Number(values.runs); run++) {
  for (const [name, directory] of checkouts) {
    const seconds = synthSeconds(directory);
    times.get(name)!.push(seconds);
    console.log(`run ${run} ${name}: ${seconds.toFixed(2)} s`);
  }
}
for (const [name, xs] of times) console.log(`${name}: median ${median(xs).toFixed(2)} s of ${xs.length} runs (${xs.map((x) => x.toFixed(1)).join(', ')})`);
if (values.baseline) console.log(`speed-up: ${(median(times.get('baseline')!) / median(times.get('this checkout')!)).toFixed(2)}x`);
