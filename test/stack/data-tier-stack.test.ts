import { Match } from 'aws-cdk-lib/assertions';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUTS } from '../../app/data-tier-stack';
import { migrationStreamsHash } from '../../lib/functions/shared/sql-directory-hash';
import { PROJECT_STREAMS } from '../../app/migrations';
import { synthesize } from './synth';

const prod = synthesize('prod');
const dev = synthesize('dev');

function resourcesOf(type: string, template = prod.template) {
  return Object.values(template.findResources(type)) as Array<{ Properties: Record<string, any> }>;
}

describe('network', () => {
  it('spans exactly the three configured zones with isolated data and function subnets, and no NAT or internet gateway', () => {
    const zones = resourcesOf('AWS::EC2::Subnet').map((s) => s.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']));
    expect(zones).toHaveLength(6);
    prod.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    prod.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    for (const subnet of resourcesOf('AWS::EC2::Subnet')) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
  });

  it('reaches Secrets Manager, CloudWatch, CloudWatch Logs and KMS through private interface endpoints', () => {
    const services = resourcesOf('AWS::EC2::VPCEndpoint').map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const service of ['secretsmanager', 'monitoring', 'logs', 'kms']) {
      expect(services.some((name) => name.includes(`.${service}`))).toBe(true);
    }
    for (const endpoint of resourcesOf('AWS::EC2::VPCEndpoint')) expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
  });

  it('logs all traffic to a KMS-encrypted log group and closes the default security group', () => {
    prod.template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    prod.template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('imports an existing VPC by id and subnet ids without creating one', () => {
    const { template } = synthesize('prod', {
      overrides: JSON.stringify({
        network: {
          vpcCidr: '10.9.0.0/16',
          existingVpc: {
            vpcId: 'vpc-0123456789abcdef0',
            dataSubnetIds: ['subnet-0000000a', 'subnet-0000000b', 'subnet-0000000c'],
            functionSubnetIds: ['subnet-1000000a', 'subnet-1000000b', 'subnet-1000000c'],
          },
        },
      }),
    });
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: ['subnet-0000000a', 'subnet-0000000b'] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0123456789abcdef0' });
  });
});

describe('primary instance', () => {
  const primary = () => resourcesOf('AWS::RDS::DBInstance').find((i) => !i.Properties.SourceDBInstanceIdentifier)!.Properties;

  it('runs PostgreSQL 17, Multi-AZ, on autoscaling gp3 storage encrypted with the customer key', () => {
    expect(primary()).toMatchObject({
      Engine: 'postgres',
      EngineVersion: '17',
      MultiAZ: true,
      StorageType: 'gp3',
      AllocatedStorage: '500',
      MaxAllocatedStorage: 2000,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^KeysDataKey/), 'Arn'] },
      PubliclyAccessible: false,
    });
  });

  it('keeps 35 days of point-in-time recovery, refuses deletion and snapshots on removal', () => {
    expect(primary()).toMatchObject({ BackupRetentionPeriod: 35, DeletionProtection: true, DeleteAutomatedBackups: false, CopyTagsToSnapshot: true });
    prod.template.hasResource('AWS::RDS::DBInstance', { Properties: Match.objectLike({ DBInstanceIdentifier: 'data-tier-prod-primary' }), DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  it('listens on a non-default port with IAM authentication, log exports and automatic minor upgrades', () => {
    expect(primary()).toMatchObject({
      Port: '5433',
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      AutoMinorVersionUpgrade: true,
    });
  });

  it('has Performance Insights (731 days, encrypted) and 15-second enhanced monitoring', () => {
    expect(primary()).toMatchObject({ EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 731, MonitoringInterval: 15 });
    expect(primary().PerformanceInsightsKMSKeyId).toBeDefined();
    expect(primary().MonitoringRoleArn).toBeDefined();
  });

  it('writes its logs to KMS-encrypted groups with retention, created before the instance', () => {
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/rds/instance/data-tier-prod-primary/postgresql',
      RetentionInDays: 365,
      KmsKeyId: Match.anyValue(),
    });
  });

  it('in dev is single-AZ in the first zone, deletable, with one day of backups', () => {
    const devPrimary = resourcesOf('AWS::RDS::DBInstance', dev.template)[0].Properties;
    expect(devPrimary).toMatchObject({ MultiAZ: false, AvailabilityZone: 'us-east-1a', DeletionProtection: false, BackupRetentionPeriod: 1, MonitoringInterval: 60 });
    dev.template.resourceCountIs('AWS::RDS::DBInstance', 1);
    dev.template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete' });
  });
});

describe('parameter group', () => {
  it('preloads pg_stat_statements, forces TLS and logs slow statements, lock waits over 1 s and DDL', () => {
    prod.template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: Match.objectLike({
        shared_preload_libraries: 'pg_stat_statements',
        'rds.force_ssl': '1',
        log_min_duration_statement: '300',
        idle_in_transaction_session_timeout: '60000',
        track_io_timing: '1',
        log_lock_waits: '1',
        deadlock_timeout: '1000',
        log_statement: 'ddl',
      }),
    });
  });

  it('is shared by the primary and every replica', () => {
    const groups = new Set(resourcesOf('AWS::RDS::DBInstance').map((i) => JSON.stringify(i.Properties.DBParameterGroupName)));
    expect(groups.size).toBe(1);
  });
});

describe('read replicas', () => {
  const replicas = () => resourcesOf('AWS::RDS::DBInstance').filter((i) => i.Properties.SourceDBInstanceIdentifier).map((i) => i.Properties);

  it('are two in prod, pinned to the zones outside the primary pair first so every zone holds a node', () => {
    expect(replicas().map((r) => r.AvailabilityZone)).toEqual(['us-east-1c', 'us-east-1b']);
    const primarySubnetGroup = resourcesOf('AWS::RDS::DBSubnetGroup').find((g) => JSON.stringify(g).includes('primary') || g.Properties.SubnetIds.length === 2);
    expect(primarySubnetGroup!.Properties.SubnetIds).toHaveLength(2);
  });

  it('each have Performance Insights, enhanced monitoring, gp3, IAM auth and their own log groups', () => {
    for (const replica of replicas()) {
      expect(replica).toMatchObject({
        EnablePerformanceInsights: true,
        MonitoringInterval: 15,
        StorageType: 'gp3',
        DBInstanceClass: 'db.r7g.xlarge',
        Port: '5433',
        EnableIAMDatabaseAuthentication: true,
        PubliclyAccessible: false,
      });
      expect(replica.StorageEncrypted).toBeUndefined();
    }
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/data-tier-prod-replica-2/postgresql' });
  });

  it('follow the configured count', () => {
    const { template } = synthesize('staging', { overrides: '{"database":{"replicaCount":3}}' });
    const zones = resourcesOf('AWS::RDS::DBInstance', template).filter((i) => i.Properties.SourceDBInstanceIdentifier).map((i) => i.Properties.AvailabilityZone);
    expect(zones).toEqual(['us-east-1c', 'us-east-1b', 'us-east-1c']);
  });
});

describe('credentials', () => {
  it('are a generated secret encrypted with the data key, attached to the primary', () => {
    prod.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'data-tier-prod/postgres/master',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysDataKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"dbadmin"}' }),
    });
    prod.template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { SecretId: { Ref: Match.stringLikeRegexp('^DatabaseMasterSecret') } });
  });

  it('rotate every 30 days through a hosted rotation function in the function subnets', () => {
    prod.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', VpcSubnetIds: Match.anyValue(), KmsKeyArn: Match.anyValue() }),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  it('give the health check its own role and secret, rotated too, usable through the proxy', () => {
    prod.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'data-tier-prod/postgres/monitor',
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"data_tier_monitor"}' }),
    });
    // Master, monitor, operator and prod's secret application role.
    prod.template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 4);
    prod.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^DatabaseMonitorSecretAttachment') },
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', RotationLambdaName: 'data-tier-prod-monitor-secret-rotation' }),
    });
    const [proxy] = resourcesOf('AWS::RDS::DBProxy');
    expect(proxy.Properties.Auth).toHaveLength(4);
    const healthCheck = resourcesOf('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === 'data-tier-prod-health-check')!.Properties;
    expect(healthCheck.Environment.Variables.DB_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^DatabaseMonitorSecretAttachment/) });
    const migrations = resourcesOf('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === 'data-tier-prod-schema-migrations')!.Properties;
    expect(migrations.Environment.Variables.MONITOR_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^DatabaseMonitorSecretAttachment/) });
  });

  it('give the runbooks a read-only operator role with its own rotated secret, given LOGIN by the migrations', () => {
    prod.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'data-tier-prod/postgres/operator',
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"data_tier_operator"}' }),
    });
    const [rotation] = Object.values(prod.template.findResources('AWS::SecretsManager::RotationSchedule', { Properties: { SecretId: { Ref: Match.stringLikeRegexp('^DatabaseOperatorSecretAttachment') } } })) as Array<{ DependsOn: string[]; Properties: { HostedRotationLambda: Record<string, unknown> } }>;
    expect(rotation.Properties.HostedRotationLambda).toEqual(expect.objectContaining({ RotationType: 'PostgreSQLSingleUser', RotationLambdaName: 'data-tier-prod-operator-secret-rotation' }));
    expect(rotation.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Schema/)]));
    const migrations = resourcesOf('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === 'data-tier-prod-schema-migrations')!.Properties;
    expect(migrations.Environment.Variables.OPERATOR_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^DatabaseOperatorSecretAttachment/) });
    prod.template.hasOutput('OperatorSecretArn', { Value: { Ref: Match.stringLikeRegexp('^DatabaseOperatorSecretAttachment') } });
  });

  it('rotate the monitor secret only after the migrations have let its role log in', () => {
    const [rotation] = Object.values(prod.template.findResources('AWS::SecretsManager::RotationSchedule', { Properties: { SecretId: { Ref: Match.stringLikeRegexp('^DatabaseMonitorSecretAttachment') } } })) as Array<{ DependsOn: string[] }>;
    expect(rotation.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Schema/)]));
  });

  it('use customer-managed KMS keys with rotation, retained on delete', () => {
    prod.template.resourceCountIs('AWS::KMS::Key', 2);
    prod.template.allResources('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'Retain' });
  });
});

describe('RDS Proxy', () => {
  it('fronts the primary, requires TLS, authenticates with the secret and keeps debug logging off', () => {
    prod.template.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      DebugLogging: false,
      IdleClientTimeout: 1800,
      // Master, health check, operator, and prod's secret application role (test/stack/application-roles.test.ts).
      Auth: Array(4).fill(Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'DISABLED' })),
    });
    prod.template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      DBInstanceIdentifiers: [{ Ref: Match.stringLikeRegexp('^DatabasePrimary') }],
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 80 },
    });
  });

  it('can require IAM authentication end to end', () => {
    const { template } = synthesize('prod', { overrides: '{"proxy":{"iamAuthEndToEnd":true}}' });
    template.hasResourceProperties('AWS::RDS::DBProxy', { DefaultAuthScheme: 'IAM_AUTH', Auth: Array(4).fill(Match.objectLike({ IAMAuth: 'REQUIRED' })) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect' })]) },
    });
  });
});

describe('cache', () => {
  it('is a Redis OSS 7 replication group with one node per zone, Multi-AZ and automatic failover', () => {
    prod.template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      EngineVersion: '7.1',
      NumCacheClusters: 3,
      PreferredCacheClusterAZs: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
    });
  });

  it('encrypts at rest with the data key and in transit, with an AUTH token from Secrets Manager', () => {
    prod.template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      AtRestEncryptionEnabled: true,
      KmsKeyId: Match.anyValue(),
      TransitEncryptionEnabled: true,
      AuthToken: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['{{resolve:secretsmanager:'])] }),
    });
  });

  it('evicts least recently used keys, listens on 6380, snapshots daily and ships its slow log', () => {
    prod.template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { CacheParameterGroupFamily: 'redis7', Properties: { 'maxmemory-policy': 'allkeys-lru' } });
    prod.template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Port: 6380,
      SnapshotRetentionLimit: 35,
      LogDeliveryConfigurations: [Match.objectLike({ LogType: 'slow-log', DestinationType: 'cloudwatch-logs' })],
    });
    prod.template.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Snapshot' });
  });

  it('can run Valkey instead', () => {
    const { template } = synthesize('prod', { overrides: '{"cache":{"engine":"valkey","engineVersion":"8.0"}}' });
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Engine: 'valkey', EngineVersion: '8.0' });
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { CacheParameterGroupFamily: 'valkey8' });
  });

  it('rotates its AUTH token every 30 days with a function that may modify only this group', () => {
    prod.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^CacheAuthToken') },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CacheTokenRotationFunction'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    prod.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CacheTokenRotationFunctionServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['elasticache:ModifyReplicationGroup', 'elasticache:DescribeReplicationGroups'],
            Resource: Match.arrayWith([{ 'Fn::Join': ['', Match.arrayWith([':elasticache:us-east-1:111111111111:replicationgroup:', { Ref: Match.stringLikeRegexp('^CacheReplicationGroup') }])] }]),
          }),
        ]),
      },
    });
    const rotation = resourcesOf('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === 'data-tier-prod-cache-token-rotation')!.Properties;
    expect(rotation.Environment.Variables).toMatchObject({ CACHE_PORT: '6380', CACHE_HOST: { 'Fn::GetAtt': [expect.stringMatching(/^CacheReplicationGroup/), 'PrimaryEndPoint.Address'] } });
    expect(rotation.Environment.Variables.CACHE_TLS).toBeUndefined();
    expect(resourcesOf('AWS::EC2::VPCEndpoint').some((e) => JSON.stringify(e.Properties.ServiceName).includes('.elasticache'))).toBe(true);
  });

  it('exposes connections like an L2 construct', () => {
    expect(prod.stack.tier.cache.connections.securityGroups).toEqual([prod.stack.tier.cache.securityGroup]);
  });
});

describe('backups', () => {
  it('put the primary in a daily AWS Backup plan with a KMS-encrypted, retained vault', () => {
    prod.template.hasResource('AWS::Backup::BackupVault', { Properties: Match.objectLike({ EncryptionKeyArn: Match.anyValue() }), DeletionPolicy: 'Retain' });
    prod.template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanName: 'data-tier-prod-daily', BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    prod.template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [Match.objectLike({ 'Fn::Join': Match.anyValue() })] }),
    });
  });

  it('copy to a vault in another region when configured', () => {
    const vault = 'arn:aws:backup:us-west-2:111111111111:backup-vault:dr';
    const { template } = synthesize('prod', { overrides: JSON.stringify({ backup: { copyToVaultArn: vault } }) });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ CopyActions: [Match.objectLike({ DestinationBackupVaultArn: vault })] })] },
    });
  });
});

describe('security groups', () => {
  type Rule = { Properties: Record<string, any> };
  const ingress = () => Object.values(prod.template.findResources('AWS::EC2::SecurityGroupIngress')) as Rule[];
  const logicalIdOf = (prefix: string) => Object.keys(prod.template.findResources('AWS::EC2::SecurityGroup')).find((id) => id.startsWith(prefix))!;
  const sourcesInto = (target: string, port: number) =>
    ingress()
      .filter((r) => r.Properties.GroupId['Fn::GetAtt'][0] === logicalIdOf(target) && r.Properties.FromPort === port)
      .map((r) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0])
      .sort();

  it('let only the proxy, the functions, secret rotation and the operator host reach the primary', () => {
    expect(sourcesInto('DatabasePrimarySecurityGroup', 5433)).toEqual(
      [logicalIdOf('DatabaseProxySecurityGroup'), logicalIdOf('DatabaseRotationSecurityGroup'), logicalIdOf('FunctionSecurityGroup'), logicalIdOf('OperatorAccessSecurityGroup')].sort(),
    );
  });

  it('let applications reach the proxy, the replicas and the cache, but not the primary', () => {
    expect(sourcesInto('DatabaseProxySecurityGroup', 5433)).toContain(logicalIdOf('AppSecurityGroup'));
    expect(sourcesInto('DatabaseReplicaSecurityGroup', 5433)).toContain(logicalIdOf('AppSecurityGroup'));
    expect(sourcesInto('CacheSecurityGroup', 6380).sort()).toEqual([logicalIdOf('AppSecurityGroup'), logicalIdOf('FunctionSecurityGroup'), logicalIdOf('OperatorAccessSecurityGroup')].sort());
  });

  it('open nothing to 0.0.0.0/0 and allow no unrestricted egress', () => {
    for (const group of resourcesOf('AWS::EC2::SecurityGroup')) {
      for (const rule of [...(group.Properties.SecurityGroupIngress ?? []), ...(group.Properties.SecurityGroupEgress ?? [])]) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      }
    }
    for (const rule of ingress()) expect(rule.Properties.CidrIp).toBeUndefined();
  });
});

describe('outputs', () => {
  it('give SREs every endpoint, secret, key and security group under stable names', () => {
    const outputs = prod.template.findOutputs('*');
    const expected = [
      OUTPUTS.proxyEndpoint, OUTPUTS.writerEndpoint, OUTPUTS.databasePort, OUTPUTS.databaseName, OUTPUTS.primaryInstanceId,
      'Replica1Endpoint', 'Replica2Endpoint', 'Replica1InstanceId', 'Replica2InstanceId',
      OUTPUTS.databaseSecretArn, OUTPUTS.monitorSecretArn, OUTPUTS.operatorSecretArn, OUTPUTS.cacheAuthSecretArn, OUTPUTS.cachePrimaryEndpoint, OUTPUTS.cacheReaderEndpoint,
      OUTPUTS.cachePort, OUTPUTS.cacheReplicationGroupId, OUTPUTS.dataKeyArn, OUTPUTS.backupVaultName,
      OUTPUTS.appSecurityGroupId, OUTPUTS.functionSecurityGroupId, OUTPUTS.primarySecurityGroupId,
      OUTPUTS.replicaSecurityGroupId, OUTPUTS.proxySecurityGroupId, OUTPUTS.cacheSecurityGroupId, OUTPUTS.vpcId,
      OUTPUTS.alarmTopicArn, OUTPUTS.dashboardName, OUTPUTS.healthCheckFunctionName, OUTPUTS.maintenanceFunctionName, OUTPUTS.migrationFunctionName,
      OUTPUTS.scheduleDeadLetterQueueUrl,
      OUTPUTS.operatorHostGroupName, OUTPUTS.operatorSessionDocumentName, OUTPUTS.operatorSessionLogGroupName,
    ];
    expect(Object.keys(outputs).sort()).toEqual([...expected].sort());
    expect(outputs.ProxyEndpoint.Export).toEqual({ Name: 'data-tier-prod-ProxyEndpoint' });
  });
});

describe('schema migrations at deploy time', () => {
  const functionNamed = (name: string) => resourcesOf('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === name)!.Properties;

  it('run as a custom resource carrying the hash of every stream, so any SQL change in any of them re-runs it', () => {
    prod.template.hasResourceProperties('Custom::SchemaMigrations', { SqlHash: migrationStreamsHash(PROJECT_STREAMS), ServiceTimeout: '1200' });
  });

  it('connect to the primary instance endpoint (not the proxy) with verified TLS, from the function subnets', () => {
    const handler = functionNamed('data-tier-prod-schema-migrations');
    expect(handler).toMatchObject({
      Handler: 'index.onEvent',
      Runtime: 'nodejs24.x',
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^FunctionSecurityGroup/), 'GroupId'] }] },
      Environment: {
        Variables: expect.objectContaining({
          DB_HOST: { 'Fn::GetAtt': [expect.stringMatching(/^DatabasePrimary/), 'Endpoint.Address'] },
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          MIGRATION_STREAMS: 'data_tier,analytics',
        }),
      },
    });
    expect(handler.Environment.Variables.DB_TLS).toBeUndefined();
  });

  it('wait for the primary before migrating', () => {
    const [resource] = Object.values(prod.template.findResources('Custom::SchemaMigrations')) as Array<{ DependsOn: string[] }>;
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabasePrimary/)]));
  });

  it('bundle every stream next to the handler, each in a directory named after it', () => {
    const assembly = synthesize('prod', {}, { bundle: true }).app.synth();
    const assetDir = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.')).find((d) => existsSync(join(assembly.directory, d, 'sql')));
    expect(assetDir).toBeDefined();
    const sqlFiles = (directory: string) => readdirSync(directory, { recursive: true }).map(String).filter((f) => f.endsWith('.sql')).sort();
    expect(readdirSync(join(assembly.directory, assetDir!, 'sql')).sort()).toEqual(['analytics', 'data_tier']);
    for (const stream of PROJECT_STREAMS) expect(sqlFiles(join(assembly.directory, assetDir!, 'sql', stream.name))).toEqual(sqlFiles(stream.directory));
  });
});

describe('the data tier’s own functions', () => {
  const names = ['health-check', 'maintenance', 'schema-migrations', 'cache-token-rotation'].map((name) => `data-tier-prod-${name}`);

  it('trace every invocation in X-Ray', () => {
    const tracing = resourcesOf('AWS::Lambda::Function')
      .filter((f) => names.includes(f.Properties.FunctionName))
      .map((f) => [f.Properties.FunctionName, f.Properties.TracingConfig]);
    expect(tracing.sort()).toEqual(names.sort().map((name) => [name, { Mode: 'Active' }]));
  });
});
