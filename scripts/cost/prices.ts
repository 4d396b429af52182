// The one price table of `npm run cost` and of every estimate made with scripts/cost/estimate.ts.
//
// Each figure names its region, the day it was read and the public page it was read from. The
// table was filled on 2026-11-29 from the stored copies of public pages reachable offline on this
// machine (no live access to aws.amazon.com or the AWS Price List API). Where no stored page gave a
// figure, `usd` is null and `source` says so: the estimate then shows the line with its quantity
// and "not sourced" instead of a made-up price, and leaves it out of the total. Fill a null by
// reading the AWS pricing page named in `page`, and set `source` and `date` to what you read.
//
// On-demand list prices in USD, before account-wide free tiers (those are shared by everything in
// an account, so the estimate never deducts them).

export interface Price {
  /** USD per `unit`, or null when no public source was found. */
  readonly usd: number | null;
  /** What one unit is, e.g. "instance-hour", "GB-month". */
  readonly unit: string;
  /** Where the figure was read (URL), or why there is none. */
  readonly source: string;
  /** When it was read (YYYY-MM-DD); for a missing figure, when it was looked for. */
  readonly date: string;
  /** The AWS pricing page the figure belongs to (where to check or fill it). */
  readonly page: string;
  readonly note?: string;
}

export type PriceKey =
  | 'rds.instance.db.t4g.medium' | 'rds.instance.db.r7g.large' | 'rds.instance.db.r7g.xlarge'
  | 'rds.gp3.storage' | 'rds.gp3.iops' | 'rds.gp3.throughput' | 'rds.backup.storage'
  | 'rds.performanceInsights.firstMonth' | 'rds.performanceInsights.additionalMonth'
  | 'rds.proxy.vcpu'
  | 'elasticache.node.cache.t4g.small' | 'elasticache.node.cache.r7g.large' | 'elasticache.snapshot.storage'
  | 'privatelink.endpoint.azHour' | 'privatelink.data'
  | 'ec2.instance.t4g.nano' | 'ebs.gp3.storage'
  | 'kms.key' | 'kms.requests'
  | 'secretsmanager.secret' | 'secretsmanager.requests'
  | 'cloudwatch.alarm.standard' | 'cloudwatch.alarm.highResolution' | 'cloudwatch.metric' | 'cloudwatch.putMetricData'
  | 'cloudwatch.dashboard' | 'logs.ingestion' | 'logs.vendedIngestion' | 'logs.storage'
  | 'lambda.requests' | 'lambda.arm64.gbSecond' | 'lambda.x86.gbSecond' | 'xray.traces'
  | 'sns.publish' | 'backup.crossRegionTransfer';

const READ = '2026-11-29';
const NOT_FOUND = 'not sourced: no stored copy of a public page giving this figure was found';

function missing(unit: string, page: string, note?: string): Price {
  return { usd: null, unit, source: NOT_FOUND, date: READ, page, note };
}

const RDS_PG = 'https://aws.amazon.com/rds/postgresql/pricing/';
const RDS = 'https://aws.amazon.com/rds/pricing/';
const PI = 'https://aws.amazon.com/rds/performance-insights/pricing/';
const PROXY = 'https://aws.amazon.com/rds/proxy/pricing/';
const ELASTICACHE = 'https://aws.amazon.com/elasticache/pricing/';
const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const EBS = 'https://aws.amazon.com/ebs/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const XRAY = 'https://aws.amazon.com/xray/pricing/';
const SNS = 'https://aws.amazon.com/sns/pricing/';
const BACKUP = 'https://aws.amazon.com/backup/pricing/';

const R7G_NOTE = 'No stored page gives the RDS for PostgreSQL on-demand rate of db.r7g in us-east-1 (searched again 2026-11-29: AWS RDS pricing pages are stored without their JS-loaded tables; the 2026 articles found, usage.ai, selfhost.dev, cloudburn.io, infratally.com, show no r7g row in any stored part). The nearest figures found are not used: a comment table in hashicorp/terraform-provider-aws (MySQL, us-west-2, 2024-02-02: large $0.239, xlarge $0.478), and hard-coded tables in public GitHub code that disagree with each other (db.r7g.large from $0.204 to $0.276) and cite no page or date.';
const ELASTICACHE_NOTE = 'Searched 2026-11-29 (Redis OSS and Valkey node rates): the stored AWS ElastiCache pricing pages carry no node table; 2026 articles (cloudburn.io, usage.ai, securityboulevard.com) show node rates only outside their stored part, serverless rates only (Valkey $0.0023/M ECPU, Redis OSS $0.0034/M, us-east-1, June 2026, usage.ai) or round figures ("cache.r6g.large about $0.25/hour", cachee.ai 2026). The ~$0.219/h expected for cache.r7g.large in us-east-1 could not be verified.';

const US_EAST_1: Record<PriceKey, Price> = {
  'rds.instance.db.t4g.medium': {
    usd: 0.065, unit: 'instance-hour', date: READ, page: RDS_PG,
    source: 'https://infratally.com/articles/aws-rds-pricing-explained-2026.html (2026 article, PostgreSQL, us-east-1, Single-AZ table)',
  },
  'rds.instance.db.r7g.large': missing('instance-hour', RDS_PG, R7G_NOTE),
  'rds.instance.db.r7g.xlarge': missing('instance-hour', RDS_PG, R7G_NOTE),
  'rds.gp3.storage': {
    usd: 0.115, unit: 'GB-month', date: READ, page: RDS,
    source: 'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ ("All rates: US East (N. Virginia), June 2026"; cites aws.amazon.com/rds/pricing)',
  },
  'rds.gp3.iops': {
    usd: 0.02, unit: 'IOPS-month above the gp3 baseline', date: READ, page: RDS,
    source: 'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (June 2026, us-east-1)',
    note: 'Baseline included in the storage price: 3,000 IOPS and 125 MiB/s (same source); RDS raises it to 12,000 IOPS / 500 MiB/s from 400 GiB (RDS User Guide, gp3 storage).',
  },
  'rds.gp3.throughput': missing('MiBps-month above the gp3 baseline', RDS,
    'No stored page gives the RDS (not EBS) gp3 throughput rate for us-east-1; the EBS rate ($0.04, https://www.saisci.com/aws/gp3-throughput-explained/, 2021) is another service and is not used.'),
  'rds.backup.storage': {
    usd: 0.095, unit: 'GB-month beyond the free allowance', date: READ, page: RDS,
    source: 'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (June 2026, us-east-1: "~$0.095/GB-month", free up to 100% of provisioned storage); allowance also in https://aws.amazon.com/blogs/database/demystifying-amazon-rds-backup-storage-costs/',
  },
  'rds.performanceInsights.firstMonth': missing('vCPU-month (first month of paid retention)', PI,
    'Pricing model (per vCPU-month beyond the free 7 days) from https://cloudacademy.com/course/understanding-amazon-rds-performance-insights-1071/performance-insights-costs/; the only stored figure is for Tokyo (https://devio-20240701.developers.io/articles/rds-performance-insights-cost), not used here.'),
  'rds.performanceInsights.additionalMonth': missing('vCPU-month (each further month of retention)', PI),
  'rds.proxy.vcpu': {
    usd: 0.015, unit: 'vCPU-hour of the target instance (minimum 2 vCPUs)', date: READ, page: PROXY,
    source: 'AWS Price List for Amazon RDS, us-east-1 (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/us-east-1/index.csv), SKU AHVT2C6WP2BB5BXQ, usage type USE1-RDS:ProxyUsage, PostgreSQL: "$0.015 per hour per vCPU of the RDS PostgreSQL instances associated with an RDS Proxy", as quoted with its SKU in a public design document retrieved 2026-08-17 (the price list itself cannot be fetched from here); the 2-vCPU minimum is on https://aws.amazon.com/rds/proxy/pricing/.',
  },
  'elasticache.node.cache.t4g.small': missing('node-hour', ELASTICACHE, ELASTICACHE_NOTE),
  'elasticache.node.cache.r7g.large': missing('node-hour', ELASTICACHE, ELASTICACHE_NOTE),
  'elasticache.snapshot.storage': missing('GB-month', ELASTICACHE,
    'Searched 2026-11-29: pages state that backups are billed per GB-month (e.g. https://cur.vantage.sh/aws/amazonelasticache), none gives the rate.'),
  'privatelink.endpoint.azHour': {
    usd: 0.01, unit: 'endpoint-AZ-hour', date: READ, page: PRIVATELINK,
    source: 'https://awsnegotiations.com/privatelink-cost-analysis.html (May 2026: "$0.01/hour per Interface Endpoint per AZ"); billing per AZ per hour: https://aws.amazon.com/privatelink/pricing/',
  },
  'privatelink.data': {
    usd: 0.01, unit: 'GB processed (first 1 PB in the region)', date: READ, page: PRIVATELINK,
    source: 'stored copy of the AWS PrivateLink pricing page, https://968880.n0h2l.group/privatelink/pricing ("First 1 PB $0.01")',
  },
  'ec2.instance.t4g.nano': missing('instance-hour', EC2,
    'Searched 2026-11-29: no stored page gives a t4g.nano on-demand rate (the only burstable price table found, https://matthiaskraaz.blogspot.com/2021/08/aws-ec2-price-of-maxed-out-burstable.html, is from 2021 and its t4g rows are not in the stored part).'),
  'ebs.gp3.storage': missing('GB-month', EBS,
    'Candidate not used (older than the 2025-2026 bar for a third-party figure): $0.08/GiB-month, N. Virginia, https://www.saisci.com/aws/gp3-throughput-explained/ (last updated 2021-01-13); https://notes.darshanraul.me/AWS/cost-management/ebs-cost-optimization gives "~$0.08" with no region or date. A 2026 US East table exists at https://cloudburn.io/blog/amazon-ebs-pricing but its rows are not in the stored copy. Check the EBS page and fill.'),
  'kms.key': {
    usd: 1, unit: 'key-month', date: READ, page: KMS,
    source: 'https://aws.amazon.com/kms/pricing/ ("Each AWS KMS key that you create in KMS costs $1/month")',
    note: 'With automatic rotation each newly generated backing key adds $1/month (same page); a key has none in its first year.',
  },
  'kms.requests': {
    usd: 0.03 / 10_000, unit: 'request', date: READ, page: KMS,
    source: 'https://www.wring.co/blog/aws-kms-pricing-guide ("$0.03 per 10,000" symmetric requests)',
  },
  'secretsmanager.secret': {
    usd: 0.4, unit: 'secret-month', date: READ, page: SECRETS,
    source: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms ("$0.40 per secret per month + $0.05 per 10k API calls")',
  },
  'secretsmanager.requests': {
    usd: 0.05 / 10_000, unit: 'API call', date: READ, page: SECRETS,
    source: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms',
  },
  'cloudwatch.alarm.standard': {
    usd: 0.1, unit: 'alarm metric-month (standard resolution)', date: READ, page: CLOUDWATCH,
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm ("$0.10/alarm-month for standard resolution")',
  },
  'cloudwatch.alarm.highResolution': {
    usd: 0.3, unit: 'alarm metric-month (high resolution)', date: READ, page: CLOUDWATCH,
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm ("High-resolution alarms (10s) cost $0.30/month")',
  },
  'cloudwatch.metric': {
    usd: 0.3, unit: 'metric-month (first 10,000)', date: READ, page: CLOUDWATCH,
    source: 'https://cal53.calculator.city/cloudwatch-custom-metrics-calculator/ ("$0.30 per metric per month for the first 10,000 metrics")',
  },
  'cloudwatch.putMetricData': missing('PutMetricData request', CLOUDWATCH,
    'Searched 2026-11-29: the stored CloudWatch pricing page shows the free tier (1 million API requests) but not the paid rate; the $0.01 per 1,000 found (https://support.site24x7.com/portal/en/kb/articles/aws-cloudwatch-metrics-cost-calculation) is stated for GetMetricData, not PutMetricData, and is undated.'),
  'cloudwatch.dashboard': {
    usd: 3, unit: 'dashboard-month', date: READ, page: CLOUDWATCH,
    source: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (2026-06-13: "dashboards at $3 each")',
  },
  'logs.ingestion': {
    usd: 0.5, unit: 'GB ingested', date: READ, page: CLOUDWATCH,
    source: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization ("us-east-1, June 2026 ... Ingestion: $0.50 per GB")',
  },
  'logs.vendedIngestion': {
    usd: 0.5, unit: 'GB ingested (vended logs, first 10 TB)', date: READ, page: CLOUDWATCH,
    source: 'https://hykell.com/kb/platform-specific-guides/aws-cloudwatch-logs-pricing ($0.50 per GB collected in us-east-1)',
    note: 'VPC flow logs and RDS enhanced monitoring are vended logs; their first tier is the standard ingestion price.',
  },
  'logs.storage': {
    usd: 0.03, unit: 'GB-month stored', date: READ, page: CLOUDWATCH,
    source: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization ("Storage: $0.03 per GB-month", us-east-1, June 2026)',
  },
  'lambda.requests': {
    usd: 0.2 / 1_000_000, unit: 'request', date: READ, page: LAMBDA,
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing (US East (N. Virginia))',
  },
  'lambda.arm64.gbSecond': {
    usd: 0.0000133334, unit: 'GB-second (Arm)', date: READ, page: LAMBDA,
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing ("ARM ... First 7.5 Billion GB-seconds per month: $0.0000133334", US East (N. Virginia))',
  },
  'lambda.x86.gbSecond': {
    usd: 0.0000166667, unit: 'GB-second (x86)', date: READ, page: LAMBDA,
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing ("x86 ... First 6 Billion GB-seconds per month: $0.0000166667")',
  },
  'xray.traces': {
    usd: 5 / 1_000_000, unit: 'trace recorded', date: READ, page: XRAY,
    source: 'https://aws.amazon.com/de/xray/pricing/ ("5 USD pro Million (0,000005 USD pro Ablaufverfolgung)"); US East rate in https://awsnegotiations.com/x-ray-pricing-strategy.html ("$5.00 per million")',
  },
  'sns.publish': {
    usd: 0.5 / 1_000_000, unit: 'publish', date: READ, page: SNS,
    source: 'https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/ (2026-06-13: "Standard topic publish is $0.50/M ... email is $2/100K")',
  },
  'backup.crossRegionTransfer': {
    usd: 0.02, unit: 'GB copied to another region', date: READ, page: BACKUP,
    source: 'https://www.factualminds.com/blog/aws-backup-pricing-vaults-cross-region-restores/ (us-east-1, June 2026: "Cross-region copies double the storage line plus $0.02/GB transfer")',
  },
};

const EU_NOTE = 'Europe (Ireland) prices differ from us-east-1 for most of these; none was found in a stored source dated 2025-2026 (searched again 2026-11-29), so none is copied from us-east-1.';
const RDS_GP3_EU_CANDIDATE = 'Candidate not used (a page from the RDS gp3 launch, late 2022, older than the 2025-2026 bar): eu-west-1 RDS gp3 storage $0.127/GB-month, IOPS $0.022/IOPS-month, throughput $0.088/MiBps-month, https://blog.thebescloud.com/rds-gp3-volumes-decrypting-the-latest-storage-announcement-from-aws (same page: EC2/EBS gp3 $0.088/GB-month).';
const EU_NOTES: Partial<Record<PriceKey, string>> = {
  'rds.gp3.storage': `${EU_NOTE} ${RDS_GP3_EU_CANDIDATE}`,
  'rds.gp3.iops': `${EU_NOTE} ${RDS_GP3_EU_CANDIDATE}`,
  'rds.gp3.throughput': `${EU_NOTE} ${RDS_GP3_EU_CANDIDATE}`,
  'ebs.gp3.storage': `${EU_NOTE} ${RDS_GP3_EU_CANDIDATE}`,
};

/** eu-west-1: no stored page gave an Ireland figure, so every price is missing but the region-independent KMS key price. */
const EU_WEST_1 = Object.fromEntries(
  (Object.entries(US_EAST_1) as [PriceKey, Price][]).map(([key, price]) => [
    key,
    key === 'kms.key'
      ? { ...price, note: 'The AWS KMS pricing page states this price with no regional qualifier; applied in every region.' }
      : missing(price.unit, price.page, EU_NOTES[key] ?? EU_NOTE),
  ]),
) as Record<PriceKey, Price>;

/** Regions the estimate knows; any other region is refused. */
export const PRICES: Readonly<Record<string, Readonly<Record<PriceKey, Price>>>> = {
  'us-east-1': US_EAST_1,
  'eu-west-1': EU_WEST_1,
};

export const PRICED_REGIONS = Object.keys(PRICES);

/**
 * vCPUs per instance class, for Performance Insights and RDS Proxy (AWS RDS User Guide, DB
 * instance classes; r7g in https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/ tables).
 */
export const VCPUS: Readonly<Record<string, number>> = {
  'db.t4g.micro': 2, 'db.t4g.small': 2, 'db.t4g.medium': 2, 'db.t4g.large': 2,
  'db.r7g.large': 2, 'db.r7g.xlarge': 4, 'db.r7g.2xlarge': 8, 'db.r7g.4xlarge': 16,
  'db.m7g.large': 2, 'db.m7g.xlarge': 4,
};
