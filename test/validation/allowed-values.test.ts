import {
  AWS_REGIONS,
  CLOUDWATCH_LOG_RETENTION_DAYS,
  ELASTICACHE_ENGINE_VERSIONS,
  MONITORING_INTERVALS_SECONDS,
  PERFORMANCE_INSIGHTS_RETENTION_DAYS,
  cacheEngineVersions,
  cacheParameterGroupFamily,
  elasticacheNodeTypes,
  isKnownRegion,
  isRdsPostgresInstanceClass,
  normalizeRdsInstanceClass,
  rdsPostgresInstanceClasses,
  zonesOf,
} from '../../lib/private/allowed-values';
import { aws_ec2 as ec2, aws_logs as logs } from 'aws-cdk-lib';

describe('AWS_REGIONS', () => {
  it('holds the commercial regions only', () => {
    expect(isKnownRegion('us-east-1')).toBe(true);
    expect(isKnownRegion('mx-central-1')).toBe(true);
    expect(isKnownRegion('il-central-1')).toBe(true);
    expect(isKnownRegion('us-gov-west-1')).toBe(false);
    expect(isKnownRegion('cn-north-1')).toBe(false);
    expect(isKnownRegion('toString')).toBe(false);
  });

  it('gives us-east-1 six zones, a to f', () => {
    expect(zonesOf('us-east-1')).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
  });

  it('has no ca-central-1c and no ap-northeast-1b', () => {
    expect(zonesOf('ca-central-1')).toEqual(['ca-central-1a', 'ca-central-1b', 'ca-central-1d']);
    expect(zonesOf('ap-northeast-1')).toEqual(['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d']);
  });

  it('answers undefined for an unknown region and for one whose letters are not verified', () => {
    expect(zonesOf('us-east-9')).toBeUndefined();
    expect(isKnownRegion('me-west-1')).toBe(true);
    expect(zonesOf('me-west-1')).toBeUndefined();
  });

  it('spells every zone letter as one lower-case letter', () => {
    for (const letters of Object.values(AWS_REGIONS)) {
      for (const letter of letters ?? []) expect(letter).toMatch(/^[a-z]$/);
    }
  });
});

describe('RDS_POSTGRES_INSTANCE_CLASSES', () => {
  it('offers db.r7g.large for PostgreSQL 17 and 18, with or without the db. prefix', () => {
    expect(isRdsPostgresInstanceClass('db.r7g.large', 17)).toBe(true);
    expect(isRdsPostgresInstanceClass('r7g.large', 17)).toBe(true);
    expect(isRdsPostgresInstanceClass('db.r7g.large', 18)).toBe(true);
  });

  it('takes the name aws-cdk gives an ec2.InstanceType', () => {
    const instanceType = ec2.InstanceType.of(ec2.InstanceClass.R8G, ec2.InstanceSize.XLARGE48);
    expect(instanceType.toString()).toBe('r8g.48xlarge');
    expect(isRdsPostgresInstanceClass(instanceType.toString(), 17)).toBe(true);
  });

  it('refuses old, unsupported and misspelt classes', () => {
    expect(isRdsPostgresInstanceClass('db.m1.small', 17)).toBe(false);
    expect(isRdsPostgresInstanceClass('db.t2.micro', 17)).toBe(false);
    expect(isRdsPostgresInstanceClass('db.x2idn.16xlarge', 17)).toBe(false);
    expect(isRdsPostgresInstanceClass('db.r7g.24xlarge', 17)).toBe(false);
    expect(isRdsPostgresInstanceClass('db.r6idn.large', 17)).toBe(false);
  });

  it('has no table for a major version the tier does not deploy', () => {
    expect(rdsPostgresInstanceClasses(16)).toEqual([]);
    expect(isRdsPostgresInstanceClass('db.r7g.large', 16)).toBe(false);
  });

  it('lists full class names', () => {
    const classes = rdsPostgresInstanceClasses(17);
    expect(classes).toContain('db.t4g.micro');
    expect(classes).toContain('db.m7i.48xlarge');
    for (const name of classes) expect(name).toMatch(/^db\.[a-z0-9]+\.[a-z0-9]+$/);
  });

  it('normalizes the prefix only', () => {
    expect(normalizeRdsInstanceClass(' r7g.large ')).toBe('db.r7g.large');
    expect(normalizeRdsInstanceClass('db.r7g.large')).toBe('db.r7g.large');
  });
});

describe('ELASTICACHE_ENGINE_VERSIONS', () => {
  it('lists Redis OSS 6.0 to 7.1 and Valkey 7.2 to 8.2', () => {
    expect(cacheEngineVersions('redis')).toEqual(['6.0', '6.2', '7.0', '7.1']);
    expect(cacheEngineVersions('valkey')).toEqual(['7.2', '8.0', '8.1', '8.2']);
    expect(cacheEngineVersions('memcached')).toEqual([]);
  });

  it('names the parameter group family of each version', () => {
    expect(cacheParameterGroupFamily('redis', '6.2')).toBe('redis6.x');
    expect(cacheParameterGroupFamily('redis', '7.1')).toBe('redis7');
    expect(cacheParameterGroupFamily('valkey', '7.2')).toBe('valkey7');
    expect(cacheParameterGroupFamily('valkey', '8.0')).toBe('valkey8');
    expect(cacheParameterGroupFamily('redis', '8.0')).toBeUndefined();
    expect(cacheParameterGroupFamily('memcached', '1.6')).toBeUndefined();
  });

  it('only uses families the CreateCacheParameterGroup API lists', () => {
    const documented = ['valkey8', 'valkey7', 'redis6.x', 'redis7'];
    for (const versions of Object.values(ELASTICACHE_ENGINE_VERSIONS)) {
      for (const family of Object.values(versions)) expect(documented).toContain(family);
    }
  });
});

describe('ELASTICACHE_NODE_TYPES', () => {
  it('lists current-generation types with the cache. prefix', () => {
    const types = elasticacheNodeTypes();
    expect(types).toEqual(expect.arrayContaining(['cache.t4g.micro', 'cache.m7g.large', 'cache.r7g.16xlarge']));
    expect(types).not.toContain('cache.m1.small');
    expect(types).not.toContain('cache.r7g.24xlarge');
  });
});

describe('CLOUDWATCH_LOG_RETENTION_DAYS', () => {
  it("is aws-cdk-lib's RetentionDays without INFINITE", () => {
    const cdkValues = Object.values(logs.RetentionDays)
      .filter((value): value is number => typeof value === 'number' && value !== logs.RetentionDays.INFINITE)
      .sort((a, b) => a - b);
    expect(CLOUDWATCH_LOG_RETENTION_DAYS).toEqual(cdkValues);
  });

  it('holds exactly the values PutRetentionPolicy accepts', () => {
    expect(CLOUDWATCH_LOG_RETENTION_DAYS).toEqual([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);
  });
});

describe('RDS monitoring settings', () => {
  it('Performance Insights keeps 7 days, 1 to 23 months of 31 days, or 731 days', () => {
    expect(PERFORMANCE_INSIGHTS_RETENTION_DAYS).toHaveLength(25);
    expect(PERFORMANCE_INSIGHTS_RETENTION_DAYS).toContain(713);
    expect(PERFORMANCE_INSIGHTS_RETENTION_DAYS).not.toContain(744);
    expect(PERFORMANCE_INSIGHTS_RETENTION_DAYS[0]).toBe(7);
    expect(PERFORMANCE_INSIGHTS_RETENTION_DAYS.at(-1)).toBe(731);
  });

  it('Enhanced Monitoring samples every 1, 5, 10, 15, 30 or 60 seconds', () => {
    expect(MONITORING_INTERVALS_SECONDS).toEqual([1, 5, 10, 15, 30, 60]);
  });
});
