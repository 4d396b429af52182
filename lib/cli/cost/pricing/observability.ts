// Observability: CloudWatch alarms, the health check's custom metrics, dashboards, log groups,
// and the SNS topics that carry the notifications.
import {
  DIMENSIONS, HEALTH_CHECK_FUNCTION_METRICS, HEALTH_CHECK_ROW_METRICS, type HealthCheckRowMetric, MAINTENANCE_METRICS, TASK_NAMES,
} from '../../../observability/contract';
import { CostAssumptions } from '../assumptions';
import { CostLine } from '../cost-estimate';
import { DAYS_PER_MONTH, round } from '../units';
import { Json, PricingContext, Resource } from './context';

export function priceAlarms(alarms: readonly Resource[], context: PricingContext): CostLine[] {
  const math = alarms.filter((a) => a.props.Metrics);
  const highRes = alarms.filter((a) => !a.props.Metrics && Number(a.props.Period ?? 60) < 60);
  const standard = alarms.filter((a) => !a.props.Metrics && !highRes.includes(a));
  const mathMetrics = math.reduce((sum, a) => sum + (a.props.Metrics as Json[]).filter((m) => m.MetricStat !== undefined).length, 0);
  const lines: CostLine[] = [];
  if (standard.length > 0) lines.push(context.line({ key: 'alarms.standard', item: `CloudWatch alarms, standard resolution x ${standard.length}`, resources: standard.map((a) => a.id), quantity: standard.length, priceKey: 'cloudwatch.alarm.standard' }));
  if (highRes.length > 0) lines.push(context.line({ key: 'alarms.highres', item: `CloudWatch alarms, high resolution x ${highRes.length}`, resources: highRes.map((a) => a.id), quantity: highRes.length, priceKey: 'cloudwatch.alarm.highResolution' }));
  if (math.length > 0) lines.push(context.line({ key: 'alarms.math', item: `CloudWatch metric-math alarms x ${math.length} (${mathMetrics} metrics)`, resources: math.map((a) => a.id), quantity: mathMetrics, unit: 'alarm metric-month', priceKey: 'cloudwatch.alarm.standard',
    assumption: 'an alarm on an expression is billed per metric it reads' }));
  return lines;
}

/** The metrics the health check (and maintenance, where deployed) publish, and their PutMetricData calls. */
export function priceCustomMetrics(functions: readonly Resource[], context: PricingContext): CostLine[] {
  const variables = (f: Resource): Json => f.props.Environment?.Variables ?? {};
  const healthCheck = functions.find((f) => variables(f).METRIC_NAMESPACE !== undefined && variables(f).PRIMARY_HOST !== undefined);
  if (!healthCheck) return [];
  const maintenance = functions.some((f) => variables(f).DB_HOST !== undefined && /maintenance/i.test(String(f.props.FunctionName ?? f.id)));
  // A cluster's writer counts as a primary and its readers as replicas: the health check probes each instance.
  const count = customMetricCount(context.writers, context.readers, context.assumptions, maintenance);
  return [
    context.line({ key: 'metrics.custom', item: `Custom metrics published by the health check and maintenance (${count.total})`, resources: [healthCheck.id],
      quantity: count.total, unit: 'metric-month', priceKey: 'cloudwatch.metric', assumption: count.explanation }),
    context.line({ key: 'metrics.put', item: 'PutMetricData requests', resources: [healthCheck.id],
      quantity: context.scheduledRuns, unit: 'request', priceKey: 'cloudwatch.putMetricData',
      assumption: 'one call per scheduled run (a run publishes fewer than 1,000 data points)' }),
  ];
}

export function priceDashboards(dashboards: readonly Resource[], context: PricingContext): CostLine[] {
  if (dashboards.length === 0) return [];
  return [context.line({ key: 'dashboards', item: `CloudWatch dashboards x ${dashboards.length}`, resources: dashboards.map((d) => d.id), quantity: dashboards.length, priceKey: 'cloudwatch.dashboard' })];
}

/** Log groups priced together: ingestion volume is assumed per kind of log. */
interface LogCategory { readonly ids: string[]; gb: number; storedGb: number; readonly assumption: string; readonly vended: boolean }

export function priceLogGroups(groups: readonly Resource[], context: PricingContext): CostLine[] {
  const flowLogGroups = new Set(context.ofType('AWS::EC2::FlowLog').map((f) => f.props.LogGroupName?.Ref).filter(Boolean));
  const categories = new Map<string, LogCategory>();
  for (const group of groups) {
    const { category, gb, assumption, vended } = logCategoryOf(group, flowLogGroups.has(group.id), context.assumptions);
    const retentionDays = Number(group.props.RetentionInDays ?? 3653);
    const entry = categories.get(category) ?? { ids: [], gb: 0, storedGb: 0, assumption, vended };
    entry.ids.push(group.id);
    entry.gb += gb;
    entry.storedGb += gb * Math.min(retentionDays, 3653) / DAYS_PER_MONTH;
    categories.set(category, entry);
  }
  return [...categories].flatMap(([category, entry]) => [
    context.line({ key: `logs.ingest:${category}`, item: `CloudWatch Logs ingestion: ${category} (${entry.ids.length} groups)`, resources: entry.ids,
      quantity: round(entry.gb, 3), unit: 'GB ingested', priceKey: entry.vended ? 'logs.vendedIngestion' : 'logs.ingestion', assumption: entry.assumption }),
    context.line({ key: `logs.storage:${category}`, item: `CloudWatch Logs storage at retention: ${category}`, resources: entry.ids,
      quantity: round(entry.storedGb, 2), unit: 'GB-month stored', priceKey: 'logs.storage',
      assumption: 'steady state: a month\'s ingestion times the retention in months, uncompressed (an upper bound)' }),
  ]);
}

function logCategoryOf(group: Resource, flowLogs: boolean, assumptions: CostAssumptions): { category: string; gb: number; assumption: string; vended: boolean } {
  const name = typeof group.props.LogGroupName === 'string' ? group.props.LogGroupName : '';
  if (flowLogs) {
    return { category: 'VPC flow logs', gb: assumptions.flowLogGbPerMonth, vended: true,
      assumption: `${assumptions.flowLogGbPerMonth} GB a month of flow logs` };
  }
  if (/\/postgresql$/.test(name)) {
    return { category: 'RDS postgresql logs', gb: assumptions.postgresqlLogGbPerInstance, vended: false,
      assumption: `${assumptions.postgresqlLogGbPerInstance} GB a month per instance` };
  }
  if (name.startsWith('/aws/lambda/')) {
    return { category: 'Lambda logs', gb: assumptions.lambdaLogGbPerFunction, vended: false,
      assumption: `${assumptions.lambdaLogGbPerFunction} GB a month per function` };
  }
  return { category: 'other logs (RDS upgrade, cache slow log, operator sessions)', gb: assumptions.otherLogGbPerGroup, vended: false,
    assumption: `${assumptions.otherLogGbPerGroup} GB a month per group` };
}

export function priceTopics(topics: readonly Resource[], context: PricingContext): CostLine[] {
  if (topics.length === 0) return [];
  const { snsPublishesPerMonth } = context.assumptions;
  return [context.line({
    key: 'sns', item: 'SNS publishes (alarm and RDS/cache notifications)', resources: topics.map((t) => t.id), quantity: snsPublishesPerMonth,
    unit: 'publish', priceKey: 'sns.publish', assumption: `${snsPublishesPerMonth} notifications a month; email deliveries are billed per 100,000`,
  })];
}

/**
 * Metrics (name + dimension set) the health check and maintenance function publish, counted from
 * the observability contract: every health_check() row and function metric per instance, per-object
 * rows once per object, primary-only ones on the primary, maintenance metrics per task.
 */
export function customMetricCount(primaries: number, replicas: number, a: Pick<CostAssumptions, 'partitionedParents' | 'materializedViews' | 'deadTupleTables'>, maintenance = true): { total: number; explanation: string } {
  const objectsOf = (name: string): number => name.startsWith('partitions_ahead') || name.startsWith('default_partition_rows')
    ? a.partitionedParents
    : name.startsWith('matview_') ? a.materializedViews : name.startsWith('dead_tuple_pct') ? a.deadTupleTables : 0;
  const primaryOnly = (name: string) => name.startsWith('dead_tuple_pct') || name === 'primary_write_failed';
  let perPrimary = 0, perReplica = 0;
  for (const metric of Object.values(HEALTH_CHECK_ROW_METRICS) as HealthCheckRowMetric[]) {
    // Reported only on some topologies' writers (a synchronous one's): none on instances.
    if (metric.only) continue;
    const n = (metric.rows === 'one' ? 1 : 0) + (metric.rows === 'per-object' || metric.rows === 'one-and-per-object' ? objectsOf(metric.name) : 0) + (metric.rows === 'one-and-per-object' ? 1 : 0);
    perPrimary += n;
    if (!primaryOnly(metric.name)) perReplica += n;
  }
  for (const metric of Object.values(HEALTH_CHECK_FUNCTION_METRICS)) {
    perPrimary += 1;
    if (!primaryOnly(metric.name)) perReplica += 1;
  }
  const maintenanceMetrics = maintenance ? Object.keys(MAINTENANCE_METRICS).length * TASK_NAMES.length * primaries : 0;
  const total = perPrimary * primaries + perReplica * replicas + maintenanceMetrics;
  const dims = [DIMENSIONS.environment, DIMENSIONS.instance, DIMENSIONS.role].join(', ');
  return {
    total,
    explanation: `${perPrimary} per primary and ${perReplica} per replica (dimensions ${dims}; Object for ${a.partitionedParents} partitioned parent(s), ${a.materializedViews} materialized view(s), ${a.deadTupleTables} dead-tuple tables on the primary), plus ${maintenanceMetrics} maintenance metrics (${Object.keys(MAINTENANCE_METRICS).length} per task x ${TASK_NAMES.length} tasks)`,
  };
}
