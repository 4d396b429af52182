// What every pricer is given: the template's resources, the region's prices and the assumptions,
// and the facts several pricers share (the DB instances, the runs of the scheduled functions).
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

/** What a line says; its unit price, monthly cost and source come from the region's price table. */
export type LineSpec = Omit<CostLine, 'unitPrice' | 'monthly' | 'source' | 'unit'> & { unit?: string };

/** What every pricer may need: the region's prices, the assumptions and facts of the whole template. */
export interface PricingContext {
  readonly assumptions: CostAssumptions;
  /** The line at the region's price of its priceKey. */
  line(spec: LineSpec): CostLine;
  ofType(type: string): Resource[];
  readonly databases: readonly DatabaseInstance[];
  /** The databases that are not read replicas. */
  readonly primaries: readonly DatabaseInstance[];
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
  const databases = ofType('AWS::RDS::DBInstance').map(databaseInstance);
  const scheduledInvocations = invocationsOfSchedules(ofType('AWS::Events::Rule'), ofType('AWS::Lambda::Function'));
  return {
    assumptions,
    line: (spec) => pricedLine(spec, prices),
    ofType,
    databases,
    primaries: databases.filter((d) => !d.replica),
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
