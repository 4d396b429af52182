// The client benchmark's arithmetic and table on fake figures: no server, no timing (npm run bench:client measures).
import { clientGoals, clientGoalsMissed, compareLatency, meetsGoal, overheadPercent, percentile, renderClientTable, type ClientBenchResults } from '../../scripts/bench/client';

const results: ClientBenchResults = {
  generatedAt: '2026-12-01T00:00:00.000Z',
  machine: { cpuModel: 'Test CPU', cores: 2, node: 'v20.0.0', postgresVersion: '17.10', loadAverage: [0.5, 0.7] },
  comparisons: [
    {
      id: 'client.eventual',
      name: 'eventual read',
      samples: 10_000,
      bare: { p50: 0.1, p99: 0.4, cpuMicroseconds: 30 },
      routed: { p50: 0.104, p99: 0.5, cpuMicroseconds: 34 },
      p50OverheadRange: [1.5, 6.2],
      servedBy: { 'replica-1': 5_000, 'replica-2': 5_000 },
      goal: { p50Percent: 5 },
    },
    { id: 'client.strong', name: 'strong read', samples: 10_000, bare: { p50: 0.1, p99: 0.4, cpuMicroseconds: 30 }, routed: { p50: 0.106, p99: 0.41, cpuMicroseconds: 35 }, goal: { p50Percent: 5 } },
    { id: 'client.write', name: 'write and token', samples: 2_500, bare: { p50: 1, p99: 3, cpuMicroseconds: 40 }, routed: { p50: 1.5, p99: 4, cpuMicroseconds: 70 } },
  ],
  figures: [{ id: 'cache.hitRate', section: 'cache', name: 'hit rate', value: 91, unit: '%', target: { text: '>= 80 %', pass: true } }],
};

describe('client benchmark report', () => {
  test('percentiles are nearest-rank; overhead is relative to the bare pool', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(samples, 50), percentile(samples, 99), percentile([7], 99)]).toEqual([50, 99, 7]);
    expect(overheadPercent(0.1, 0.104)).toBeCloseTo(4);
    expect(results.comparisons.map(meetsGoal)).toEqual([true, false, undefined]);
  });

  test('the table puts each side by side, reads each goal, and lists the other figures', () => {
    const table = renderClientTable(results);
    expect(table).toMatch(/eventual read\s+0\.100 ms\s+0\.104 ms\s+\+4\.0 %\s+\+1\.5 % to \+6\.2 %\s+0\.400 ms\s+0\.500 ms\s+\+25\.0 %\s+MET < 5 % at p50\s+30 µs, 34 µs\s+replica-1 5000, replica-2 5000/);
    expect(table).toMatch(/strong read .* MISSED < 5 % at p50/);
    expect(table).toContain('cache: hit rate: 91 % (goal met: >= 80 %)');
    expect(table.trimEnd().split('\n').pop()).toBe('goal missed: client.strong');
  });

  test('a run\'s goals are the routed reads\' overhead and the figures\' targets, each met or missed', () => {
    const shortIngest = { ...results, figures: [...results.figures, { id: 'ingest.share', section: 'ingest', name: 'share', value: 88, unit: '%' as const, target: { text: '>= 90 %', pass: false } }] };
    expect(clientGoals(shortIngest)).toEqual(['client.eventual', 'client.strong', 'cache.hitRate', 'ingest.share']);
    expect(clientGoalsMissed(shortIngest)).toEqual(['client.strong', 'ingest.share']);
    expect(renderClientTable(shortIngest)).toContain('ingest: share: 88 % (goal missed: >= 90 %)');
  });

  test('both sides run as often, in blocks, and where the routed side ran is tallied', async () => {
    const order: string[] = [];
    const compared = await compareLatency(
      { id: 'x', name: 'x' },
      250,
      async () => order.push('bare'),
      async (run) => {
        order.push('routed');
        return { servedBy: run % 2 === 0 ? 'replica-1' : 'writer' };
      },
      0,
    );
    expect(order.filter((side) => side === 'bare')).toHaveLength(250);
    expect(order.slice(0, 101)).toEqual([...Array(100).fill('bare'), 'routed']);
    expect(order.slice(200, 301)).toEqual([...Array(100).fill('routed'), 'bare']);
    expect(compared.servedBy).toEqual({ 'replica-1': 125, writer: 125 });
    expect(compared.p50OverheadRange).toHaveLength(2);
  });
});
