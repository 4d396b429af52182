// Database connections that live as long as the Lambda container: one pg Client per endpoint,
// created on first use, reused by later invocations and replaced when it breaks (failover,
// proxy idle timeout, server restart). Used by the health-check and maintenance handlers.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, type ClientConfig, DatabaseError } from 'pg';
import { connectionConfig, type DatabaseSecret, readDatabaseSecret } from './database';

export interface Endpoint {
  /** RDS secret holding the credentials (and the default host and port). */
  readonly secretId: string;
  /** Overrides the secret's host; `host:port` also overrides its port. */
  readonly host?: string;
  /** @default true */
  readonly tls?: boolean;
  readonly applicationName: string;
  readonly connectTimeoutMs: number;
  /**
   * The session's statement_timeout: a statement stuck on a lock is cancelled by the server
   * (SQLSTATE 57014, the session stays usable). One second later the client gives up on the
   * query too, so a dead socket fails the query instead of hanging it.
   */
  readonly statementTimeoutMs: number;
}

/** `host` or `host:port` (no IPv6 literals: RDS endpoints are names). */
export function splitHostPort(value: string): { host: string; port?: number } {
  const match = /^(.*):(\d+)$/.exec(value);
  return match ? { host: match[1], port: Number(match[2]) } : { host: value };
}

/**
 * True for errors after which the session cannot be trusted: network errors, client-side
 * timeouts, the server closing the session (SQLSTATE 08xxx, 57P0x). False for ordinary SQL
 * errors, which leave the session usable.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) return true;
  return /^(08|57P0)/.test(error.code ?? '');
}

/** A failed connect carries the driver's error as its cause. */
function isAuthenticationFailure(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof DatabaseError && (cause.code === '28P01' || cause.code === '28000');
}

export class ConnectionCache {
  private readonly secretsById = new Map<string, Promise<DatabaseSecret>>();
  private readonly clients = new Map<string, Client>();
  private readonly broken = new WeakSet<Client>();

  constructor(private readonly secrets: SecretsManagerClient) {}

  /**
   * Runs `work` on the endpoint's connection. When a reused connection turns out to be broken,
   * reconnects and runs `work` once more, so a connection that died while the container was
   * frozen costs no failed run. `work` must therefore be safe to repeat. Once `signal` is
   * aborted (the caller gave up waiting), nothing is retried.
   */
  async run<T>(endpoint: Endpoint, work: (client: Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { client, fresh } = await this.acquire(endpoint);
    try {
      return await work(client);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.discard(endpoint);
      if (fresh || signal?.aborted) throw error;
    }
    const { client: retry } = await this.acquire(endpoint);
    try {
      return await work(retry);
    } catch (error) {
      if (isConnectionError(error)) this.discard(endpoint);
      throw error;
    }
  }

  /** Closes the endpoint's connection, if any, so the next run() reconnects. */
  discard(endpoint: Endpoint): void {
    const key = endpointKey(endpoint);
    const client = this.clients.get(key);
    if (!client) return;
    this.clients.delete(key);
    this.broken.add(client);
    client.end().catch(() => {});
  }

  /** Closes every connection (tests, or a runtime shutdown hook). */
  async closeAll(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }

  private async acquire(endpoint: Endpoint): Promise<{ client: Client; fresh: boolean }> {
    const key = endpointKey(endpoint);
    const existing = this.clients.get(key);
    if (existing && !this.broken.has(existing)) return { client: existing, fresh: false };
    if (existing) this.discard(endpoint);

    let client: Client;
    try {
      client = await this.connect(endpoint, await this.secret(endpoint.secretId));
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      // The password may have been rotated since the secret was cached: read it again, once.
      this.secretsById.delete(endpoint.secretId);
      client = await this.connect(endpoint, await this.secret(endpoint.secretId));
    }
    this.clients.set(key, client);
    return { client, fresh: true };
  }

  private secret(secretId: string): Promise<DatabaseSecret> {
    let secret = this.secretsById.get(secretId);
    if (!secret) {
      secret = readDatabaseSecret(this.secrets, secretId);
      this.secretsById.set(secretId, secret);
      // A failed read is not cached: the next invocation tries again.
      secret.catch(() => this.secretsById.delete(secretId));
    }
    return secret;
  }

  private async connect(endpoint: Endpoint, secret: DatabaseSecret): Promise<Client> {
    const { host, port } = splitHostPort(endpoint.host || secret.host);
    const config: ClientConfig = {
      ...connectionConfig({ ...secret, port: port ?? secret.port }, {
        host,
        tls: endpoint.tls,
        applicationName: endpoint.applicationName,
        connectTimeoutMs: endpoint.connectTimeoutMs,
      }),
      statement_timeout: endpoint.statementTimeoutMs,
      query_timeout: endpoint.statementTimeoutMs + 1_000,
      keepAlive: true,
    };
    const client = new Client(config);
    // Without a listener, a server closing an idle connection would crash the process.
    client.on('error', () => this.broken.add(client));
    client.on('end', () => this.broken.add(client));
    try {
      await client.connect();
    } catch (error) {
      client.end().catch(() => {});
      throw new Error(`cannot connect to PostgreSQL at ${config.host}:${config.port} as ${config.user}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return client;
  }
}

function endpointKey(endpoint: Endpoint): string {
  return JSON.stringify([endpoint.secretId, endpoint.host ?? '', endpoint.tls ?? true, endpoint.applicationName]);
}
