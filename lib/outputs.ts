import { CfnOutput, Lazy, Stack } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataTier } from './data-tier';
import { OUTPUTS } from './output-names';
import { packageRoot } from './private/package-root';

export { OUTPUTS };

/** The tier's stack outputs, named as in `OUTPUTS` and exported as `<tier name>-<output>`. */
export function addTierOutputs(tier: DataTier): void {
  const output = (name: string, value: string, description: string) =>
    new CfnOutput(tier, name, { value, description, exportName: `${tier.name}-${name}` });
  const db = tier.database;
  output(OUTPUTS.proxyEndpoint, db.proxy.endpoint, 'RDS Proxy endpoint: where applications write (TLS required)');
  if (db.primary) {
    output(OUTPUTS.writerEndpoint, db.primary.dbInstanceEndpointAddress, 'Primary instance endpoint: migrations, and the bypass when the proxy fails');
    output(OUTPUTS.databasePort, String(db.port), 'PostgreSQL port of the proxy, the primary and the replicas');
    output(OUTPUTS.databaseName, 'app', 'Database the schema lives in');
    output(OUTPUTS.primaryInstanceId, db.primary.instanceIdentifier, 'DB instance identifier of the primary (aws rds ... --db-instance-identifier)');
    db.replicas.forEach((replica, i) => {
      output(OUTPUTS.replicaEndpoint(i + 1), replica.dbInstanceEndpointAddress, `Read replica ${i + 1} endpoint: where applications read`);
      output(OUTPUTS.replicaInstanceId(i + 1), replica.instanceIdentifier, `DB instance identifier of read replica ${i + 1}`);
    });
  } else {
    addClusterOutputs(tier, output);
  }
  output(OUTPUTS.databaseSecretArn, db.secret.secretArn, 'Master credentials (rotated every 30 days): host, port, username, password, dbname');
  output(OUTPUTS.monitorSecretArn, db.monitorSecret.secretArn, 'Credentials of the health check role data_tier_monitor (pg_monitor, health_check(), heartbeat), rotated every 30 days');
  output(OUTPUTS.operatorSecretArn, db.operatorSecret.secretArn, 'Credentials of the runbooks\' read-only role data_tier_operator (pg_monitor, data_tier tables and read-only functions), rotated every 30 days');
  output(OUTPUTS.cacheAuthSecretArn, tier.cache.authSecret.secretArn, 'AUTH token of the cache (rotated every 30 days; the previous token stays valid until the next rotation)');
  output(OUTPUTS.cachePrimaryEndpoint, tier.cache.primaryEndpoint, 'Cache primary endpoint: writes (TLS required)');
  output(OUTPUTS.cacheReaderEndpoint, tier.cache.readerEndpoint, 'Cache reader endpoint: reads spread over the replica nodes');
  output(OUTPUTS.cachePort, String(tier.cache.port), 'Cache port');
  output(OUTPUTS.cacheReplicationGroupId, tier.cache.replicationGroup.ref, 'ElastiCache replication group id');
  output(OUTPUTS.dataKeyArn, tier.dataKey.keyArn, 'KMS key of the database, secrets, cache and backups');
  output(OUTPUTS.backupVaultName, tier.backup.vault.backupVaultName, 'AWS Backup vault holding the daily recovery points');
  output(OUTPUTS.appSecurityGroupId, tier.appSecurityGroup.securityGroupId, 'Attach to application clients to reach the proxy, replicas and cache');
  output(OUTPUTS.functionSecurityGroupId, tier.functionSecurityGroup.securityGroupId, 'Security group of the data-tier functions');
  output(OUTPUTS.primarySecurityGroupId, db.primarySecurityGroup.securityGroupId, 'Security group of the primary instance');
  output(OUTPUTS.replicaSecurityGroupId, db.replicaSecurityGroup.securityGroupId, 'Security group of the read replicas');
  output(OUTPUTS.proxySecurityGroupId, db.proxySecurityGroup.securityGroupId, 'Security group of RDS Proxy');
  output(OUTPUTS.cacheSecurityGroupId, tier.cache.securityGroup.securityGroupId, 'Security group of the cache');
  output(OUTPUTS.vpcId, tier.vpc.vpcId, 'VPC of the data tier');
  output(OUTPUTS.alarmTopicArn, tier.monitoring.topic.topicArn, 'SNS topic every alarm notifies (ALARM and OK)');
  output(OUTPUTS.dashboardName, tier.monitoring.dashboard.dashboardName, 'CloudWatch dashboard of the tier');
  output(OUTPUTS.healthCheckFunctionName, tier.healthCheck.function.functionName, 'Health-check function (aws lambda invoke to run it now)');
  output(OUTPUTS.maintenanceFunctionName, tier.maintenance.function.functionName, 'Partition maintenance and materialized view refresh function');
  output(OUTPUTS.migrationFunctionName, tier.schema.handler.functionName, 'Schema migration function (its log group holds the runner output)');
  output(OUTPUTS.scheduleDeadLetterQueueUrl, tier.healthCheck.scheduleDeadLetterQueue.queueUrl, 'Scheduled events EventBridge could not deliver to the health-check or maintenance function');
  if (tier.faultInjection) {
    output(OUTPUTS.failoverExperimentTemplateId, tier.faultInjection.failover.attrId, db.cluster
      ? 'FIS experiment: fail the DB cluster over to a reader (aws fis start-experiment)'
      : 'FIS experiment: reboot the primary with forced failover (aws fis start-experiment)');
    output(OUTPUTS.cacheAzPowerInterruptExperimentTemplateId, tier.faultInjection.cacheAzPowerInterrupt.attrId, 'FIS experiment: cut power to one zone of the cache');
  }
  if (tier.operatorAccess) {
    const operator = tier.operatorAccess;
    output(OUTPUTS.operatorHostGroupName, operator.autoScalingGroup.autoScalingGroupName, 'Auto Scaling group of the operator host: data-tier tunnel finds its running instance here');
    output(OUTPUTS.operatorSessionDocumentName, operator.sessionDocument.ref, 'Session document of logged shell sessions on the operator host (aws ssm start-session --document-name)');
    output(OUTPUTS.operatorSessionLogGroupName, operator.sessionLogGroup.logGroupName, 'Encrypted log group of the operator host sessions');
  }
}

/** A DB cluster's outputs: its writer and reader endpoints, the proxy's read-only endpoint, and each Aurora instance. */
function addClusterOutputs(tier: DataTier, output: (name: string, value: string, description: string) => void): void {
  const db = tier.database;
  const kind = db.topology.kind === 'aurora' ? 'Aurora cluster' : 'Multi-AZ DB cluster';
  output(OUTPUTS.writerEndpoint, db.writerEndpoint.hostname, `Writer (cluster) endpoint of the ${kind}: migrations, and the bypass when the proxy fails`);
  output(OUTPUTS.readerEndpoint, db.readerEndpoint!.hostname, `Reader endpoint of the ${kind}: connections spread over its readers`);
  output(OUTPUTS.proxyReadOnlyEndpoint, db.proxyReadOnlyEndpoint!.endpoint, 'RDS Proxy read-only endpoint: where applications read, spread over the readers (TLS required)');
  output(OUTPUTS.databasePort, String(db.port), 'PostgreSQL port of the proxy and the DB cluster');
  output(OUTPUTS.databaseName, 'app', 'Database the schema lives in');
  output(OUTPUTS.clusterIdentifier, db.clusterIdentifier!, 'DB cluster identifier (aws rds ... --db-cluster-identifier)');
  if (db.globalCluster) output(OUTPUTS.globalClusterIdentifier, db.globalCluster.ref, 'Aurora global database of which this cluster is the primary (aws rds failover-global-cluster --global-cluster-identifier)');
  db.clusterInstances.forEach((instance, i) => {
    const endpoint = instance.attrEndpointAddress;
    if (i === 0) {
      output(OUTPUTS.writerInstanceId, instance.ref, 'DB instance identifier of the instance created as the writer (after a failover, a reader may be the writer)');
      output(OUTPUTS.writerInstanceEndpoint, endpoint, 'Endpoint of the instance created as the writer');
    } else {
      output(OUTPUTS.readerInstanceId(i), instance.ref, `DB instance identifier of reader ${i}`);
      output(OUTPUTS.readerInstanceEndpoint(i), endpoint, `Endpoint of reader ${i}`);
    }
  });
}

/**
 * Key of the template's top-level Metadata under which each tier of the stack records itself
 * ({@link recordTier}): a list of {@link TierMetadata}, one entry per tier. The `data-tier`
 * command finds tiers, and their outputs, only through it.
 */
export const TIER_METADATA_KEY = 'postgres-data-tier';

/** What one tier records about itself in its stack's template (Metadata[`TIER_METADATA_KEY`]). */
export interface TierMetadata {
  /** The tier's `name` (the prefix of its physical names and export names). */
  readonly name: string;
  /** The tier's construct path, e.g. `Orders/Db`. */
  readonly path: string;
  /** Version of postgres-data-tier that synthesized it. */
  readonly version: string;
  /**
   * Each output of the tier, by its name in `OUTPUTS` (`ProxyEndpoint`, `Replica1Endpoint`...):
   * the OutputKey CloudFormation gives it (its logical ID, e.g. `OrdersProxyEndpoint68A4B346`).
   * Empty when the tier has no outputs (`outputs: false`).
   */
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * Appends the tier's {@link TierMetadata} to its stack's template Metadata. Its outputs' keys are
 * resolved at synthesis, so an overridden logical ID is recorded as CloudFormation will use it.
 */
export function recordTier(tier: DataTier): void {
  const stack = Stack.of(tier);
  const metadata = (stack.templateOptions.metadata ??= {});
  const tiers = (metadata[TIER_METADATA_KEY] ??= []) as unknown[];
  tiers.push({
    name: tier.name,
    path: tier.node.path,
    version: packageVersion(),
    outputs: Lazy.any({
      produce: () =>
        Object.fromEntries(tier.node.children.filter((child): child is CfnOutput => child instanceof CfnOutput).map((output) => [output.node.id, stack.resolve(output.logicalId) as string])),
    }),
  });
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
