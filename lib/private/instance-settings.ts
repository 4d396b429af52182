import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import type { ResolvedDatabaseOptions } from '../database-options';
import { MONITORING_INTERVALS_SECONDS, PERFORMANCE_INSIGHTS_RETENTION_DAYS } from './allowed-values';
import { Acknowledgement, acknowledge } from './nag';
import { DataTierValidationError, requireInteger, requireOneOf, validateLogRetentionDays, validateRdsInstanceClass } from './validation';

/** What every PostgreSQL instance of a tier is configured with, whether in `Database` or a `CrossRegionReplica`. */
export type InstanceSettings = Pick<ResolvedDatabaseOptions,
  | 'engineVersion' | 'instanceType' | 'port' | 'monitoringInterval' | 'performanceInsightRetention' | 'logRetention'
  | 'slowStatementThreshold' | 'idleInTransactionTimeout'>;

/**
 * Refuses instance settings RDS would reject at deploy time, or the tier does not allow (the
 * default port 5432), naming the setting and what is allowed.
 */
export function validateInstanceSettings(path: string, o: InstanceSettings, supportedMajorVersions: readonly number[], checks: { readonly instanceClass?: boolean } = {}): void {
  const major = Number(o.engineVersion.postgresMajorVersion);
  requireOneOf(path, 'engineVersion', major, supportedMajorVersions);
  if (checks.instanceClass ?? true) validateRdsInstanceClass(path, 'instanceType', `db.${o.instanceType.toString()}`, major);
  requireOneOf(path, 'performanceInsightRetention (days)', o.performanceInsightRetention, PERFORMANCE_INSIGHTS_RETENTION_DAYS);
  requireOneOf(path, 'monitoringInterval (seconds)', o.monitoringInterval.toSeconds(), MONITORING_INTERVALS_SECONDS);
  requireInteger(path, 'port', o.port, 1150, 65535);
  if (o.port === 5432) throw new DataTierValidationError(path, 'port', o.port, 'must not be the default 5432; pick another port from 1150 to 65535');
  requireInteger(path, 'slowStatementThreshold (ms)', o.slowStatementThreshold.toMilliseconds(), 10, 60_000);
  requireInteger(path, 'idleInTransactionTimeout (ms)', o.idleInTransactionTimeout.toMilliseconds(), 1_000, 3_600_000);
  validateLogRetentionDays(path, 'logRetention', o.logRetention);
}

/** The role RDS enhanced monitoring writes OS metrics with (`MonitoringRole` under `scope`). */
export function enhancedMonitoringRole(scope: Construct): iam.Role {
  const role = new iam.Role(scope, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    description: 'Lets RDS enhanced monitoring write OS metrics to CloudWatch Logs',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
  });
  acknowledge(role, {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    reason: 'The AWS-maintained policy RDS documents for enhanced monitoring: it only writes the RDSOSMetrics log group, and only monitoring.rds.amazonaws.com can assume this role.',
  });
  return role;
}

/**
 * The log groups of an instance's PostgreSQL log exports (`<idPrefix>PostgresqlLog`,
 * `<idPrefix>UpgradeLog` under `scope`), encrypted and kept, created before the instance:
 * RDS would otherwise create them itself, unencrypted and kept forever.
 */
export function exportLogGroups(scope: Construct, idPrefix: string, instanceId: string, instance: IConstruct, key: kms.IKey, retention: logs.RetentionDays): void {
  for (const exportName of ['postgresql', 'upgrade']) {
    const group = new logs.LogGroup(scope, `${idPrefix}${exportName === 'postgresql' ? 'PostgresqlLog' : 'UpgradeLog'}`, {
      logGroupName: `/aws/rds/instance/${instanceId}/${exportName}`,
      retention,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    instance.node.addDependency(group);
  }
}

/** The PostgreSQL settings of the tier, shared by the primary and every replica. */
export function postgresParameters(config: Pick<ResolvedDatabaseOptions, 'slowStatementThreshold' | 'idleInTransactionTimeout'>, engine: { readonly aurora?: boolean } = {}): Record<string, string> {
  const parameters: Record<string, string> = {
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.track': 'top',
    'rds.force_ssl': '1',
    ssl_min_protocol_version: 'TLSv1.2',
    log_min_duration_statement: String(config.slowStatementThreshold.toMilliseconds()),
    idle_in_transaction_session_timeout: String(config.idleInTransactionTimeout.toMilliseconds()),
    track_io_timing: '1',
    // Lock waits longer than deadlock_timeout are logged: the source documents alert on lock waits over 1 s (docs/sources.md).
    log_lock_waits: '1',
    deadlock_timeout: '1000',
    log_statement: 'ddl',
    log_autovacuum_min_duration: '10000',
    log_temp_files: '10240',
    // Replica queries that conflict with replay wait up to 30 s before being cancelled.
    max_standby_streaming_delay: '30000',
    hot_standby_feedback: '1',
  };
  if (engine.aurora) {
    // Aurora replicas read the shared cluster volume, not a stream of WAL: these two settings of
    // streaming standbys are not Aurora PostgreSQL's to set.
    delete parameters.max_standby_streaming_delay;
    delete parameters.hot_standby_feedback;
  }
  return parameters;
}

/** AwsSolutions-RDS11 reads a read replica as if it had no port of its own. */
export function replicaPortAcknowledgement(port: number): Acknowledgement {
  return {
    id: 'AwsSolutions-RDS11',
    reason: `The replica listens on the non-default port ${port} (Port is set); the rule also requires Engine, which a read replica inherits from its source.`,
  };
}
