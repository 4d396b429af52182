import { review, ReviewResult } from '../../scripts/review/review';

// Each case synthesizes prod once, in-process, Lambda bundling off; the refusals skip cdk-nag.
const cases: Record<string, { overrides: object; nag?: boolean }> = {
  port: { overrides: { database: { port: 5434 } } },
  engine: { overrides: { cache: { engine: 'valkey', engineVersion: '8.0' } } },
  cidr: { overrides: { network: { vpcCidr: '10.43.0.0/16' } } },
  sizing: { overrides: { database: { replicaCount: 3, instanceClass: 'db.r7g.2xlarge' } }, nag: true },
  storage: { overrides: { database: { allocatedStorageGiB: 400 } } },
  existingVpc: {
    overrides: {
      network: { existingVpc: { vpcId: 'vpc-0123456789abcdef0', dataSubnetIds: ['subnet-0a000001', 'subnet-0a000002', 'subnet-0a000003'], functionSubnetIds: ['subnet-0b000001', 'subnet-0b000002', 'subnet-0b000003'] } },
    },
  },
};
const results = new Map<string, ReviewResult>();
function reviewOf(name: keyof typeof cases, allowReplace: string[] = []): ReviewResult {
  const key = `${name}:${allowReplace.join(',')}`;
  if (!results.has(key)) {
    const { overrides, nag } = cases[name];
    results.set(key, review({ envNames: ['prod'], context: { overrides: JSON.stringify(overrides) }, allowReplace, nag: nag ?? false }));
  }
  return results.get(key)!;
}

const DB_INSTANCES = ['DatabasePrimaryEDE0B3D0', 'DatabaseReplica1ED560A1F', 'DatabaseReplica2035311FF'];
const SUBNET_GROUPS = ['DatabasePrimarySubnetGroup6A34E9A0', 'DatabaseReplica1SubnetGroup2062E760', 'DatabaseReplica2SubnetGroup5BF4E2C6'];
/** Each subnet group, then the instance in it; then the cache's. */
const MOVED_TO_ANOTHER_VPC = [
  ...DB_INSTANCES.flatMap((id, i) => [`${SUBNET_GROUPS[i]} (AWS::RDS::DBSubnetGroup) would be replaced`, `${id} (AWS::RDS::DBInstance) would be replaced`]),
  'CacheSubnetGroup355C216D (AWS::ElastiCache::SubnetGroup) would be replaced',
  'CacheReplicationGroupBFE59FF3 (AWS::ElastiCache::ReplicationGroup) would be replaced',
];

describe('npm run review refuses a change that would replace stateful resources', () => {
  it('database.port: every DB instance (Port requires replacement)', () => {
    const { exitCode, reviews, markdown } = reviewOf('port');
    expect(exitCode).toBe(1);
    expect(reviews[0].blocking).toEqual(DB_INSTANCES.map((id) => `${id} (AWS::RDS::DBInstance) would be replaced`));
    expect(markdown).toMatch(/\*\*Refused\*\*/);
    expect(markdown).toContain('| DatabasePrimaryEDE0B3D0 **(stateful)** | AWS::RDS::DBInstance | Port |');
    // The security-group rules named after the port are removed and added.
    expect(markdown).toMatch(/### IAM and security groups\n\n- added AWS::EC2::SecurityGroupIngress \S+: tcp 5434 from/);
  });

  it('cache.engine valkey 8.0: the replication group (Engine requires replacement) and the parameter group it uses (a new family)', () => {
    const { exitCode, reviews } = reviewOf('engine');
    expect(exitCode).toBe(1);
    expect(reviews[0].blocking).toEqual(['CacheParameterGroup32BBAE3A (AWS::ElastiCache::ParameterGroup) would be replaced', 'CacheReplicationGroupBFE59FF3 (AWS::ElastiCache::ReplicationGroup) would be replaced']);
    expect(reviews[0].diff.modified.find((m) => m.logicalId === 'CacheReplicationGroupBFE59FF3')!.properties.map((p) => [p.name, p.behavior])).toEqual(
      expect.arrayContaining([
        ['Engine', 'Replacement'],
        ['EngineVersion', 'NoInterruption'],
      ]),
    );
  });

  it('network.vpcCidr: the replacement propagates from the VPC through subnets and subnet groups to the DB instances and the cache', () => {
    const { exitCode, reviews, markdown } = reviewOf('cidr');
    expect(exitCode).toBe(1);
    expect(reviews[0].blocking).toEqual(MOVED_TO_ANOTHER_VPC);
    const primary = reviews[0].diff.modified.find((m) => m.logicalId === 'DatabasePrimaryEDE0B3D0')!;
    expect(primary.properties).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'DBSubnetGroupName', behavior: 'Replacement', via: ['DatabasePrimarySubnetGroup6A34E9A0'] })]));
    expect(markdown).toContain('| NetworkVpc7FB7348F | AWS::EC2::VPC | CidrBlock |');
    // Keys, secrets, the vault and the audit log groups do not reference the VPC.
    expect(reviews[0].blocking.join('\n')).not.toMatch(/KMS|Secret|Backup|LogGroup/);
  });

  it("network.existingVpc on the deployed tier: the subnet groups would move to another VPC's subnets, which they cannot", () => {
    // Before: SubnetIds named the tier's own subnets (NoInterruption in the table, so "in place").
    const { exitCode, reviews, markdown } = reviewOf('existingVpc');
    expect(exitCode).toBe(1);
    expect(reviews[0].blocking).toEqual(MOVED_TO_ANOTHER_VPC);
    expect(markdown).toContain('| DatabasePrimarySubnetGroup6A34E9A0 **(stateful)** | AWS::RDS::DBSubnetGroup | SubnetIds (a subnet group cannot move to subnets of another VPC) |');
  });

  it('database.allocatedStorageGiB 500 → 400: refused, RDS cannot shrink storage (the update would fail), and --allow-replace cannot allow it', () => {
    // Before: AllocatedStorage is "No interruption" in the table, so the review passed it.
    const { exitCode, reviews, markdown } = reviewOf('storage', ['DatabasePrimaryEDE0B3D0']);
    expect(exitCode).toBe(1);
    expect(reviews[0].blocking).toEqual(['DatabasePrimaryEDE0B3D0 (AWS::RDS::DBInstance) cannot be updated: AllocatedStorage 500 → 400: RDS cannot reduce allocated storage']);
    expect(markdown).toContain('> **Refused: the update would fail and roll back.**');
  });

  it('passes once each stateful resource is listed in --allow-replace, and says so', () => {
    const { exitCode, reviews, markdown } = reviewOf('engine', ['CacheParameterGroup32BBAE3A', 'CacheReplicationGroupBFE59FF3']);
    expect(exitCode).toBe(0);
    expect(reviews[0].allowed).toEqual(['CacheParameterGroup32BBAE3A (AWS::ElastiCache::ParameterGroup) would be replaced', 'CacheReplicationGroupBFE59FF3 (AWS::ElastiCache::ReplicationGroup) would be replaced']);
    expect(markdown).toContain('Allowed by `--allow-replace`:');
  });
});

describe('npm run review passes a sizing change', () => {
  it('replicaCount 3 and db.r7g.2xlarge in prod: a replica added, instances resized in place, cost difference line by line', () => {
    const { exitCode, reviews, markdown } = reviewOf('sizing');
    expect(exitCode).toBe(0);
    const [prod] = reviews;
    expect(prod.blocking).toEqual([]);
    expect(prod.diff.added).toEqual(expect.arrayContaining([{ logicalId: expect.stringMatching(/^DatabaseReplica3/), type: 'AWS::RDS::DBInstance' }]));
    expect(prod.diff.modified.filter((m) => m.replacement !== 'no')).toEqual([]);
    expect(markdown).toMatch(/\| DatabasePrimaryEDE0B3D0 \| AWS::RDS::DBInstance \| DBInstanceClass \(some interruption\) \|/);
    expect(markdown).toMatch(/- added `data-tier-prod-replica-3-cpu-high` \(threshold 80\)/);
    expect(markdown).toMatch(/no unacknowledged finding/);
    expect(markdown).toContain('| RDS gp3 storage data-tier-prod-replica-3, 500 GiB | $0.00 | $57.50 | +$57.50 |');
    // db.r7g.2xlarge: $0.956 an hour, $1.913 Multi-AZ; db.r7g.xlarge: $0.478, $0.956 Multi-AZ (us-east-1).
    expect(markdown).toContain('| RDS PostgreSQL db.r7g.2xlarge data-tier-prod-replica-3 (read replica) | $0.00 | $697.88 | +$697.88 |');
    expect(markdown).toContain('| RDS PostgreSQL db.r7g.2xlarge data-tier-prod-primary (primary, Multi-AZ: primary + standby) | $697.88 | $1396.49 | +$698.61 |');
    expect(markdown).toMatch(/\| \*\*total of priced lines\*\* \(us-east-1\) \| \*\*\$[\d.]+\*\* \| \*\*\$[\d.]+\*\* \| \*\*\+\$[\d.]+\*\* \|/);
  });
});
