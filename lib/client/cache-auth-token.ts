// The AUTH token of the tier's cache, read from its Secrets Manager secret (output
// CacheAuthSecretArn; the SecretString is the bare token), for RedisCache's `authToken`.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A token provider for `RedisCache`'s `authToken` that reads the secret's current version on
 * each call. The cache calls it at its first connection and again only when the server refuses
 * the token it has (after the tier's rotation removed it), so it costs one Secrets Manager read
 * per rotation per process, not one per connection.
 *
 * @param secretArn the tier's output `CacheAuthSecretArn`
 * @param client a Secrets Manager client of your own (region, credentials)
 */
export function cacheAuthTokenFromSecret(secretArn: string, client: SecretsManagerClient = new SecretsManagerClient({})): () => Promise<string> {
  return async () => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error(`secret ${secretArn} has no SecretString: expected the cache's AUTH token`);
    return SecretString;
  };
}
