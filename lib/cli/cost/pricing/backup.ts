// Backups: the instances' and Multi-AZ DB clusters' automated backups (PITR) and the AWS Backup
// plans' snapshots of them share the RDS backup allowance; an Aurora cluster's backups and snapshots
// have Aurora's rate and allowance (its volume); a plan's copies to another region are priced on their own.
import { CostAssumptions } from '../assumptions';
import { CostLine } from '../cost-estimate';
import { DAYS_PER_MONTH, round } from '../units';
import { Json, PricingContext, Resource } from './context';

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

/**
 * What a database keeps backups of: an RDS primary or a Multi-AZ DB cluster (family rds: the RDS
 * backup rate and allowance) or an Aurora cluster (family aurora: Aurora's rate, free up to its volume).
 */
interface DataHolder {
  readonly resource: string;
  readonly family: 'rds' | 'aurora';
  /** GB of data it holds. */
  readonly gb: number;
  /** Provisioned storage (RDS family): what the free allowance counts. */
  readonly allocated: number;
  readonly retentionDays: number;
}

export function priceBackupStorage(plans: readonly Resource[], context: PricingContext): CostLine[] {
  const holders = dataHolders(context);
  const lines: CostLine[] = [];
  const copied: Array<PlanRuleSnapshots & { family: DataHolder['family'] }> = [];
  for (const family of ['rds', 'aurora'] as const) {
    const own = holders.filter((h) => h.family === family);
    if (own.length === 0) continue;
    const snapshots = planRuleSnapshots(plans, own, context.assumptions);
    const storage: BackupStorage[] = [...automatedBackupStorage(own, context.assumptions), ...snapshots];
    if (storage.length > 0) lines.push(family === 'rds' ? backupAllowanceLine(storage, own, context) : auroraBackupLine(storage, own, context));
    copied.push(...snapshots.filter((s) => s.copiedToAnotherRegion).map((s) => ({ ...s, family })));
  }
  const copiedGb = copied.reduce((sum, s) => sum + s.gb, 0);
  if (copiedGb > 0) {
    const transferredGb = copied.reduce((sum, s) => sum + s.changedGbPerMonth, 0);
    const byFamily = (family: DataHolder['family']) => copied.filter((s) => s.family === family).reduce((sum, s) => sum + s.gb, 0);
    lines.push(...crossRegionCopyLines(plans, byFamily('rds'), byFamily('aurora'), transferredGb, context));
  }
  return lines;
}

/** A full copy of the data plus the changes of each day kept. */
function retainedGb(dataGb: number, changedDays: number, assumptions: CostAssumptions): number {
  return dataGb + dataGb * assumptions.databaseDailyChangeFraction * changedDays;
}

/** The data a database holds: the assumed used share of its allocated storage. */
function dataGb(props: Json, assumptions: CostAssumptions): number {
  return Number(props.AllocatedStorage ?? 0) * assumptions.databaseUsedFraction;
}

function dataHolders({ primaries, clusters, assumptions }: PricingContext): DataHolder[] {
  const retention = (props: Json) => Number(props.BackupRetentionPeriod ?? 1);
  const rds = (id: string, props: Json): DataHolder => ({
    resource: id, family: 'rds', gb: dataGb(props, assumptions), allocated: Number(props.AllocatedStorage ?? 0), retentionDays: retention(props),
  });
  return [
    ...primaries.map((p) => rds(p.id, p.props)),
    ...clusters.filter((c) => c.kind === 'multi-az').map((c) => rds(c.id, c.props)),
    ...clusters.filter((c) => c.kind === 'aurora').map((c): DataHolder => ({
      resource: c.id, family: 'aurora', gb: assumptions.auroraDataGb, allocated: 0, retentionDays: retention(c.props),
    })),
  ];
}

function automatedBackupStorage(holders: readonly DataHolder[], assumptions: CostAssumptions): BackupStorage[] {
  return holders.filter((h) => h.retentionDays > 0).map((h) => {
    const gb = retainedGb(h.gb, h.retentionDays, assumptions);
    return { resource: h.resource, gb, description: `automated backups ${h.retentionDays} days: ${round(gb, 1)} GB` };
  });
}

function planRuleSnapshots(plans: readonly Resource[], holders: readonly DataHolder[], assumptions: CostAssumptions): PlanRuleSnapshots[] {
  const data = holders.reduce((sum, h) => sum + h.gb, 0);
  return plans.flatMap((plan) => (plan.props.BackupPlan?.BackupPlanRule ?? []).map((rule: Json): PlanRuleSnapshots => {
    const days = Number(rule.Lifecycle?.DeleteAfterDays ?? 35);
    const gb = retainedGb(data, days - 1, assumptions);
    return {
      resource: plan.id, gb, description: `AWS Backup daily snapshots kept ${days} days: ${round(gb, 1)} GB`,
      copiedToAnotherRegion: (rule.CopyActions ?? []).length > 0, changedGbPerMonth: data * assumptions.databaseDailyChangeFraction * DAYS_PER_MONTH,
    };
  }));
}

function backupAllowanceLine(storage: readonly BackupStorage[], holders: readonly DataHolder[], { databases, assumptions, line }: PricingContext): CostLine {
  const backupGb = storage.reduce((sum, s) => sum + s.gb, 0);
  const primaryStorage = holders.reduce((sum, h) => sum + h.allocated, 0);
  const allowance = primaryStorage + databases.filter((d) => d.replica).length * primaryStorage;
  return line({
    key: 'rds.backup', item: 'RDS backup storage beyond the free allowance', resources: storage.map((s) => s.resource),
    quantity: round(Math.max(0, backupGb - allowance), 1), priceKey: 'rds.backup.storage',
    assumption: `data = ${assumptions.databaseUsedFraction * 100} % of allocated storage, ${assumptions.databaseDailyChangeFraction * 100} % of it changing a day; ${storage.map((s) => s.description).join('; ')}; free allowance = provisioned storage of the tier's instances, ${allowance} GB (other databases in the account's region would raise it)`,
  });
}

/** Aurora keeps its backups free up to the size of the cluster volume; AWS Backup's snapshots of it are cluster snapshots, billed alike. */
function auroraBackupLine(storage: readonly BackupStorage[], holders: readonly DataHolder[], { assumptions, line }: PricingContext): CostLine {
  const backupGb = storage.reduce((sum, s) => sum + s.gb, 0);
  const allowance = holders.reduce((sum, h) => sum + h.gb, 0);
  return line({
    key: 'aurora.backup', item: 'Aurora backup storage beyond the free allowance', resources: storage.map((s) => s.resource),
    quantity: round(Math.max(0, backupGb - allowance), 1), priceKey: 'aurora.backup.storage',
    assumption: `data = ${assumptions.auroraDataGb} GB a cluster (auroraDataGb), ${assumptions.databaseDailyChangeFraction * 100} % of it changing a day; ${storage.map((s) => s.description).join('; ')}; free allowance = the cluster volumes, ${round(allowance, 1)} GB; AWS Backup's snapshots of a cluster counted as Aurora backup storage`,
  });
}

function crossRegionCopyLines(plans: readonly Resource[], rdsGb: number, auroraGb: number, transferredGb: number, context: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  if (rdsGb > 0) {
    lines.push(context.line({
      key: 'backup.copy.storage', item: 'AWS Backup cross-region copies: storage in the other region', resources: plans.map((p) => p.id),
      quantity: round(rdsGb, 1), priceKey: 'rds.backup.storage',
      assumption: 'copies get no free allowance; priced at this region\'s snapshot rate',
    }));
  }
  if (auroraGb > 0) {
    lines.push(context.line({
      key: 'backup.copy.storage.aurora', item: 'AWS Backup cross-region copies of Aurora clusters: storage in the other region', resources: plans.map((p) => p.id),
      quantity: round(auroraGb, 1), priceKey: 'aurora.backup.storage',
      assumption: 'copies get no free allowance; priced at this region\'s Aurora backup rate',
    }));
  }
  lines.push(context.line({
    key: 'backup.copy.transfer', item: 'AWS Backup cross-region copies: data transferred', resources: plans.map((p) => p.id),
    quantity: round(transferredGb, 1), unit: 'GB copied', priceKey: 'backup.crossRegionTransfer',
    assumption: 'incremental copies: the daily change only, after the first full copy',
  }));
  return lines;
}
