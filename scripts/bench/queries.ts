// Reads and maintenance on a loaded analytics_events: time-sliced queries partitioned against
// unpartitioned, health_check(), the dashboard from the rollup against on the fly, and
// retention by the partition manager against DELETE.
import { Client, type ClientBase } from 'pg';
import { appendToBoth, PARTITIONED, tenantId, UNPARTITIONED } from './data';
import { median, sampleMs, timeWithWal } from './measure';
import { formatValue, rowsLabel, type Figure, type QueryComparison } from './report';

/**
 * Runs per side of each query comparison, interleaved: up to QUERY_RUNS, fewer once a side has
 * used QUERY_BUDGET_MS (the slow on-the-fly aggregates), never fewer than MIN_RUNS. The first
 * WARMUP runs are not counted.
 */
const QUERY_RUNS = 60;
const MIN_RUNS = 15;
const QUERY_BUDGET_MS = 4_000;
const WARMUP = 3;
/** Measurement noise allowed before "partitioned never slower" counts as missed. */
export const NOT_SLOWER_TOLERANCE = 1.05;

export interface TimeSlicedQuery {
  readonly id: string;
  readonly name: string;
  /** For the chart. */
  readonly short: string;
  /** `{table}` is replaced by each side's table; $1..$n are bound to `params`. */
  readonly sql: string;
  /** The speedup the design's targets ask for at `atRows`, beyond "never slower". */
  readonly speedupTarget?: { readonly factor: number; readonly atRows: number };
}

const WEEK = `created_at >= $1 AND created_at < $2`;
export const TIME_SLICED_QUERIES: readonly TimeSlicedQuery[] = [
  {
    id: 'tenantFeed',
    name: 'one tenant, one week: newest 100 events',
    short: 'tenant week, newest 100',
    sql: `SELECT id, entity_id, event_type, created_at, payload FROM {table} WHERE tenant_id = $3 AND ${WEEK} ORDER BY created_at DESC LIMIT 100`,
  },
  {
    id: 'tenantWeek',
    name: 'one tenant, one week: events by day and type',
    short: 'tenant week, by day and type',
    sql: `SELECT date_trunc('day', created_at, 'UTC') AS day, event_type, count(*) FROM {table} WHERE tenant_id = $3 AND ${WEEK} GROUP BY 1, 2`,
  },
  {
    id: 'allTenantsWeek',
    name: 'all tenants, one week: events by type',
    short: 'all tenants week, by type',
    sql: `SELECT event_type, count(*) FROM {table} WHERE ${WEEK} GROUP BY 1`,
    speedupTarget: { factor: 2, atRows: 5_000_000 },
  },
];

async function explain(client: ClientBase, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** Median client-side milliseconds of `sql` on each table, runs interleaved so load drift hits both sides alike. */
async function compare(client: ClientBase, sql: string, params: unknown[]): Promise<{ partitioned: number[]; unpartitioned: number[] }> {
  const onTable = (table: string) => sql.replace('{table}', table);
  const partitioned: number[] = [];
  const unpartitioned: number[] = [];
  const spent = () => Math.max(partitioned.reduce((a, b) => a + b, 0), unpartitioned.reduce((a, b) => a + b, 0));
  for (let run = -WARMUP; run < QUERY_RUNS && (run < MIN_RUNS || spent() < QUERY_BUDGET_MS); run++) {
    // Alternate which side goes first.
    const order = run % 2 === 0 ? [PARTITIONED, UNPARTITIONED] : [UNPARTITIONED, PARTITIONED];
    for (const table of order) {
      const [ms] = await sampleMs(1, () => client.query(onTable(table), params));
      if (run >= 0) (table === PARTITIONED ? partitioned : unpartitioned).push(ms);
    }
  }
  return { partitioned, unpartitioned };
}

/** A week inside one month, three months before `end` (UTC), and a tenant. */
export async function queryWindow(client: ClientBase, end: Date): Promise<unknown[]> {
  const { rows } = await client.query<{ from: Date; to: Date }>(
    `SELECT date_trunc('month', $1::timestamptz - interval '3 months', 'UTC') + interval '7 days' AS "from",
            date_trunc('month', $1::timestamptz - interval '3 months', 'UTC') + interval '14 days' AS "to"`,
    [end],
  );
  return [rows[0].from, rows[0].to, tenantId(7)];
}

export async function measureTimeSliced(
  client: ClientBase,
  rowCount: number,
  end: Date,
  plans: Record<string, string>,
): Promise<{ figures: Figure[]; comparisons: QueryComparison[] }> {
  return compareQueries(client, TIME_SLICED_QUERIES, await queryWindow(client, end), {
    rowCount,
    section: `queries, ${rowCount / 1_000_000}M rows`,
    key: String(rowCount),
    plans,
  });
}

/**
 * The same queries once each table has had its own retention (measureRetention: the oldest
 * months detached and dropped, or deleted and vacuumed) and then a month of new rows, the same
 * on both sides: the steady state of a table kept at 12 months, where the unpartitioned table's
 * new rows reuse the space its DELETEs freed.
 */
export async function measureAfterRetention(
  client: ClientBase,
  rowCount: number,
  end: Date,
  plans: Record<string, string>,
): Promise<{ figures: Figure[]; comparisons: QueryComparison[] }> {
  await appendToBoth(client, Math.round(rowCount / 12), end, 30);
  await client.query(`VACUUM ANALYZE ${PARTITIONED}, ${UNPARTITIONED}`);
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${PARTITIONED}`);
  const remaining = Number(rows[0].n);
  const newest = [new Date(end.getTime() + 23 * 86_400_000), new Date(end.getTime() + 30 * 86_400_000), tenantId(7)];
  const options = { rowCount: remaining, plans };
  const latest = await compareQueries(client, TIME_SLICED_QUERIES, newest, {
    ...options,
    section: 'queries after retention + 1 new month',
    key: 'steady.newest',
    label: 'newest week',
  });
  const older = await compareQueries(
    client,
    TIME_SLICED_QUERIES.filter((q) => q.id === 'allTenantsWeek'),
    await queryWindow(client, end),
    { ...options, section: 'queries after retention + 1 new month', key: 'steady.older', label: 'week 3 months back', explainAlways: true },
  );
  return { figures: [...latest.figures, ...older.figures], comparisons: [...latest.comparisons, ...older.comparisons] };
}

async function compareQueries(
  client: ClientBase,
  queries: readonly TimeSlicedQuery[],
  params: unknown[],
  options: { rowCount: number; section: string; key: string; plans: Record<string, string>; label?: string; speedupAtAnySize?: boolean; explainAlways?: boolean },
): Promise<{ figures: Figure[]; comparisons: QueryComparison[] }> {
  const figures: Figure[] = [];
  const comparisons: QueryComparison[] = [];
  const { rowCount, section, key } = options;
  for (const query of queries) {
    const name = options.label ? `${query.name.replace('one week', options.label)}` : query.name;
    const sqlParams = query.sql.includes('$3') ? params : params.slice(0, 2);
    const samples = await compare(client, query.sql, sqlParams);
    const p = median(samples.partitioned);
    const u = median(samples.unpartitioned);
    const speedup = u / p;
    const notSlower = p <= u * NOT_SLOWER_TOLERANCE;
    const target = query.speedupTarget;
    const wanted = target && (options.speedupAtAnySize || target.atRows === rowCount) ? target.factor : undefined;
    const pass = notSlower && (wanted === undefined || speedup >= wanted);
    comparisons.push({
      query: query.short,
      rows: rowCount,
      scenario: options.label ? `${options.label}, after retention` : undefined,
      partitionedMs: p,
      unpartitionedMs: u,
    });
    const id = `queries.${query.id}.${key}`;
    figures.push(
      {
        id: `${id}.partitioned`,
        section,
        name: `${name}: partitioned`,
        value: p,
        unit: 'ms',
        samples: samples.partitioned,
        designNote: query.id === 'tenantFeed' ? { text: 'single lookup < 10 ms', pass: p < 10 } : undefined,
      },
      { id: `${id}.unpartitioned`, section, name: `${name}: unpartitioned`, value: u, unit: 'ms', samples: samples.unpartitioned },
      {
        id: `${id}.speedup`,
        section,
        name: `${name}: unpartitioned / partitioned`,
        value: speedup,
        unit: 'x',
        target: {
          text: wanted
            ? `never slower, >= ${wanted}x${options.speedupAtAnySize ? '' : ` at ${rowsLabel(rowCount)}`}`
            : `never slower (within ${Math.round((NOT_SLOWER_TOLERANCE - 1) * 100)} % noise)`,
          pass,
        },
        designNote: { text: 'partitioned 50-70 % faster (>= 2x)', pass: speedup >= 2 },
      },
    );
    if (!pass || options.explainAlways) {
      options.plans[`${query.id}.${key}.partitioned`] = await explain(client, query.sql.replace('{table}', PARTITIONED), sqlParams);
      options.plans[`${query.id}.${key}.unpartitioned`] = await explain(client, query.sql.replace('{table}', UNPARTITIONED), sqlParams);
    }
  }
  return { figures, comparisons };
}

/** Point lookup by id (the source documents' "single entity lookup"), which does not name the partition key. */
export async function measureLookup(client: ClientBase, rowCount: number): Promise<Figure[]> {
  const size = `${rowCount / 1_000_000}M rows`;
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${UNPARTITIONED} TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT ${QUERY_RUNS + WARMUP}`);
  const lookup = async (table: string) =>
    median(
      await sampleMs(QUERY_RUNS, (run) => client.query(`SELECT * FROM ${table} WHERE id = $1`, [rows[Math.max(run, 0) % rows.length].id]), WARMUP),
    );
  const p = await lookup(PARTITIONED);
  const u = await lookup(UNPARTITIONED);
  return [
    {
      id: `queries.lookup.${rowCount}`,
      section: `queries, ${size}`,
      name: `one event by id (no created_at: probes every partition), partitioned; unpartitioned ${u.toFixed(3)} ms`,
      value: p,
      unit: 'ms',
      designNote: { text: 'single lookup < 10 ms', pass: p < 10 },
    },
  ];
}

/** The source documents' "aggregation over 1 million rows under 1 s": every event, by tenant and type. */
export async function measureFullAggregate(client: ClientBase, rowCount: number): Promise<Figure> {
  const ms = median(await sampleMs(3, () => client.query(`SELECT tenant_id, event_type, count(*) FROM ${PARTITIONED} GROUP BY 1, 2`), 1));
  return {
    id: `queries.fullAggregate.${rowCount}`,
    section: `queries, ${rowCount / 1_000_000}M rows`,
    name: `aggregate all ${rowCount.toLocaleString('en-US')} rows by tenant and type, partitioned`,
    value: ms,
    unit: 'ms',
    designNote: { text: '1M-row aggregation < 1 s', pass: ms < 1000 },
  };
}

export async function measureHealthCheck(client: ClientBase, rowCount: number): Promise<{ figure: Figure; ms: number }> {
  const samples = await sampleMs(40, () => client.query('SELECT * FROM data_tier.health_check()'), 3);
  const ms = median(samples);
  return {
    ms,
    figure: {
      id: `health.${rowCount}`,
      section: 'health_check()',
      name: `health_check() at ${rowCount.toLocaleString('en-US')} rows`,
      value: ms,
      unit: 'ms',
      samples,
      target: { text: '< 20 ms', pass: ms < 20 },
    },
  };
}

/** The dashboard from the rollup against the same aggregate on the fly, and what a concurrent refresh costs. */
export async function measureDashboard(url: string, client: ClientBase, end: Date): Promise<Figure[]> {
  const { rows: first } = await client.query<{ since: string }>(`SELECT ($1::timestamptz AT TIME ZONE 'UTC')::date - 29 AS since`, [end]);
  const since = first[0].since;
  const sinceTs = (param: string) => `(${param}::date::timestamp AT TIME ZONE 'UTC')`;
  const dashboards = [
    {
      id: 'tenant30d',
      name: 'one tenant, last 30 days by day and type',
      rollup: `SELECT day, event_type, events, entities FROM public.analytics_daily_rollup WHERE tenant_id = $1 AND day >= $2::date ORDER BY 1, 2`,
      live: `SELECT (created_at AT TIME ZONE 'UTC')::date AS day, event_type, count(*) AS events, count(DISTINCT entity_id) AS entities
             FROM ${PARTITIONED} WHERE tenant_id = $1 AND created_at >= ${sinceTs('$2')} GROUP BY 1, 2 ORDER BY 1, 2`,
      params: [tenantId(7), since],
    },
    {
      id: 'all30d',
      name: 'all tenants, last 30 days by type',
      rollup: `SELECT event_type, sum(events) AS events FROM public.analytics_daily_rollup WHERE day >= $1::date GROUP BY 1`,
      live: `SELECT event_type, count(*) AS events FROM ${PARTITIONED} WHERE created_at >= ${sinceTs('$1')} GROUP BY 1`,
      params: [since],
    },
  ];

  await client.query('SELECT data_tier.refresh_materialized_view(\'public.analytics_daily_rollup\')');
  await client.query('VACUUM ANALYZE public.analytics_daily_rollup');
  const figures: Figure[] = [];
  for (const d of dashboards) {
    const rollupMs = median(await sampleMs(QUERY_RUNS, () => client.query(d.rollup, d.params), WARMUP));
    const liveMs = median(await sampleMs(d.id === 'all30d' ? 7 : QUERY_RUNS, () => client.query(d.live, d.params), 1));
    const speedup = liveMs / rollupMs;
    figures.push(
      { id: `dashboard.${d.id}.rollup`, section: 'dashboard, 5M rows', name: `${d.name}: from the rollup`, value: rollupMs, unit: 'ms' },
      { id: `dashboard.${d.id}.live`, section: 'dashboard, 5M rows', name: `${d.name}: on the fly`, value: liveMs, unit: 'ms' },
      {
        id: `dashboard.${d.id}.speedup`,
        section: 'dashboard, 5M rows',
        name: `${d.name}: on the fly / rollup`,
        value: speedup,
        unit: 'x',
        target: { text: '>= 10x', pass: speedup >= 10 },
        designNote: { text: 'dashboards 20-30 % faster', pass: speedup >= 1.25 },
      },
    );
  }

  // The refresh every few minutes: duration and WAL, and what a dashboard read costs while one runs.
  const refreshes: { ms: number; walBytes: number }[] = [];
  for (let run = 0; run < 3; run++) {
    refreshes.push(await timeWithWal(client, () => client.query('SELECT data_tier.refresh_materialized_view(\'public.analytics_daily_rollup\')')));
  }
  const refresher = new Client({ connectionString: url, application_name: 'bench-refresh' });
  await refresher.connect();
  const during: number[] = [];
  try {
    let running = true;
    const refresh = refresher.query('SELECT data_tier.refresh_materialized_view(\'public.analytics_daily_rollup\')').finally(() => {
      running = false;
    });
    while (running) during.push(...(await sampleMs(1, () => client.query(dashboards[0].rollup, dashboards[0].params))));
    await refresh;
  } finally {
    await refresher.end();
  }
  const refreshMs = median(refreshes.map((r) => r.ms));
  figures.push(
    {
      id: 'dashboard.refresh',
      section: 'dashboard, 5M rows',
      name: 'REFRESH MATERIALIZED VIEW CONCURRENTLY (90-day rollup)',
      value: refreshMs,
      unit: 'ms',
      samples: refreshes.map((r) => r.ms),
      detail: `WAL ${median(refreshes.map((r) => r.walBytes))} bytes`,
    },
    {
      id: 'dashboard.refreshWal',
      section: 'dashboard, 5M rows',
      name: 'WAL written by one refresh',
      value: median(refreshes.map((r) => r.walBytes)),
      unit: 'bytes',
    },
    {
      id: 'dashboard.readDuringRefresh',
      section: 'dashboard, 5M rows',
      name: `one-tenant rollup read while a refresh runs (median of ${during.length}; readers are not blocked)`,
      value: median(during),
      unit: 'ms',
    },
  );
  return figures;
}

interface RetentionRound {
  readonly rows: number;
  readonly detachMs: number;
  /** The same maintenance run again, with nothing left to do: the manager's own bookkeeping. */
  readonly noopMs: number;
  readonly detachWal: number;
  readonly dropMs: number;
  readonly dropWal: number;
  readonly deleteMs: number;
  readonly deleteWal: number;
  readonly vacuumMs: number;
  readonly vacuumWal: number;
}

/**
 * Removes the oldest month `rounds` times (after one unmeasured round): from analytics_events by
 * the partition manager (its retention detaches the partition, then it is dropped), and the
 * same rows from the unpartitioned table by DELETE (then the VACUUM it needs, reported apart).
 * A checkpoint precedes every measured step, so each starts with the same full-page-write state.
 */
export async function measureRetention(client: ClientBase, rounds: number): Promise<Figure[]> {
  const measured: RetentionRound[] = [];
  for (let round = 0; round <= rounds; round++) {
    const { rows: oldest } = await client.query<{ partition: string; lower: Date; upper: Date }>(
      `SELECT data_tier.qualified_name(partition_table) AS partition, lower_bound AS lower, upper_bound AS upper
       FROM data_tier.partition_bounds($1) WHERE NOT is_default ORDER BY lower_bound LIMIT 1`,
      [PARTITIONED],
    );
    const { partition, lower, upper } = oldest[0];
    const { rows: counted } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${partition}`);
    // Maintenance "as of" one retention period after the partition's end: its cutoff is that end.
    // Premake for that date first with retention off, so the measured run only expires.
    const { rows: asOf } = await client.query<{ at: Date }>(
      `SELECT $1::timestamptz + retention AS at FROM data_tier.partitioned_parents WHERE parent_table = $2::regclass`,
      [upper, PARTITIONED],
    );
    const { rows: config } = await client.query<{ retention: string }>(
      `SELECT retention::text FROM data_tier.partitioned_parents WHERE parent_table = $1::regclass`,
      [PARTITIONED],
    );
    await client.query(`UPDATE data_tier.partitioned_parents SET retention = NULL WHERE parent_table = $1::regclass`, [PARTITIONED]);
    await client.query('CALL data_tier.run_partition_maintenance($1, $2)', [asOf[0].at, PARTITIONED]);
    await client.query(`UPDATE data_tier.partitioned_parents SET retention = $2::interval WHERE parent_table = $1::regclass`, [
      PARTITIONED,
      config[0].retention,
    ]);

    await client.query('CHECKPOINT');
    let actions: { step: string; partition: string; outcome: string }[] = [];
    const detach = await timeWithWal(client, async () => {
      actions = (await client.query('CALL data_tier.run_partition_maintenance($1, $2)', [asOf[0].at, PARTITIONED])).rows[0].p_report;
    });
    if (actions.length !== 1 || actions[0].partition !== partition || actions[0].outcome !== 'done') {
      throw new Error(`retention expected to expire ${partition} only, did: ${JSON.stringify(actions)}`);
    }
    const [noop] = await sampleMs(1, () => client.query('CALL data_tier.run_partition_maintenance($1, $2)', [asOf[0].at, PARTITIONED]));
    await client.query('CHECKPOINT');
    const drop = await timeWithWal(client, () => client.query(`DROP TABLE ${partition}`));

    await client.query('CHECKPOINT');
    let deleted = 0;
    const del = await timeWithWal(client, async () => {
      deleted = (await client.query(`DELETE FROM ${UNPARTITIONED} WHERE created_at >= $1 AND created_at < $2`, [lower, upper])).rowCount ?? 0;
    });
    if (deleted !== Number(counted[0].n)) throw new Error(`DELETE removed ${deleted} rows, the partition held ${counted[0].n}`);
    await client.query('CHECKPOINT');
    const vacuum = await timeWithWal(client, () => client.query(`VACUUM ${UNPARTITIONED}`));
    if (round > 0) {
      measured.push({
        rows: deleted,
        detachMs: detach.ms,
        noopMs: noop,
        detachWal: detach.walBytes,
        dropMs: drop.ms,
        dropWal: drop.walBytes,
        deleteMs: del.ms,
        deleteWal: del.walBytes,
        vacuumMs: vacuum.ms,
        vacuumWal: vacuum.walBytes,
      });
    }
  }
  const m = (pick: (r: RetentionRound) => number) => median(measured.map(pick));
  const removal = m((r) => r.deleteMs) / m((r) => r.detachMs);
  const walShare = (100 * m((r) => r.detachWal)) / m((r) => r.deleteWal);
  const whole = (m((r) => r.deleteMs) + m((r) => r.vacuumMs)) / (m((r) => r.detachMs) + m((r) => r.dropMs));
  const wholeWalShare = (100 * (m((r) => r.detachWal) + m((r) => r.dropWal))) / (m((r) => r.deleteWal) + m((r) => r.vacuumWal));
  const section = 'retention, 5M rows';
  const samples = (pick: (r: RetentionRound) => number) => measured.map(pick);
  return [
    {
      id: 'retention.detach',
      section,
      name: `oldest month (${Math.round(m((r) => r.rows)).toLocaleString('en-US')} rows) out of the table: partition manager's retention run (detach)`,
      value: m((r) => r.detachMs),
      unit: 'ms',
      samples: samples((r) => r.detachMs),
      detail: `WAL ${m((r) => r.detachWal)} bytes`,
    },
    {
      id: 'retention.noop',
      section,
      name: "of which the manager's bookkeeping (the same run again, nothing to do)",
      value: m((r) => r.noopMs),
      unit: 'ms',
      samples: samples((r) => r.noopMs),
    },
    {
      id: 'retention.delete',
      section,
      name: 'the same rows out of the unpartitioned table: DELETE',
      value: m((r) => r.deleteMs),
      unit: 'ms',
      samples: samples((r) => r.deleteMs),
      detail: `WAL ${m((r) => r.deleteWal)} bytes`,
    },
    { id: 'retention.speedup', section, name: 'DELETE / detach', value: removal, unit: 'x', target: { text: '>= 50x', pass: removal >= 50 } },
    { id: 'retention.detachWal', section, name: 'WAL: detach', value: m((r) => r.detachWal), unit: 'bytes' },
    { id: 'retention.deleteWal', section, name: 'WAL: DELETE', value: m((r) => r.deleteWal), unit: 'bytes' },
    {
      id: 'retention.walShare',
      section,
      name: 'WAL of detach as a share of DELETE',
      value: walShare,
      unit: '%',
      target: { text: 'a fraction (< 10 %)', pass: walShare < 10 },
    },
    {
      id: 'retention.drop',
      section,
      name: `space back: DROP the detached partition (WAL ${formatValue(m((r) => r.dropWal), 'bytes')})`,
      value: m((r) => r.dropMs),
      unit: 'ms',
      samples: samples((r) => r.dropMs),
    },
    {
      id: 'retention.vacuum',
      section,
      name: `space back: VACUUM after the DELETE (WAL ${formatValue(m((r) => r.vacuumWal), 'bytes')})`,
      value: m((r) => r.vacuumMs),
      unit: 'ms',
      samples: samples((r) => r.vacuumMs),
    },
    {
      id: 'retention.wholeSpeedup',
      section,
      name: `whole job: (DELETE + VACUUM) / (detach + DROP); WAL share ${wholeWalShare.toFixed(1)} %`,
      value: whole,
      unit: 'x',
    },
  ];
}
