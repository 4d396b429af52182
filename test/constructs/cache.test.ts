import { Match, Template } from 'aws-cdk-lib/assertions';
import { Cache, CacheProps } from '../../lib/cache';
import { isolatedVpc, messageStart, newStack, TEST_ZONES, validationError } from './support';

/** A stack holding a VPC and a `Cache` built from `props`, synthesized. */
function cacheTemplate(props: Omit<CacheProps, 'vpc'> = {}): Template {
  const stack = newStack();
  new Cache(stack, 'Cache', { vpc: isolatedVpc(stack), ...props });
  return Template.fromStack(stack);
}

describe('Cache with only a VPC', () => {
  const template = cacheTemplate();

  test('creates a Redis OSS 7.1 replication group with one cache.r7g.large node per zone', () => {
    template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      EngineVersion: '7.1',
      CacheNodeType: 'cache.r7g.large',
      NumCacheClusters: 3,
      PreferredCacheClusterAZs: TEST_ZONES,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      Port: 6380,
      SnapshotRetentionLimit: 15,
    });
  });

  test('encrypts at rest with its own key and in transit, and requires an AUTH token from Secrets Manager', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      AtRestEncryptionEnabled: true,
      KmsKeyId: Match.anyValue(),
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AuthToken: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')])]) }),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
  });

  test('evicts least recently used keys, with the redis7 parameter family', () => {
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'redis7',
      Properties: { 'maxmemory-policy': 'allkeys-lru' },
    });
  });

  test('keeps its last snapshot when deleted', () => {
    template.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Snapshot' });
  });
});

describe('Cache with engine valkey', () => {
  const template = cacheTemplate({ engine: 'valkey' });

  test('defaults to Valkey 8.0 with the valkey8 parameter family', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Engine: 'valkey', EngineVersion: '8.0' });
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { CacheParameterGroupFamily: 'valkey8' });
  });
});

describe('Cache validation', () => {
  test('refuses Redis OSS 8.0, pointing at Valkey', () => {
    const error = validationError(() => cacheTemplate({ engine: 'redis', engineVersion: '8.0' }));
    expect(error.prop).toBe('engineVersion');
    expect(error.message).toBe(
      `${messageStart('Test/Cache', 'engineVersion')}"8.0": must be one of 6.0, 6.2, 7.0, 7.1 for redis; 8.0 is a valkey version, so set the engine to valkey or pick one of those`,
    );
  });

  test('refuses a node type with a typo in its size, naming the sizes of its family', () => {
    const error = validationError(() => cacheTemplate({ nodeType: 'cache.r7g.lareg' }));
    expect(error.message.startsWith(`${messageStart('Test/Cache', 'nodeType')}"cache.r7g.lareg": cache.r7g comes in `)).toBe(true);
    expect(error.allowed).toContain('large');
  });
});
