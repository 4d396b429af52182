// Types for scripts/redis-server.cjs, so TypeScript tests and scripts can import it.
export interface RedisServerOptions {
  /** Password of the `default` user (`requirepass`). @default random */
  password?: string;
  /** Also listen with TLS (a self-signed certificate made by openssl), if openssl is on PATH. @default true */
  tls?: boolean;
}
export interface RedisServer {
  /** `redis://default:<password>@127.0.0.1:<port>` */
  readonly url: string;
  /** `rediss://default:<password>@127.0.0.1:<tlsPort>`, when the server listens with TLS. */
  readonly tlsUrl?: string;
  /** The self-signed certificate the TLS port presents, to trust as its CA. */
  readonly caFile?: string;
  readonly host: string;
  readonly port: number;
  readonly tlsPort?: number;
  readonly password: string;
  /** Starts the server again on the same ports after `stop()` (with its first password: ACL changes are lost); nothing if it runs. */
  start(): Promise<void>;
  /** Stops the server (SIGTERM) and waits for it to exit; `start()` brings it back. */
  stop(): Promise<void>;
  /** Stops the server and removes its folder. */
  remove(): Promise<void>;
}
export declare const INSTALL_HINT: string;
/** The path of redis-server on PATH; throws an error whose message is one line saying what to install. */
export declare function findRedisServer(): string;
export declare function startRedisServer(options?: RedisServerOptions): Promise<RedisServer>;
