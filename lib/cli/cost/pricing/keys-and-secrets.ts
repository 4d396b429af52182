// KMS keys and Secrets Manager secrets: per key and per secret a month, and their requests.
import { CostLine } from '../cost-estimate';
import { PricingContext, Resource } from './context';

export function priceKmsKeys(keys: readonly Resource[], context: PricingContext): CostLine[] {
  if (keys.length === 0) return [];
  const { kmsRequestsPerMonth } = context.assumptions;
  return [
    context.line({ key: 'kms.keys', item: `KMS customer managed keys x ${keys.length}`, resources: keys.map((k) => k.id), quantity: keys.length, priceKey: 'kms.key',
      assumption: keys.some((k) => k.props.EnableKeyRotation === true) ? 'first year: automatic rotation adds $1/month per rotated backing key from the second year' : undefined }),
    context.line({ key: 'kms.requests', item: 'KMS requests', resources: keys.map((k) => k.id), quantity: kmsRequestsPerMonth, priceKey: 'kms.requests',
      assumption: `${kmsRequestsPerMonth.toLocaleString('en-US')} requests a month (secret reads, encrypted logs, RDS, cache and backups)` }),
  ];
}

export function priceSecrets(secrets: readonly Resource[], context: PricingContext): CostLine[] {
  if (secrets.length === 0) return [];
  return [
    context.line({ key: 'secrets', item: `Secrets Manager secrets x ${secrets.length}`, resources: secrets.map((s) => s.id), quantity: secrets.length, priceKey: 'secretsmanager.secret' }),
    context.line({ key: 'secrets.calls', item: 'Secrets Manager API calls', resources: secrets.map((s) => s.id), quantity: context.scheduledRuns, unit: 'API call', priceKey: 'secretsmanager.requests',
      assumption: 'one GetSecretValue per scheduled run (upper bound: warm functions reuse the secret)' }),
  ];
}
