import { Lazy, Token } from 'aws-cdk-lib';
import { CLOUDWATCH_LOG_RETENTION_DAYS, RDS_POSTGRES_INSTANCE_CLASSES } from '../../lib/private/allowed-values';
import {
  DataTierValidationError,
  parseCidr,
  rejectUnknownKeys,
  requireInteger,
  requireOneOf,
  requireUnique,
  validateCacheEngineVersion,
  validateCacheNodeType,
  validateCidr,
  validateCopyVaultArn,
  validateLogRetentionDays,
  validateRdsInstanceClass,
  validateRegion,
  validateZones,
} from '../../lib/private/validation';

/** The error `check` throws; fails the test when it throws nothing or something else. */
function refusal(check: () => void): DataTierValidationError {
  try {
    check();
  } catch (error) {
    if (error instanceof DataTierValidationError) return error;
    throw error;
  }
  throw new Error('expected a DataTierValidationError');
}

/** Expects `check` to accept each of `values`. */
function acceptsEach<T>(values: readonly T[], check: (value: T) => void): void {
  for (const value of values) expect(() => check(value)).not.toThrow();
}

const unresolvedString = () => Lazy.string({ produce: () => 'anything' });

describe('DataTierValidationError', () => {
  it('names the path, the prop, the value and what is allowed', () => {
    const error = new DataTierValidationError('DataTier/Database', 'port', 5432, 'must not be 5432');
    expect(error.message).toBe('DataTier/Database: invalid port = 5432: must not be 5432');
    expect(error.name).toBe('DataTierValidationError');
    expect(error).toBeInstanceOf(Error);
    expect([error.path, error.prop, error.value, error.allowed]).toEqual(['DataTier/Database', 'port', 5432, 'must not be 5432']);
  });

  it('leaves the path out when there is none', () => {
    expect(new DataTierValidationError('', 'region', 'x', 'must be a region').message).toBe('invalid region = "x": must be a region');
  });
});

describe('requireInteger', () => {
  it('accepts whole numbers in range, bounds included', () => {
    acceptsEach([1, 3, 5], (value) => requireInteger('database', 'replicaCount', value, 1, 5));
  });

  it('refuses fractions, out-of-range numbers and non-numbers', () => {
    expect(refusal(() => requireInteger('database', 'replicaCount', 6, 0, 5)).message).toBe('database: invalid replicaCount = 6: must be a whole number from 0 to 5');
    for (const value of [1.5, -1, '3', undefined]) expect(() => requireInteger('database', 'replicaCount', value, 0, 5)).toThrow(DataTierValidationError);
  });

  it('lets a token through', () => {
    expect(() => requireInteger('database', 'replicaCount', Token.asNumber(unresolvedString()), 0, 5)).not.toThrow();
  });
});

describe('requireOneOf', () => {
  it('accepts a listed value and refuses any other', () => {
    expect(() => requireOneOf('database', 'monitoringIntervalSeconds', 60, [1, 5, 60])).not.toThrow();
    expect(refusal(() => requireOneOf('database', 'monitoringIntervalSeconds', 2, [1, 5, 60])).message).toBe(
      'database: invalid monitoringIntervalSeconds = 2: must be one of 1, 5, 60',
    );
  });
});

describe('requireUnique', () => {
  it('accepts distinct values', () => {
    expect(() => requireUnique('monitoring', 'alarmEmails', ['a@x.com', 'b@x.com'])).not.toThrow();
  });

  it('refuses e-mail addresses that differ only in case, naming both', () => {
    expect(refusal(() => requireUnique('monitoring', 'alarmEmails', ['a@x.com', 'A@x.com'])).message).toBe(
      'monitoring: invalid alarmEmails = ["a@x.com","A@x.com"]: lists "a@x.com" and "A@x.com", which differ only in case ' +
        '(e-mail addresses are compared without case); remove one',
    );
  });

  it('names an exact duplicate', () => {
    expect(refusal(() => requireUnique('', 'names', ['a', 'b', 'a'])).message).toBe('invalid names = ["a","b","a"]: lists "a" twice; remove one');
  });

  it('compares other values with case unless told otherwise', () => {
    expect(() => requireUnique('', 'names', ['Orders', 'orders'])).not.toThrow();
    expect(() => requireUnique('', 'names', ['Orders', 'orders'], { ignoreCase: true })).toThrow(DataTierValidationError);
  });
});

describe('parseCidr and validateCidr', () => {
  const room = { subnetsNeeded: 6, subnetPrefix: 24 };

  it('parses the address and prefix', () => {
    expect(parseCidr('', 'vpcCidr', '10.42.0.0/16')).toEqual({ address: 0x0a2a0000, prefix: 16 });
  });

  it('accepts a /16 to a /21 for six /24 subnets', () => {
    acceptsEach(['10.42.0.0/16', '172.16.0.0/20', '192.168.8.0/21'], (cidr) => validateCidr('network', 'vpcCidr', cidr, room));
  });

  it('accepts RFC 1918 and RFC 6598 blocks and refuses a public one unless allowed', () => {
    acceptsEach(['10.0.0.0/16', '172.31.0.0/16', '192.168.0.0/16', '100.64.0.0/16', '100.127.0.0/16'], (cidr) => validateCidr('network', 'vpcCidr', cidr, room));
    for (const cidr of ['8.8.0.0/16', '172.32.0.0/16', '100.128.0.0/16', '192.169.0.0/16']) {
      expect(refusal(() => validateCidr('network', 'vpcCidr', cidr, room)).allowed).toMatch(/^is publicly routable: /);
      expect(() => validateCidr('network', 'vpcCidr', cidr, { ...room, allowPublic: true })).not.toThrow();
    }
  });

  it('refuses the blocks Amazon VPC refuses even when public ones are allowed', () => {
    for (const cidr of ['0.0.0.0/16', '127.0.0.0/16', '169.254.0.0/16', '224.0.0.0/16', '239.255.0.0/16']) {
      expect(refusal(() => validateCidr('network', 'vpcCidr', cidr, { ...room, allowPublic: true })).allowed).toMatch(/^lies in .*, which Amazon VPC refuses for a VPC/);
    }
  });

  it('refuses set host bits and suggests the network address', () => {
    expect(refusal(() => validateCidr('DataTier/Network', 'vpcCidr', '10.42.7.9/16', room)).message).toBe(
      'DataTier/Network: invalid vpcCidr = "10.42.7.9/16": must be a CIDR block whose host bits are zero; did you mean 10.42.0.0/16?',
    );
  });

  it('refuses a /24 for six /24 subnets and names the smallest block that fits', () => {
    expect(refusal(() => validateCidr('network', 'vpcCidr', '10.42.0.0/24', room)).message).toBe(
      'network: invalid vpcCidr = "10.42.0.0/24": has room for 1 of the 6 /24 subnets the tier needs; use a /21 or larger block, such as 10.42.0.0/21',
    );
    expect(refusal(() => validateCidr('network', 'vpcCidr', '10.42.0.0/22', room)).allowed).toContain('has room for 4 of the 6');
  });

  it('refuses subnets no VPC can hold', () => {
    expect(refusal(() => validateCidr('network', 'vpcCidr', '10.0.0.0/16', { subnetsNeeded: 300, subnetPrefix: 24 })).allowed).toBe(
      'cannot hold 300 /24 subnets: they need a /15, larger than the largest VPC (/16); use smaller subnets',
    );
  });

  it('refuses prefixes a VPC cannot have, saying why', () => {
    expect(refusal(() => validateCidr('network', 'vpcCidr', '10.0.0.0/8', room)).message).toBe(
      'network: invalid vpcCidr = "10.0.0.0/8": must have a prefix from /16 to /28, the block sizes Amazon VPC accepts for a VPC',
    );
    expect(() => validateCidr('network', 'vpcCidr', '10.42.0.0/29', room)).toThrow(/from \/16 to \/28/);
  });

  it('refuses what is not an IPv4 CIDR block', () => {
    expect(refusal(() => validateCidr('network', 'vpcCidr', '10.42.0.0', room)).allowed).toBe('must be an IPv4 CIDR block such as 10.42.0.0/16');
    expect(refusal(() => validateCidr('network', 'vpcCidr', '10.256.0.0/16', room)).allowed).toBe('has octet 256; each octet must be from 0 to 255');
    expect(refusal(() => validateCidr('network', 'vpcCidr', '10.0.0.0/33', room)).allowed).toBe('has prefix /33; an IPv4 prefix is at most /32');
    expect(() => validateCidr('network', 'vpcCidr', 42, room)).toThrow(DataTierValidationError);
  });

  it('lets a token through', () => {
    expect(() => validateCidr('network', 'vpcCidr', unresolvedString(), room)).not.toThrow();
  });
});

describe('validateRegion', () => {
  it('accepts commercial regions', () => {
    acceptsEach(['us-east-1', 'eu-central-2', 'mx-central-1', 'il-central-1'], (region) => validateRegion('', 'region', region));
  });

  it('refuses an unknown region and lists the closest ones; a region of another partition, saying so', () => {
    expect(refusal(() => validateRegion('', 'region', 'us-east-3')).message).toBe(
      'invalid region = "us-east-3": must be a commercial AWS region; closest: us-east-1, us-east-2, us-west-1, us-west-2',
    );
    expect(refusal(() => validateRegion('', 'region', 'us-gov-west-1')).allowed).toBe(
      'is in another AWS partition (China, GovCloud, ISO or European Sovereign Cloud); this tier deploys to commercial regions only',
    );
    expect(() => validateRegion('', 'region', 'cn-north-1')).toThrow(/another AWS partition/);
  });

  it('lets a token through', () => {
    expect(() => validateRegion('', 'region', unresolvedString())).not.toThrow();
  });
});

describe('validateZones', () => {
  it('accepts distinct zones of the region', () => {
    expect(() => validateZones('', 'availabilityZones', 'us-east-1', ['us-east-1a', 'us-east-1d', 'us-east-1f'], { min: 3 })).not.toThrow();
    expect(() => validateZones('', 'availabilityZones', 'us-west-1', ['us-west-1b', 'us-west-1c'], { min: 2 })).not.toThrow();
  });

  it('refuses a letter the region does not have', () => {
    expect(refusal(() => validateZones('', 'availabilityZones', 'us-east-1', ['us-east-1a', 'us-east-1b', 'us-east-1x'], { min: 3 })).message).toBe(
      'invalid availabilityZones[2] = "us-east-1x": is not a zone of us-east-1; its zones are us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f',
    );
    expect(() => validateZones('', 'availabilityZones', 'ca-central-1', ['ca-central-1c'], { min: 1 })).toThrow(/is not a zone of ca-central-1/);
  });

  it("refuses another region's zone", () => {
    expect(refusal(() => validateZones('', 'availabilityZones', 'us-east-1', ['us-east-1a', 'eu-west-1a', 'us-east-1c'], { min: 3 })).message).toBe(
      'invalid availabilityZones[1] = "eu-west-1a": must be a zone of us-east-1: one of us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f',
    );
  });

  it('names a duplicate zone', () => {
    expect(refusal(() => validateZones('', 'availabilityZones', 'us-east-1', ['us-east-1a', 'us-east-1b', 'us-east-1a'], { min: 3 })).message).toBe(
      'invalid availabilityZones = ["us-east-1a","us-east-1b","us-east-1a"]: lists "us-east-1a" twice; remove one',
    );
  });

  it('refuses fewer zones than required', () => {
    expect(refusal(() => validateZones('', 'availabilityZones', 'us-east-1', ['us-east-1a', 'us-east-1b'], { min: 3 })).allowed).toBe(
      'must name at least 3 distinct zones of us-east-1; 2 given',
    );
  });

  it('refuses a single string instead of a list', () => {
    const zones = 'us-east-1a,us-east-1b' as unknown as string[];
    expect(refusal(() => validateZones('', 'availabilityZones', 'us-east-1', zones, { min: 2 })).allowed).toBe(
      'must be a list of zones of us-east-1, such as ["us-east-1a","us-east-1b"]',
    );
  });

  it('checks only the form of zones in a region whose letters are not known', () => {
    expect(() => validateZones('', 'availabilityZones', 'me-west-1', ['me-west-1a', 'me-west-1b', 'me-west-1c'], { min: 3 })).not.toThrow();
    expect(refusal(() => validateZones('', 'availabilityZones', 'me-west-1', ['me-west-1'], { min: 1 })).allowed).toBe('must be a zone of me-west-1, such as me-west-1a');
  });

  it('lets tokens through: a token list entirely, a token zone by itself', () => {
    expect(() => validateZones('', 'availabilityZones', 'us-east-1', Token.asList(Lazy.list({ produce: () => [] })), { min: 3 })).not.toThrow();
    expect(() => validateZones('', 'availabilityZones', 'us-east-1', ['us-east-1a', 'us-east-1b', unresolvedString()], { min: 3 })).not.toThrow();
    expect(() => validateZones('', 'availabilityZones', unresolvedString(), ['x', 'y', 'z'], { min: 3 })).not.toThrow();
  });
});

describe('validateRdsInstanceClass', () => {
  it('accepts db.r7g.large for PostgreSQL 17, with or without db.', () => {
    expect(() => validateRdsInstanceClass('database', 'instanceClass', 'db.r7g.large', 17)).not.toThrow();
    expect(() => validateRdsInstanceClass('database', 'instanceClass', 'r7g.large', 17)).not.toThrow();
    expect(() => validateRdsInstanceClass('database', 'instanceClass', 'db.t4g.medium', 18)).not.toThrow();
  });

  it('refuses db.m1.small and lists the families offered', () => {
    const families = Object.keys(RDS_POSTGRES_INSTANCE_CLASSES[17]).join(', ');
    expect(refusal(() => validateRdsInstanceClass('database', 'instanceClass', 'db.m1.small', 17)).message).toBe(
      `database: invalid instanceClass = "db.m1.small": db.m1 is not offered for RDS for PostgreSQL 17; offered families: ${families}`,
    );
  });

  it('refuses a size the family does not come in', () => {
    expect(refusal(() => validateRdsInstanceClass('database', 'instanceClass', 'db.r7g.24xlarge', 17)).allowed).toBe(
      'db.r7g comes in large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge for RDS for PostgreSQL 17',
    );
  });

  it('refuses a malformed name and a major version without a table', () => {
    expect(refusal(() => validateRdsInstanceClass('database', 'instanceClass', 'large', 17)).allowed).toBe('must be an RDS instance class such as db.r7g.large');
    expect(refusal(() => validateRdsInstanceClass('database', 'instanceClass', 'db.r7g.large', 16)).allowed).toBe(
      'has no instance class table for PostgreSQL 16; known major versions: 17, 18',
    );
  });

  it('lets a token through', () => {
    expect(() => validateRdsInstanceClass('database', 'instanceClass', unresolvedString(), 17)).not.toThrow();
  });
});

describe('validateCacheEngineVersion', () => {
  it('accepts Redis OSS 7.1 and Valkey 8.0', () => {
    expect(() => validateCacheEngineVersion('cache', 'engineVersion', 'redis', '7.1')).not.toThrow();
    expect(() => validateCacheEngineVersion('cache', 'engineVersion', 'valkey', '8.0')).not.toThrow();
  });

  it('refuses Redis OSS 8.0 and says it is a Valkey version', () => {
    expect(refusal(() => validateCacheEngineVersion('cache', 'engineVersion', 'redis', '8.0')).message).toBe(
      'cache: invalid engineVersion = "8.0": must be one of 6.0, 6.2, 7.0, 7.1 for redis; 8.0 is a valkey version, so set the engine to valkey or pick one of those',
    );
  });

  it('refuses a version no engine has, and an unknown engine', () => {
    expect(refusal(() => validateCacheEngineVersion('cache', 'engineVersion', 'valkey', '7.0')).allowed).toBe(
      'must be one of 7.2, 8.0, 8.1, 8.2 for valkey; 7.0 is a redis version, so set the engine to redis or pick one of those',
    );
    expect(refusal(() => validateCacheEngineVersion('cache', 'engineVersion', 'valkey', '6.9')).allowed).toBe('must be one of 7.2, 8.0, 8.1, 8.2 for valkey');
    expect(refusal(() => validateCacheEngineVersion('cache', 'engineVersion', 'memcached', '1.6')).allowed).toBe('engine "memcached" is not one of redis, valkey');
  });
});

describe('validateCacheNodeType', () => {
  it('accepts current-generation node types', () => {
    acceptsEach(['cache.t4g.micro', 'cache.m7g.large', 'cache.r7g.16xlarge'], (nodeType) => validateCacheNodeType('cache', 'nodeType', nodeType));
  });

  it('refuses a name without cache. and suggests it', () => {
    expect(refusal(() => validateCacheNodeType('cache', 'nodeType', 'r7g.large')).message).toBe(
      'cache: invalid nodeType = "r7g.large": must start with cache.; did you mean cache.r7g.large?',
    );
  });

  it('refuses a size the family does not come in, and an old family', () => {
    expect(refusal(() => validateCacheNodeType('cache', 'nodeType', 'cache.r7g.24xlarge')).allowed).toBe(
      'cache.r7g comes in large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge',
    );
    expect(refusal(() => validateCacheNodeType('cache', 'nodeType', 'cache.m1.small')).allowed).toMatch(/^must be a current-generation ElastiCache node type; families: cache\.t2, /);
  });
});

describe('validateLogRetentionDays', () => {
  it('accepts 14 and 3653', () => {
    expect(() => validateLogRetentionDays('database', 'logRetentionDays', 14)).not.toThrow();
    expect(() => validateLogRetentionDays('database', 'logRetentionDays', 3653)).not.toThrow();
  });

  it('refuses 10 and names the nearest accepted values', () => {
    expect(refusal(() => validateLogRetentionDays('database', 'logRetentionDays', 10)).message).toBe(
      `database: invalid logRetentionDays = 10: must be one of the retention periods CloudWatch Logs accepts: ${CLOUDWATCH_LOG_RETENTION_DAYS.join(', ')}; nearest: 7 or 14`,
    );
  });

  it('refuses 1000, between two years and three', () => {
    expect(refusal(() => validateLogRetentionDays('database', 'logRetentionDays', 1000)).allowed).toMatch(/; nearest: 731 or 1096$/);
    expect(refusal(() => validateLogRetentionDays('database', 'logRetentionDays', 9999)).allowed).toMatch(/; nearest: 3653$/);
  });
});

describe('validateCopyVaultArn', () => {
  const vault = (region: string) => `arn:aws:backup:${region}:123456789012:backup-vault:data-tier-copies`;

  it('accepts a vault in another region', () => {
    expect(() => validateCopyVaultArn('backup', 'copyToVaultArn', vault('us-west-2'), 'us-east-1')).not.toThrow();
  });

  it("refuses a vault in the tier's own region, saying why", () => {
    expect(refusal(() => validateCopyVaultArn('backup', 'copyToVaultArn', vault('us-east-1'), 'us-east-1')).message).toBe(
      `backup: invalid copyToVaultArn = "${vault('us-east-1')}": names a vault in us-east-1, the tier's own region; ` +
        'a copy must survive the loss of that region, so use a vault in another region',
    );
  });

  it('refuses what is not a backup vault ARN', () => {
    for (const arn of ['arn:aws:s3:::bucket', 'arn:aws:backup:us-west-2:1234:backup-vault:x', 'arn:aws:backup:us-west-2:123456789012:backup-plan:x']) {
      expect(refusal(() => validateCopyVaultArn('backup', 'copyToVaultArn', arn, 'us-east-1')).allowed).toBe(
        'must be a backup vault ARN: arn:aws:backup:<region>:<12-digit account>:backup-vault:<name>',
      );
    }
  });

  it('lets tokens through', () => {
    expect(() => validateCopyVaultArn('backup', 'copyToVaultArn', unresolvedString(), 'us-east-1')).not.toThrow();
    expect(() => validateCopyVaultArn('backup', 'copyToVaultArn', vault('us-east-1'), unresolvedString())).not.toThrow();
  });
});

describe('rejectUnknownKeys', () => {
  const shape = {
    database: { replicaCount: 1, instanceClass: 'db.r7g.large' },
    monitoring: { alarmEmails: ['ops@example.com'], thresholds: { cpuPercent: 80 } },
    backup: { copyToVaultArn: undefined },
    schedules: [{ name: 'nightly', cron: '0 3 * * *' }],
  };

  it('accepts any subset of the shape, at any depth', () => {
    expect(() => rejectUnknownKeys('overrides', { database: { replicaCount: 3 }, monitoring: { thresholds: {} } }, shape)).not.toThrow();
    expect(() => rejectUnknownKeys('overrides', {}, shape)).not.toThrow();
  });

  it('refuses a misspelt key, naming its full path and suggesting the allowed one', () => {
    const error = refusal(() => rejectUnknownKeys('overrides', JSON.parse('{"database":{"replicaCont":3}}'), shape));
    expect(error.message).toBe('invalid overrides.database.replicaCont = 3: unknown key; allowed at overrides.database: replicaCount, instanceClass; did you mean replicaCount?');
    expect(error.prop).toBe('overrides.database.replicaCont');
  });

  it('refuses an unknown section without a suggestion when none is close', () => {
    expect(refusal(() => rejectUnknownKeys('overrides', { proxy: {} }, shape)).allowed).toBe('unknown key; allowed at overrides: database, monitoring, backup, schedules');
  });

  it('checks each element of an array of objects against the first element of the shape', () => {
    const value = { schedules: [{ name: 'a' }, { nmae: 'b' }] };
    expect(refusal(() => rejectUnknownKeys('overrides', value, shape)).prop).toBe('overrides.schedules[1].nmae');
  });

  it('does not look inside arrays of primitives or below an optional key given as undefined', () => {
    expect(() => rejectUnknownKeys('overrides', { monitoring: { alarmEmails: ['a@x.com', 'b@x.com'] }, backup: { copyToVaultArn: 'arn:...' } }, shape)).not.toThrow();
  });

  it('names top-level keys without a leading dot when there is no path', () => {
    expect(refusal(() => rejectUnknownKeys('', { databse: {} }, shape)).message).toBe(
      'invalid databse = {}: unknown key; allowed at the top level: database, monitoring, backup, schedules; did you mean database?',
    );
  });

  it('lets a token through', () => {
    expect(() => rejectUnknownKeys('overrides', { database: unresolvedString() }, shape)).not.toThrow();
  });
});
