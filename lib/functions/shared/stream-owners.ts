import { randomBytes } from 'node:crypto';
import { Client, type ClientBase } from 'pg';
import { scramSha256Verifier } from './scram';

// An application stream runs as a role of its own that owns the stream's schemas, so a file can
// change only what its stream created: the platform's schema and other streams' objects are
// someone else's, and PostgreSQL says "permission denied". The runner signs in as that role
// (a SET ROLE could be undone by the file with RESET ROLE); its password is random, made for the
// run and expires minutes later, so nobody else can sign in as it.

/** Where the runner records applied files; each owner may write only its own stream's rows. */
const HISTORY_TABLE = 'public.schema_migrations';
/** Functions of the data tier an owner may call: they check that the caller owns what it registers. */
const CALLABLE_PLATFORM_FUNCTIONS = ['register_partitioned_parent', 'register_materialized_view', 'set_updated_at'];
/** How long the run's password lets the owner sign in: a session, once open, outlives it. */
const SIGN_IN_WINDOW_MS = 5 * 60_000;

/** The role that runs an application stream and owns its schemas. */
export interface StreamOwnership {
  readonly stream: string;
  readonly owner: string;
  readonly schemas: readonly string[];
}

/** Opens a session as `user` with `password`, on the same server and database as the runner's. */
export type ConnectAs = (credentials: { readonly user: string; readonly password: string }) => Promise<ClientBase & { end(): Promise<void> }>;

/**
 * Makes `ownership.owner` the owner of the stream's schemas, in one transaction on the runner's
 * (master) session: creates the role and the schemas when missing, lets the master act for it,
 * grants it the registration functions and its own rows of the history, and hands it every object
 * in its schemas that the master user still owns (what a stream applied before streams had owners
 * created). Returns the objects handed over.
 */
export async function prepareStreamOwner(client: ClientBase, ownership: StreamOwnership): Promise<string[]> {
  const { stream, owner, schemas } = ownership;
  const role = client.escapeIdentifier(owner);
  await client.query('BEGIN');
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner]);
    if (!rowCount) await client.query(`CREATE ROLE ${role} LOGIN PASSWORD NULL`);
    // The master maintains the stream's tables (partitions, refreshes) and signs the owner in.
    await client.query(`GRANT ${role} TO CURRENT_USER WITH INHERIT TRUE, SET TRUE`).catch((error: { code?: string; message: string }) => {
      if (error.code !== '42501') throw error;
      throw new Error(
        `role ${owner}, the owner of stream ${stream}, exists but was not created by the user the migrations sign in as (${error.message}): ` +
          `let that user administer it (as its creator: GRANT ${owner} TO <master user> WITH ADMIN OPTION), or rename the stream's directory`,
      );
    });
    for (const schema of schemas) {
      const name = client.escapeIdentifier(schema);
      if (schema === 'public') {
        // public belongs to the database owner; a stream that owns it may create there.
        await client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${role}`);
      } else {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${name} AUTHORIZATION ${role}`);
        await client.query(`ALTER SCHEMA ${name} OWNER TO ${role}`);
      }
    }
    await client.query(`
      DO $grant$
      DECLARE v_routine regprocedure;
      BEGIN
        IF to_regnamespace('data_tier') IS NULL THEN RETURN; END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA data_tier TO %I', ${client.escapeLiteral(owner)});
        FOR v_routine IN SELECT p.oid::regprocedure FROM pg_proc AS p
          WHERE p.pronamespace = 'data_tier'::regnamespace AND p.proname = ANY (${arrayLiteral(client, CALLABLE_PLATFORM_FUNCTIONS)})
        LOOP
          EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', v_routine, ${client.escapeLiteral(owner)});
        END LOOP;
      END
      $grant$`);
    await allowOwnHistory(client, stream, owner);
    const adopted = await adoptObjects(client, owner, schemas);
    const { rows: registry } = await client.query(`SELECT to_regclass('data_tier.migration_stream_owners') AS present`);
    if (registry[0].present) {
      await client.query(
        `INSERT INTO data_tier.migration_stream_owners (stream, owner_role, schemas) VALUES ($1, $2, $3)
         ON CONFLICT (stream) DO UPDATE SET owner_role = excluded.owner_role, schemas = excluded.schemas, updated_at = now()`,
        [stream, owner, schemas],
      );
    }
    await client.query('COMMIT');
    return adopted;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Signs in as the stream's owner with a password made for this run; retried when a concurrent run replaced it. */
export async function signInAsOwner(client: ClientBase, owner: string, connectAs: ConnectAs): Promise<ClientBase & { end(): Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    const password = randomBytes(24).toString('base64url');
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(owner)} LOGIN PASSWORD ${client.escapeLiteral(scramSha256Verifier(password))} ` +
        `VALID UNTIL ${client.escapeLiteral(new Date(Date.now() + SIGN_IN_WINDOW_MS).toISOString())}`,
    );
    try {
      return await connectAs({ user: owner, password });
    } catch (error) {
      if ((error as { code?: string }).code !== '28P01' || attempt >= 3) throw error;
    }
  }
}

/** A second session like `client`'s (same host, port, database and TLS) for another user. */
export function connectLike(client: ClientBase): ConnectAs {
  const parameters = (client as unknown as { connectionParameters?: Record<string, unknown> }).connectionParameters;
  if (!parameters) {
    throw new Error('the migration runner cannot tell how to open a session as a stream owner from this client: give runMigrations a connectAs option');
  }
  return async ({ user, password }) => {
    const owner = new Client({
      host: parameters.host as string,
      port: parameters.port as number,
      database: parameters.database as string,
      ssl: parameters.ssl as boolean | object,
      application_name: `${String(parameters.application_name ?? 'migrations')}:${user}`,
      connectionTimeoutMillis: 10_000,
      user,
      password,
    });
    owner.on('error', () => {});
    await owner.connect();
    return owner;
  };
}

/**
 * The history table is readable by every role (operators diagnose failed deploys with it); each
 * owner writes only its own stream's rows. Its owner, the master user, is not subject to this.
 */
async function allowOwnHistory(client: ClientBase, stream: string, owner: string): Promise<void> {
  const role = client.escapeIdentifier(owner);
  const policyName = `${owner}_writes_${stream}`.slice(0, 63);
  // Only what is missing: each of these takes the history table's strongest lock, on every deploy otherwise.
  const { rows } = await client.query<{ secured: boolean; policies: string[] }>(
    `SELECT c.relrowsecurity AS secured, coalesce(array_agg(p.policyname::text) FILTER (WHERE p.policyname IS NOT NULL), '{}') AS policies
     FROM pg_class AS c LEFT JOIN pg_policies AS p ON p.schemaname = 'public' AND p.tablename = c.relname
     WHERE c.oid = to_regclass($1) GROUP BY c.relrowsecurity`,
    [HISTORY_TABLE],
  );
  const { secured, policies } = rows[0];
  if (!secured) await client.query(`ALTER TABLE ${HISTORY_TABLE} ENABLE ROW LEVEL SECURITY`);
  if (!policies.includes('history_readable')) await client.query(`CREATE POLICY history_readable ON ${HISTORY_TABLE} FOR SELECT USING (true)`);
  if (!policies.includes(policyName)) {
    await client.query(
      `CREATE POLICY ${client.escapeIdentifier(policyName)} ON ${HISTORY_TABLE} FOR ALL TO ${role} USING (stream = ${client.escapeLiteral(stream)}) WITH CHECK (stream = ${client.escapeLiteral(stream)})`,
    );
  }
  await client.query(`GRANT SELECT, INSERT, UPDATE ON ${HISTORY_TABLE} TO ${role}`);
}

/**
 * Hands the owner what the signed-in (master) user owns in the stream's schemas: tables (each
 * partition too, since ownership does not recurse to them), views, materialized views, sequences
 * that no column owns (those follow their table), functions and procedures, and standalone types.
 * Extension members and the runner's history stay with the master.
 */
async function adoptObjects(client: ClientBase, owner: string, schemas: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ statement: string; object: string }>(
    `WITH in_schemas AS (SELECT oid FROM pg_namespace WHERE nspname = ANY ($1::name[])),
          extension_members AS (SELECT objid, classid FROM pg_depend WHERE deptype = 'e')
     SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
              c.oid::regclass, $2::name) AS statement,
            c.oid::regclass::text AS object
     FROM pg_class AS c
     WHERE c.relnamespace IN (SELECT oid FROM in_schemas)
       AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
       AND c.oid <> to_regclass($3)
       AND NOT EXISTS (SELECT FROM extension_members AS e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
       AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
     UNION ALL
     SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $2::name), p.oid::regprocedure::text
     FROM pg_proc AS p
     WHERE p.pronamespace IN (SELECT oid FROM in_schemas)
       AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
       AND NOT EXISTS (SELECT FROM extension_members AS e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
     UNION ALL
     SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $2::name), t.oid::regtype::text
     FROM pg_type AS t
     WHERE t.typnamespace IN (SELECT oid FROM in_schemas)
       AND t.typowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
       AND t.typtype IN ('e', 'd', 'r', 'm') AND t.typelem = 0
       AND NOT EXISTS (SELECT FROM extension_members AS e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
       AND NOT (t.typtype = 'm' AND EXISTS (SELECT FROM pg_range AS r WHERE r.rngmultitypid = t.oid))
     ORDER BY 2`,
    [schemas, owner, HISTORY_TABLE],
  );
  for (const row of rows) await client.query(row.statement);
  return rows.map((row) => row.object);
}

function arrayLiteral(client: ClientBase, values: readonly string[]): string {
  return `ARRAY[${values.map((value) => client.escapeLiteral(value)).join(', ')}]::name[]`;
}
