// The one price table of `data-tier cost` (`npm run cost`) and of every estimate made with lib/cli/cost/estimate.ts.
//
// Each figure names its region, the date of the figure and the public source it was read in. No
// live access to aws.amazon.com or the AWS Price List API is possible from the machines this
// project is built on, so the table was filled (2026-11-29) from stored copies of public pages and
// public GitHub documents. The best figures are AWS Price List offer files (a versioned
// pricing.us-east-1.amazonaws.com/offers/... URL, with the SKU or usage type) as quoted, with
// their literal rate, in a public document; then stored AWS pricing pages; then third-party pages
// dated 2025-2026 that give the region and the figure. Where no such source gave a figure, `usd` is
// null and `source` says so: the estimate shows the line with its quantity and "not sourced"
// instead of a made-up price, and leaves it out of the total. Never derive a figure (a Multi-AZ
// rate from a Single-AZ one, a Valkey rate from a Redis one, one region's from another's): fill a
// null by reading the offer file or the AWS page named in `page`, and set `source` and `date`.
//
// On-demand list prices in USD, before account-wide free tiers (those are shared by everything in
// an account, so the estimate never deducts them).

export interface Price {
  /** USD per `unit`, or null when no public source was found. */
  readonly usd: number | null;
  /** What one unit is, e.g. "instance-hour", "GB-month". */
  readonly unit: string;
  /** Where the figure was read (offer file URL and SKU, or page URL, and the document quoting it), or why there is none. */
  readonly source: string;
  /** Date of the figure (offer publication or the day its source read it, YYYY-MM-DD); for a missing figure, when it was looked for. */
  readonly date: string;
  /** The AWS pricing page the figure belongs to (where to check or fill it). */
  readonly page: string;
  readonly note?: string;
}

/** RDS for PostgreSQL classes the table prices (the environments' and the review test's). */
export type RdsInstanceClass = 'db.t4g.medium' | 'db.r7g.large' | 'db.r7g.xlarge' | 'db.r7g.2xlarge';
/** ElastiCache engines and node types the table prices; Valkey nodes have their own, lower, rates. */
export type CacheEngine = 'redis' | 'valkey';
export type CacheNodeType = 'cache.t4g.small' | 'cache.r7g.large';
/** Classes of an RDS for PostgreSQL Multi-AZ DB cluster the table prices (local-NVMe classes only: no db.t*, db.r7g). */
export type MultiAzClusterClass = 'db.m6gd.large' | 'db.r6gd.large' | 'db.r6gd.xlarge';
/** Storage of a Multi-AZ DB cluster (StorageType of its AWS::RDS::DBCluster). */
export type MultiAzClusterStorage = 'gp3' | 'io1' | 'io2';
/** Aurora PostgreSQL provisioned classes the table prices; `.iopt` keys are the I/O-Optimized rates. */
export type AuroraInstanceClass = 'db.t4g.medium' | 'db.r7g.large' | 'db.r7g.xlarge';

export type PriceKey =
  | `rds.instance.${RdsInstanceClass}` | `rds.instance.${RdsInstanceClass}.multiAz`
  | 'rds.gp3.storage' | 'rds.gp3.storage.multiAz' | 'rds.gp3.iops' | 'rds.gp3.iops.multiAz'
  | 'rds.gp3.throughput' | 'rds.gp3.throughput.multiAz' | 'rds.backup.storage'
  | 'rds.performanceInsights.firstMonth' | 'rds.performanceInsights.additionalMonth' | 'rds.performanceInsights.acuMonth'
  | 'rds.proxy.vcpu' | 'rds.proxy.acu'
  | `rds.cluster.${MultiAzClusterClass}` | `rds.cluster.${MultiAzClusterStorage}.storage` | `rds.cluster.${MultiAzClusterStorage}.iops`
  | `aurora.instance.${AuroraInstanceClass}` | `aurora.instance.${AuroraInstanceClass}.iopt`
  | 'aurora.acu' | 'aurora.acu.iopt' | 'aurora.storage' | 'aurora.storage.iopt' | 'aurora.io' | 'aurora.backup.storage'
  | `elasticache.node.${CacheEngine}.${CacheNodeType}` | 'elasticache.snapshot.storage'
  | 'privatelink.endpoint.azHour' | 'privatelink.data'
  | 'ec2.instance.t4g.nano' | 'ebs.gp3.storage'
  | 'kms.key' | 'kms.requests'
  | 'secretsmanager.secret' | 'secretsmanager.requests'
  | 'cloudwatch.alarm.standard' | 'cloudwatch.alarm.highResolution' | 'cloudwatch.metric' | 'cloudwatch.putMetricData'
  | 'cloudwatch.dashboard' | 'logs.ingestion' | 'logs.vendedIngestion' | 'logs.storage'
  | 'lambda.requests' | 'lambda.arm64.gbSecond' | 'lambda.x86.gbSecond' | 'xray.traces'
  | 'sns.publish' | 'backup.crossRegionTransfer';

const SEARCHED = '2026-11-29';
const NOT_FOUND = 'not sourced: no stored copy of a public page or document giving this figure was found';

function missing(unit: string, page: string, note?: string): Price {
  return { usd: null, unit, source: NOT_FOUND, date: SEARCHED, page, note };
}

/** A rate of an AWS Price List offer file, as a public document quotes it. */
function offer(usd: number, unit: string, page: string, from: { url: string; sku?: string; quote?: string; quotedIn: string; date: string }, note?: string): Price {
  const sku = from.sku ? `, ${from.sku}` : '';
  const quote = from.quote ? `: "${from.quote}"` : '';
  return { usd, unit, page, date: from.date, note, source: `AWS Price List ${from.url}${sku}${quote}; quoted in ${from.quotedIn}` };
}

const RDS = 'https://aws.amazon.com/rds/postgresql/pricing/';
const PI = 'https://aws.amazon.com/rds/performance-insights/pricing/';
const PROXY = 'https://aws.amazon.com/rds/proxy/pricing/';
const AURORA = 'https://aws.amazon.com/rds/aurora/pricing/';
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

const OFFERS = 'https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws';

// The public documents the offer-file rates were read in.
const VEER = 'ArdurAI/veer docs/architecture/cost-model/README.md ("Immutable rate evidence", pricing date 2026-08-31)';
const RDS_REPORT = 'a public GitHub report pricing RDS for PostgreSQL against a workload ("alt:aws", 2026-07-28), which lists the bulk price list AmazonRDS/current/us-east-1 (Last-Modified 2026-07-28) row by row';
const IRELAND_RATES = 'henderjm/world-cup-sweepstake docs/costs/aws-ireland-rates.json (checked 2026-10-04)';
const IRELAND_SNAPSHOT = 'mamtha4u/SDLC backend/config/pricing_eu-west-1.json (snapshot of the eu-west-1 offer files fetched 2026-10-02)';
const IRELAND_DEPLOY = 'a public GitHub deployment cost document ("Unit prices used: all eu-west-1, read from the AWS Price List bulk API on 2026-08-24")';
const CW_2025 = 'a public GitHub document "Amazon CloudWatch and AWS CloudTrail Pricing Data (US East - N. Virginia)" ("Source: AWS Pricing API", retrieved 2025-10-28)';
const LAMBDA_2025 = 'a public GitHub document "AWS Lambda Pricing (us-east-1)" ("Data Source: AWS Pricing API", 2025-10-28), the rate confirmed by a 2026-08-17 design document reading the us-east-1 price list published 2026-08-12';

const AURORA_2025 = 'a public GitHub document "Aurora PostgreSQL Serverless v2 Pricing (us-east-1)" ("Data Source: AWS Pricing API", pricing effective 2025-10-01, retrieved 2025-10-28), which gives the SKU';
const AURORA_ADR = 'the price provenance of a public GitHub design document ("ADR-001 Napkin Cost Comparison, US-East-1: ... Aurora PostgreSQL db.r7g.large standard $0.276/hr + $0.10/GB-mo storage (AmazonRDS offer file pub. 2026-06-05)")';
const NO_CLUSTER_RATE = 'Price List usage type Multi-AZClusterUsage:<class> (deploymentOption "Multi-AZ (readable standbys)"): one rate for the deployment of a writer and two readable standbys. Searched 2026-11-29: the only stored figures are for other regions (Seoul APN2-Multi-AZClusterUsage:db.m6gd.large $0.783 an hour, Ohio USE2-Multi-AZClusterUsage:db.m5.large $0.342), not used; nor is it derived from the Single-AZ rate.';
const NO_AURORA_RATE = 'Searched 2026-11-29: no dated us-east-1 quote of this Aurora PostgreSQL rate was found (undated static tables and other regions only); not derived from the Standard rate or from another class.';

const NO_EU = 'No 2025-2026 source giving the Europe (Ireland) figure was found (searched 2026-11-29); it is not copied from us-east-1, whose rates differ for most of these.';

const US_EAST_1: Record<PriceKey, Price> = {
  'rds.instance.db.t4g.medium': offer(0.065, 'instance-hour', RDS, {
    url: `${OFFERS}/AmazonRDS/20260729234248/us-east-1/index.json`, quote: '| db.t4g.medium — referencia | $0.065 | $0.129 | us-east-1 |',
    quotedIn: 'a public GitHub cost table of RDS PostgreSQL rates (Single-AZ and Multi-AZ columns, consulted 2026-07-29); again in offer 20260924211011 in a public pricing module', date: '2026-07-29',
  }),
  'rds.instance.db.t4g.medium.multiAz': offer(0.129, 'Multi-AZ instance-hour (primary + standby)', RDS, {
    url: `${OFFERS}/AmazonRDS/20260831092223/us-east-1/index.json`, sku: 'SKU SCBZU9XX357QUA4D', quote: 'USD 0.129/db.t4g.medium Multi-AZ-hour', quotedIn: VEER, date: '2026-08-31',
  }),
  'rds.instance.db.r7g.large': offer(0.239, 'instance-hour', RDS, {
    url: `${OFFERS}/AmazonRDS/20260531103119/us-east-1/index.json`, sku: 'SKU 7WFFXKTD43Q8CUSV', quote: 'RDS db.r7g.large PostgreSQL Single-AZ on-demand us-east-1 — $0.239/hr',
    quotedIn: 'a public GitHub cost model (scripts/cost_model/project.py of "sn360-es"); again in offer 20260924211011', date: '2026-05-31',
  }),
  'rds.instance.db.r7g.large.multiAz': offer(0.478, 'Multi-AZ instance-hour (primary + standby)', RDS, {
    url: `${OFFERS}/AmazonRDS/20260831092223/us-east-1/index.json`, sku: 'SKU QPKXCKEKNV5DW3QA', quote: 'USD 0.478/db.r7g.large Multi-AZ-hour', quotedIn: VEER, date: '2026-08-31',
  }),
  'rds.instance.db.r7g.xlarge': offer(0.478, 'instance-hour', RDS, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"instanceType":"db.r7g.xlarge","deploymentOption":"Single-AZ","vcpu":"4","memory":"32 GiB","price":"0.478"}',
    quotedIn: `${RDS_REPORT}; the same rate in offer 20260924211011 in a public pricing module`, date: '2026-07-28',
  }),
  'rds.instance.db.r7g.xlarge.multiAz': offer(0.956, 'Multi-AZ instance-hour (primary + standby)', RDS, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"instanceType":"db.r7g.xlarge","deploymentOption":"Multi-AZ","vcpu":"4","memory":"32 GiB","price":"0.956"}', quotedIn: RDS_REPORT, date: '2026-07-28',
  }),
  'rds.instance.db.r7g.2xlarge': offer(0.956, 'instance-hour', RDS, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"instanceType":"db.r7g.2xlarge","deploymentOption":"Single-AZ","vcpu":"8","memory":"64 GiB","price":"0.956"}', quotedIn: RDS_REPORT, date: '2026-07-28',
  }),
  'rds.instance.db.r7g.2xlarge.multiAz': offer(1.913, 'Multi-AZ instance-hour (primary + standby)', RDS, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"instanceType":"db.r7g.2xlarge","deploymentOption":"Multi-AZ","vcpu":"8","memory":"64 GiB","price":"1.913"}', quotedIn: RDS_REPORT, date: '2026-07-28',
  }),
  'rds.gp3.storage': offer(0.115, 'GB-month', RDS, {
    url: `${OFFERS}/AmazonRDS/20260531103119/us-east-1/index.json`, quote: 'RDS gp3 storage PostgreSQL Single-AZ us-east-1 — $0.115/GB-mo',
    quotedIn: 'a public GitHub cost model (scripts/cost_model/project.py of "sn360-es"); again as usage type RDS:GP3-Storage in the 2026-07-28 price list of the "alt:aws" report', date: '2026-05-31',
  }),
  'rds.gp3.storage.multiAz': offer(0.23, 'GB-month (Multi-AZ: primary + standby)', RDS, {
    url: `${OFFERS}/AmazonRDS/20260831092223/us-east-1/index.json`, sku: 'SKU J7S7KD4WFDNQWKNX', quote: 'USD 0.23/GB-month Multi-AZ gp3', quotedIn: VEER, date: '2026-08-31',
  }),
  'rds.gp3.iops': offer(0.02, 'IOPS-month above the gp3 baseline', RDS, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"groupDescription":"RDS Provisioned GP3 IOPS","deploymentOption":"Single-AZ","usagetype":"RDS:GP3-PIOPS","price":"0.02","unit":"IOPS-Mo"}', quotedIn: RDS_REPORT, date: '2026-07-28',
  }, 'Baseline included in the storage price: 3,000 IOPS and 125 MiB/s, and 12,000 IOPS / 500 MiB/s from 400 GiB (RDS User Guide, gp3 storage).'),
  'rds.gp3.iops.multiAz': offer(0.04, 'IOPS-month above the gp3 baseline (Multi-AZ)', RDS, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"groupDescription":"RDS Provisioned GP3 IOPS","deploymentOption":"Multi-AZ","usagetype":"RDS:Multi-AZ-GP3-PIOPS","price":"0.04","unit":"IOPS-Mo"}', quotedIn: RDS_REPORT, date: '2026-07-28',
  }),
  'rds.gp3.throughput': missing('MiBps-month above the gp3 baseline', RDS,
    'Searched 2026-11-29 for the RDS usage type RDS:GP3-Throughput: only EBS gp3 throughput ($0.04, another service) was found. The tier sets no throughput above the baseline, so no environment has this line.'),
  'rds.gp3.throughput.multiAz': missing('MiBps-month above the gp3 baseline (Multi-AZ)', RDS),
  'rds.backup.storage': offer(0.095, 'GB-month beyond the free allowance', RDS, {
    url: `${OFFERS}/AmazonRDS/20260831092223/us-east-1/index.json`, sku: 'SKU 6W8ECRFVDATCER7J', quote: 'charged PostgreSQL backup ... at USD 0.095/GB-month', quotedIn: VEER, date: '2026-08-31',
  }, 'Free up to the provisioned storage of the region\'s databases: https://aws.amazon.com/blogs/database/demystifying-amazon-rds-backup-storage-costs/'),
  'rds.performanceInsights.firstMonth': missing('vCPU-month (first month of paid retention)', PI,
    'Performance Insights reached end of life on 2026-07-31; its flexible retention (1-24 months) is "preserved in Standard mode of Database Insights at the same cost" (RDS User Guide, USER_PerfInsights.Enabling). The rate is billed per vCPU-month, first month (usage type PI_LTR_FMR) and each further month (PI_LTR_AMR); searched 2026-11-29, the only stored rates are for Tokyo (devio-20240701.developers.io), not used.'),
  'rds.performanceInsights.additionalMonth': missing('vCPU-month (each further month of retention)', PI),
  'rds.performanceInsights.acuMonth': missing('ACU-month of paid retention (Aurora Serverless v2)', PI,
    'Paid retention of an Aurora Serverless v2 instance is billed on its ACUs, not vCPUs; no stored copy of the rate was found (searched 2026-12-07). Database Insights Advanced mode\'s $0.003125 per ACU-hour (us-east-1, a 2025-10-28 Pricing API transcription) is another product, not used.'),
  'rds.proxy.vcpu': offer(0.015, 'vCPU-hour of the target instance (minimum 2 vCPUs)', PROXY, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.csv`, sku: 'SKU AHVT2C6WP2BB5BXQ, usage type USE1-RDS:ProxyUsage', quote: '$0.015 per hour per vCPU of the RDS PostgreSQL instances associated with an RDS Proxy',
    quotedIn: 'a public GitHub design document ("Research: what the Demo Variant\'s API runtime actually costs", price list retrieved 2026-08-17); the 2-vCPU minimum is on https://aws.amazon.com/rds/proxy/pricing/', date: '2026-08-17',
  }),
  'rds.proxy.acu': {
    usd: 0.015, unit: 'ACU-hour of an Aurora Serverless v2 target (minimum 8 ACUs)', page: PROXY, date: '2026-12-07',
    source: 'the cost section of SST\'s Aurora component, https://github.com/anomalyco/sst/blob/fe7bacb424c0eb177a0f30f4683ccee5d0f1b09f/platform/src/components/aws/aurora.ts ("If you enable the `proxy`, it uses _Aurora Capacity Units_ with a minumum of 8 ACUs at $0.015 per ACU hour ... The above are rough estimates for _us-east-1_"), read 2026-12-07: a third-party figure, undated; AWS\'s page was not in the stored copies',
    note: 'The same $0.015 as the per-vCPU rate of provisioned targets; the 8-ACU minimum is applied by the estimate (pricing/clusters.ts).',
  },
  'rds.cluster.db.m6gd.large': missing('Multi-AZ DB cluster hour (writer + two readable standbys)', RDS, NO_CLUSTER_RATE),
  'rds.cluster.db.r6gd.large': missing('Multi-AZ DB cluster hour (writer + two readable standbys)', RDS, NO_CLUSTER_RATE),
  'rds.cluster.db.r6gd.xlarge': missing('Multi-AZ DB cluster hour (writer + two readable standbys)', RDS, NO_CLUSTER_RATE),
  'rds.cluster.gp3.storage': offer(0.345, 'GB-month (Multi-AZ DB cluster: writer + two readable standbys)', RDS, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"volumeType":"General Purpose-GP3","deploymentOption":"Multi-AZ (readable standbys)","price":"0.345","unit":"GB-Mo"}', quotedIn: RDS_REPORT, date: '2026-07-28',
  }, 'The same 0.345 for every engine in a public pricing tool\'s test catalogue ("Live us-east-1 gp3 prices per GB-month: ... readable-standby cluster 0.345").'),
  'rds.cluster.gp3.iops': missing('IOPS-month above the gp3 baseline (Multi-AZ DB cluster)', RDS),
  'rds.cluster.io1.storage': missing('GB-month of io1 (Multi-AZ DB cluster)', RDS),
  'rds.cluster.io1.iops': missing('provisioned IOPS-month of io1 (Multi-AZ DB cluster)', RDS),
  'rds.cluster.io2.storage': missing('GB-month of io2 (Multi-AZ DB cluster)', RDS),
  'rds.cluster.io2.iops': missing('provisioned IOPS-month of io2 (Multi-AZ DB cluster)', RDS),
  'aurora.instance.db.t4g.medium': {
    usd: 0.073, unit: 'instance-hour (Aurora Standard)', page: AURORA, date: '2026-03-28',
    source: 'AWS\'s own agent toolkit, https://github.com/aws/agent-toolkit-for-aws/blob/d6ad2e44d5e3077b85b63f322e007c84f94f3a6c/skills/specialized-skills/database-skills/amazon-aurora-postgresql/scripts/acu_calculator.py (its static fallback table: _STATIC_REGION = "us-east-1", _STATIC_LAST_UPDATED = "2026-03-28", "db.t4g.medium": (2, 4, 0.073)); the same 0.073 in io_optimized_analyzer.py ("Static instance hourly prices (us-east-1, Standard, Aurora PostgreSQL)"), which gives db.r7g.large 0.276 as the offer file does',
  },
  'aurora.instance.db.t4g.medium.iopt': missing('instance-hour (Aurora I/O-Optimized)', AURORA, NO_AURORA_RATE),
  'aurora.instance.db.r7g.large': offer(0.276, 'instance-hour (Aurora Standard)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, sku: 'offer published 2026-06-05', quote: 'Aurora PostgreSQL db.r7g.large standard $0.276/hr', quotedIn: AURORA_ADR, date: '2026-06-05',
  }),
  'aurora.instance.db.r7g.large.iopt': missing('instance-hour (Aurora I/O-Optimized)', AURORA, NO_AURORA_RATE),
  'aurora.instance.db.r7g.xlarge': offer(0.553, 'instance-hour (Aurora Standard)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"instanceType":"db.r7g.xlarge","price":"0.553"}', quotedIn: `${RDS_REPORT} (its Aurora PostgreSQL rows)`, date: '2026-07-28',
  }),
  'aurora.instance.db.r7g.xlarge.iopt': offer(0.719, 'instance-hour (Aurora I/O-Optimized)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, quote: '{"instanceType":"db.r7g.xlarge","price":"0.719","desc":"IO-optimized"}', quotedIn: `${RDS_REPORT} (its Aurora PostgreSQL rows)`, date: '2026-07-28',
  }),
  'aurora.acu': offer(0.12, 'ACU-hour (Aurora Serverless v2, Standard)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, sku: 'SKU AVKW7ZJP8D72HNQC, usage type Aurora:ServerlessV2Usage', quote: '{"usagetype":"Aurora:ServerlessV2Usage","price":"0.12","unit":"ACU-Hr","desc":"Aurora PostgreSQL Serverless v2"}',
    quotedIn: `${RDS_REPORT}; the same $0.12 and the SKU in ${AURORA_2025}`, date: '2026-07-28',
  }),
  'aurora.acu.iopt': offer(0.16, 'ACU-hour (Aurora Serverless v2, I/O-Optimized)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, sku: 'SKU KG668U3YXJQ6YH9Y, usage type Aurora:ServerlessV2IOOptimizedUsage', quote: '{"usagetype":"Aurora:ServerlessV2IOOptimizedUsage","price":"0.16","unit":"ACU-Hr","desc":"...IO-Optimized"}',
    quotedIn: `${RDS_REPORT}; the same $0.16 and the SKU in ${AURORA_2025}`, date: '2026-07-28',
  }),
  'aurora.storage': offer(0.1, 'GB-month of consumed storage (Aurora Standard)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, sku: 'SKU 7GYUVAA992PFJPCB, usage type Aurora:StorageUsage', quote: '{"usagetype":"Aurora:StorageUsage","price":"0.10","unit":"GB-Mo","desc":"consumed storage (Aurora PostgreSQL)"}',
    quotedIn: `${RDS_REPORT}; the same rate and the SKU in ${AURORA_2025}`, date: '2026-07-28',
  }, 'Aurora bills the storage the cluster volume holds, not an allocated size; the estimate takes it from the assumptions (auroraDataGb).'),
  'aurora.storage.iopt': offer(0.225, 'GB-month of consumed storage (Aurora I/O-Optimized)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, sku: 'SKU 5YXZF9S373QUR5VW, usage type Aurora:IO-OptimizedStorageUsage', quote: '{"usagetype":"Aurora:IO-OptimizedStorageUsage","price":"0.225","unit":"GB-Mo"}',
    quotedIn: `${RDS_REPORT}; the same rate and the SKU in ${AURORA_2025}`, date: '2026-07-28',
  }),
  'aurora.io': offer(0.2, 'million I/O requests (Aurora Standard only)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, sku: 'SKU 7JDSZP38DMKT9B86, usage type Aurora:StorageIOUsage', quote: '{"usagetype":"Aurora:StorageIOUsage","price":"0.0000002","unit":"IOs","desc":"$0.20 per 1 million I/O requests (Aurora PostgreSQL)"}',
    quotedIn: `${RDS_REPORT}; the same rate and the SKU in ${AURORA_2025}`, date: '2026-07-28',
  }, 'I/O-Optimized clusters pay no I/O requests.'),
  'aurora.backup.storage': offer(0.021, 'GB-month beyond the free allowance (Aurora)', AURORA, {
    url: `${OFFERS}/AmazonRDS/current/us-east-1/index.json`, sku: 'SKU AYEW6PNFPJSSTGH7, usage type Aurora:BackupUsage', quote: '{"usagetype":"Aurora:BackupUsage","price":"0.021","unit":"GB-Mo","desc":"backup storage exceeding free allocation"}',
    quotedIn: `${RDS_REPORT}; the same rate and the SKU in ${AURORA_2025}`, date: '2026-07-28',
  }, 'Free up to the storage of the cluster volume ("Backup storage equal to database storage size is included at no charge", same sources).'),
  'elasticache.node.redis.cache.t4g.small': offer(0.032, 'node-hour', ELASTICACHE, {
    url: `${OFFERS}/AmazonElastiCache/20260914063714/us-east-1/index.json`, quote: '{ name: \'cache.t4g.small\', memoryGiB: 1.37, hourlyUSD: 0.032 }',
    quotedIn: 'the ELASTICACHE_REDIS_US_EAST_1_ONDEMAND catalogue of the public @cloudbitmaps/core sources ("ElastiCache for Redis OSS, us-east-1 on-demand, AWS price list 20260914063714"); the same rate in a public pricing engine read from the Price List API on 2026-10-02', date: '2026-09-14',
  }),
  'elasticache.node.redis.cache.r7g.large': offer(0.219, 'node-hour', ELASTICACHE, {
    url: `${OFFERS}/AmazonElastiCache/20260530010146/us-east-1/index.json`, sku: 'SKU MWNGNHD8QDQRAGKN', quote: 'ElastiCache cache.r7g.large Redis on-demand us-east-1 — $0.219/hr per node',
    quotedIn: 'a public GitHub cost model (scripts/cost_model/project.py of "sn360-es"); the same rate read from the price list on 2026-09-20 and 2026-10-02 in two other public documents', date: '2026-05-30',
  }),
  'elasticache.node.valkey.cache.t4g.small': offer(0.0256, 'node-hour', ELASTICACHE, {
    url: `${OFFERS}/AmazonElastiCache/current/us-east-1/index.json`, sku: 'cacheEngine Valkey, usage type NodeUsage:cache.t4g.small', quote: '"cache.t4g.small": 0.0256',
    quotedIn: 'FALLBACK_ELASTICACHE_VALKEY_PRICING of a public GitHub pricing engine ("from the AWS Price List API ... cacheEngine Valkey ... read 2026-10-02")', date: '2026-10-02',
  }),
  'elasticache.node.valkey.cache.r7g.large': offer(0.1752, 'node-hour', ELASTICACHE, {
    url: `${OFFERS}/AmazonElastiCache/current/us-east-1/index.json`, sku: 'cacheEngine Valkey', quote: '| us-east-1 | $0.1752 | $0.2190 | −20% |',
    quotedIn: 'a public GitHub design note "ElastiCache (Redis OSS / Valkey) — Multi-Region" (figures "pulled from the public AWS pricing API ... Valkey engine, retrieved 2026-09-20"); the same rate read 2026-10-02 in a public pricing engine', date: '2026-09-20',
  }),
  'elasticache.snapshot.storage': missing('GB-month', ELASTICACHE,
    'Searched 2026-11-29: pages say backups are billed per GB-month (e.g. https://cur.vantage.sh/aws/amazonelasticache); the only figure found, "$0.085 per GiB-month" in an undated guide naming no region, is not used.'),
  'privatelink.endpoint.azHour': offer(0.01, 'endpoint-AZ-hour', PRIVATELINK, {
    url: `${OFFERS}/AmazonVPC/20260917190528/us-east-1/index.json`, sku: 'usage type USE1-VpcEndpoint-Hours', quote: '$0.01 per VPC Endpoint Hour',
    quotedIn: 'two public GitHub pricing research documents (2026-09-25 and 2026-09-29); billed per zone: "for each hour that your VPC endpoint remains provisioned in each Availability Zone" (https://aws.amazon.com/privatelink/pricing/)', date: '2026-09-17',
  }),
  'privatelink.data': offer(0.01, 'GB processed (first 1 PB in the region)', PRIVATELINK, {
    url: `${OFFERS}/AmazonVPC/20260917190528/us-east-1/index.json`, sku: 'usage type USE1-VpcEndpoint-Bytes', quote: '$0.01 (≤1 PB) / $0.006 (1–5 PB) / $0.004 (>5 PB)',
    quotedIn: 'a public GitHub pricing research document (2026-09-25)', date: '2026-09-17',
  }),
  'ec2.instance.t4g.nano': offer(0.0042, 'instance-hour', EC2, {
    url: `${OFFERS}/AmazonEC2/current/us-east-1/index.json`, sku: 'SKU DU8E8NJG743V3F8M, BoxUsage:t4g.nano (publication 2026-08-17T20:36:27Z)', quote: '$0.0042 per On Demand Linux t4g.nano Instance Hour',
    quotedIn: 'a public GitHub design document ("Verified cost", retrieved 2026-08-17); the same description in the 2026-09-24 EC2 index.csv quoted by another', date: '2026-08-17',
  }),
  'ebs.gp3.storage': offer(0.08, 'GB-month', EBS, {
    url: `${OFFERS}/AmazonEC2/20260831181331/us-east-1/index.json`, sku: 'SKU JG3KUJMBRGHV3N8G', quote: 'USD 0.08/gp3 GB-month', quotedIn: VEER, date: '2026-08-31',
  }),
  'kms.key': offer(1, 'key-month', KMS, {
    url: `${OFFERS}/awskms/20260831092318/index.json`, sku: 'SKU U553K98XGDXCYHWS', quote: 'USD 1/key-month', quotedIn: VEER, date: '2026-08-31',
  }, 'With automatic rotation each newly generated backing key adds $1/month (https://aws.amazon.com/kms/pricing/); a key has none in its first year.'),
  'kms.requests': offer(0.000003, 'request', KMS, {
    url: `${OFFERS}/awskms/20260831092318/index.json`, sku: 'SKU MFEBZPX8NHM5FY7Z', quote: 'USD 0.000003/request', quotedIn: VEER, date: '2026-08-31',
  }),
  'secretsmanager.secret': offer(0.4, 'secret-month', SECRETS, {
    url: `${OFFERS}/AWSSecretsManager/20260831092330/us-east-1/index.json`, sku: 'SKU BJ3PQ9BYGU6P632F', quote: 'USD 0.40/secret-month', quotedIn: VEER, date: '2026-08-31',
  }),
  'secretsmanager.requests': offer(0.000005, 'API call', SECRETS, {
    url: `${OFFERS}/AWSSecretsManager/20260831092330/us-east-1/index.json`, sku: 'SKU 4MDZ5VNEJPMUTG9B', quote: 'USD 0.000005/request', quotedIn: VEER, date: '2026-08-31',
  }),
  'cloudwatch.alarm.standard': offer(0.1, 'alarm metric-month (standard resolution)', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260831092148/us-east-1/index.json`, sku: 'SKU EVETVUGEN3MUTMXM', quote: 'Standard-resolution alarm metric ... at USD 0.10/alarm-metric-month', quotedIn: VEER, date: '2026-08-31',
  }),
  'cloudwatch.alarm.highResolution': offer(0.3, 'alarm metric-month (high resolution)', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/current/us-east-1/index.json`, quote: 'High Resolution: $0.30 per alarm-month', quotedIn: CW_2025, date: '2025-10-28',
  }, 'The same $0.30 is in offer 20260831092148 for us-west-2 (SKU JQ7VDDDHEZA9XV78, ArdurAI/veer); no 2026 us-east-1 SKU was found.'),
  'cloudwatch.metric': offer(0.3, 'metric-month (first 10,000)', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260831092148/us-east-1/index.json`, sku: 'SKU KG586CTNGQ4VRZKZ', quote: 'USD 0.30/metric-month', quotedIn: VEER, date: '2026-08-31',
  }),
  'cloudwatch.putMetricData': offer(0.01 / 1_000, 'request (beyond the free 1 million a month)', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/current/us-east-1/index.json`, sku: 'usage type CW:Requests', quote: 'General API Requests: $0.01 per 1,000 requests', quotedIn: CW_2025, date: '2025-10-28',
  }),
  'cloudwatch.dashboard': {
    usd: 3, unit: 'dashboard-month', date: '2026-06-13', page: CLOUDWATCH,
    source: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (2026-06-13: "dashboards at $3 each")',
    note: 'A dashboard is one account-wide product of the price list ("location=Any ... DashboardsUsageHour ... USD 3 per dashboard per month", a public description of the Price List catalogue), so the rate is the same in every region.',
  },
  'logs.ingestion': offer(0.5, 'GB ingested', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260831092148/us-east-1/index.json`, sku: 'SKU S8QGXX5R2BKKMDSJ', quote: 'USD 0.50/GB log ingest', quotedIn: VEER, date: '2026-08-31',
  }),
  'logs.vendedIngestion': offer(0.5, 'GB ingested (vended logs, first 10 TB)', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/current/us-east-1/index.json`, sku: 'usage type VendedLog-Bytes', quote: 'Vended Logs (tiered pricing): First 10TB: $0.50 per GB', quotedIn: CW_2025, date: '2025-10-28',
  }, 'VPC flow logs and RDS enhanced monitoring are vended logs.'),
  'logs.storage': offer(0.03, 'GB-month stored', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260831092148/us-east-1/index.json`, sku: 'SKU 6K9ADYQAHV5KX9KZ', quote: 'USD 0.03/GB-month', quotedIn: VEER, date: '2026-08-31',
  }),
  'lambda.requests': offer(0.0000002, 'request', LAMBDA, {
    url: `${OFFERS}/AWSLambda/current/us-east-1/index.json`, sku: 'SKU GU2ZS9HVP6QTQ7KE (x86), K7BX6567RJ67A2KE (Arm)', quote: '$0.20 per 1 million requests', quotedIn: LAMBDA_2025, date: '2025-10-28',
  }),
  'lambda.arm64.gbSecond': offer(0.0000133334, 'GB-second (Arm, first 7.5 billion a month)', LAMBDA, {
    url: `${OFFERS}/AWSLambda/current/us-east-1/index.json`, sku: 'SKU 72SBSFWPMDTH8S3J, usage type Lambda-GB-Second-ARM', quote: 'Tier 1 | 0 - 7.5 billion | $0.0000133334', quotedIn: LAMBDA_2025, date: '2025-10-28',
  }),
  'lambda.x86.gbSecond': offer(0.0000166667, 'GB-second (x86, first 6 billion a month)', LAMBDA, {
    url: `${OFFERS}/AWSLambda/current/us-east-1/index.json`, sku: 'SKU TG3M4CAGBA3NYQBH, usage type Lambda-GB-Second', quote: 'Tier 1 | 0 - 6 billion | $0.0000166667', quotedIn: LAMBDA_2025, date: '2025-10-28',
  }),
  'xray.traces': {
    usd: 5 / 1_000_000, unit: 'trace recorded', date: SEARCHED, page: XRAY,
    source: 'https://aws.amazon.com/de/xray/pricing/ ("5 USD pro Million (0,000005 USD pro Ablaufverfolgung)", stored copy, undated); US East rate in https://awsnegotiations.com/x-ray-pricing-strategy.html ("$5.00 per million")',
    note: 'No dated price-list quote was found; the page copies carry no date, so `date` is the day they were read.',
  },
  'sns.publish': offer(0.5 / 1_000_000, 'publish (beyond the free 1 million a month)', SNS, {
    url: `${OFFERS}/AmazonSNS/current/us-east-1/index.json`, sku: 'usage type Requests-Tier1 (publication 2026-09-15)', quote: 'First 1,000,000/month FREE, then $0.50/1M',
    quotedIn: 'a public GitHub pricing research document (2026-09-25); email deliveries are $2.00 per 100,000 after the first 1,000 (same source)', date: '2026-09-15',
  }),
  'backup.crossRegionTransfer': offer(0.02, 'GB copied to another region', BACKUP, {
    url: `${OFFERS}/AWSDataTransfer/20260831121448/us-east-1/index.json`, sku: 'SKU XGXYRYWGNXSSEUVT (us-east-1 to us-west-2)', quote: 'USD 0.02/GB cross-region', quotedIn: VEER, date: '2026-08-31',
  }, 'Priced per source and destination pair; $0.02 is us-east-1 to us-west-2 (the same rate from us-east-1 in AWSDataTransfer 20260916132208, quoted in another public document).'),
};

const EU_WEST_1: Record<PriceKey, Price> = {
  'rds.instance.db.t4g.medium': offer(0.069, 'instance-hour', RDS, {
    url: `${OFFERS}/AmazonRDS/20260820203529/eu-west-1/index.json`, quote: '| RDS `db.t4g.medium` PostgreSQL, Single-AZ | $0.069/h |', quotedIn: IRELAND_DEPLOY, date: '2026-08-24',
  }),
  'rds.instance.db.t4g.medium.multiAz': offer(0.138, 'Multi-AZ instance-hour (primary + standby)', RDS, {
    url: `${OFFERS}/AmazonRDS/20260820203529/eu-west-1/index.json`, quote: '| RDS `db.t4g.medium` PostgreSQL, Multi-AZ | $0.138/h |', quotedIn: IRELAND_DEPLOY, date: '2026-08-24',
  }),
  'rds.instance.db.r7g.large': missing('instance-hour', RDS, NO_EU),
  'rds.instance.db.r7g.large.multiAz': missing('Multi-AZ instance-hour (primary + standby)', RDS, NO_EU),
  'rds.instance.db.r7g.xlarge': missing('instance-hour', RDS, NO_EU),
  'rds.instance.db.r7g.xlarge.multiAz': missing('Multi-AZ instance-hour (primary + standby)', RDS, NO_EU),
  'rds.instance.db.r7g.2xlarge': missing('instance-hour', RDS, NO_EU),
  'rds.instance.db.r7g.2xlarge.multiAz': missing('Multi-AZ instance-hour (primary + standby)', RDS, NO_EU),
  'rds.gp3.storage': offer(0.127, 'GB-month', RDS, {
    url: `${OFFERS}/AmazonRDS/20260820203529/eu-west-1/index.json`, quote: '| RDS gp3 storage, Single-AZ | $0.127/GB-month |', quotedIn: IRELAND_DEPLOY, date: '2026-08-24',
  }),
  'rds.gp3.storage.multiAz': offer(0.254, 'GB-month (Multi-AZ: primary + standby)', RDS, {
    url: `${OFFERS}/AmazonRDS/20260820203529/eu-west-1/index.json`, quote: '| RDS gp3 storage, Multi-AZ | $0.254/GB-month |', quotedIn: IRELAND_DEPLOY, date: '2026-08-24',
  }),
  'rds.gp3.iops': missing('IOPS-month above the gp3 baseline', RDS, NO_EU),
  'rds.gp3.iops.multiAz': missing('IOPS-month above the gp3 baseline (Multi-AZ)', RDS, NO_EU),
  'rds.gp3.throughput': missing('MiBps-month above the gp3 baseline', RDS, NO_EU),
  'rds.gp3.throughput.multiAz': missing('MiBps-month above the gp3 baseline (Multi-AZ)', RDS, NO_EU),
  'rds.backup.storage': missing('GB-month beyond the free allowance', RDS, NO_EU),
  'rds.performanceInsights.firstMonth': missing('vCPU-month (first month of paid retention)', PI, NO_EU),
  'rds.performanceInsights.additionalMonth': missing('vCPU-month (each further month of retention)', PI, NO_EU),
  'rds.performanceInsights.acuMonth': missing('ACU-month of paid retention (Aurora Serverless v2)', PI, NO_EU),
  'rds.proxy.vcpu': missing('vCPU-hour of the target instance (minimum 2 vCPUs)', PROXY, NO_EU),
  'rds.proxy.acu': missing('ACU-hour of an Aurora Serverless v2 target', PROXY, NO_EU),
  'rds.cluster.db.m6gd.large': missing('Multi-AZ DB cluster hour (writer + two readable standbys)', RDS, NO_EU),
  'rds.cluster.db.r6gd.large': missing('Multi-AZ DB cluster hour (writer + two readable standbys)', RDS, NO_EU),
  'rds.cluster.db.r6gd.xlarge': missing('Multi-AZ DB cluster hour (writer + two readable standbys)', RDS, NO_EU),
  'rds.cluster.gp3.storage': missing('GB-month (Multi-AZ DB cluster: writer + two readable standbys)', RDS, NO_EU),
  'rds.cluster.gp3.iops': missing('IOPS-month above the gp3 baseline (Multi-AZ DB cluster)', RDS, NO_EU),
  'rds.cluster.io1.storage': missing('GB-month of io1 (Multi-AZ DB cluster)', RDS, NO_EU),
  'rds.cluster.io1.iops': missing('provisioned IOPS-month of io1 (Multi-AZ DB cluster)', RDS, NO_EU),
  'rds.cluster.io2.storage': missing('GB-month of io2 (Multi-AZ DB cluster)', RDS, NO_EU),
  'rds.cluster.io2.iops': missing('provisioned IOPS-month of io2 (Multi-AZ DB cluster)', RDS, NO_EU),
  'aurora.instance.db.t4g.medium': missing('instance-hour (Aurora Standard)', AURORA, NO_EU),
  'aurora.instance.db.t4g.medium.iopt': missing('instance-hour (Aurora I/O-Optimized)', AURORA, NO_EU),
  'aurora.instance.db.r7g.large': missing('instance-hour (Aurora Standard)', AURORA, NO_EU),
  'aurora.instance.db.r7g.large.iopt': missing('instance-hour (Aurora I/O-Optimized)', AURORA, NO_EU),
  'aurora.instance.db.r7g.xlarge': missing('instance-hour (Aurora Standard)', AURORA, NO_EU),
  'aurora.instance.db.r7g.xlarge.iopt': missing('instance-hour (Aurora I/O-Optimized)', AURORA, NO_EU),
  'aurora.acu': missing('ACU-hour (Aurora Serverless v2, Standard)', AURORA, NO_EU),
  'aurora.acu.iopt': missing('ACU-hour (Aurora Serverless v2, I/O-Optimized)', AURORA, NO_EU),
  'aurora.storage': missing('GB-month of consumed storage (Aurora Standard)', AURORA, NO_EU),
  'aurora.storage.iopt': missing('GB-month of consumed storage (Aurora I/O-Optimized)', AURORA, NO_EU),
  'aurora.io': missing('million I/O requests (Aurora Standard only)', AURORA, NO_EU),
  'aurora.backup.storage': missing('GB-month beyond the free allowance (Aurora)', AURORA, NO_EU),
  'elasticache.node.redis.cache.t4g.small': offer(0.034, 'node-hour', ELASTICACHE, {
    url: `${OFFERS}/AmazonElastiCache/current/eu-west-1/index.json`, sku: 'SKU Q8MBFSX7FCA3HNJW (Redis, on demand)', quote: '"elasticache_t4g_small_usd_per_hour": 0.034',
    quotedIn: 'gianlucanatali/observable-inventory-streaming cost-meter/prices.json (read 2026-10-04)', date: '2026-10-04',
  }),
  'elasticache.node.redis.cache.r7g.large': offer(0.243, 'node-hour', ELASTICACHE, {
    url: `${OFFERS}/AmazonElastiCache/current/eu-west-1/index.json`, quote: 'cache.r7g.large in eu-west-1 is $0.243/hr for Redis and $0.1944/hr for Valkey',
    quotedIn: 'a public GitHub design note "ElastiCache (Redis OSS / Valkey) — Multi-Region" ("Verified in the pricing API", retrieved 2026-09-20)', date: '2026-09-20',
  }),
  'elasticache.node.valkey.cache.t4g.small': missing('node-hour', ELASTICACHE, NO_EU),
  'elasticache.node.valkey.cache.r7g.large': offer(0.1944, 'node-hour', ELASTICACHE, {
    url: `${OFFERS}/AmazonElastiCache/current/eu-west-1/index.json`, quote: 'cache.r7g.large in eu-west-1 is $0.243/hr for Redis and $0.1944/hr for Valkey',
    quotedIn: 'a public GitHub design note "ElastiCache (Redis OSS / Valkey) — Multi-Region" ("Verified in the pricing API", retrieved 2026-09-20)', date: '2026-09-20',
  }),
  'elasticache.snapshot.storage': missing('GB-month', ELASTICACHE, NO_EU),
  'privatelink.endpoint.azHour': offer(0.011, 'endpoint-AZ-hour', PRIVATELINK, {
    url: `${OFFERS}/AmazonVPC/current/eu-west-1/index.csv`, sku: 'SKU H37WJ97MHYGDXG2A', quote: '$0.011 per VPC Endpoint Hour',
    quotedIn: 'a public GitHub network cost audit (price list queried 2026-05-01) and a launch-cost document (checked 2026-09-14)', date: '2026-09-14',
  }),
  'privatelink.data': offer(0.01, 'GB processed (first 1 PB in the region)', PRIVATELINK, {
    url: `${OFFERS}/AmazonVPC/current/eu-west-1/index.json`, sku: 'SKU S8CASMMQB4XR7YWZ', quote: '$0.01/GB (up to 1 PB)', quotedIn: 'a public GitHub network cost audit (price list queried 2026-05-01)', date: '2026-05-01',
  }),
  'ec2.instance.t4g.nano': missing('instance-hour', EC2, NO_EU),
  'ebs.gp3.storage': offer(0.088, 'GB-month', EBS, {
    url: `${OFFERS}/AmazonEC2/20260910195514/eu-west-1/index.csv`, sku: 'SKU TXACT7E3PV6ZX2NM', quote: '$0.088 per GB-month of General Purpose (gp3) provisioned storage - EU (Ireland)',
    quotedIn: 'a public GitHub launch-cost document (checked 2026-09-14); the same description and SKU in an EBS cost audit (API queried 2026-05-01)', date: '2026-09-10',
  }),
  'kms.key': {
    usd: 1, unit: 'key-month', date: SEARCHED, page: KMS,
    source: 'https://aws.amazon.com/kms/pricing/ ("Each AWS KMS key that you create in KMS costs $1/month")',
    note: 'The AWS KMS pricing page states this price with no regional qualifier; applied in every region.',
  },
  'kms.requests': missing('request', KMS, NO_EU),
  'secretsmanager.secret': offer(0.4, 'secret-month', SECRETS, {
    url: `${OFFERS}/AWSSecretsManager/20260911124610/eu-west-1/index.json`, sku: 'SKU 7XGGDB26HD68ED7A, EU-AWSSecretsManager-Secrets', quote: '$0.40 per Secret', quotedIn: IRELAND_RATES, date: '2026-09-11',
  }),
  'secretsmanager.requests': offer(0.000005, 'API call', SECRETS, {
    url: `${OFFERS}/AWSSecretsManager/20260911124610/eu-west-1/index.json`, sku: 'SKU EGBHGCHDFAQWM4B6, EU-AWSSecretsManager-APIRequests', quote: '$0.05 per 10000 API Requests', quotedIn: IRELAND_RATES, date: '2026-09-11',
  }),
  'cloudwatch.alarm.standard': offer(0.1, 'alarm metric-month (standard resolution)', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260922021715/eu-west-1/index.json`, sku: 'SKU GDMKAEDCSYJAKBZQ, EU-CW:AlarmMonitorUsage', quote: '$0.10 per alarm metric month (standard resolution) - EU (Ireland)', quotedIn: IRELAND_RATES, date: '2026-09-22',
  }),
  'cloudwatch.alarm.highResolution': missing('alarm metric-month (high resolution)', CLOUDWATCH, NO_EU),
  'cloudwatch.metric': offer(0.3, 'metric-month (first 10,000)', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260922021715/eu-west-1/index.json`, sku: 'SKU 58YXNUN4MF8JD9ZA, EU-CW:MetricMonitorUsage', quote: '$0.30 per metric-month for the first 10,000 metrics - EU (Ireland)', quotedIn: IRELAND_RATES, date: '2026-09-22',
  }),
  'cloudwatch.putMetricData': missing('request (beyond the free 1 million a month)', CLOUDWATCH, NO_EU),
  'cloudwatch.dashboard': US_EAST_1['cloudwatch.dashboard'],
  'logs.ingestion': offer(0.57, 'GB ingested', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260922021715/eu-west-1/index.json`, sku: 'SKU KJBTQPDHW2H92B8Y, EU-DataProcessing-Bytes', quote: '$0.57 per GB custom log data ingested in Standard log class - EU (Ireland)', quotedIn: IRELAND_RATES, date: '2026-09-22',
  }),
  'logs.vendedIngestion': missing('GB ingested (vended logs, first 10 TB)', CLOUDWATCH, NO_EU),
  'logs.storage': offer(0.03, 'GB-month stored', CLOUDWATCH, {
    url: `${OFFERS}/AmazonCloudWatch/20260922021715/eu-west-1/index.json`, sku: 'SKU M93YPPU987S2T6U9, EU-TimedStorage-ByteHrs', quote: '$0.03 per GB-mo of log storage - EU (Ireland)', quotedIn: IRELAND_RATES, date: '2026-09-22',
  }),
  'lambda.requests': offer(0.0000002, 'request', LAMBDA, {
    url: `${OFFERS}/AWSLambda/20261001184746/eu-west-1/index.json`, sku: 'SKU B5V2RNHAWGVJBZD3, EU-Request', quote: '"usd": "0.0000002000"', quotedIn: `${IRELAND_RATES}; the Arm request rate (EU-Request-ARM) is the same in ${IRELAND_SNAPSHOT}`, date: '2026-10-01',
  }),
  'lambda.arm64.gbSecond': offer(0.0000133334, 'GB-second (Arm, first 7.5 billion a month)', LAMBDA, {
    url: `${OFFERS}/AWSLambda/20261001184746/eu-west-1/index.json`, sku: 'usage type EU-Lambda-GB-Second-ARM (SKU KXNSA7NBRHBHXXPS)', quote: 'AWS Lambda - Total Compute for ARM - EU (Ireland)-Tier-1 ... 1.33334e-05', quotedIn: IRELAND_SNAPSHOT, date: '2026-10-01',
  }),
  'lambda.x86.gbSecond': offer(0.0000166667, 'GB-second (x86, first 6 billion a month)', LAMBDA, {
    url: `${OFFERS}/AWSLambda/20261001184746/eu-west-1/index.json`, sku: 'SKU SGGKTWDV7PGMPPSJ, EU-Lambda-GB-Second', quote: '"usd": "0.0000166667", "through": "6000000000"', quotedIn: IRELAND_RATES, date: '2026-10-01',
  }),
  'xray.traces': missing('trace recorded', XRAY, NO_EU),
  'sns.publish': offer(0.5 / 1_000_000, 'publish (beyond the free 1 million a month)', SNS, {
    url: `${OFFERS}/AmazonSNS/current/eu-west-1/index.json`, sku: 'usage type EU-Requests-Tier1 (publication 2026-09-15)', quote: '{"from": 1000000.0, "to": null, "usd": 5e-07}', quotedIn: IRELAND_SNAPSHOT, date: '2026-09-15',
  }),
  'backup.crossRegionTransfer': missing('GB copied to another region', BACKUP, NO_EU),
};

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
  'db.m6gd.large': 2, 'db.r6gd.large': 2, 'db.r6gd.xlarge': 4, 'db.r6gd.2xlarge': 8,
};
