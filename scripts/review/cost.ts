// The review's one dependency on the cost estimator (`npm run cost`, built on the cost-report
// branch). Until that module lands, `estimateCost` is a STAND-IN: when merging, the lead replaces
// its body by the estimator's function, which must have the type `CostEstimator`.

/** Monthly cost of a synthesized template in a region, line by line. */
export type CostEstimator = (template: object, region: string) => { total: number; lines: { item: string; monthly: number }[] };

/**
 * STAND-IN, not a price list: one line per DB instance and per cache replication group, priced
 * from a few placeholder on-demand hourly rates (us-east-1 list prices of late 2024, rounded)
 * times 730 hours. Everything else costs 0 here. Replace with the cost-report estimator.
 */
export const estimateCost: CostEstimator = (template, _region) => {
  const HOURLY: Record<string, number> = {
    'db.t4g.medium': 0.065,
    'db.r7g.large': 0.239,
    'db.r7g.xlarge': 0.478,
    'db.r7g.2xlarge': 0.956,
    'cache.t4g.small': 0.032,
    'cache.r7g.large': 0.219,
  };
  const lines: { item: string; monthly: number }[] = [];
  const resources = ((template as { Resources?: Record<string, { Type: string; Properties?: Record<string, any> }> }).Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, any> }>;
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::RDS::DBInstance' && typeof p.DBInstanceClass === 'string') {
      const multiAz = p.MultiAZ === true ? 2 : 1;
      lines.push({ item: `DB instance ${id}`, monthly: round((HOURLY[p.DBInstanceClass] ?? 0) * 730 * multiAz) });
    } else if (r.Type === 'AWS::ElastiCache::ReplicationGroup' && typeof p.CacheNodeType === 'string') {
      const nodes = typeof p.NumCacheClusters === 'number' ? p.NumCacheClusters : 1;
      lines.push({ item: `cache ${id}`, monthly: round((HOURLY[p.CacheNodeType] ?? 0) * 730 * nodes) });
    }
  }
  return { total: round(lines.reduce((sum, l) => sum + l.monthly, 0)), lines };
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
