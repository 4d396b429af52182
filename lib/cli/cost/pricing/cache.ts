// ElastiCache: the nodes of each replication group and their snapshots.
import { CostLine } from '../cost-estimate';
import { PriceKey } from '../prices';
import { HOURS_PER_MONTH, round } from '../units';
import { PricingContext, Resource } from './context';

export function priceCacheReplicationGroups(groups: readonly Resource[], context: PricingContext): CostLine[] {
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
