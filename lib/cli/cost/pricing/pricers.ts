// The pricer of each priced resource type, in the order the estimate lists their lines.
import { CostLine } from '../cost-estimate';
import { priceBackupStorage } from './backup';
import { priceCacheReplicationGroups } from './cache';
import { priceDatabaseClusters } from './clusters';
import { PricingContext, Resource } from './context';
import { priceDatabaseInstances, priceProxies } from './database';
import { priceScheduledFunctions } from './functions';
import { priceKmsKeys, priceSecrets } from './keys-and-secrets';
import { priceInterfaceEndpoints } from './network';
import { priceAlarms, priceCustomMetrics, priceDashboards, priceLogGroups, priceTopics } from './observability';
import { priceOperatorHosts } from './operator-host';

/** Prices all the template's resources of one type: some lines cover several resources. */
export type Pricer = (resources: readonly Resource[], context: PricingContext) => CostLine[];

/**
 * The pricer of each priced resource type, in the order the estimate lists their lines. Every one
 * is called, with no resources where the template has none of its type: the backup pricer also
 * prices the instances' automated backups, which share the RDS backup allowance with the plans.
 * Aurora instances are priced with the instances, their cluster's storage and I/O with the clusters.
 * Lambda functions have two pricers: their runs, and (after the alarms) the custom metrics the
 * health check publishes.
 */
export const PRICERS: ReadonlyArray<readonly [string, Pricer]> = [
  ['AWS::RDS::DBInstance', priceDatabaseInstances],
  ['AWS::RDS::DBCluster', priceDatabaseClusters],
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
