// Cache-aside on Redis or Valkey that never fails a request: whatever the cache does (down, slow,
// refusing the AUTH token mid-rotation), a read goes to its loader and a write's invalidation is
// retried until the cache confirms it.
import { randomBytes } from 'node:crypto';
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import { CacheConnection, isAuthRefusal, type CacheConnectionOptions, type CacheRedisClient } from './cache-connection';

export type { CacheConnectionOptions, CacheRedisClient } from './cache-connection';

/** Turns values into the strings stored in the cache and back. */
export interface CacheCodec {
  encode(value: unknown): string;
  decode(text: string): unknown;
}

/** Options of a {@link RedisCache}: where the cache is (`client`, `url` or `host`) and how it behaves. */
export interface RedisCacheOptions extends CacheConnectionOptions {
  /**
   * A node-redis client of your own instead of `url`/`host`. You connect and close it; its
   * credentials are its own (give it a `credentialsProvider` to follow token rotation). Create
   * it with `disableOfflineQueue: true`, or commands sent while it reconnects wait up to
   * `commandTimeoutMs` each.
   * @default - the cache makes its own connection from `url` or `host`
   */
  readonly client?: CacheRedisClient;
  /**
   * Bound on one cache command. A cache slower than this is bypassed: the read goes to the loader.
   * @default 100
   */
  readonly commandTimeoutMs?: number;
  /**
   * Consecutive failed or timed-out commands after which the cache is bypassed without trying it,
   * for `bypassForMs`; then one command tries it again.
   * @default 5
   */
  readonly failuresBeforeBypass?: number;
  /**
   * See `failuresBeforeBypass`.
   * @default 1000
   */
  readonly bypassForMs?: number;
  /**
   * Prepended to every key, to share one cache between applications.
   * @default ''
   */
  readonly keyPrefix?: string;
  /**
   * Each stored entry lives its TTL times a random factor in [1 - ttlJitter, 1 + ttlJitter], so
   * that entries cached together (after a deploy, a flush, a failover) do not expire together and
   * send their reads to the database at the same moment.
   * @default 0.1 (±10 %)
   */
  readonly ttlJitter?: number;
  /**
   * How long the marker `invalidate()` leaves at a key lives. A load stores its value only if the
   * key still holds what the load saw before it read the database, so a load (in this process or
   * another) that read the row before the write cannot put the old value back, as long as it ends
   * within this time.
   * @default 10000
   */
  readonly invalidationMarkerMs?: number;
  /**
   * Longest TTL of the first value stored after a write: its load may have read a replica still
   * behind the write, and this bounds how long such a value is served. The replica lag the
   * application accepts (the router's bound).
   * @default 3000
   */
  readonly firstFillAfterWriteMs?: number;
  /**
   * How values are stored. Values must survive `encode` then `decode`; a load returning
   * `undefined`, or a value encoded as an empty string or one starting with NUL (the cache's own
   * markers), is not cached.
   * @default JSON
   */
  readonly codec?: CacheCodec;
  /**
   * Told of every cache failure the cache absorbed (connection errors, timeouts, refused tokens,
   * values it could not encode or decode), for logs and metrics. It must not throw.
   * @default - ignored
   */
  readonly onError?: (error: Error) => void;
}

/** Counters since the cache was made. Every `cached()` call is one of `hits`, `loads` or `sharedLoads`. */
export interface CacheStats {
  /** Calls answered from the cache. */
  readonly hits: number;
  /** Calls that ran their loader: the cache missed, or was bypassed. */
  readonly loads: number;
  /** Calls that missed while another call was loading the key in this process, and shared its load. */
  readonly sharedLoads: number;
  /** Cache commands skipped (no connection, bypassed), failed or timed out. */
  readonly unavailable: number;
  /**
   * hits / (hits + loads), 0 before any call: the share of cache lookups that hit, as Redis's own
   * keyspace counters (ElastiCache's CacheHitRate) see them, since shared loads look nothing up.
   */
  readonly hitRate: number;
}

/** Starts the marker a write leaves at a key (JSON never starts with NUL); a random id follows, so each write's marker is its own. */
const MARKER_PREFIX = '\u0000invalidated:';
/**
 * A load's fill: stores the value only if the key still holds what the load's GET saw (nothing,
 * or a write's marker), never over a newer value or a later write's marker. A value replacing a
 * marker lives at most ARGV[4] ms.
 */
const FILL_SCRIPT = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[3] then return 0 end
local ttl = tonumber(ARGV[2])
if string.byte(current, 1) == 0 then ttl = math.min(ttl, tonumber(ARGV[4])) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return 1`;
/** Keys of failed invalidations kept for retry; past this, a further one is reported and dropped. */
const MAX_UNCONFIRMED = 10_000;

const JSON_CODEC: CacheCodec = {
  encode: (value) => JSON.stringify(value),
  decode: (text) => JSON.parse(text),
};

/** One load of a key, shared by the calls that missed it meanwhile. */
interface Flight {
  result?: Promise<{ value: unknown; hit: boolean }>;
  /** A write came after the flight started: its value must not be stored. */
  superseded: boolean;
}

/**
 * Cache-aside on Redis or Valkey (node-redis, TLS, AUTH with rotation).
 *
 * ```ts
 * const cache = new RedisCache({ host, authToken: cacheAuthTokenFromSecret(secretArn) });
 * const user = await cache.cached(`user:${id}`, 300, () => loadUser(id));
 * await saveUser(user);
 * await cache.invalidate(`user:${id}`, `users:${tenant}`);
 * ```
 *
 * Never fails a request because of the cache: a cache that is down, slower than
 * `commandTimeoutMs` or refusing the AUTH token is bypassed (reads go to the loader) while it
 * reconnects in the background. Concurrent misses of one key in this process share one load.
 */
export class RedisCache {
  private readonly client: CacheRedisClient;
  private readonly owned?: CacheConnection;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly flights = new Map<string, Flight>();
  /** Keys whose invalidation the cache has not confirmed: never read from or filled until it has. */
  private readonly unconfirmed = new Set<string>();
  private retrying?: Promise<void>;
  private readonly counts = { hits: 0, loads: 0, sharedLoads: 0, unavailable: 0 };
  private readonly commandTimeoutMs: number;
  private readonly keyPrefix: string;
  private readonly ttlJitter: number;
  private readonly markerMs: number;
  private readonly firstFillMs: number;
  private readonly codec: CacheCodec;
  private readonly onError: (error: Error) => void;
  private closed = false;

  constructor(options: RedisCacheOptions) {
    this.onError = options.onError ?? (() => {});
    this.commandTimeoutMs = positive('commandTimeoutMs', options.commandTimeoutMs ?? 100);
    this.keyPrefix = options.keyPrefix ?? '';
    this.ttlJitter = options.ttlJitter ?? 0.1;
    if (!(this.ttlJitter >= 0 && this.ttlJitter < 1)) throw new Error(`RedisCache: ttlJitter must be in [0, 1), got ${this.ttlJitter}`);
    this.markerMs = positive('invalidationMarkerMs', options.invalidationMarkerMs ?? 10_000);
    this.firstFillMs = positive('firstFillAfterWriteMs', options.firstFillAfterWriteMs ?? 3000);
    this.codec = options.codec ?? JSON_CODEC;
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: positive('bypassForMs', options.bypassForMs ?? 1000),
      breaker: new ConsecutiveBreaker(positive('failuresBeforeBypass', options.failuresBeforeBypass ?? 5)),
    });
    if (options.client) {
      if (options.url !== undefined || options.host !== undefined) throw new Error('RedisCache: give exactly one of client, url or host');
      this.client = options.client;
    } else {
      this.owned = new CacheConnection(options, (error) => this.onError(error));
      this.client = this.owned;
    }
  }

  /** Whether the cache is connected and not bypassed after failures: reads are being answered from it. */
  get available(): boolean {
    return !this.closed && this.client.isReady && this.breaker.state !== CircuitState.Open;
  }

  /**
   * The value at `key`, or else `load()`'s, stored for `ttlSeconds` (± `ttlJitter`). Concurrent
   * calls for a key that is being loaded in this process share that load (and its `ttlSeconds`
   * and result object: treat values as read-only). Rejects only if `load` does.
   */
  async cached<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const ttlMs = positive('ttlSeconds', ttlSeconds) * 1000;
    const fullKey = this.keyPrefix + key;
    const joined = this.flights.get(fullKey);
    const flight = joined ?? this.takeOff(fullKey, ttlMs, load);
    let hit = false;
    try {
      const result = await flight.result!;
      hit = result.hit;
      return result.value as T;
    } finally {
      if (hit) this.counts.hits++;
      else if (joined) this.counts.sharedLoads++;
    }
  }

  /**
   * Write-through: stores `value` at `key` for `ttlSeconds` (± `ttlJitter`), after the write that
   * produced it has committed. Never rejects: if the cache does not confirm, the key is invalidated
   * instead (retried until confirmed), so the next read loads it. Of two writers of one key, the
   * last `set()` wins, which need not be the last commit: where that matters, use `invalidate()`.
   */
  async set(key: string, ttlSeconds: number, value: unknown): Promise<void> {
    const ttlMs = positive('ttlSeconds', ttlSeconds) * 1000;
    const fullKey = this.keyPrefix + key;
    this.supersede(fullKey);
    const text = this.encode(value);
    if (text === undefined) return this.invalidateKeys([fullKey]);
    const stored = await this.command(['SET', fullKey, text, 'PX', String(this.jittered(ttlMs))]);
    if (stored === undefined) return this.invalidateKeys([fullKey]);
    this.unconfirmed.delete(fullKey);
  }

  /**
   * Invalidates keys after a write, once it has committed: the next read of each loads it again
   * (a load that started before the write cannot store its value: see `invalidationMarkerMs`, and
   * `firstFillAfterWriteMs` for the first value stored after it).
   * Never rejects: keys the cache did not confirm are not read from the cache in this process and
   * are invalidated again until the cache confirms; another process may serve them until then.
   */
  async invalidate(...keys: string[]): Promise<void> {
    const fullKeys = keys.map((key) => this.keyPrefix + key);
    for (const key of fullKeys) this.supersede(key);
    await this.invalidateKeys(fullKeys);
  }

  /** Counters since the cache was made. */
  stats(): CacheStats {
    const { hits, loads } = this.counts;
    return { ...this.counts, hitRate: hits + loads === 0 ? 0 : hits / (hits + loads) };
  }

  /** Closes the connection the cache made (not a `client` you gave it); later calls go to their loaders. */
  async close(): Promise<void> {
    this.closed = true;
    this.owned?.close();
  }

  private takeOff(key: string, ttlMs: number, load: () => Promise<unknown>): Flight {
    const flight: Flight = { superseded: false };
    flight.result = this.fill(key, ttlMs, load, flight).finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    this.flights.set(key, flight);
    return flight;
  }

  private async fill(key: string, ttlMs: number, load: () => Promise<unknown>, flight: Flight): Promise<{ value: unknown; hit: boolean }> {
    const mayRead = !this.unconfirmed.has(key);
    if (!mayRead) void this.retryInvalidations();
    const text = mayRead ? await this.command(['GET', key]) : undefined;
    if (typeof text === 'string' && !text.startsWith(MARKER_PREFIX)) {
      try {
        return { value: this.codec.decode(text), hit: true };
      } catch (error) {
        this.report(error, `cache entry ${key} could not be decoded; loading it`);
      }
    }
    this.counts.loads++;
    const value = await load();
    // Not when the GET got no answer: what the key held before the load is then unknown.
    if (text !== undefined && !flight.superseded && !this.unconfirmed.has(key)) {
      const encoded = this.encode(value);
      const seen = typeof text === 'string' ? text : '';
      if (encoded !== undefined) {
        await this.command(['EVAL', FILL_SCRIPT, '1', key, encoded, String(this.jittered(ttlMs)), seen, String(this.firstFillMs)]);
      }
    }
    return { value, hit: false };
  }

  /** Calls arriving after a write must not share a load that began before it, nor may that load store its value. */
  private supersede(key: string): void {
    const flight = this.flights.get(key);
    if (!flight) return;
    flight.superseded = true;
    this.flights.delete(key);
  }

  private async invalidateKeys(keys: readonly string[]): Promise<void> {
    const confirmed = await Promise.all(
      keys.map((key) => this.command(['SET', key, MARKER_PREFIX + randomBytes(6).toString('base64'), 'PX', String(this.markerMs)])),
    );
    keys.forEach((key, i) => {
      if (confirmed[i] !== undefined) this.unconfirmed.delete(key);
      else if (this.unconfirmed.size < MAX_UNCONFIRMED) this.unconfirmed.add(key);
      else this.report(new Error(`invalidation of ${key} was not confirmed and ${MAX_UNCONFIRMED} others wait for retry: it may be served stale until its TTL ends`));
    });
  }

  private retryInvalidations(): Promise<void> {
    if (this.retrying || this.closed || !this.client.isReady) return this.retrying ?? Promise.resolve();
    this.retrying = this.invalidateKeys([...this.unconfirmed]).finally(() => (this.retrying = undefined));
    return this.retrying;
  }

  /** A command's reply, or undefined when the cache did not answer (it is then bypassed). */
  private async command(args: string[]): Promise<unknown> {
    if (this.closed || !this.client.isReady) {
      this.counts.unavailable++;
      return undefined;
    }
    try {
      const reply = await this.breaker.execute(() => this.client.sendCommand(args, { timeout: this.commandTimeoutMs, rejectInFlight: true }));
      if (this.unconfirmed.size > 0 && args[0] === 'GET') void this.retryInvalidations();
      // GET of a missing key answers nil: still an answer.
      return reply ?? null;
    } catch (error) {
      this.counts.unavailable++;
      if (error instanceof BrokenCircuitError) return undefined;
      if (isAuthRefusal(error)) this.owned?.authRefused();
      this.report(error, `cache command ${args[0]} failed; bypassing the cache`);
      return undefined;
    }
  }

  private encode(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    try {
      const text = this.codec.encode(value);
      return text === '' || text.startsWith('\u0000') ? undefined : text;
    } catch (error) {
      this.report(error, 'a value could not be encoded for the cache; not cached');
      return undefined;
    }
  }

  private jittered(ttlMs: number): number {
    return Math.max(1, Math.round(ttlMs * (1 + this.ttlJitter * (2 * Math.random() - 1))));
  }

  private report(error: unknown, context?: string): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    try {
      this.onError(context ? new Error(`${context}: ${cause.message}`, { cause }) : cause);
    } catch {
      // A throwing onError must not fail the request either.
    }
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`RedisCache: ${name} must be a positive number, got ${value}`);
  return value;
}
