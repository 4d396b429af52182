// The benchmark written up for readers: docs/benchmarks.md (the headlines, every figure, where
// the ingest gap goes, each missed target explained, the plans, the application client's rows).
// A pure function of BenchResults and ClientBenchResults; `npm run bench` writes it after a run,
// `npm run bench -- --report-only` rewrites it from the committed scripts/bench/results/latest.json
// and client.json without measuring. docs/ ships in the package, so
// the chart sits beside the document and the raw results are linked in the repository.
import { sourceUrl } from '../repository';
import { clientGoals, clientGoalsMissed, meetsGoal, overheadPercent, type ClientBenchResults, type LatencyComparison } from './client';
import { explainMisses, isMissed, SCHEMA_CHANGES, type Explanation } from './notes';
import { formatValue, type BenchResults, type Figure, type Verdict } from './report';

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function find(results: BenchResults, id: string): Figure | undefined {
  return results.figures.find((f) => f.id === id);
}

function machineLine(results: BenchResults): string {
  const m = results.machine;
  return `${results.generatedAt}, ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, PostgreSQL ${m.postgresVersion}, load average ${m.loadAverage.atStart.toFixed(2)} at start (max ${m.loadAverage.max.toFixed(2)} during the run), ${results.wallTimeSeconds.toFixed(0)} s wall time`;
}

/** The anchor GitHub gives a heading. */
export function headingAnchor(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** A verdict cell: met, or missed with a link to its explanation. */
function verdictCell(verdict: Verdict | undefined, explanation: Explanation | undefined): string {
  if (!verdict) return '';
  if (verdict.pass) return `met: ${markdownCell(verdict.text)}`;
  return `missed: ${markdownCell(verdict.text)}${explanation ? ` ([why](#${headingAnchor(explanation.title)}))` : ''}`;
}

const WHAT_IS_MEASURED =
  "`npm run bench` starts an embedded PostgreSQL with the stack's parameter-group settings that apply on a laptop, applies the migrations (`sql/` and the example application's `app/sql/analytics/`) " +
  'and measures the example table `analytics_events` (monthly partitions, BRIN and two B-tree indexes) against an unpartitioned copy with the same rows and indexes: ingest, time-sliced queries at 1M and 5M rows, ' +
  "`health_check()` as the table grows, the dashboard rollup, retention by detaching a partition against DELETE, and partition maintenance. Every figure is the median of several runs. " +
  "Each is compared with the design's target on this kind of machine and, where they give one, with the figure of the source documents (docs/sources.md) (rules of thumb for the schema, such as \"10,000 inserts/s\" or \"partitioning makes time-sliced queries 50-70 % faster\"); " +
  "the machine's own limit (COPY into an unlogged table without indexes) puts the ingest figures in proportion.";

/** The committed results of the latest run, in the repository. */
const RESULTS_PATH = 'scripts/bench/results/latest.json';
/** The committed results of the latest client run (npm run bench:client, or npm run bench after its own rows). */
const CLIENT_RESULTS_PATH = 'scripts/bench/results/client.json';

function signedPercent(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}

/** A routed operation's goal in words: met or missed, and the bound. */
function overheadVerdict(comparison: LatencyComparison): string {
  if (!comparison.goal) return '';
  return `${meetsGoal(comparison) ? 'met' : 'missed'}: < ${comparison.goal.p50Percent} % at p50`;
}

/** The client's headline: each routed read's p50 overhead, the cache's p50 speedup, the Ingester's share, each goal read. */
function clientHeadline(client: ClientBenchResults): string[] {
  const parts: string[] = [];
  const reads = client.comparisons.filter((c) => c.goal);
  if (reads.length > 0) {
    const missed = reads.filter((c) => !meetsGoal(c));
    parts.push(
      `routed reads ${reads.map((c) => `${signedPercent(overheadPercent(c.bare.p50, c.routed.p50))} (${c.id.replace(/^client\./, '')})`).join(', ')} over a bare \`pg\` pool at p50 ` +
        `(goal under ${reads[0].goal!.p50Percent} %: ${missed.length === 0 ? 'met' : `missed by ${missed.map((c) => c.id.replace(/^client\./, '')).join(', ')}`})`,
    );
  }
  const speedup = client.figures.find((f) => f.id === 'client.cache.entity.speedupP50');
  if (speedup) parts.push(`a cache hit ${formatValue(speedup.value, speedup.unit)} faster than the database read of an entity at p50`);
  const share = client.figures.find((f) => f.id === 'client.ingest.share');
  if (share?.target) parts.push(`the Ingester at ${formatValue(share.value, share.unit)} of a raw COPY (goal ${share.target.text.replace(/ of the raw COPY$/, '')}: ${share.target.pass ? 'met' : 'missed'})`);
  return parts.length > 0 ? [`- client: ${parts.join('; ')}`] : [];
}

/** A missed goal of a client run in words: its id, its figure and the goal. */
function missedGoal(client: ClientBenchResults, id: string): string {
  const comparison = client.comparisons.find((c) => c.id === id);
  if (comparison?.goal) {
    const range = comparison.p50OverheadRange ? `, rounds ${signedPercent(comparison.p50OverheadRange[0])} to ${signedPercent(comparison.p50OverheadRange[1])}` : '';
    return `\`${id}\` ${signedPercent(overheadPercent(comparison.bare.p50, comparison.routed.p50))} at p50${range} (goal < ${comparison.goal.p50Percent} %)`;
  }
  const figure = client.figures.find((f) => f.id === id);
  return figure?.target ? `\`${id}\` ${formatValue(figure.value, figure.unit)} (goal ${markdownCell(figure.target.text)})` : `\`${id}\``;
}

/** The Client section: each routed operation beside the bare pool, then the cache and ingest rows, each goal met or missed. */
function clientSection(client: ClientBenchResults): string[] {
  const m = client.machine;
  const goals = clientGoals(client);
  const missed = clientGoalsMissed(client);
  const load = m.loadAverage.length > 0 ? `, load average ${Math.min(...m.loadAverage).toFixed(2)} to ${Math.max(...m.loadAverage).toFixed(2)} during the run` : '';
  const samples = client.comparisons[0]?.samples;
  const lines = [
    '## Client',
    '',
    'The application client (`postgres-data-tier/client`, [docs/client.md](client.md)) against what it replaces, on the same servers, measured by `npm run bench:client` (which `npm run bench` runs after the rows above): ' +
      'each routed operation against pg\'s own `pool.query` on the client\'s own pools, on a primary and two streaming replicas (the same connections and server processes on both sides, so the difference is the client\'s); ' +
      "a cache hit (a local Redis with TLS and AUTH) against the database read it saves; the Ingester against a raw COPY of the same rows into `analytics_events`, on a PostgreSQL with the settings and migrations above.",
    '',
    `Latest run: ${client.generatedAt}, ${m.cpuModel}, ${m.cores} cores, Node.js ${m.node}, PostgreSQL ${m.postgresVersion}${load}. The raw figures are in [\`${CLIENT_RESULTS_PATH}\`](${sourceUrl(CLIENT_RESULTS_PATH)}).`,
    '',
    goals.length === 0
      ? 'No goal is set.'
      : missed.length === 0
        ? `Every goal is met (${goals.map((id) => `\`${id}\``).join(', ')}).`
        : `Missed on this run (${m.cores} cores${m.loadAverage.length > 0 ? `, load average up to ${Math.max(...m.loadAverage).toFixed(2)}` : ''}): ${missed.map((id) => missedGoal(client, id)).join('; ')}. Goals met: ${goals.filter((id) => !missed.includes(id)).map((id) => `\`${id}\``).join(', ') || 'none'}.`,
  ];
  if (client.comparisons.length > 0) {
    lines.push(
      '',
      `Routed operations, ${samples?.toLocaleString('en-US') ?? ''} runs a side in alternating blocks; each p50 is the median of the rounds' p50s, whose overheads the rounds column spans:`,
      '',
      '| operation | bare `pg` p50 | client p50 | overhead p50 | rounds | bare `pg` p99 | client p99 | overhead p99 | goal | served by |',
      '|---|---:|---:|---:|---|---:|---:|---:|---|---|',
      ...client.comparisons.map((c) =>
        [
          markdownCell(c.name),
          formatValue(c.bare.p50, 'ms'),
          formatValue(c.routed.p50, 'ms'),
          signedPercent(overheadPercent(c.bare.p50, c.routed.p50)),
          c.p50OverheadRange ? `${signedPercent(c.p50OverheadRange[0])} to ${signedPercent(c.p50OverheadRange[1])}` : '',
          formatValue(c.bare.p99, 'ms'),
          formatValue(c.routed.p99, 'ms'),
          signedPercent(overheadPercent(c.bare.p99, c.routed.p99)),
          overheadVerdict(c),
          c.servedBy ? Object.entries(c.servedBy).map(([node, count]) => `${node} ${count.toLocaleString('en-US')}`).join(', ') : '',
        ].join(' | '),
      ).map((cells) => `| ${cells} |`),
    );
  }
  if (client.figures.length > 0) {
    lines.push(
      '',
      '| section | measurement | value | goal | source documents |',
      '|---|---|---:|---|---|',
      ...client.figures.map((f) => `| ${f.section} | ${markdownCell(f.name)} | ${formatValue(f.value, f.unit)} | ${verdictCell(f.target, undefined)} | ${verdictCell(f.designNote, undefined)} |`),
    );
  }
  lines.push('');
  return lines;
}

/** The headline ratios of a run, one list item each. */
function headlines(results: BenchResults): string[] {
  const headline = (id: string, text: (f: Figure) => string): string[] => {
    const f = find(results, id);
    return f ? [`- ${text(f)}`] : [];
  };
  return [
    ...headline('ingest.copy', (f) => `ingest: COPY ${formatValue(f.value, f.unit)}, batched INSERT ${formatValue(find(results, 'ingest.batched')?.value ?? NaN, 'rows/s')}`),
    ...headline('retention.speedup', (f) => `retention: detaching the oldest month is ${formatValue(f.value, f.unit)} faster than DELETE, with a fraction of its WAL`),
    ...headline('dashboard.all30d.speedup', (f) => `dashboards: the rollup answers the all-tenant 30-day view ${formatValue(f.value, f.unit)} faster than the query on the fly`),
    ...headline('queries.allTenantsWeek.steady.older.speedup', (f) => `queries: partitioned never slower; ${formatValue(f.value, f.unit)} faster on an older week once retention has run`),
    ...headline('health.5000000', (f) => `\`health_check()\`: ${formatValue(f.value, f.unit)} at 5M rows`),
  ];
}

/** docs/benchmarks.md, with a Client section when `client` is given; its chart is docs/benchmarks.svg (`renderSvg`). */
export function renderBenchmarksDoc(results: BenchResults, client?: ClientBenchResults): string {
  const explanations = explainMisses(results.figures);
  const explanationOf = (figure: Figure) => explanations.find((e) => e.figures.includes(figure.id));
  const m = results.machine;
  const missedCount = results.figures.filter(isMissed).length;
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (or `npm run bench -- --report-only` from the committed results); edit scripts/bench/document.ts, not this file. -->',
    '',
    WHAT_IS_MEASURED,
    '',
    'Headlines of the latest run:',
    '',
    ...headlines(results),
    ...(client ? clientHeadline(client) : []),
    '',
    `Latest run: ${machineLine(results)}. The raw figures, every sample and the query plans are in [\`${RESULTS_PATH}\`](${sourceUrl(RESULTS_PATH)}); below, every figure, where the ingest gap goes and an explanation of each of the ${missedCount} figures short of a target or of the source documents' figure.`,
    '',
    '![benchmark chart: ingest against the machine limit, and each time-sliced query partitioned against unpartitioned](benchmarks.svg)',
    '',
    '## Every figure',
    '',
    '| section | measurement | median | target | source documents |',
    '|---|---|---:|---|---|',
  ];
  for (const f of results.figures) {
    if (f.id.startsWith('ingest.indexCost.')) continue;
    const why = explanationOf(f);
    lines.push(`| ${f.section} | ${markdownCell(f.name)} | ${formatValue(f.value, f.unit)} | ${verdictCell(f.target, why)} | ${verdictCell(f.designNote, why)} |`);
  }
  const costs = results.figures.filter((f) => f.id.startsWith('ingest.indexCost.'));
  if (costs.length > 0) {
    const limit = find(results, 'ingest.limit');
    const copy = find(results, 'ingest.copy');
    lines.push(
      '',
      '## Where the ingest gap goes',
      '',
      `COPY into a plain logged table with one index at a time, against the machine limit${limit ? ` (${formatValue(limit.value, 'rows/s')})` : ''}${copy ? ` and COPY into analytics_events with all of them (${formatValue(copy.value, 'rows/s')})` : ''}:`,
      '',
      '| COPY into a logged, unpartitioned table with | median |',
      '|---|---:|',
      ...costs.map((f) => `| ${markdownCell(f.name.replace(/^COPY into a logged, unpartitioned table, /, ''))} | ${formatValue(f.value, f.unit)} |`),
    );
  }
  const missedFigures = results.figures.filter(isMissed);
  lines.push('', '## Missed targets, explained', '');
  if (missedFigures.length === 0) lines.push('Every target and every figure of the source documents is met.');
  for (const e of explanations) {
    const named = e.figures.length <= 3 ? e.figures.map((id) => `\`${id}\``).join(', ') : `${e.figures.length} figures (\`${e.figures[0]}\` and the like)`;
    lines.push(`### ${e.title}`, '', `Explains ${named} in latest.json.`, '', e.text, '');
  }
  const unexplained = missedFigures.filter((f) => !explanationOf(f));
  if (unexplained.length > 0) lines.push(`Not explained yet: ${unexplained.map((f) => `\`${f.id}\``).join(', ')}.`, '');
  if (SCHEMA_CHANGES.length > 0) {
    lines.push('## Schema changes the benchmark led to', '', ...SCHEMA_CHANGES.map((change) => `- ${change}`), '');
  }
  const planNames = Object.keys(results.plans);
  if (planNames.length > 0) {
    lines.push(
      '## Query plans',
      '',
      `\`EXPLAIN (ANALYZE, BUFFERS)\` of both sides of every comparison that missed a target, and of the all-tenant week after retention, are in latest.json under "plans": ${planNames.map((p) => `\`${p}\``).join(', ')}.`,
      '',
    );
  }
  if (client) lines.push(...clientSection(client));
  lines.push(
    '## Machine and settings',
    '',
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node.js ${m.node}, PostgreSQL ${m.postgresVersion}. Settings: ${Object.entries(m.settings)
      .map(([k, v]) => `\`${k}=${v}\``)
      .join(', ')}.`,
    '',
  );
  return lines.join('\n');
}
