// The benchmark's results as data, and their three renderings: the terminal table, the SVG
// chart of the ingest and query comparisons, and the written report (scripts/bench/document.ts).
// Pure functions of BenchResults, so they are tested on fake figures (test/bench/report.test.ts).

/** A target of the design, or a figure from the source documents (docs/sources.md), and whether the measurement meets it. */
export interface Verdict {
  readonly text: string;
  readonly pass: boolean;
}

/** One reported figure: the median of `samples` where there are several. */
export interface Figure {
  readonly id: string;
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: Unit;
  readonly samples?: readonly number[];
  readonly detail?: string;
  /** The design's target for this figure on this machine. */
  readonly target?: Verdict;
  /** The figure from the source documents (docs/sources.md) it is compared with (their rules of thumb for the schema, not measured on this machine). */
  readonly designNote?: Verdict;
}

export type Unit = 'rows/s' | 'ms' | 'x' | '%' | 'bytes' | 'rows' | 's';

export interface IngestBar {
  readonly label: string;
  readonly rowsPerSecond: number;
}

export interface QueryComparison {
  readonly query: string;
  readonly rows: number;
  /** e.g. "3 months back, after retention"; absent for a fresh load. */
  readonly scenario?: string;
  readonly partitionedMs: number;
  readonly unpartitionedMs: number;
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly postgresVersion: string;
  /** Settings passed to the server, and the effective values of the ones that shape the figures. */
  readonly settings: Record<string, string>;
  /** 1-minute load averages sampled during the run. */
  readonly loadAverage: { readonly atStart: number; readonly max: number; readonly mean: number; readonly atEnd: number };
}

export interface BenchResults {
  readonly generatedAt: string;
  readonly wallTimeSeconds: number;
  readonly machine: MachineInfo;
  readonly figures: readonly Figure[];
  readonly ingest: readonly IngestBar[];
  readonly queries: readonly QueryComparison[];
  /** EXPLAIN (ANALYZE, BUFFERS) of both sides of every comparison that missed its target. */
  readonly plans: Record<string, string>;
  readonly notes: readonly string[];
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB'];

/** A figure's value for humans: thousands separators, a sensible number of decimals. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'rows/s':
    case 'rows':
      return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
    case 'ms':
      return `${value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(0)} ms`;
    case 's':
      return `${value.toFixed(1)} s`;
    case 'x':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(0)}x`;
    case '%':
      return `${value.toFixed(0)} %`;
    case 'bytes': {
      let scaled = value;
      let i = 0;
      while (Math.abs(scaled) >= 1024 && i < BYTE_UNITS.length - 1) {
        scaled /= 1024;
        i++;
      }
      return `${i === 0 ? scaled.toFixed(0) : scaled.toFixed(1)} ${BYTE_UNITS[i]}`;
    }
  }
}

/** "5M rows", "3.8M rows", "200k rows". */
export function rowsLabel(rows: number): string {
  return rows >= 1_000_000 ? `${(rows / 1_000_000).toFixed(rows % 1_000_000 === 0 ? 0 : 1)}M rows` : `${Math.round(rows / 1000)}k rows`;
}

function verdictCell(verdict: Verdict | undefined): string {
  return verdict ? `${verdict.pass ? 'PASS' : 'MISS'} ${verdict.text}` : '';
}

/** The terminal table: one line per figure, grouped by section. */
export function renderTable(results: BenchResults): string {
  const header = ['measurement', 'median', 'target', 'source documents'];
  const rows: string[][] = [];
  let section = '';
  for (const figure of results.figures) {
    if (figure.section !== section) {
      section = figure.section;
      rows.push([`[${section}]`, '', '', '']);
    }
    rows.push([`  ${figure.name}`, formatValue(figure.value, figure.unit), verdictCell(figure.target), verdictCell(figure.designNote)]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const { machine } = results;
  return [
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; PostgreSQL ${machine.postgresVersion}; ` +
      `load average ${machine.loadAverage.atStart.toFixed(2)} at start, max ${machine.loadAverage.max.toFixed(2)}, mean ${machine.loadAverage.mean.toFixed(2)}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `wall time ${results.wallTimeSeconds.toFixed(0)} s`,
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CHART = { width: 960, labelWidth: 330, barHeight: 18, gap: 6, barArea: 470, font: 'font-family="Helvetica, Arial, sans-serif"' };
const COLORS = { limit: '#9e9e9e', ingest: '#1f77b4', partitioned: '#2ca02c', unpartitioned: '#d62728', target: '#ff7f0e' };

function text(x: number, y: number, content: string, attributes = '', size = 12): string {
  return `<text x="${x}" y="${y}" ${CHART.font} font-size="${size}" ${attributes}>${escapeXml(content)}</text>`;
}

function title(y: number, content: string): string {
  return text(10, y, content, 'font-weight="bold"', 15);
}

function bar(y: number, width: number, color: string, label: string, value: string): string {
  const w = Math.max(1, width);
  return [
    text(CHART.labelWidth - 8, y + CHART.barHeight - 5, label, 'text-anchor="end"'),
    `<rect x="${CHART.labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${CHART.barHeight}" fill="${color}"/>`,
    text(CHART.labelWidth + w + 6, y + CHART.barHeight - 5, value),
  ].join('');
}

/**
 * The chart the README embeds: ingest throughput against the machine's limit (one scale,
 * with the design's 40,000 rows/s target line), then each time-sliced query partitioned against
 * unpartitioned (each pair on its own scale, since they span three orders of magnitude).
 */
export function renderSvg(results: BenchResults, ingestTargetRowsPerSecond = 40_000): string {
  const parts: string[] = [];
  let y = 30;
  parts.push(title(y, 'Ingest into analytics_events (rows/s, median) vs the machine limit'));
  y += 14;
  const maxIngest = Math.max(ingestTargetRowsPerSecond, ...results.ingest.map((b) => b.rowsPerSecond));
  const scaleIngest = CHART.barArea / maxIngest;
  const ingestTop = y;
  for (const b of results.ingest) {
    const color = /limit/i.test(b.label) ? COLORS.limit : COLORS.ingest;
    parts.push(bar(y, b.rowsPerSecond * scaleIngest, color, b.label, formatValue(b.rowsPerSecond, 'rows/s')));
    y += CHART.barHeight + CHART.gap;
  }
  const targetX = CHART.labelWidth + ingestTargetRowsPerSecond * scaleIngest;
  parts.push(
    `<line x1="${targetX.toFixed(1)}" y1="${ingestTop - 4}" x2="${targetX.toFixed(1)}" y2="${y}" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`,
    text(targetX + 4, y + 12, `target ${ingestTargetRowsPerSecond.toLocaleString('en-US')} rows/s`, `fill="${COLORS.target}"`),
  );
  y += 46;

  parts.push(title(y, 'Time-sliced queries, median ms (shorter is better), same rows and indexes both sides'));
  y += 10;
  parts.push(
    `<rect x="${CHART.labelWidth}" y="${y}" width="12" height="12" fill="${COLORS.partitioned}"/>`,
    text(CHART.labelWidth + 18, y + 11, 'partitioned (monthly)'),
    `<rect x="${CHART.labelWidth + 170}" y="${y}" width="12" height="12" fill="${COLORS.unpartitioned}"/>`,
    text(CHART.labelWidth + 188, y + 11, 'unpartitioned'),
    text(CHART.labelWidth + 290, y + 11, '(n x) = unpartitioned / partitioned', 'fill="#555"'),
  );
  y += 22;
  for (const q of results.queries) {
    const max = Math.max(q.partitionedMs, q.unpartitionedMs);
    const scale = max > 0 ? CHART.barArea / max : 0;
    const speedup = q.partitionedMs > 0 ? q.unpartitionedMs / q.partitionedMs : 0;
    parts.push(bar(y, q.partitionedMs * scale, COLORS.partitioned, q.query, `${formatValue(q.partitionedMs, 'ms')} (${formatValue(speedup, 'x')})`));
    y += CHART.barHeight;
    const context = q.scenario ? `${rowsLabel(q.rows)}, ${q.scenario}` : rowsLabel(q.rows);
    parts.push(bar(y, q.unpartitionedMs * scale, COLORS.unpartitioned, context, formatValue(q.unpartitionedMs, 'ms')));
    y += CHART.barHeight + CHART.gap * 2;
  }
  y += 10;
  const m = results.machine;
  parts.push(
    text(10, y, `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, PostgreSQL ${m.postgresVersion}; load average max ${m.loadAverage.max.toFixed(2)}; ${results.generatedAt}`, 'fill="#555"'),
  );
  y += 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${y}" viewBox="0 0 ${CHART.width} ${y}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
