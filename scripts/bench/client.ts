// The application client's benchmark as data and its side-by-side table: each routed operation
// against the same operation on a bare pg Pool on the same server, at p50 and p99, sampled in
// alternating blocks so both sides see the same machine. Pure functions and the sampler; the servers
// and the rows measured are scripts/bench-client.ts's (npm run bench:client), the cache and ingest
// rows (figures) scripts/bench/client-cache.ts's and client-ingest.ts's.
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { DataTierClient } from '../../lib/client';
import { formatValue, type Figure, type Verdict } from './report';

/** p50 and p99 of one side, milliseconds, and the CPU time this process spent per run (what the client itself costs, whatever else the machine runs). */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicroseconds: number;
}

/** The overhead the design accepts for a routed operation, against the bare pool, at p50. */
export interface OverheadGoal {
  readonly p50Percent: number;
}

/** One routed operation against the bare pool doing the same work on the same server. */
export interface LatencyComparison {
  readonly id: string;
  readonly name: string;
  readonly samples: number;
  readonly bare: LatencySummary;
  readonly routed: LatencySummary;
  /** The p50 overhead of each round, lowest and highest, percent: how much the machine moved the figure. */
  readonly p50OverheadRange?: readonly [number, number];
  /** Where the routed side's operations ran, by node. */
  readonly servedBy?: Readonly<Record<string, number>>;
  readonly goal?: OverheadGoal;
}

export interface ClientBenchResults {
  readonly generatedAt: string;
  readonly machine: { readonly cpuModel: string; readonly cores: number; readonly node: string; readonly postgresVersion: string; readonly loadAverage: readonly number[] };
  readonly comparisons: readonly LatencyComparison[];
  /** Rows that are not a latency comparison (a hit rate, a throughput), in the schema benchmark's shape. */
  readonly figures: readonly Figure[];
}

/** The servers and the client a measurement uses: a primary and two streaming replicas, an application role, a table `items`. */
export interface ClientBenchContext {
  readonly client: DataTierClient;
  /** The bare side: pg Pools of the same connections as the client's, the writer's and each replica's. */
  readonly bare: { readonly writer: Pool; readonly replicas: readonly Pool[] };
  /** Rows in `items` (ids 1 to itemCount). */
  readonly itemCount: number;
  /** Runs per side of a latency comparison. */
  readonly runs: number;
}

/** One row (or several) of the benchmark; add one to CLIENT_MEASUREMENTS in scripts/bench-client.ts. */
export type ClientMeasurement = (context: ClientBenchContext) => Promise<{ readonly comparisons?: LatencyComparison[]; readonly figures?: Figure[] }>;

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function overheadPercent(bare: number, routed: number): number {
  return ((routed - bare) / bare) * 100;
}

export function meetsGoal(comparison: LatencyComparison): boolean | undefined {
  return comparison.goal && overheadPercent(comparison.bare.p50, comparison.routed.p50) < comparison.goal.p50Percent;
}

/** The ids of every goal of a run: routed operations with an overhead goal, figures with a target. */
export function clientGoals(results: ClientBenchResults): string[] {
  return [...results.comparisons.filter((c) => c.goal).map((c) => c.id), ...results.figures.filter((f) => f.target).map((f) => f.id)];
}

/** The ids of the goals a run missed: routed operations over their overhead at p50, figures short of their target. */
export function clientGoalsMissed(results: ClientBenchResults): string[] {
  return [...results.comparisons.filter((c) => meetsGoal(c) === false).map((c) => c.id), ...results.figures.filter((f) => f.target && !f.target.pass).map((f) => f.id)];
}

/** Runs of one side in a row: each side then follows itself, as in an application that uses one or the other. */
const BLOCK = 100;
/** Rounds a comparison's runs are split into: the p50s are the median of the rounds', so one disturbed round does not decide. */
const ROUNDS = 5;

/**
 * Times `bare` and `routed` `runs` times each, in alternating blocks of BLOCK runs, after `warmup`
 * untimed runs of each. Within a block a side follows itself, so what one side leaves behind (the
 * server process it just woke, the replica it just used) never favours the other. Each side's p50
 * is the median of ROUNDS rounds' p50s; its p99 is over every run. `routed` may return where it
 * ran, which is tallied.
 */
export async function compareLatency(
  spec: { readonly id: string; readonly name: string; readonly goal?: OverheadGoal },
  runs: number,
  bare: (run: number) => Promise<unknown>,
  routed: (run: number) => Promise<{ readonly servedBy?: string } | unknown>,
  warmup = Math.min(500, runs),
): Promise<LatencyComparison> {
  for (let i = 0; i < warmup; i++) {
    await bare(i);
    await routed(i);
  }
  let bareMs: number[] = [];
  let routedMs: number[] = [];
  const allBare: number[] = [];
  const allRouted: number[] = [];
  const rounds: Array<{ readonly bare: number; readonly routed: number }> = [];
  const cpu = { bare: 0, routed: 0 };
  const servedBy: Record<string, number> = {};
  const timeBlock = async (side: 'bare' | 'routed', from: number) => {
    const cpuBefore = process.cpuUsage();
    for (let run = from; run < Math.min(runs, from + BLOCK); run++) {
      const started = performance.now();
      if (side === 'bare') {
        await bare(run);
        bareMs.push(performance.now() - started);
      } else {
        const result = (await routed(run)) as { servedBy?: string } | undefined;
        routedMs.push(performance.now() - started);
        if (typeof result?.servedBy === 'string') servedBy[result.servedBy] = (servedBy[result.servedBy] ?? 0) + 1;
      }
    }
    const used = process.cpuUsage(cpuBefore);
    cpu[side] += used.user + used.system;
  };
  const blocks = Math.ceil(runs / BLOCK);
  for (let block = 0; block < blocks; block++) {
    const [first, second] = block % 2 === 0 ? (['bare', 'routed'] as const) : (['routed', 'bare'] as const);
    await timeBlock(first, block * BLOCK);
    await timeBlock(second, block * BLOCK);
    const endsRound = Math.floor(((block + 1) * ROUNDS) / blocks) > Math.floor((block * ROUNDS) / blocks) || block === blocks - 1;
    if (endsRound && bareMs.length > 0) {
      rounds.push({ bare: percentile(bareMs, 50), routed: percentile(routedMs, 50) });
      allBare.push(...bareMs);
      allRouted.push(...routedMs);
      bareMs = [];
      routedMs = [];
    }
  }
  const overheads = rounds.map((round) => overheadPercent(round.bare, round.routed));
  const summary = (p50s: number[], samples: number[], cpuMicroseconds: number): LatencySummary => ({ p50: median(p50s), p99: percentile(samples, 99), cpuMicroseconds: cpuMicroseconds / runs });
  return {
    ...spec,
    samples: runs,
    bare: summary(rounds.map((round) => round.bare), allBare, cpu.bare),
    routed: summary(rounds.map((round) => round.routed), allRouted, cpu.routed),
    p50OverheadRange: [Math.min(...overheads), Math.max(...overheads)],
    servedBy: Object.keys(servedBy).length > 0 ? servedBy : undefined,
  };
}

function ms(value: number): string {
  return `${value < 1 ? value.toFixed(3) : value.toFixed(2)} ms`;
}

function signedPercent(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}

/** The comparisons side by side, one line each, then the other figures and the verdict on each goal. */
export function renderClientTable(results: ClientBenchResults): string {
  const header = ['operation', 'bare p50', 'routed p50', 'overhead p50', 'rounds', 'bare p99', 'routed p99', 'overhead p99', 'goal', 'client CPU/run bare, routed', 'served by'];
  const rows = results.comparisons.map((c) => {
    const met = meetsGoal(c);
    return [
      c.name,
      ms(c.bare.p50),
      ms(c.routed.p50),
      signedPercent(overheadPercent(c.bare.p50, c.routed.p50)),
      c.p50OverheadRange ? `${signedPercent(c.p50OverheadRange[0])} to ${signedPercent(c.p50OverheadRange[1])}` : '',
      ms(c.bare.p99),
      ms(c.routed.p99),
      signedPercent(overheadPercent(c.bare.p99, c.routed.p99)),
      c.goal ? `${met ? 'MET' : 'MISSED'} < ${c.goal.p50Percent} % at p50` : '',
      `${c.bare.cpuMicroseconds.toFixed(0)} µs, ${c.routed.cpuMicroseconds.toFixed(0)} µs`,
      c.servedBy ? Object.entries(c.servedBy).map(([node, count]) => `${node} ${count}`).join(', ') : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  const { machine } = results;
  const verdict = (v: Verdict | undefined, of: string) => (v ? ` (${of} ${v.pass ? 'met' : 'missed'}: ${v.text})` : '');
  const figures = results.figures.map((f) => `${f.section}: ${f.name}: ${formatValue(f.value, f.unit)}${verdict(f.target, 'goal')}${verdict(f.designNote, 'source documents')}`);
  const goals = clientGoals(results);
  const missed = clientGoalsMissed(results);
  return [
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgresVersion}; load average ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
    `${results.comparisons[0]?.samples.toLocaleString('en-US') ?? 0} runs a side, in alternating blocks of ${BLOCK}; p50: the median of ${ROUNDS} rounds' (rounds: each round's overhead, lowest to highest); bare = pg's pool.query on the client's own pools (same connections, same server processes)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(figures.length > 0 ? ['', ...figures] : []),
    '',
    goals.length === 0 ? 'no goal set' : missed.length === 0 ? `every goal met (${goals.join(', ')})` : `goal missed: ${missed.join(', ')}`,
  ].join('\n');
}
