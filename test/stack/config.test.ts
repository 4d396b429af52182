import { ConfigError, resolveConfig } from '../../app/config';

const environment = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' };

function resolve(context: Record<string, unknown>) {
  return resolveConfig({ context, environment });
}

function overriding(section: string, values: Record<string, unknown>, env = 'prod') {
  return { env, overrides: JSON.stringify({ [section]: values }) };
}

/** The error thrown for a context, so each case can check field, value and what is allowed. */
function errorFor(context: Record<string, unknown>): ConfigError {
  try {
    resolve(context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

describe('environment config', () => {
  it('defaults to dev and takes account and region from the CDK environment variables', () => {
    const config = resolve({});
    expect(config.envName).toBe('dev');
    expect(config.account).toBe('111111111111');
    expect(config.region).toBe('us-east-1');
    expect(config.availabilityZones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });

  it('lets context override account, region, zones and any preset field', () => {
    const config = resolve({
      env: 'staging',
      account: '222222222222',
      region: 'eu-west-1',
      availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
      overrides: '{"database":{"replicaCount":2}}',
    });
    expect(config).toMatchObject({ account: '222222222222', region: 'eu-west-1', database: { replicaCount: 2, multiAz: true } });
  });

  it('gives prod a Multi-AZ primary, two replicas, 35 days of PITR and long Performance Insights retention', () => {
    expect(resolve({ env: 'prod' }).database).toMatchObject({
      engineMajorVersion: 17,
      multiAz: true,
      replicaCount: 2,
      backupRetentionDays: 35,
      performanceInsightsRetentionDays: 731,
      deletionProtection: true,
    });
  });

  it('selects Valkey instead of Redis OSS when asked', () => {
    expect(resolve(overriding('cache', { engine: 'valkey', engineVersion: '8.0' })).cache.engine).toBe('valkey');
  });

  it('turns the operator host on in every environment, and off on request', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(resolve({ env }).operatorAccess).toEqual({ enabled: true });
    expect(resolve(overriding('operatorAccess', { enabled: false })).operatorAccess.enabled).toBe(false);
  });

  const invalid: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a non-boolean operator access switch', overriding('operatorAccess', { enabled: 'no' }), 'operatorAccess.enabled', /true or false/],
    ['an unknown environment name', { env: 'qa' }, 'env', /dev, staging, prod/],
    ['fewer than three zones', { env: 'prod', availabilityZones: 'us-east-1a,us-east-1b' }, 'availabilityZones', /at least 3/],
    ['a repeated zone', { env: 'prod', availabilityZones: 'us-east-1a,us-east-1a,us-east-1b' }, 'availabilityZones', /distinct/],
    ['a zone outside the region', { env: 'prod', availabilityZones: 'us-east-1a,us-east-1b,eu-west-1c' }, 'availabilityZones', /zone of region us-east-1/],
    ['a malformed region', { env: 'prod', region: 'mars-1' }, 'region', /region name/],
    ['a malformed account', { env: 'prod', account: '12345' }, 'account', /12-digit/],
    ['too many replicas', overriding('database', { replicaCount: 6 }), 'database.replicaCount', /0 to 5/],
    ['a negative replica count', overriding('database', { replicaCount: -1 }), 'database.replicaCount', /0 to 5/],
    ['backup retention of 0 days', overriding('database', { backupRetentionDays: 0 }), 'database.backupRetentionDays', /1 to 35/],
    ['backup retention of 36 days', overriding('database', { backupRetentionDays: 36 }), 'database.backupRetentionDays', /1 to 35/],
    ['an engine version the SQL does not support', overriding('database', { engineMajorVersion: 16 }), 'database.engineMajorVersion', /17, 18/],
    ['a malformed instance class', overriding('database', { instanceClass: 'r7g.large' }), 'database.instanceClass', /db\.r7g\.large/],
    ['a malformed replica class', overriding('database', { replicaInstanceClass: 'db.r7g' }), 'database.replicaInstanceClass', /db\.r7g\.large/],
    ['storage below the gp3 minimum', overriding('database', { allocatedStorageGiB: 10 }), 'database.allocatedStorageGiB', /20 to 65536/],
    ['a storage ceiling below the allocation', overriding('database', { maxAllocatedStorageGiB: 400 }), 'database.maxAllocatedStorageGiB', /above database.allocatedStorageGiB \(500\)/],
    ['an enhanced monitoring interval RDS does not offer', overriding('database', { monitoringIntervalSeconds: 20 }), 'database.monitoringIntervalSeconds', /1, 5, 10, 15, 30, 60/],
    ['a Performance Insights retention RDS does not offer', overriding('database', { performanceInsightsRetentionDays: 30 }), 'database.performanceInsightsRetentionDays', /7, 31/],
    ['the default PostgreSQL port', overriding('database', { port: 5432 }), 'database.port', /not be the default/],
    ['prod without deletion protection', overriding('database', { deletionProtection: false }), 'database.deletionProtection', /must be true in prod/],
    ['prod without Multi-AZ', overriding('database', { multiAz: false }), 'database.multiAz', /must be true in prod/],
    ['a proxy connection share above 100 %', overriding('proxy', { maxConnectionsPercent: 120 }), 'proxy.maxConnectionsPercent', /1 to 100/],
    ['an unknown cache engine', overriding('cache', { engine: 'memcached' }), 'cache.engine', /redis, valkey/],
    ['a Redis version other than 7', overriding('cache', { engineVersion: '6.2' }), 'cache.engineVersion', /7.0 or 7.1/],
    ['a malformed cache node type', overriding('cache', { nodeType: 'r7g.large' }), 'cache.nodeType', /cache\.r7g\.large/],
    ['cache snapshots kept under 15 days', overriding('cache', { snapshotRetentionDays: 7 }), 'cache.snapshotRetentionDays', /15 to 35/],
    ['a malformed VPC CIDR', overriding('network', { vpcCidr: '10.0.0.0/8' }), 'network.vpcCidr', /\/16 to \/24/],
    ['an existing VPC with too few subnets', overriding('network', { existingVpc: { vpcId: 'vpc-0123456789abcdef0', dataSubnetIds: ['subnet-01234567'], functionSubnetIds: [] } }), 'network.existingVpc.dataSubnetIds', /3 subnet ids/],
    ['a default-partition threshold health_check() cannot count up to', overriding('monitoring', { thresholds: { defaultPartitionRows: 10_000 } }), 'monitoring.thresholds.defaultPartitionRows', /0 to 9999 \(health_check\(\) counts them up to 10000/],
    ['a malformed cross-region vault', overriding('backup', { copyToVaultArn: 'my-vault' }), 'backup.copyToVaultArn', /backup vault ARN/],
    ['an unknown override section', { env: 'prod', overrides: '{"databse":{}}' }, 'overrides.databse', /network, database, proxy, cache, backup/],
    ['overrides that are not JSON', { env: 'prod', overrides: '{replicaCount:1' }, 'overrides', /valid JSON/],
  ];

  it.each(invalid)('rejects %s, naming the field, the value and what is allowed', (_, context, field, allowed) => {
    const error = errorFor(context);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
    expect(error.message).toMatch(allowed);
    expect(error.message).toContain(JSON.stringify(error.value));
  });
});
