// The benchmark's renderings on fake figures: no database, no timing (npm run bench measures).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { headingAnchor, renderBenchmarksDoc } from '../../scripts/bench/document';
import { explainMisses, isMissed } from '../../scripts/bench/notes';
import { formatValue, renderSvg, renderTable, rowsLabel, type BenchResults } from '../../scripts/bench/report';
import { median, percentile } from '../../scripts/bench/measure';

const results: BenchResults = {
  generatedAt: '2026-11-22T05:00:00.000Z',
  wallTimeSeconds: 185.2,
  machine: {
    cpuModel: 'Test CPU',
    cores: 2,
    memoryGiB: 24,
    os: 'Linux',
    node: 'v20.0.0',
    postgresVersion: '17.10',
    settings: { shared_buffers: '128MB' },
    loadAverage: { atStart: 0.5, max: 1.25, mean: 0.8, atEnd: 0.7 },
  },
  figures: [
    {
      id: 'ingest.copy',
      section: 'ingest',
      name: 'COPY into analytics_events',
      value: 103_325.4,
      unit: 'rows/s',
      target: { text: '>= 40,000 rows/s', pass: true },
      designNote: { text: '10,000 inserts/s', pass: true },
    },
    { id: 'ingest.copyRatio', section: 'ingest', name: 'COPY / limit', value: 29.7, unit: '%', target: { text: '>= 60 % | of the limit', pass: false } },
    { id: 'retention.deleteWal', section: 'retention', name: 'WAL: DELETE', value: 89.6 * 2 ** 20, unit: 'bytes' },
  ],
  ingest: [
    { label: 'limit: COPY, unlogged, no indexes', rowsPerSecond: 348_010 },
    { label: 'COPY', rowsPerSecond: 103_325 },
  ],
  queries: [{ query: 'all tenants, one week', rows: 5_000_000, partitionedMs: 20, unpartitionedMs: 48 }],
  plans: {},
  notes: ['a note'],
};

describe('benchmark report', () => {
  test('formats each unit for humans', () => {
    expect(formatValue(103_325.4, 'rows/s')).toBe('103,325 rows/s');
    expect(formatValue(0.1234, 'ms')).toBe('0.123 ms');
    expect(formatValue(1821.4, 'ms')).toBe('1821 ms');
    expect(formatValue(2.384, 'x')).toBe('2.38x');
    expect(formatValue(89.6 * 2 ** 20, 'bytes')).toBe('89.6 MB');
    expect(rowsLabel(5_000_000)).toBe('5M rows');
    expect(rowsLabel(3_750_000)).toBe('3.8M rows');
    expect(rowsLabel(200_000)).toBe('200k rows');
  });

  test('the median of odd and even sample counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('percentiles by nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
  });

  test('the terminal table groups by section and marks each verdict', () => {
    const table = renderTable(results);
    expect(table).toContain('[ingest]');
    expect(table).toMatch(/COPY into analytics_events\s+103,325 rows\/s\s+PASS >= 40,000 rows\/s\s+PASS 10,000 inserts\/s/);
    expect(table).toContain('MISS >= 60 %');
    expect(table).toContain('load average 0.50 at start, max 1.25');
  });

  test('the chart is one well-formed SVG with a bar per ingest method and two per query', () => {
    const svg = renderSvg(results);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // background + legend (2) + ingest bars (2) + query bars (2)
    expect(svg.match(/<rect /g)).toHaveLength(7);
    expect(svg).toContain('target 40,000 rows/s');
    expect(svg).toContain('(2.40x)');
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
  });

  test('docs/benchmarks.md embeds the chart, escapes table cells and reads each verdict in words', () => {
    const doc = renderBenchmarksDoc(results);
    expect(doc).toContain('![benchmark chart');
    expect(doc).toContain('(benchmarks.svg)');
    expect(doc).toContain('| ingest | COPY into analytics_events | 103,325 rows/s | met: >= 40,000 rows/s | met: 10,000 inserts/s |');
    expect(doc).toContain('missed: >= 60 % \\| of the limit');
    expect(doc).not.toMatch(/✅|❌/);
  });

  test('docs/benchmarks.md leads with the headlines and links the raw results in the repository at the release', () => {
    const doc = renderBenchmarksDoc(results);
    expect(doc.indexOf('- ingest: COPY 103,325 rows/s')).toBeLessThan(doc.indexOf('## Every figure'));
    expect(doc).toMatch(/\]\(https:\/\/github\.com\/postgres-data-tier\/postgres-data-tier\/blob\/v\d+\.\d+\.\d+\/scripts\/bench\/results\/latest\.json\)/);
  });
});

describe('the committed benchmark report', () => {
  const root = join(__dirname, '../..');
  const latest = JSON.parse(readFileSync(join(root, 'scripts/bench/results/latest.json'), 'utf8')) as BenchResults;

  test('explains every missed target of the latest run: what the figure is, why, what would change it', () => {
    const explanations = explainMisses(latest.figures);
    for (const figure of latest.figures.filter(isMissed)) {
      const explanation = explanations.find((e) => e.figures.includes(figure.id));
      expect({ figure: figure.id, explained: explanation !== undefined }).toEqual({ figure: figure.id, explained: true });
      expect(explanation!.text).toMatch(/\*\*What it is:\*\*[\s\S]*\*\*Why:\*\*[\s\S]*\*\*What would change it:\*\*/);
    }
    const doc = renderBenchmarksDoc(latest);
    for (const e of explanations) expect(doc).toContain(`(#${headingAnchor(e.title)})`);
  });

  test('docs/benchmarks.md and its chart are the rendering of latest.json (refresh: npm run bench -- --report-only)', () => {
    expect(readFileSync(join(root, 'docs/benchmarks.md'), 'utf8')).toBe(renderBenchmarksDoc(latest));
    expect(readFileSync(join(root, 'docs/benchmarks.svg'), 'utf8')).toBe(renderSvg(latest));
  });
});
