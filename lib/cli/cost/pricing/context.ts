// What every pricer is given: the template's resources, the region's prices and the assumptions,
// and the facts several pricers share (the DB instances and clusters, the writers and readers of
// every topology, the runs of the scheduled functions).
import { CostAssumptions } from '../assumptions';
import { CostLine } from '../cost-estimate';
import { Price, PRICES } from '../prices';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, MINUTES_PER_MONTH, round } from '../units';

export type Json = Record<string, any>;

type PriceTable = (typeof PRICES)[string];

export interface Resource { readonly id: string; readonly type: string; readonly props: Json }

/** An RDS instance, with what its lines are priced on. */
export interface DatabaseInstance extends Resource {
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly replica: boolean;
  /** Its DBInstanceIdentifier, or its logical id when the identifier is generated. */
  readonly name: string;
}

/**
 * An AWS::RDS::DBCluster: an RDS for PostgreSQL Multi-AZ DB cluster (a writer and two readable
 * standbys, none of them a resource of the template), or an Aurora PostgreSQL cluster whose
 * instances are AWS::RDS::DBInstance resources naming it.
 */
export interface DatabaseCluster extends Resource {
  readonly kind: 'multi-az' | 'aurora';
  /** Its DBClusterIdentifier, or its logical id when the identifier is generated. */
  readonly name: string;
  /** StorageType: gp3, io1 or io2 for a Multi-AZ DB cluster; aurora (Standard, the default) or aurora-iopt1 for Aurora. */
  readonly storageType: string;
  /** Aurora I/O-Optimized (aurora-iopt1): other instance and storage rates, no I/O requests. */
  readonly ioOptimized: boolean;
  /** Aurora: its instances, in template order; a Multi-AZ DB cluster has none in the template. */
  readonly instances: readonly DatabaseInstance[];
  /** Aurora Serverless v2 capacity range (ServerlessV2ScalingConfiguration), in ACUs. */
  readonly serverless?: { readonly min: number; readonly max: number };
}

/** Instances a Multi-AZ DB cluster runs: a writer and two readable standbys. */
export const MULTI_AZ_CLUSTER_INSTANCES = 3;

/** What a line says; its unit price, monthly cost and source come from the region's price table. */
export type LineSpec = Omit<CostLine, 'unitPrice' | 'monthly' | 'source' | 'unit'> & { unit?: string };

/** What every pricer may need: the region's prices, the assumptions and facts of the whole template. */
export interface PricingContext {
  readonly assumptions: CostAssumptions;
  /** The line at the region's price of its priceKey. */
  line(spec: LineSpec): CostLine;
  ofType(type: string): Resource[];
  /** RDS for PostgreSQL DB instances (Aurora instances are in `clusters`). */
  readonly databases: readonly DatabaseInstance[];
  /** The databases that are not read replicas. */
  readonly primaries: readonly DatabaseInstance[];
  /** Multi-AZ DB clusters and Aurora clusters. */
  readonly clusters: readonly DatabaseCluster[];
  /** The Aurora cluster an Aurora instance belongs to, if the template holds it. */
  clusterOf(instance: DatabaseInstance): DatabaseCluster | undefined;
  /** Writers and readers of every topology: primaries and replicas, each cluster's writer and its readers. */
  readonly writers: number;
  readonly readers: number;
  /** Runs a month of each scheduled Lambda function (by logical id), from the EventBridge rules that target it. */
  readonly scheduledInvocations: ReadonlyMap<string, number>;
  /** Runs a month of all scheduled functions together. */
  readonly scheduledRuns: number;
}

export function resourcesOf(template: object): Resource[] {
  const resources: Json = (template as Json).Resources ?? {};
  return Object.entries(resources).map(([id, r]) => ({ id, type: String(r.Type), props: r.Properties ?? {} }));
}

export function pricingContext(resources: readonly Resource[], prices: PriceTable, assumptions: CostAssumptions): PricingContext {
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const instances = ofType('AWS::RDS::DBInstance').map(databaseInstance);
  const databases = instances.filter((d) => !isAuroraInstance(d));
  const clusters = ofType('AWS::RDS::DBCluster').map((c) => databaseCluster(c, instances.filter(isAuroraInstance)));
  const primaries = databases.filter((d) => !d.replica);
  const scheduledInvocations = invocationsOfSchedules(ofType('AWS::Events::Rule'), ofType('AWS::Lambda::Function'));
  return {
    assumptions,
    line: (spec) => pricedLine(spec, prices),
    ofType,
    databases,
    primaries,
    clusters,
    clusterOf: (instance) => clusters.find((c) => c.instances.some((i) => i.id === instance.id)),
    writers: primaries.length + clusters.length,
    readers: databases.length - primaries.length
      + clusters.reduce((sum, c) => sum + (c.kind === 'multi-az' ? MULTI_AZ_CLUSTER_INSTANCES - 1 : Math.max(0, c.instances.length - 1)), 0),
    scheduledInvocations,
    scheduledRuns: [...scheduledInvocations.values()].reduce((sum, runs) => sum + runs, 0),
  };
}

function pricedLine(spec: LineSpec, prices: PriceTable): CostLine {
  // A size the table has no entry for (e.g. another instance class) is a line without a price, not an error.
  const price: Price = prices[spec.priceKey] ?? { usd: null, unit: spec.unit ?? 'unit', source: `not in the price table: ${spec.priceKey}`, date: '-', page: '' };
  const monthly = price.usd === null ? null : round(spec.quantity * price.usd);
  return { ...spec, unit: spec.unit ?? price.unit, unitPrice: price.usd, monthly, source: `${price.source} (as of ${price.date})` };
}

export function databaseInstance(resource: Resource): DatabaseInstance {
  return {
    ...resource,
    instanceClass: String(resource.props.DBInstanceClass),
    multiAz: resource.props.MultiAZ === true,
    replica: resource.props.SourceDBInstanceIdentifier !== undefined,
    name: typeof resource.props.DBInstanceIdentifier === 'string' ? resource.props.DBInstanceIdentifier : resource.id,
  };
}

/** An Aurora instance: Engine aurora-postgresql, or a member of a DB cluster. */
export function isAuroraInstance(instance: Resource): boolean {
  return String(instance.props.Engine ?? '').startsWith('aurora') || instance.props.DBClusterIdentifier !== undefined;
}

function databaseCluster(resource: Resource, auroraInstances: readonly DatabaseInstance[]): DatabaseCluster {
  const aurora = String(resource.props.Engine ?? '').startsWith('aurora');
  const identifier = resource.props.DBClusterIdentifier;
  const member = (i: DatabaseInstance) => {
    const ref = i.props.DBClusterIdentifier;
    return ref?.Ref === resource.id || (typeof ref === 'string' && ref === identifier);
  };
  const scaling = resource.props.ServerlessV2ScalingConfiguration;
  const storageType = String(resource.props.StorageType ?? (aurora ? 'aurora' : 'io1'));
  return {
    ...resource,
    kind: aurora ? 'aurora' : 'multi-az',
    name: typeof identifier === 'string' ? identifier : resource.id,
    storageType,
    ioOptimized: storageType === 'aurora-iopt1',
    instances: aurora ? auroraInstances.filter(member) : [],
    serverless: scaling ? { min: Number(scaling.MinCapacity ?? 0), max: Number(scaling.MaxCapacity ?? 0) } : undefined,
  };
}

function invocationsOfSchedules(rules: readonly Resource[], functions: readonly Resource[]): Map<string, number> {
  const functionIds = new Set(functions.map((f) => f.id));
  const invocations = new Map<string, number>();
  for (const rule of rules) {
    const perMonth = runsPerMonth(rule.props.ScheduleExpression);
    if (perMonth === 0) continue;
    for (const target of rule.props.Targets ?? []) {
      const fn = target.Arn?.['Fn::GetAtt']?.[0];
      if (fn && functionIds.has(fn)) invocations.set(fn, (invocations.get(fn) ?? 0) + perMonth);
    }
  }
  return invocations;
}

/** Runs a month of an EventBridge schedule: `rate(N unit)` or `cron(...)` of fixed minutes/hours. */
export function runsPerMonth(expression: unknown): number {
  if (typeof expression !== 'string') return 0;
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const perUnit = rate[2].startsWith('minute') ? MINUTES_PER_MONTH : rate[2].startsWith('hour') ? HOURS_PER_MONTH : DAYS_PER_MONTH;
    return perUnit / n;
  }
  if (expression.startsWith('cron(')) return DAYS_PER_MONTH; // the tier's cron schedules are daily
  return 0;
}
