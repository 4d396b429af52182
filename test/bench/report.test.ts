// The benchmark's renderings on fake figures: no database, no timing (npm run bench measures).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientBenchResults } from '../../scripts/bench/client';
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

const client: ClientBenchResults = {
  generatedAt: '2026-12-01T00:00:00.000Z',
  machine: { cpuModel: 'Test CPU', cores: 2, node: 'v20.0.0', postgresVersion: '17.10', loadAverage: [0.5, 1.5, 0.9] },
  comparisons: [
    {
      id: 'client.eventual',
      name: 'eventual read | by key',
      samples: 20_000,
      bare: { p50: 0.1, p99: 0.4, cpuMicroseconds: 30 },
      routed: { p50: 0.104, p99: 0.5, cpuMicroseconds: 34 },
      p50OverheadRange: [1.5, 6.2],
      servedBy: { 'replica-1': 10_000, 'replica-2': 10_000 },
      goal: { p50Percent: 5 },
    },
    { id: 'client.strong', name: 'strong read', samples: 20_000, bare: { p50: 0.1, p99: 0.4, cpuMicroseconds: 30 }, routed: { p50: 0.106, p99: 0.41, cpuMicroseconds: 35 }, goal: { p50Percent: 5 } },
    { id: 'client.write', name: 'write and token', samples: 5_000, bare: { p50: 1, p99: 3, cpuMicroseconds: 40 }, routed: { p50: 1.5, p99: 4, cpuMicroseconds: 70 } },
  ],
  figures: [
    { id: 'client.cache.entity.hitP50', section: 'client: cache', name: 'an entity: cache hit, p50', value: 0.05, unit: 'ms' },
    { id: 'client.cache.entity.speedupP50', section: 'client: cache', name: 'an entity: database read / cache hit, p50', value: 3.1, unit: 'x', target: { text: 'a hit no slower than the read it saves', pass: true } },
    { id: 'client.ingest.share', section: 'client: ingest', name: 'Ingester / raw COPY', value: 93.4, unit: '%', target: { text: '>= 90 % of the raw COPY', pass: true } },
  ],
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

describe('the Client section of docs/benchmarks.md', () => {
  const doc = renderBenchmarksDoc(results, client);

  test('puts each routed operation beside the bare pool at p50 and p99, with its rounds, its goal met or missed and where it ran', () => {
    expect(doc).toContain(
      '| eventual read \\| by key | 0.100 ms | 0.104 ms | +4.0 % | +1.5 % to +6.2 % | 0.400 ms | 0.500 ms | +25.0 % | met: < 5 % at p50 | replica-1 10,000, replica-2 10,000 |',
    );
    expect(doc).toContain('| strong read | 0.100 ms | 0.106 ms | +6.0 % |');
    expect(doc).toMatch(/^\| strong read \|.*\| missed: < 5 % at p50 \|  \|$/m);
    expect(doc).toMatch(/^\| write and token \| 1\.00 ms \| 1\.50 ms \| \+50\.0 % \|.*\| \+33\.3 % \|  \|  \|$/m);
  });

  test('lists the cache and ingest rows with each goal met or missed, names every missed goal, and links the raw results', () => {
    expect(doc).toContain('| client: ingest | Ingester / raw COPY | 93 % | met: >= 90 % of the raw COPY |  |');
    expect(doc).toContain('| client: cache | an entity: database read / cache hit, p50 | 3.10x | met: a hit no slower than the read it saves |  |');
    expect(doc).toContain('Missed on this run (2 cores, load average up to 1.50): `client.strong` +6.0 % at p50 (goal < 5 %). Goals met: `client.eventual`, `client.cache.entity.speedupP50`, `client.ingest.share`.');
    expect(doc).toContain('load average 0.50 to 1.50 during the run');
    expect(doc).toMatch(/\]\(https:\/\/github\.com\/postgres-data-tier\/postgres-data-tier\/blob\/v\d+\.\d+\.\d+\/scripts\/bench\/results\/client\.json\)/);
  });

  test('comes after the schema\'s figures, and its headline reads each goal', () => {
    expect(doc.indexOf('## Client')).toBeGreaterThan(doc.indexOf('## Every figure'));
    expect(doc.indexOf('## Client')).toBeLessThan(doc.indexOf('## Machine and settings'));
    expect(doc).toContain(
      '- client: routed reads +4.0 % (eventual), +6.0 % (strong) over a bare `pg` pool at p50 (goal under 5 %: missed by strong); a cache hit 3.10x faster than the database read of an entity at p50; the Ingester at 93 % of a raw COPY (goal >= 90 %: met)',
    );
    expect(doc.indexOf('- client:')).toBeLessThan(doc.indexOf('## Every figure'));
  });

  test('says every goal is met when none is missed, and is left out without client results', () => {
    const allMet = { ...client, comparisons: client.comparisons.filter((c) => c.id !== 'client.strong') };
    expect(renderBenchmarksDoc(results, allMet)).toContain('Every goal is met (`client.eventual`, `client.cache.entity.speedupP50`, `client.ingest.share`).');
    expect(renderBenchmarksDoc(results)).not.toContain('## Client');
  });
});

describe('the committed benchmark report', () => {
  const root = join(__dirname, '../..');
  const latest = JSON.parse(readFileSync(join(root, 'scripts/bench/results/latest.json'), 'utf8')) as BenchResults;
  const committedClient = JSON.parse(readFileSync(join(root, 'scripts/bench/results/client.json'), 'utf8')) as ClientBenchResults;

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

  test('the committed client results hold the routed reads, the cache and the ingest rows, each goal read', () => {
    expect(committedClient.comparisons.map((c) => c.id)).toEqual(expect.arrayContaining(['client.eventual', 'client.readYourWrites', 'client.strong']));
    const ids = committedClient.figures.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['client.cache.entity.hitP50', 'client.cache.entity.databaseP50', 'client.ingest.ingester', 'client.ingest.rawCopy', 'client.ingest.share']));
    expect(renderBenchmarksDoc(latest, committedClient)).toMatch(/^(Every goal is met|Missed on this run)/m);
  });

  test('docs/benchmarks.md and its chart are the rendering of latest.json and client.json (refresh: npm run bench -- --report-only)', () => {
    expect(readFileSync(join(root, 'docs/benchmarks.md'), 'utf8')).toBe(renderBenchmarksDoc(latest, committedClient));
    expect(readFileSync(join(root, 'docs/benchmarks.svg'), 'utf8')).toBe(renderSvg(latest));
  });
});
