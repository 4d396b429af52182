// The monthly on-demand cost of a synthesized data-tier template, line by line.
//
// A pure function of a CloudFormation template (the JSON of `cdk synth`, a committed snapshot, or
// `Template.fromStack(...).toJSON()`) and a region: no AWS call, no synthesis. `npm run cost`
// prints it for an environment; `npm run review` prices the base and the new template with it and
// shows the difference line by line (diffEstimates).
//
// Prices come only from scripts/cost/prices.ts. A line whose price was not found in a source keeps
// its quantity, shows "not sourced" and stays out of the total (which says how many lines it
// leaves out). Usage-driven lines (logs, Lambda, API calls, backups) state the assumption that
// gives their quantity; every assumption can be overridden through `options.assumptions`.
//
// Every resource type in a template is either priced here or listed in RESOURCE_TYPES as free or
// usage-only with a reason; an unknown type fails the estimate (and test/cost/cost.test.ts), so a
// new kind of resource can never be silently left out. Each priced type has its pricer in PRICERS.
import {
  DIMENSIONS, HEALTH_CHECK_FUNCTION_METRICS, HEALTH_CHECK_ROW_METRICS, MAINTENANCE_METRICS, TASK_NAMES,
} from '../../lib/observability/contract';
import { Price, PriceKey, PRICED_REGIONS, PRICES, VCPUS } from './prices';

export const HOURS_PER_MONTH = 730;
const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
const SECONDS_PER_MONTH = MINUTES_PER_MONTH * 60;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** What usage-driven lines assume. Every field can be overridden. */
export interface CostAssumptions {
  /** Share of a DB instance's allocated storage that holds data (drives backup volume). */
  readonly databaseUsedFraction: number;
  /** Share of the data that changes per day (incremental snapshots and WAL kept for PITR). */
  readonly databaseDailyChangeFraction: number;
  /** Bytes of one enhanced-monitoring sample (one RDSOSMetrics log event, JSON with the process list). */
  readonly enhancedMonitoringEventBytes: number;
  /** GB per month each DB instance writes to its `postgresql` log (slow statements over 300 ms, connections, errors). */
  readonly postgresqlLogGbPerInstance: number;
  /** GB per month of VPC flow logs (ALL traffic of a VPC whose clients are the tier's own functions and a few applications). */
  readonly flowLogGbPerMonth: number;
  /** GB per month each Lambda log group receives (JSON lines per run). */
  readonly lambdaLogGbPerFunction: number;
  /** GB per month of any other log group (upgrade logs, cache slow log, operator sessions). */
  readonly otherLogGbPerGroup: number;
  /** GB per month through the interface endpoints, all of them together. */
  readonly interfaceEndpointGbPerMonth: number;
  /** Billed seconds of one health-check run (probes on every instance) and of one maintenance run. */
  readonly healthCheckSeconds: number;
  readonly maintenanceSeconds: number;
  /** Per-object rows of health_check(): partitioned parents, registered materialized views, tables watched for dead tuples (at most 5). */
  readonly partitionedParents: number;
  readonly materializedViews: number;
  readonly deadTupleTables: number;
  /** KMS requests per month (secret reads, log encryption, data-key use by RDS, backups and the cache). */
  readonly kmsRequestsPerMonth: number;
  /** Alarm notifications published to SNS per month. */
  readonly snsPublishesPerMonth: number;
  /** Data held by the cache (GB), for its daily snapshots. */
  readonly cacheDataGb: number;
  /** Metrics per instance of EC2 detailed monitoring (CloudWatch pricing page example: 7). */
  readonly ec2DetailedMonitoringMetrics: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  databaseUsedFraction: 0.5,
  databaseDailyChangeFraction: 0.02,
  enhancedMonitoringEventBytes: 4_000,
  postgresqlLogGbPerInstance: 1,
  flowLogGbPerMonth: 2,
  lambdaLogGbPerFunction: 0.05,
  otherLogGbPerGroup: 0.01,
  interfaceEndpointGbPerMonth: 5,
  healthCheckSeconds: 2,
  maintenanceSeconds: 1,
  partitionedParents: 1,
  materializedViews: 1,
  deadTupleTables: 5,
  kmsRequestsPerMonth: 200_000,
  snsPublishesPerMonth: 200,
  cacheDataGb: 1,
  ec2DetailedMonitoringMetrics: 7,
};

export interface CostOptions {
  readonly region: string;
  readonly assumptions?: Partial<CostAssumptions>;
}

export interface CostLine {
  /** Stable across templates: what review diffs on. */
  readonly key: string;
  /** What is paid for, e.g. "RDS instance db.r7g.xlarge (Multi-AZ: primary + standby)". */
  readonly item: string;
  /** Logical ids of the resources the line prices. */
  readonly resources: readonly string[];
  readonly quantity: number;
  /** Unit of `quantity` and `unitPrice`, e.g. "instance-hour". */
  readonly unit: string;
  /** USD per unit, null when the price table has no sourced figure. */
  readonly unitPrice: number | null;
  /** USD per month, null when unpriced. */
  readonly monthly: number | null;
  /** What a usage-driven quantity assumes. */
  readonly assumption?: string;
  /** Where the unit price comes from (URL and date), or why there is none. */
  readonly source: string;
  readonly priceKey: PriceKey;
}

export interface CostEstimate {
  readonly region: string;
  readonly currency: 'USD';
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines. */
  readonly total: number;
  /** Lines left out of the total because their price is not sourced. */
  readonly unpriced: readonly CostLine[];
  readonly assumptions: CostAssumptions;
}

export class UnpricedRegionError extends Error {
  constructor(readonly region: string) {
    super(`no prices for region ${region}: scripts/cost/prices.ts has ${PRICED_REGIONS.join(', ')}; add the region's figures (with their sources) there first`);
  }
}

export class UncoveredResourceTypeError extends Error {
  constructor(readonly types: readonly string[]) {
    super(`resource types neither priced nor listed as free or usage-only in scripts/cost/estimate.ts RESOURCE_TYPES: ${types.join(', ')}`);
  }
}

/** How each resource type is accounted for. */
export type Coverage =
  | { readonly kind: 'priced'; readonly how: string }
  | { readonly kind: 'free'; readonly reason: string }
  | { readonly kind: 'usage-only'; readonly reason: string };

const priced = (how: string): Coverage => ({ kind: 'priced', how });
const free = (reason: string): Coverage => ({ kind: 'free', reason });
const usageOnly = (reason: string): Coverage => ({ kind: 'usage-only', reason });

export const RESOURCE_TYPES: Readonly<Record<string, Coverage>> = {
  'AWS::RDS::DBInstance': priced('instance-hours and gp3 storage at the Single-AZ or Multi-AZ (primary + standby) rate, IOPS and throughput above baseline, backups beyond the free allowance, Performance Insights beyond 7 days, enhanced monitoring logs'),
  'AWS::RDS::DBProxy': priced('per vCPU-hour of the target instance, minimum 2 vCPUs'),
  'AWS::ElastiCache::ReplicationGroup': priced('node-hours of every cache cluster; snapshot storage'),
  'AWS::EC2::VPCEndpoint': priced('interface endpoints: per endpoint per zone per hour, plus data processed; gateway endpoints are free'),
  'AWS::AutoScaling::AutoScalingGroup': priced('instance-hours of its desired capacity, root volume and detailed monitoring from its launch template'),
  'AWS::KMS::Key': priced('per key-month; requests as one usage line'),
  'AWS::SecretsManager::Secret': priced('per secret-month; API calls as one usage line'),
  'AWS::CloudWatch::Alarm': priced('standard, high-resolution, and metric-math alarms priced per metric they read'),
  'AWS::CloudWatch::Dashboard': priced('per dashboard-month'),
  'AWS::Logs::LogGroup': priced('ingestion and storage (retention) per group, volume assumed'),
  'AWS::Lambda::Function': priced('requests and GB-seconds of the scheduled functions; X-Ray traces when tracing is active'),
  'AWS::Events::Rule': priced('free itself (scheduled rules and AWS events on the default bus); its schedule drives the Lambda lines'),
  'AWS::SNS::Topic': priced('publishes, volume assumed'),
  'AWS::Backup::BackupPlan': priced('snapshot storage of its rules (counted against the RDS backup allowance) and cross-region copies'),
  'AWS::EC2::FlowLog': priced('through the log group it delivers to (vended logs)'),
  'AWS::EC2::LaunchTemplate': free('priced through the Auto Scaling group that launches it'),
  'AWS::Backup::BackupVault': free('a vault costs nothing; what it stores is priced with the backup plan'),
  'AWS::Backup::BackupSelection': free('assignment of resources to the plan'),
  'AWS::RDS::DBProxyTargetGroup': free('priced with the proxy'),
  'AWS::RDS::DBParameterGroup': free('configuration'),
  'AWS::RDS::DBSubnetGroup': free('configuration'),
  'AWS::RDS::EventSubscription': free('no charge; its notifications are SNS publishes'),
  'AWS::ElastiCache::ParameterGroup': free('configuration'),
  'AWS::ElastiCache::SubnetGroup': free('configuration'),
  'AWS::EC2::VPC': free('no charge for a VPC'),
  'AWS::EC2::Subnet': free('no charge'),
  'AWS::EC2::RouteTable': free('no charge'),
  'AWS::EC2::SubnetRouteTableAssociation': free('no charge'),
  'AWS::EC2::SecurityGroup': free('no charge'),
  'AWS::EC2::SecurityGroupIngress': free('no charge'),
  'AWS::EC2::SecurityGroupEgress': free('no charge'),
  'AWS::IAM::Role': free('IAM is free'),
  'AWS::IAM::Policy': free('IAM is free'),
  'AWS::IAM::ManagedPolicy': free('IAM is free'),
  'AWS::IAM::InstanceProfile': free('IAM is free'),
  'AWS::KMS::Alias': free('aliases are free'),
  'AWS::Lambda::Permission': free('resource policy'),
  'AWS::Logs::ResourcePolicy': free('resource policy'),
  'AWS::SNS::TopicPolicy': free('resource policy'),
  'AWS::SQS::QueuePolicy': free('resource policy'),
  'AWS::SecretsManager::ResourcePolicy': free('resource policy'),
  'AWS::SecretsManager::SecretTargetAttachment': free('adds connection fields to the secret'),
  'AWS::SecretsManager::RotationSchedule': usageOnly('one rotation per secret every 30 days: a handful of Lambda invocations and API calls a month'),
  'AWS::SSM::Document': free('Session Manager documents and sessions are free; session logs are priced as a log group'),
  'AWS::SQS::Queue': usageOnly('dead-letter queues: empty unless a delivery fails; a few requests a month'),
  'AWS::FIS::ExperimentTemplate': usageOnly('drills only: AWS FIS bills action-minutes when an experiment runs'),
  'Custom::SchemaMigrations': usageOnly('runs at deploy only: its Lambda invocations are a few per deploy'),
  'Custom::VpcRestrictDefaultSG': usageOnly('runs when CloudFormation creates or replaces the VPC'),
  'AWS::CDK::Metadata': free('CDK bookkeeping, no AWS resource'),
};

type Json = Record<string, any>;

type PriceTable = (typeof PRICES)[string];

interface Resource { readonly id: string; readonly type: string; readonly props: Json }

/** An RDS instance, with what its lines are priced on. */
interface DatabaseInstance extends Resource {
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly replica: boolean;
  /** Its DBInstanceIdentifier, or its logical id when the identifier is generated. */
  readonly name: string;
}

/** What a line says; its unit price, monthly cost and source come from the region's price table. */
type LineSpec = Omit<CostLine, 'unitPrice' | 'monthly' | 'source' | 'unit'> & { unit?: string };

/** What every pricer may need: the region's prices, the assumptions and facts of the whole template. */
interface PricingContext {
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

/** Prices all the template's resources of one type: some lines cover several resources. */
type Pricer = (resources: readonly Resource[], context: PricingContext) => CostLine[];

/**
 * The pricer of each priced resource type, in the order the estimate lists their lines. Every one
 * is called, with no resources where the template has none of its type: the backup pricer also
 * prices the instances' automated backups, which share the RDS backup allowance with the plans.
 * Lambda functions have two pricers: their runs, and (after the alarms) the custom metrics the
 * health check publishes.
 */
const PRICERS: ReadonlyArray<readonly [string, Pricer]> = [
  ['AWS::RDS::DBInstance', priceDatabaseInstances],
  ['AWS::Backup::BackupPlan', priceBackupStorage],
  ['AWS::RDS::DBProxy', priceProxies],
  ['AWS::ElastiCache::ReplicationGroup', priceCacheReplicationGroups],
  ['AWS::EC2::VPCEndpoint', priceInterfaceEndpoints],
  ['AWS::AutoScaling::AutoScalingGroup', priceOperatorHosts],
  ['AWS::KMS::Key', priceKmsKeys],
  ['AWS::Lambda::Function', priceScheduledFunctions],
  ['AWS::SecretsManager::Secret', priceSecrets],
  ['AWS::CloudWatch::Alarm', priceAlarms],
  ['AWS::Lambda::Function', priceCustomMetrics],
  ['AWS::CloudWatch::Dashboard', priceDashboards],
  ['AWS::Logs::LogGroup', priceLogGroups],
  ['AWS::SNS::Topic', priceTopics],
];

/** Itemised monthly on-demand cost of a template in a region. */
export function estimateMonthlyCost(template: object, options: CostOptions): CostEstimate {
  const prices = PRICES[options.region];
  if (!prices) throw new UnpricedRegionError(options.region);
  const assumptions: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, ...options.assumptions };
  const resources = resourcesOf(template);
  const uncovered = [...new Set(resources.map((r) => r.type))].filter((type) => !RESOURCE_TYPES[type]).sort();
  if (uncovered.length > 0) throw new UncoveredResourceTypeError(uncovered);

  const context = pricingContext(resources, prices, assumptions);
  const lines = PRICERS.flatMap(([type, price]) => price(context.ofType(type), context));
  const pricedLines = lines.filter((l) => l.monthly !== null);
  return {
    region: options.region,
    currency: 'USD',
    lines,
    total: round(pricedLines.reduce((sum, l) => sum + (l.monthly ?? 0), 0)),
    unpriced: lines.filter((l) => l.monthly === null),
    assumptions,
  };
}

function pricingContext(resources: readonly Resource[], prices: PriceTable, assumptions: CostAssumptions): PricingContext {
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

function databaseInstance(resource: Resource): DatabaseInstance {
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

// --- RDS instances ---------------------------------------------------------------------------

function priceDatabaseInstances(instances: readonly Resource[], context: PricingContext): CostLine[] {
  return instances.map(databaseInstance).flatMap((db) => [
    ...instanceAndStorageLines(db, context),
    ...performanceInsightsLines(db, context),
    ...enhancedMonitoringLines(db, context),
  ]);
}

/**
 * A Multi-AZ deployment (primary + standby) has its own list rates for instance-hours, storage,
 * IOPS and throughput, about twice the Single-AZ ones.
 */
function deploymentSuffix(db: DatabaseInstance): '' | '.multiAz' {
  return db.multiAz ? '.multiAz' : '';
}

function instanceAndStorageLines(db: DatabaseInstance, context: PricingContext): CostLine[] {
  const role = db.replica ? 'read replica' : db.multiAz ? 'primary, Multi-AZ: primary + standby' : 'primary, Single-AZ';
  // A replica's storage is its source's allocated storage (autoscaling grows both).
  const storage = db.replica ? Number(context.primaries[0]?.props.AllocatedStorage ?? 0) : Number(db.props.AllocatedStorage ?? 0);
  return [
    context.line({
      key: `rds.instance:${db.id}`, item: `RDS PostgreSQL ${db.instanceClass} ${db.name} (${role})`, resources: [db.id],
      quantity: HOURS_PER_MONTH, unit: db.multiAz ? 'Multi-AZ instance-hour' : 'instance-hour',
      priceKey: `rds.instance.${db.instanceClass}${deploymentSuffix(db)}` as PriceKey,
    }),
    context.line({
      key: `rds.storage:${db.id}`, item: `RDS gp3 storage ${db.name}, ${storage} GiB${db.multiAz ? ', Multi-AZ (primary + standby)' : ''}`, resources: [db.id],
      quantity: storage, priceKey: `rds.gp3.storage${deploymentSuffix(db)}`,
      assumption: db.replica ? 'a replica is allocated its source\'s storage' : undefined,
    }),
    ...provisionedPerformanceLines(db, storage, context),
  ];
}

/** gp3 IOPS and throughput provisioned above the baseline that comes with the volume's size. */
function provisionedPerformanceLines(db: DatabaseInstance, storage: number, context: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  const baselineIops = storage >= 400 ? 12_000 : 3_000;
  if (db.props.Iops !== undefined && Number(db.props.Iops) > baselineIops) {
    lines.push(context.line({
      key: `rds.iops:${db.id}`, item: `RDS gp3 IOPS ${db.name} above the ${baselineIops} baseline`, resources: [db.id],
      quantity: Number(db.props.Iops) - baselineIops, priceKey: `rds.gp3.iops${deploymentSuffix(db)}`,
    }));
  }
  const baselineThroughput = storage >= 400 ? 500 : 125;
  if (db.props.StorageThroughput !== undefined && Number(db.props.StorageThroughput) > baselineThroughput) {
    lines.push(context.line({
      key: `rds.throughput:${db.id}`, item: `RDS gp3 throughput ${db.name} above the ${baselineThroughput} MiB/s baseline`, resources: [db.id],
      quantity: Number(db.props.StorageThroughput) - baselineThroughput, priceKey: `rds.gp3.throughput${deploymentSuffix(db)}`,
    }));
  }
  return lines;
}

/** Retention beyond the free 7 days, billed on the vCPUs of every copy (primary and standby). */
function performanceInsightsLines(db: DatabaseInstance, context: PricingContext): CostLine[] {
  const piDays = Number(db.props.PerformanceInsightsRetentionPeriod ?? 7);
  const extendedRetention = db.props.EnablePerformanceInsights === true && piDays > 7;
  if (!extendedRetention) return [];
  const perInstance = VCPUS[db.instanceClass];
  if (perInstance === undefined) throw new Error(`vCPUs of ${db.instanceClass} are not in scripts/cost/prices.ts VCPUS: add them (Performance Insights is priced per vCPU)`);
  const copies = db.multiAz ? 2 : 1;
  const vcpus = perInstance * copies;
  const months = Math.round(piDays / 30.5);
  const lines = [context.line({
    key: `rds.pi.first:${db.id}`, item: `Performance Insights ${db.name}, ${piDays}-day retention: first month, ${vcpus} vCPU`, resources: [db.id],
    quantity: vcpus, priceKey: 'rds.performanceInsights.firstMonth',
    assumption: copies === 2 ? 'billed on the vCPUs of primary and standby' : undefined,
  })];
  if (months > 1) {
    lines.push(context.line({
      key: `rds.pi.more:${db.id}`, item: `Performance Insights ${db.name}: ${months - 1} further months, ${vcpus} vCPU`, resources: [db.id],
      quantity: vcpus * (months - 1), priceKey: 'rds.performanceInsights.additionalMonth',
    }));
  }
  return lines;
}

function enhancedMonitoringLines(db: DatabaseInstance, context: PricingContext): CostLine[] {
  const interval = Number(db.props.MonitoringInterval ?? 0);
  const enabled = interval > 0;
  if (!enabled) return [];
  const { enhancedMonitoringEventBytes } = context.assumptions;
  const gb = (SECONDS_PER_MONTH / interval) * enhancedMonitoringEventBytes / 1e9;
  return [
    context.line({
      key: `rds.em:${db.id}`, item: `Enhanced monitoring ${db.name} every ${interval} s: log ingestion`, resources: [db.id],
      quantity: round(gb, 3), unit: 'GB ingested', priceKey: 'logs.vendedIngestion',
      assumption: `${(SECONDS_PER_MONTH / interval).toLocaleString('en-US')} samples a month of ${enhancedMonitoringEventBytes} bytes each; stored 30 days in RDSOSMetrics (storage in the log-storage line)`,
    }),
    context.line({
      key: `rds.em.storage:${db.id}`, item: `Enhanced monitoring ${db.name}: logs kept 30 days`, resources: [db.id],
      quantity: round(gb * 30 / DAYS_PER_MONTH, 3), unit: 'GB-month stored', priceKey: 'logs.storage',
      assumption: 'uncompressed size; CloudWatch Logs bills stored data compressed, so this is an upper bound',
    }),
  ];
}

// --- Backups: automated (PITR) and AWS Backup snapshots share the RDS backup allowance ----------

/** Snapshot storage of one primary's automated backups or of one backup-plan rule. */
interface BackupStorage {
  readonly resource: string;
  readonly gb: number;
  /** What the storage is, e.g. "automated backups 7 days: 51 GB". */
  readonly description: string;
}

/** The snapshots of one backup-plan rule, which a copy action may copy to another region. */
interface PlanRuleSnapshots extends BackupStorage {
  readonly copiedToAnotherRegion: boolean;
  /** GB of the data that change in a month: what incremental copies transfer. */
  readonly changedGbPerMonth: number;
}

function priceBackupStorage(plans: readonly Resource[], context: PricingContext): CostLine[] {
  const snapshots = planRuleSnapshots(plans, context);
  const storage: BackupStorage[] = [...automatedBackupStorage(context), ...snapshots];
  const lines: CostLine[] = [];
  if (storage.length > 0) lines.push(backupAllowanceLine(storage, context));
  const copied = snapshots.filter((s) => s.copiedToAnotherRegion);
  const copiedGb = copied.reduce((sum, s) => sum + s.gb, 0);
  if (copiedGb > 0) {
    const transferredGb = copied.reduce((sum, s) => sum + s.changedGbPerMonth, 0);
    lines.push(...crossRegionCopyLines(plans, copiedGb, transferredGb, context));
  }
  return lines;
}

/** A full copy of the data plus the changes of each day kept. */
function retainedGb(dataGb: number, changedDays: number, assumptions: CostAssumptions): number {
  return dataGb + dataGb * assumptions.databaseDailyChangeFraction * changedDays;
}

/** The data an instance holds: the assumed used share of its allocated storage. */
function dataGb(db: DatabaseInstance, assumptions: CostAssumptions): number {
  return Number(db.props.AllocatedStorage ?? 0) * assumptions.databaseUsedFraction;
}

function automatedBackupStorage({ primaries, assumptions }: PricingContext): BackupStorage[] {
  const retentionDays = (p: DatabaseInstance) => Number(p.props.BackupRetentionPeriod ?? 1);
  return primaries.filter((p) => retentionDays(p) > 0).map((p) => {
    const retention = retentionDays(p);
    const gb = retainedGb(dataGb(p, assumptions), retention, assumptions);
    return { resource: p.id, gb, description: `automated backups ${retention} days: ${round(gb, 1)} GB` };
  });
}

function planRuleSnapshots(plans: readonly Resource[], { primaries, assumptions }: PricingContext): PlanRuleSnapshots[] {
  const data = primaries.reduce((sum, p) => sum + dataGb(p, assumptions), 0);
  return plans.flatMap((plan) => (plan.props.BackupPlan?.BackupPlanRule ?? []).map((rule: Json): PlanRuleSnapshots => {
    const days = Number(rule.Lifecycle?.DeleteAfterDays ?? 35);
    const gb = retainedGb(data, days - 1, assumptions);
    return {
      resource: plan.id, gb, description: `AWS Backup daily snapshots kept ${days} days: ${round(gb, 1)} GB`,
      copiedToAnotherRegion: (rule.CopyActions ?? []).length > 0, changedGbPerMonth: data * assumptions.databaseDailyChangeFraction * DAYS_PER_MONTH,
    };
  }));
}

function backupAllowanceLine(storage: readonly BackupStorage[], { databases, primaries, assumptions, line }: PricingContext): CostLine {
  const backupGb = storage.reduce((sum, s) => sum + s.gb, 0);
  const primaryStorage = primaries.reduce((sum, p) => sum + Number(p.props.AllocatedStorage ?? 0), 0);
  const allowance = primaryStorage + databases.filter((d) => d.replica).length * primaryStorage;
  return line({
    key: 'rds.backup', item: 'RDS backup storage beyond the free allowance', resources: storage.map((s) => s.resource),
    quantity: round(Math.max(0, backupGb - allowance), 1), priceKey: 'rds.backup.storage',
    assumption: `data = ${assumptions.databaseUsedFraction * 100} % of allocated storage, ${assumptions.databaseDailyChangeFraction * 100} % of it changing a day; ${storage.map((s) => s.description).join('; ')}; free allowance = provisioned storage of the tier's instances, ${allowance} GB (other databases in the account's region would raise it)`,
  });
}

function crossRegionCopyLines(plans: readonly Resource[], copiedGb: number, transferredGb: number, context: PricingContext): CostLine[] {
  return [
    context.line({
      key: 'backup.copy.storage', item: 'AWS Backup cross-region copies: storage in the other region', resources: plans.map((p) => p.id),
      quantity: round(copiedGb, 1), priceKey: 'rds.backup.storage',
      assumption: 'copies get no free allowance; priced at this region\'s snapshot rate',
    }),
    context.line({
      key: 'backup.copy.transfer', item: 'AWS Backup cross-region copies: data transferred', resources: plans.map((p) => p.id),
      quantity: round(transferredGb, 1), unit: 'GB copied', priceKey: 'backup.crossRegionTransfer',
      assumption: 'incremental copies: the daily change only, after the first full copy',
    }),
  ];
}

// --- RDS Proxy, cache, interface endpoints, operator host ---------------------------------------

function priceProxies(proxies: readonly Resource[], context: PricingContext): CostLine[] {
  const target = context.primaries[0];
  const known = target ? VCPUS[target.instanceClass] : undefined;
  const vcpus = Math.max(2, known ?? 0);
  return proxies.map((proxy) => context.line({
    key: `rds.proxy:${proxy.id}`, item: `RDS Proxy over ${target?.instanceClass ?? 'its target'} (${vcpus} vCPU)`,
    resources: [proxy.id], quantity: vcpus * HOURS_PER_MONTH, unit: 'vCPU-hour', priceKey: 'rds.proxy.vcpu',
    assumption: known === undefined
      ? `vCPUs of ${target?.instanceClass ?? 'the target'} are not in scripts/cost/prices.ts VCPUS: the 2-vCPU minimum is assumed`
      : known <= 2 ? 'at the 2-vCPU minimum' : undefined,
  }));
}

function priceCacheReplicationGroups(groups: readonly Resource[], context: PricingContext): CostLine[] {
  return groups.flatMap((group) => {
    const nodeType = String(group.props.CacheNodeType);
    const nodes = group.props.NumCacheClusters !== undefined
      ? Number(group.props.NumCacheClusters)
      : Number(group.props.NumNodeGroups ?? 1) * (Number(group.props.ReplicasPerNodeGroup ?? 0) + 1);
    const engine = String(group.props.Engine ?? 'redis');
    const lines = [context.line({
      key: `cache.nodes:${group.id}`, item: `ElastiCache ${engine} ${nodeType} x ${nodes} nodes`, resources: [group.id],
      quantity: nodes * HOURS_PER_MONTH, unit: 'node-hour', priceKey: `elasticache.node.${engine}.${nodeType}` as PriceKey,
    })];
    const retention = Number(group.props.SnapshotRetentionLimit ?? 0);
    if (retention > 0) {
      lines.push(context.line({
        key: `cache.snapshots:${group.id}`, item: `ElastiCache daily snapshots kept ${retention} days`, resources: [group.id],
        quantity: round(Math.max(0, retention - 1) * context.assumptions.cacheDataGb, 1), priceKey: 'elasticache.snapshot.storage',
        assumption: `${context.assumptions.cacheDataGb} GB of cached data; one snapshot per cluster is free`,
      }));
    }
    return lines;
  });
}

/** Interface endpoints are billed per zone they are in; gateway endpoints are free. */
function priceInterfaceEndpoints(endpoints: readonly Resource[], context: PricingContext): CostLine[] {
  const interfaceEndpoints = endpoints.filter((e) => e.props.VpcEndpointType === 'Interface');
  if (interfaceEndpoints.length === 0) return [];
  const azHours = interfaceEndpoints.reduce((sum, e) => sum + (e.props.SubnetIds ?? []).length * HOURS_PER_MONTH, 0);
  const zones = Math.max(...interfaceEndpoints.map((e) => (e.props.SubnetIds ?? []).length));
  const { interfaceEndpointGbPerMonth } = context.assumptions;
  return [
    context.line({
      key: 'vpce.hours', item: `Interface endpoints: ${interfaceEndpoints.length} endpoints in ${zones} zone${zones === 1 ? '' : 's'} (${interfaceEndpoints.map((e) => serviceOf(e.props.ServiceName)).join(', ')})`,
      resources: interfaceEndpoints.map((e) => e.id), quantity: azHours, priceKey: 'privatelink.endpoint.azHour',
    }),
    context.line({
      key: 'vpce.data', item: 'Interface endpoints: data processed', resources: interfaceEndpoints.map((e) => e.id),
      quantity: interfaceEndpointGbPerMonth, unit: 'GB processed', priceKey: 'privatelink.data',
      assumption: `${interfaceEndpointGbPerMonth} GB a month in all (metrics, logs, secrets and KMS calls of the functions; operator sessions)`,
    }),
  ];
}

/** The operator host: an Auto Scaling group of the instance, root volume and monitoring its launch template sets. */
function priceOperatorHosts(groups: readonly Resource[], context: PricingContext): CostLine[] {
  const launchTemplates = new Map(context.ofType('AWS::EC2::LaunchTemplate').map((t) => [t.id, t.props.LaunchTemplateData ?? {}]));
  return groups.flatMap((group) => {
    const data: Json = launchTemplates.get(group.props.LaunchTemplate?.LaunchTemplateId?.Ref) ?? {};
    const count = Number(group.props.DesiredCapacity ?? group.props.MinSize ?? 0);
    const instanceType = String(data.InstanceType);
    const lines = [context.line({
      key: `ec2.instance:${group.id}`, item: `EC2 ${instanceType} x ${count} (${group.props.AutoScalingGroupName ?? group.id})`, resources: [group.id],
      quantity: count * HOURS_PER_MONTH, unit: 'instance-hour', priceKey: `ec2.instance.${instanceType}` as PriceKey,
    })];
    for (const mapping of data.BlockDeviceMappings ?? []) {
      const size = Number(mapping.Ebs?.VolumeSize ?? 8);
      lines.push(context.line({
        key: `ebs:${group.id}:${mapping.DeviceName}`, item: `EBS ${mapping.Ebs?.VolumeType ?? 'gp3'} root volume ${size} GiB x ${count}`, resources: [group.id],
        quantity: size * count, priceKey: 'ebs.gp3.storage',
      }));
    }
    if (data.Monitoring?.Enabled === true) {
      const { ec2DetailedMonitoringMetrics } = context.assumptions;
      lines.push(context.line({
        key: `ec2.monitoring:${group.id}`, item: `EC2 detailed monitoring x ${count}`, resources: [group.id],
        quantity: count * ec2DetailedMonitoringMetrics, unit: 'metric-month', priceKey: 'cloudwatch.metric',
        assumption: `${ec2DetailedMonitoringMetrics} metrics per instance, billed as custom metrics`,
      }));
    }
    return lines;
  });
}

// --- KMS, Lambda, Secrets Manager ---------------------------------------------------------------

function priceKmsKeys(keys: readonly Resource[], context: PricingContext): CostLine[] {
  if (keys.length === 0) return [];
  const { kmsRequestsPerMonth } = context.assumptions;
  return [
    context.line({ key: 'kms.keys', item: `KMS customer managed keys x ${keys.length}`, resources: keys.map((k) => k.id), quantity: keys.length, priceKey: 'kms.key',
      assumption: keys.some((k) => k.props.EnableKeyRotation === true) ? 'first year: automatic rotation adds $1/month per rotated backing key from the second year' : undefined }),
    context.line({ key: 'kms.requests', item: 'KMS requests', resources: keys.map((k) => k.id), quantity: kmsRequestsPerMonth, priceKey: 'kms.requests',
      assumption: `${kmsRequestsPerMonth.toLocaleString('en-US')} requests a month (secret reads, encrypted logs, RDS, cache and backups)` }),
  ];
}

/** Functions run by an EventBridge schedule; the others run a few times per deploy or rotation. */
function priceScheduledFunctions(functions: readonly Resource[], context: PricingContext): CostLine[] {
  const byId = new Map(functions.map((f) => [f.id, f]));
  return [...context.scheduledInvocations].flatMap(([id, runs]) => scheduledFunctionLines(byId.get(id)!, runs, context));
}

function scheduledFunctionLines(fn: Resource, runs: number, context: PricingContext): CostLine[] {
  const memoryGb = Number(fn.props.MemorySize ?? 128) / 1024;
  const arm = (fn.props.Architectures ?? []).includes('arm64');
  const healthCheck = /health check/i.test(String(fn.props.Description ?? '')) || /HealthCheckFunction/.test(fn.id);
  const seconds = healthCheck ? context.assumptions.healthCheckSeconds : context.assumptions.maintenanceSeconds;
  const name = String(fn.props.FunctionName ?? fn.id);
  const lines = [
    context.line({ key: `lambda.requests:${fn.id}`, item: `Lambda ${name}: invocations`, resources: [fn.id], quantity: runs, priceKey: 'lambda.requests',
      assumption: 'from its EventBridge schedules' }),
    context.line({ key: `lambda.duration:${fn.id}`, item: `Lambda ${name}: ${fn.props.MemorySize ?? 128} MB ${arm ? 'arm64' : 'x86'}`, resources: [fn.id],
      quantity: round(runs * seconds * memoryGb), unit: 'GB-second', priceKey: arm ? 'lambda.arm64.gbSecond' : 'lambda.x86.gbSecond',
      assumption: `${seconds} s billed per run` }),
  ];
  if (fn.props.TracingConfig?.Mode === 'Active') {
    lines.push(context.line({ key: `xray:${fn.id}`, item: `X-Ray traces of ${name}`, resources: [fn.id], quantity: runs, unit: 'trace', priceKey: 'xray.traces',
      assumption: 'one trace per invocation (active tracing, default sampling keeps at least one a second)' }));
  }
  return lines;
}

function priceSecrets(secrets: readonly Resource[], context: PricingContext): CostLine[] {
  if (secrets.length === 0) return [];
  return [
    context.line({ key: 'secrets', item: `Secrets Manager secrets x ${secrets.length}`, resources: secrets.map((s) => s.id), quantity: secrets.length, priceKey: 'secretsmanager.secret' }),
    context.line({ key: 'secrets.calls', item: 'Secrets Manager API calls', resources: secrets.map((s) => s.id), quantity: context.scheduledRuns, unit: 'API call', priceKey: 'secretsmanager.requests',
      assumption: 'one GetSecretValue per scheduled run (upper bound: warm functions reuse the secret)' }),
  ];
}

// --- CloudWatch: alarms, custom metrics, dashboards -----------------------------------------------

function priceAlarms(alarms: readonly Resource[], context: PricingContext): CostLine[] {
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
function priceCustomMetrics(functions: readonly Resource[], context: PricingContext): CostLine[] {
  const variables = (f: Resource): Json => f.props.Environment?.Variables ?? {};
  const healthCheck = functions.find((f) => variables(f).METRIC_NAMESPACE !== undefined && variables(f).PRIMARY_HOST !== undefined);
  if (!healthCheck) return [];
  const maintenance = functions.some((f) => variables(f).DB_HOST !== undefined && /maintenance/i.test(String(f.props.FunctionName ?? f.id)));
  const replicas = context.databases.filter((d) => d.replica).length;
  const count = customMetricCount(context.primaries.length, replicas, context.assumptions, maintenance);
  return [
    context.line({ key: 'metrics.custom', item: `Custom metrics published by the health check and maintenance (${count.total})`, resources: [healthCheck.id],
      quantity: count.total, unit: 'metric-month', priceKey: 'cloudwatch.metric', assumption: count.explanation }),
    context.line({ key: 'metrics.put', item: 'PutMetricData requests', resources: [healthCheck.id],
      quantity: context.scheduledRuns, unit: 'request', priceKey: 'cloudwatch.putMetricData',
      assumption: 'one call per scheduled run (a run publishes fewer than 1,000 data points)' }),
  ];
}

function priceDashboards(dashboards: readonly Resource[], context: PricingContext): CostLine[] {
  if (dashboards.length === 0) return [];
  return [context.line({ key: 'dashboards', item: `CloudWatch dashboards x ${dashboards.length}`, resources: dashboards.map((d) => d.id), quantity: dashboards.length, priceKey: 'cloudwatch.dashboard' })];
}

// --- Log groups, SNS -----------------------------------------------------------------------------

/** Log groups priced together: ingestion volume is assumed per kind of log. */
interface LogCategory { readonly ids: string[]; gb: number; storedGb: number; readonly assumption: string; readonly vended: boolean }

function priceLogGroups(groups: readonly Resource[], context: PricingContext): CostLine[] {
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

function priceTopics(topics: readonly Resource[], context: PricingContext): CostLine[] {
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
  for (const metric of Object.values(HEALTH_CHECK_ROW_METRICS)) {
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

/** Line-by-line difference of two estimates (for review): keyed by CostLine.key. */
export interface CostDifference {
  readonly key: string;
  readonly item: string;
  readonly unit: string;
  /** 0 when the line is absent on that side. */
  readonly quantityBefore: number;
  readonly quantityAfter: number;
  /** USD per month; 0 when the line is absent on that side, null when it is unpriced. */
  readonly before: number | null;
  readonly after: number | null;
  /** after - before, null when either side is unpriced (the quantities still show the change). */
  readonly difference: number | null;
}

/** The lines that differ between two estimates (quantity or price), and the totals of priced lines. */
export function diffEstimates(before: CostEstimate, after: CostEstimate): { lines: CostDifference[]; totalBefore: number; totalAfter: number; totalDifference: number } {
  const keys = [...new Set([...before.lines.map((l) => l.key), ...after.lines.map((l) => l.key)])];
  const byKey = (estimate: CostEstimate) => new Map(estimate.lines.map((l) => [l.key, l]));
  const b = byKey(before), a = byKey(after);
  const lines = keys.map((key): CostDifference => {
    const x = b.get(key), y = a.get(key);
    const bm = x ? x.monthly : 0, am = y ? y.monthly : 0;
    return {
      key, item: (y ?? x)!.item, unit: (y ?? x)!.unit,
      quantityBefore: x?.quantity ?? 0, quantityAfter: y?.quantity ?? 0,
      before: bm, after: am, difference: bm === null || am === null ? null : round(am - bm),
    };
  }).filter((d) => d.quantityBefore !== d.quantityAfter || d.before !== d.after || (b.get(d.key)?.item !== a.get(d.key)?.item));
  return { lines, totalBefore: before.total, totalAfter: after.total, totalDifference: round(after.total - before.total) };
}

/** The estimate as a markdown table, largest priced lines first, unpriced lines last. */
export function formatEstimate(estimate: CostEstimate, options: { top?: number } = {}): string {
  const sorted = [...estimate.lines].sort((x, y) => (y.monthly ?? -1) - (x.monthly ?? -1));
  const shown = options.top === undefined ? sorted : sorted.filter((l) => l.monthly !== null).slice(0, options.top);
  const rows = shown.map((l) => `| ${l.item} | ${formatNumber(l.quantity)} ${l.unit} | ${l.unitPrice === null ? 'not sourced' : `$${formatPrice(l.unitPrice)}`} | ${l.monthly === null ? '–' : `$${l.monthly.toFixed(2)}`} |`);
  return [
    '| line | quantity | unit price | per month |',
    '|---|---|---|---|',
    ...rows,
    `| **total of priced lines** | | | **$${estimate.total.toFixed(2)}** |`,
  ].join('\n');
}

/** The full report of `npm run cost`: table, unpriced lines, assumptions and sources. */
export function formatReport(estimate: CostEstimate, title: string): string {
  const out = [`${title}: $${estimate.total.toFixed(2)} a month on demand in ${estimate.region} (${estimate.lines.length - estimate.unpriced.length} priced lines; ${estimate.unpriced.length} not sourced, left out of the total)`, '', formatEstimate(estimate), ''];
  const assumed = estimate.lines.filter((l) => l.assumption);
  if (assumed.length > 0) {
    out.push('Assumptions:');
    for (const l of assumed) out.push(`- ${l.item}: ${l.assumption}`);
    out.push('');
  }
  out.push('Sources:');
  for (const source of [...new Set(estimate.lines.map((l) => `${l.priceKey}: ${l.source}`))].sort()) out.push(`- ${source}`);
  return out.join('\n');
}

function resourcesOf(template: object): Resource[] {
  const resources: Json = (template as Json).Resources ?? {};
  return Object.entries(resources).map(([id, r]) => ({ id, type: String(r.Type), props: r.Properties ?? {} }));
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

function serviceOf(name: unknown): string {
  return typeof name === 'string' ? name.split('.').pop() ?? name : '?';
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function formatPrice(value: number): string {
  return value >= 0.01 ? value.toFixed(value >= 1 ? 2 : 3) : value.toPrecision(3);
}
