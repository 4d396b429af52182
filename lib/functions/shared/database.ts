import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClientConfig } from 'pg';

/** The JSON shape of an RDS database secret (what CDK's DatabaseSecret and rotation write). */
export interface DatabaseSecret {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
}

export interface ConnectionOptions {
  /** Endpoint to connect to instead of the secret's host, e.g. the writer instance endpoint. */
  readonly host?: string;
  /** Verify the server certificate (RDS CA bundle via NODE_EXTRA_CA_CERTS). @default true */
  readonly tls?: boolean;
  /** Shows in pg_stat_activity, so operators can tell who holds a lock. */
  readonly applicationName: string;
  /** @default 10_000 */
  readonly connectTimeoutMs?: number;
}

/** Reads and checks an RDS database secret. */
export async function readDatabaseSecret(secrets: SecretsManagerClient, secretId: string): Promise<DatabaseSecret> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`secret ${secretId} has no SecretString`);
  const secret = JSON.parse(SecretString) as Partial<DatabaseSecret>;
  const missing = (['host', 'username', 'password'] as const).filter((key) => !secret[key]);
  if (missing.length > 0) throw new Error(`secret ${secretId} lacks ${missing.join(', ')}: expected an RDS database secret`);
  return { ...(secret as DatabaseSecret), port: Number(secret.port ?? 5432) };
}

/** pg client settings for a secret: TLS with certificate verification unless told otherwise. */
export function connectionConfig(secret: DatabaseSecret, options: ConnectionOptions): ClientConfig {
  return {
    host: options.host || secret.host,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    database: secret.dbname ?? 'postgres',
    ssl: options.tls === false ? false : { rejectUnauthorized: true },
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  };
}
