import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * A database whose owner is a master user like RDS's: not a superuser, but CREATEROLE, able to
 * grant pg_monitor (rds_superuser's members can), with rds_iam present and pg_stat_statements
 * created (rds_superuser may create it). What the local superuser would do regardless of
 * privileges (take over any object, act as any role), this master can do only as RDS lets it.
 */
export interface RdsLikeDatabase extends TestDatabase {
  /** The master user's name (unique per database: roles belong to the whole server). */
  readonly master: string;
  /** A session as the master user. */
  connectAsMaster(): Promise<Client>;
  /** A session as any role with a password. */
  connectAs(user: string, password: string): Promise<Client>;
  /** The master's connection string. */
  readonly masterUrl: string;
}

export async function createRdsLikeDatabase(prefix: string): Promise<RdsLikeDatabase> {
  const db = await createTestDatabase(prefix);
  const master = `master_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const admin = await db.connect();
  await admin.query(`CREATE ROLE ${master} LOGIN CREATEROLE PASSWORD '${password}'`);
  await admin.query(`ALTER DATABASE ${db.name} OWNER TO ${master}`);
  await admin.query(`GRANT pg_monitor TO ${master} WITH ADMIN OPTION`);
  await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN CREATE ROLE rds_iam NOLOGIN; END IF; END $$`);
  await admin.query(`GRANT rds_iam TO ${master} WITH ADMIN OPTION`);
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  // Roles belong to the whole server, which other test files share; on RDS the one master user
  // made every role the data tier uses, so this master administers those that exist already.
  for (const role of ['data_tier_monitor', 'data_tier_operator']) {
    await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF; END $$`);
  }
  const { rows: shared } = await admin.query<{ role: string }>(
    `SELECT quote_ident(rolname) AS role FROM pg_roles WHERE NOT rolsuper AND rolname !~ '^pg_' AND (rolname LIKE 'data\\_tier\\_%' OR rolname LIKE '%\\_owner')`,
  );
  for (const { role } of shared) await admin.query(`GRANT ${role} TO ${master} WITH ADMIN OPTION`);
  const url = (user: string, secret: string) => {
    const u = new URL(db.url);
    u.username = user;
    u.password = secret;
    return u.toString();
  };
  const sessions: Client[] = [];
  const connectAs = async (user: string, secret: string) => {
    const client = new Client({ connectionString: url(user, secret) });
    client.on('error', () => {});
    await client.connect();
    sessions.push(client);
    return client;
  };
  return {
    ...db,
    master,
    masterUrl: url(master, password),
    connectAsMaster: () => connectAs(master, password),
    connectAs,
    async drop() {
      await Promise.all(sessions.map((client) => client.end().catch(() => {})));
      await db.drop();
      const admin = new Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${master}`).catch(() => {});
      await admin.end();
    },
  };
}
