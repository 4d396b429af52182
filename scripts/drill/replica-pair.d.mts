// Types for scripts/drill/replica-pair.mjs, so TypeScript scripts can import it.
export interface PairServer {
  readonly role: 'primary' | 'standby';
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Last lines the server logged. */
  readonly recentLog: readonly string[];
  /** The postmaster's pid from postmaster.pid, or undefined when the file is absent. */
  postmasterPid(): number | undefined;
  /** Finds the postmaster and its children ahead of kill(), so that kill() is only signals. */
  armKill(): number;
  /**
   * SIGKILL to the postmaster (and with `wholeInstance` to its children in the same instant);
   * resolves once it has exited, with its pid and child count.
   */
  kill(options?: { wholeInstance?: boolean }): Promise<{ pid: number; children: number }>;
  /** After kill(): waits for the children to exit, SIGKILLs those left; returns how many were. */
  reapOrphans(timeoutMs?: number): Promise<number>;
}
export interface ReplicaPair {
  /** The temporary folder holding both data directories. */
  readonly root: string;
  readonly primary: PairServer;
  readonly standby: PairServer;
  readonly applicationName: string;
  readonly synchronous: boolean;
  /** Stops whatever still runs and removes the temporary folder. */
  stop(): Promise<void>;
  /** Synchronous last resort: SIGKILL everything and remove the folder. */
  stopNow(): void;
}
export declare function startReplicaPair(options?: {
  applicationName?: string;
  synchronous?: boolean;
  startTimeoutMs?: number;
  /** Server settings for both servers, on top of the stack's. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
  /** Receives the pair before anything starts, so a hard timeout can stopNow() it. */
  onPair?: (pair: ReplicaPair) => void;
}): Promise<ReplicaPair>;
