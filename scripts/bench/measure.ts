// Timing helpers: every figure is the median of several runs, timed on the client around the
// round trip (what an application sees), with WAL volume read from pg_current_wal_lsn().
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ClientBase } from 'pg';
import { effectiveDatabaseOptions, resolveConfig } from '../../app/config';
import { postgresParameters } from '../../lib/private/instance-settings';
import type { MachineInfo } from './report';

/** Settings that shape the figures, reported with the machine. */
const REPORTED_SETTINGS = [
  'shared_buffers',
  'work_mem',
  'maintenance_work_mem',
  'effective_cache_size',
  'max_parallel_workers_per_gather',
  'max_wal_size',
  'synchronous_commit',
  'fsync',
  'wal_level',
  'full_page_writes',
  'jit',
  'random_page_cost',
  'autovacuum',
];

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile of samples, by nearest rank: p50 of [1, 2, 3, 4] is 2, p99 of 100 samples the 99th smallest. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Milliseconds `work` takes. */
export async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Runs `work` `runs` times after `warmup` untimed runs; returns each run's milliseconds. */
export async function sampleMs(runs: number, work: (run: number) => Promise<unknown>, warmup = 0): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timeMs(() => work(i)));
  return samples;
}

/** Milliseconds and WAL bytes of `work`, on a database nobody else writes to. */
export async function timeWithWal(client: ClientBase, work: () => Promise<unknown>): Promise<{ ms: number; walBytes: number }> {
  const { rows: before } = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  const ms = await timeMs(work);
  const { rows: after } = await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::bigint AS bytes', [
    before[0].lsn,
  ]);
  return { ms, walBytes: Number(after[0].bytes) };
}

/** Samples the 1-minute load average while the benchmark runs, so the report can say how busy the machine was. */
export class LoadSampler {
  private readonly samples: number[] = [os.loadavg()[0]];
  private readonly timer = setInterval(() => this.samples.push(os.loadavg()[0]), 5_000);

  constructor() {
    this.timer.unref();
  }

  stop(): { atStart: number; max: number; mean: number; atEnd: number } {
    clearInterval(this.timer);
    this.samples.push(os.loadavg()[0]);
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      atStart: round(this.samples[0]),
      max: round(Math.max(...this.samples)),
      mean: round(this.samples.reduce((a, b) => a + b, 0) / this.samples.length),
      atEnd: round(this.samples[this.samples.length - 1]),
    };
  }
}

/**
 * The prod parameter group minus what needs RDS or TLS (rds.*, ssl_*): everything else in it
 * (pg_stat_statements, logging, timeouts, track_io_timing) costs locally what it costs on RDS.
 */
export function benchSettings(): Record<string, string> {
  const all = postgresParameters(effectiveDatabaseOptions(resolveConfig({ context: { env: 'prod' } })));
  return Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('rds.') && !key.startsWith('ssl')));
}

/** The machine and server the figures were measured on: `settings` passed to the server, with the effective values of those that shape the figures. */
export async function describeMachine(client: ClientBase, settings: Record<string, string>, loadAverage: MachineInfo['loadAverage']): Promise<MachineInfo> {
  const { rows: version } = await client.query<{ v: string }>(`SELECT version() AS v`);
  const { rows: effective } = await client.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1) ORDER BY name`,
    [REPORTED_SETTINGS],
  );
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgresVersion: version[0].v.replace(/^PostgreSQL /, '').split(' on ')[0],
    settings: { ...settings, ...Object.fromEntries(effective.map((s) => [s.name, s.setting])) },
    loadAverage,
  };
}
