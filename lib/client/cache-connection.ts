// The cache's own node-redis connection: TLS, AUTH from a token provider that is read again when
// the server refuses the token (the tier rotates it), and reconnection in the background forever.
// Commands never wait for a connection: while there is none they fail at once and the cache
// goes to the loader.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { createClient } from 'redis';

/** How the cache reaches Redis or Valkey when it makes its own connection. */
export interface CacheConnectionOptions {
  /**
   * `redis://[user[:token]@]host[:port]` or `rediss://…` (TLS). A token in the URL is used when
   * `authToken` is not given. Give either `url` or `host`.
   * @default - none
   */
  readonly url?: string;
  /**
   * The cache's primary endpoint (the tier's output `CachePrimaryEndpoint`).
   * @default - none
   */
  readonly host?: string;
  /**
   * @default 6380 (the tier's default port, output `CachePort`)
   */
  readonly port?: number;
  /**
   * TLS: `true` verifies the server against Node's CA bundle, an object passes TLS options (for
   * example `ca`), `false` connects in clear text.
   * @default true with `host` (the tier encrypts in transit); with `url`, true for `rediss://`
   */
  readonly tls?: boolean | TlsOptions;
  /**
   * ACL user to authenticate as. ElastiCache AUTH tokens belong to the default user.
   * @default - the default user
   */
  readonly username?: string;
  /**
   * The AUTH token, or a function that reads it (in production the tier's cache auth secret,
   * output `CacheAuthSecretArn`: see `cacheAuthTokenFromSecret`). The function is called at the
   * first connection and again whenever the server refuses the token it gave (`WRONGPASS`,
   * `NOAUTH`), i.e. after a rotation has removed it; not on every reconnection.
   * @default - the token in `url`, else no AUTH
   */
  readonly authToken?: string | (() => Promise<string>);
  /**
   * Bound on one connection attempt (TCP, TLS and AUTH).
   * @default 1000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait between two reconnection attempts (they back off exponentially from 50 ms, with
   * up to 100 ms of jitter so that many processes do not reconnect in step).
   * @default 1000
   */
  readonly maxReconnectDelayMs?: number;
}

/** What the cache needs of a Redis connection: a node-redis client is one. */
export interface CacheRedisClient {
  /** Connected and authenticated. */
  readonly isReady: boolean;
  sendCommand(args: readonly string[], options?: { readonly timeout?: number; readonly rejectInFlight?: boolean }): Promise<unknown>;
}

/** An error reply meaning the server did not accept the connection's credentials. */
export function isAuthRefusal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /^(WRONGPASS|NOAUTH)\b|invalid password/i.test(message);
}

/** The token provider, read once and again only after the server refused what it gave. */
class AuthToken {
  private token?: string;
  private reading?: Promise<string>;

  constructor(private readonly source: string | (() => Promise<string>)) {}

  current(): Promise<string> {
    if (typeof this.source === 'string') return Promise.resolve(this.source);
    if (this.token !== undefined) return Promise.resolve(this.token);
    this.reading ??= this.source()
      .then((token) => (this.token = token))
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  refused(): void {
    this.token = undefined;
  }
}

interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: false | TlsOptions;
  readonly username?: string;
  readonly token?: string;
}

function endpointOf(options: CacheConnectionOptions): Endpoint {
  if ((options.url === undefined) === (options.host === undefined)) throw new Error('RedisCache: give exactly one of client, url or host');
  const tlsFrom = (fallback: boolean): false | TlsOptions => {
    const tls = options.tls ?? fallback;
    return tls === false ? false : tls === true ? {} : tls;
  };
  if (options.host !== undefined) return { host: options.host, port: options.port ?? 6380, tls: tlsFrom(true), username: options.username };
  const url = new URL(options.url!);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`RedisCache: url must start with redis:// or rediss://, got ${url.protocol}//`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 6379,
    tls: tlsFrom(url.protocol === 'rediss:'),
    username: options.username ?? (url.username ? decodeURIComponent(url.username) : undefined),
    token: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

/** A connection the cache made and owns: it connects at once, reconnects forever, and is closed by the cache. */
export class CacheConnection implements CacheRedisClient {
  private client: CacheRedisClient & { destroy(): void };
  private readonly endpoint: Endpoint;
  private readonly token?: AuthToken;
  private closed = false;

  constructor(
    private readonly options: CacheConnectionOptions,
    private readonly onError: (error: Error) => void,
  ) {
    this.endpoint = endpointOf(options);
    const source = options.authToken ?? this.endpoint.token;
    this.token = source === undefined ? undefined : new AuthToken(source);
    this.client = this.connect();
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  sendCommand(args: readonly string[], options?: { readonly timeout?: number; readonly rejectInFlight?: boolean }): Promise<unknown> {
    return this.client.sendCommand(args, options);
  }

  /**
   * The server refused the token on a connection that was already open (a connection refused at
   * AUTH is handled by the reconnection itself): read the token again on a new connection.
   */
  authRefused(): void {
    if (this.closed) return;
    this.token?.refused();
    const old = this.client;
    this.client = this.connect();
    old.destroy();
  }

  close(): void {
    this.closed = true;
    this.client.destroy();
  }

  private connect(): CacheRedisClient & { destroy(): void } {
    const { host, port, tls, username } = this.endpoint;
    const maxDelay = this.options.maxReconnectDelayMs ?? 1000;
    const client = createClient({
      socket: {
        host,
        port,
        ...(tls === false ? {} : { tls: true as const, ...tls }),
        connectTimeout: this.options.connectTimeoutMs ?? 1000,
        reconnectStrategy: (retries, cause) => {
          // Refused at AUTH: the next attempt reads the token again (a rotation removed ours).
          if (isAuthRefusal(cause)) this.token?.refused();
          return Math.min(50 * 2 ** retries, maxDelay) + Math.floor(Math.random() * 100);
        },
      },
      // Without a connection a command fails at once instead of waiting in a queue.
      disableOfflineQueue: true,
      ...(this.token
        ? {
            credentialsProvider: {
              type: 'async-credentials-provider' as const,
              credentials: async () => ({ username, password: await this.token!.current() }),
            },
          }
        : {}),
    });
    client.on('error', (error: Error) => this.onError(error));
    // Resolves once connected, however long that takes; the strategy above never gives up.
    client.connect().catch(() => {});
    return client;
  }
}
