import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, type ClientConfig, type QueryConfig } from 'pg';

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

/** Milliseconds of a duration written with a unit, as PostgreSQL settings are (500ms, 10s, 1min, 1h); `setting` names it in the error. */
export function durationMs(text: string, setting: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h)$/.exec(text.trim());
  if (!match) throw new Error(`${setting} ${text}: give a duration such as 10s, 500ms or 1min`);
  return Number(match[1]) * { ms: 1, s: 1_000, min: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'min' | 'h'];
}

/**
 * Connects, then has the server answer a first query, each within `timeoutMs`: a server that
 * accepts the connection and says nothing (or a black-holed host, or a TLS request left
 * unanswered) fails in bounded time instead of hanging. Errors say where and as whom, in one line.
 */
export async function connectWithin(config: ClientConfig, timeoutMs: number): Promise<Client> {
  const client = new Client({ ...config, connectionTimeoutMillis: timeoutMs });
  // Without a listener a connection dropped between queries would crash the process; the next query reports it.
  client.on('error', () => {});
  const where = `PostgreSQL at ${client.host}:${client.port} as ${client.user}`;
  const within = `within ${timeoutMs / 1000} s (connect timeout)`;
  try {
    await client.connect();
  } catch (error) {
    client.end().catch(() => {});
    const reason = /timeout/i.test((error as Error).message) ? `no connection ${within}` : (error as Error).message;
    throw new Error(`cannot connect to ${where}: ${reason}`, { cause: error });
  }
  try {
    // pg honours a per-query query_timeout; its type definitions do not list it.
    const probe: QueryConfig & { query_timeout: number } = { text: 'SELECT 1', query_timeout: timeoutMs };
    await client.query(probe);
  } catch (error) {
    client.end().catch(() => {});
    throw new Error(`connected to ${where}, but it answered no query ${within}`, { cause: error });
  }
  return client;
}

