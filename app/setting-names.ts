import { DataTierValidationError } from '../lib/private/validation';

/**
 * The app's setting behind each prop a construct validates, keyed `<construct id>:<prop>`, so a
 * refusal from a construct also names the key to change in `app/environments/<env>.json`.
 */
const SETTING_OF_PROP: Record<string, string> = {
  'Database:engineVersion': 'database.engineMajorVersion',
  'Database:instanceType': 'database.instanceClass',
  'Database:replicaInstanceType': 'database.replicaInstanceClass',
  'Database:replicaCount': 'database.replicaCount',
  'Database:allocatedStorageGiB': 'database.allocatedStorageGiB',
  'Database:maxAllocatedStorageGiB': 'database.maxAllocatedStorageGiB',
  'Database:backupRetention (days)': 'database.backupRetentionDays',
  'Database:performanceInsightRetention (days)': 'database.performanceInsightsRetentionDays',
  'Database:monitoringInterval (seconds)': 'database.monitoringIntervalSeconds',
  'Database:port': 'database.port',
  'Database:slowStatementThreshold (ms)': 'database.slowStatementMs',
  'Database:idleInTransactionTimeout (ms)': 'database.idleInTransactionTimeoutMs',
  'Database:logRetention': 'database.logRetentionDays',
  'Database:proxy.idleClientTimeout (seconds)': 'proxy.idleClientTimeoutSeconds',
  'Database:proxy.maxConnectionsPercent': 'proxy.maxConnectionsPercent',
  'Cache:engine': 'cache.engine',
  'Cache:engineVersion': 'cache.engineVersion',
  'Cache:nodeType': 'cache.nodeType',
  'Cache:port': 'cache.port',
  'Cache:snapshotRetention (days)': 'cache.snapshotRetentionDays',
  'Network:cidr': 'network.vpcCidr',
  'Network:flowLogRetention': 'network.flowLogRetentionDays',
  'Network:interfaceEndpointZones': 'network.interfaceEndpointZones',
  // DataTier itself, under the id the app gives it (an existing VPC's endpoints).
  'Default:interfaceEndpointZones': 'network.interfaceEndpointZones',
  'Backup:retention (days)': 'backup.retentionDays',
  'Backup:copyToVault': 'backup.copyToVaultArn',
  'Monitoring:alarmEmails': 'monitoring.alarmEmails',
  'Monitoring:runbookBaseUrl': 'monitoring.runbookBaseUrl',
  'Monitoring:disabledAlarms': 'monitoring.disabledAlarms',
};

/** The app setting a construct's refusal is about, e.g. `database.backupRetentionDays`, if the app has one. */
export function settingOf(error: DataTierValidationError): string | undefined {
  const constructId = error.path.split('/').pop() ?? '';
  const threshold = /^thresholds\.(\w+)$/.exec(error.prop);
  if (constructId === 'Monitoring' && threshold) return `monitoring.thresholds.${threshold[1]}`;
  return SETTING_OF_PROP[`${constructId}:${error.prop}`];
}

/** The refusal, with the app's setting to change when the construct's prop has another name. */
export function withSetting(error: DataTierValidationError, envName: string): DataTierValidationError {
  const setting = settingOf(error);
  if (!setting) return error;
  const explained = new DataTierValidationError(error.path, error.prop, error.value, `${error.allowed} (the app's setting: ${setting}, in app/environments/${envName}.json or -c overrides)`);
  explained.stack = error.stack;
  return explained;
}
