import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PROJECT_STREAMS } from '../../app/migrations';
import { runMigrations } from '../../lib/functions/shared/migrations';
import type { TestReplicaSet } from './replica-pair';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh database with the project's streams applied, on a test replica set's primary and so on its standbys. */
export interface ReplicaSetDatabase {
  readonly name: string;
  /** A session on the primary, as its superuser. */
  readonly writer: Client;
  /** A session on the database of one server of the set (on a standby, once it has replayed its creation). */
  connect(serverUrl: string): Promise<Client>;
  /** Until `standby` (a session of connect()) has replayed everything the primary has written so far. */
  replayedOn(standby: Client): Promise<void>;
  /** Ends every session handed out. */
  end(): Promise<void>;
}

export async function migratedReplicaSetDatabase(set: TestReplicaSet, prefix: string): Promise<ReplicaSetDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: set.primaryUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const sessions: Client[] = [];
  const connect = async (serverUrl: string): Promise<Client> => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    for (const deadline = Date.now() + 15_000; ; await sleep(50)) {
      const client = new Client({ connectionString: url.toString() });
      client.on('error', () => {});
      try {
        await client.connect();
        sessions.push(client);
        return client;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  };
  const writer = await connect(set.primaryUrl);
  await runMigrations(writer, { streams: PROJECT_STREAMS });
  return {
    name,
    writer,
    connect,
    async replayedOn(standby) {
      const { rows } = await writer.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      for (const deadline = Date.now() + 15_000; ; await sleep(20)) {
        const { rows: done } = await standby.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn]);
        if (done[0].done) return;
        if (Date.now() > deadline) throw new Error('the standby did not replay the primary within 15 s');
      }
    },
    async end() {
      await Promise.all(sessions.map((session) => session.end().catch(() => {})));
    },
  };
}
