// The names of the tier's stack outputs, apart from the constructs that make them: the
// application client (postgres-data-tier/client) and the data-tier command read them without
// loading aws-cdk-lib.

/**
 * Names of the stack outputs. Runbooks and applications look them up with
 * `aws cloudformation describe-stacks`; renaming one breaks them, so they are pinned by a test.
 */
export const OUTPUTS = {
  proxyEndpoint: 'ProxyEndpoint',
  writerEndpoint: 'WriterEndpoint',
  databasePort: 'DatabasePort',
  databaseName: 'DatabaseName',
  primaryInstanceId: 'PrimaryInstanceId',
  replicaEndpoint: (n: number) => `Replica${n}Endpoint`,
  replicaInstanceId: (n: number) => `Replica${n}InstanceId`,
  databaseSecretArn: 'DatabaseSecretArn',
  monitorSecretArn: 'MonitorSecretArn',
  operatorSecretArn: 'OperatorSecretArn',
  cacheAuthSecretArn: 'CacheAuthSecretArn',
  cachePrimaryEndpoint: 'CachePrimaryEndpoint',
  cacheReaderEndpoint: 'CacheReaderEndpoint',
  cachePort: 'CachePort',
  cacheReplicationGroupId: 'CacheReplicationGroupId',
  dataKeyArn: 'DataKeyArn',
  backupVaultName: 'BackupVaultName',
  appSecurityGroupId: 'AppSecurityGroupId',
  functionSecurityGroupId: 'FunctionSecurityGroupId',
  primarySecurityGroupId: 'PrimarySecurityGroupId',
  replicaSecurityGroupId: 'ReplicaSecurityGroupId',
  proxySecurityGroupId: 'ProxySecurityGroupId',
  cacheSecurityGroupId: 'CacheSecurityGroupId',
  vpcId: 'VpcId',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
  healthCheckFunctionName: 'HealthCheckFunctionName',
  maintenanceFunctionName: 'MaintenanceFunctionName',
  migrationFunctionName: 'MigrationFunctionName',
  scheduleDeadLetterQueueUrl: 'ScheduleDeadLetterQueueUrl',
  failoverExperimentTemplateId: 'FailoverExperimentTemplateId',
  cacheAzPowerInterruptExperimentTemplateId: 'CacheAzPowerInterruptExperimentTemplateId',
  operatorHostGroupName: 'OperatorHostGroupName',
  operatorSessionDocumentName: 'OperatorSessionDocumentName',
  operatorSessionLogGroupName: 'OperatorSessionLogGroupName',
  // A DB cluster's (topology multi-az-cluster or aurora), in place of PrimaryInstanceId and the Replica<n> outputs.
  clusterIdentifier: 'ClusterIdentifier',
  readerEndpoint: 'ReaderEndpoint',
  proxyReadOnlyEndpoint: 'ProxyReadOnlyEndpoint',
  writerInstanceId: 'WriterInstanceId',
  writerInstanceEndpoint: 'WriterInstanceEndpoint',
  readerInstanceId: (n: number) => `Reader${n}InstanceId`,
  readerInstanceEndpoint: (n: number) => `Reader${n}InstanceEndpoint`,
  globalClusterIdentifier: 'GlobalClusterIdentifier',
} as const;

/**
 * The environment variable an output is printed as by `data-tier outputs`: its name in upper
 * snake case (`Replica1Endpoint` → `REPLICA1_ENDPOINT`).
 */
export function outputVariableName(outputName: string): string {
  return outputName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
