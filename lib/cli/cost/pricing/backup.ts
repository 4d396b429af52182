// Backups: the instances' automated backups (PITR) and the AWS Backup plans' snapshots share the
// RDS backup allowance; a plan's copies to another region are priced on their own.
import { CostAssumptions } from '../assumptions';
import { CostLine } from '../cost-estimate';
import { DAYS_PER_MONTH, round } from '../units';
import { DatabaseInstance, Json, PricingContext, Resource } from './context';

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

export function priceBackupStorage(plans: readonly Resource[], context: PricingContext): CostLine[] {
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
