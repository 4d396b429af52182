import type { ClientBase } from 'pg';
import type { ApplicationRoleSpec } from './application-role-spec';
import { scramSha256Verifier } from './scram';
import type { StreamOwnership } from './stream-owners';

// Gives each declared application role exactly its rights, after the migrations (so tables the
// streams just created are covered), in one transaction: what the configuration says is what
// the database holds, whatever was granted by hand before.

/** AWS's alternating-users rotation signs in as `<role>` and `<role>_clone` in turn. */
export const CLONE_SUFFIX = '_clone';
/** The role RDS checks for IAM database authentication; created NOLOGIN where it is missing (outside RDS). */
export const RDS_IAM_ROLE = 'rds_iam';

/** The secret a `secret` role signs in with, as it is now (AWSCURRENT). */
export interface RoleCredentials {
  readonly username: string;
  readonly password: string;
}

export interface ApplicationRolesOptions {
  /** The application streams' owners and schemas: a role's access covers what the owner of its schemas creates. */
  readonly streams: readonly StreamOwnership[];
  /** Reads the current credentials of a `secret` role (its secret's AWSCURRENT). */
  readonly credentialsOf: (role: ApplicationRoleSpec) => Promise<RoleCredentials>;
  readonly log?: (line: string) => void;
}

export interface ApplicationRolesResult {
  /** Declared roles, with their rights as configured. */
  readonly applied: string[];
  /** Roles removed from the configuration: no login any more. */
  readonly disabled: string[];
  /** Removed roles that owned nothing, dropped. */
  readonly dropped: string[];
}

const TABLE_PRIVILEGES = { 'read-write': 'SELECT, INSERT, UPDATE, DELETE', 'read-only': 'SELECT' } as const;
const SEQUENCE_PRIVILEGES = { 'read-write': 'USAGE, SELECT', 'read-only': 'SELECT' } as const;

/**
 * Creates or updates each declared role with exactly its rights: usage on its schemas, the DML
 * its access allows on the tables and sequences the schemas' owner has created (and, by default
 * privileges, will create), nothing else: no CREATE, nothing on the data tier's schema, no other
 * schema. IAM roles are members of rds_iam and have no password; secret roles have their
 * secret's password and a `_clone` twin for the alternating-users rotation. A role the
 * configuration no longer declares loses its login, and is dropped when it owns nothing.
 */
export async function applyApplicationRoles(client: ClientBase, roles: readonly ApplicationRoleSpec[], options: ApplicationRolesOptions): Promise<ApplicationRolesResult> {
  const log = options.log ?? (() => {});
  const { rows: registry } = await client.query(`SELECT to_regclass('data_tier.application_roles') IS NOT NULL AS present`);
  if (!registry[0].present) {
    // A database without the data tier's stream (a runner given only application directories).
    if (roles.length === 0) return { applied: [], disabled: [], dropped: [] };
    throw new Error(`application roles ${roles.map((role) => role.name).join(', ')} are declared, but data_tier.application_roles does not exist: apply the data tier's own migrations (sql/) first`);
  }
  const credentials = new Map<string, RoleCredentials>();
  // Read before the transaction: a slow Secrets Manager call must not hold catalog locks.
  for (const role of roles) if (role.signIn === 'secret') credentials.set(role.name, await options.credentialsOf(role));

  await client.query('BEGIN');
  try {
    const { rows: previous } = await client.query<{ role_name: string }>(`SELECT role_name FROM data_tier.application_roles WHERE declared`);
    if (roles.some((role) => role.signIn === 'iam')) await ensureRole(client, RDS_IAM_ROLE, 'NOLOGIN');
    for (const role of roles) {
      await configureRole(client, role, options.streams, credentials.get(role.name));
      await client.query(
        `INSERT INTO data_tier.application_roles (role_name, sign_in, access, schemas, connection_limit, statement_timeout_ms, declared)
         VALUES ($1, $2, $3, $4, $5, $6, true)
         ON CONFLICT (role_name) DO UPDATE SET sign_in = excluded.sign_in, access = excluded.access, schemas = excluded.schemas,
           connection_limit = excluded.connection_limit, statement_timeout_ms = excluded.statement_timeout_ms, declared = true, updated_at = now()`,
        [role.name, role.signIn, role.access, role.schemas, role.connectionLimit ?? null, role.statementTimeoutMs ?? null],
      );
      log(`application role ${role.name}: ${role.access} on ${role.schemas.join(', ')}, signs in with ${role.signIn === 'iam' ? 'IAM' : 'its secret'}`);
    }
    const removed = previous.map((row) => row.role_name).filter((name) => !roles.some((role) => role.name === name));
    const dropped: string[] = [];
    for (const name of removed) {
      if (await removeRole(client, name)) dropped.push(name);
      await client.query(`UPDATE data_tier.application_roles SET declared = false, updated_at = now() WHERE role_name = $1`, [name]);
      log(`application role ${name}: removed from the configuration, ${dropped.includes(name) ? 'owned nothing and was dropped' : 'no login (it owns objects, so it stays)'}`);
    }
    await client.query('COMMIT');
    return { applied: roles.map((role) => role.name), disabled: removed, dropped };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function configureRole(client: ClientBase, role: ApplicationRoleSpec, streams: readonly StreamOwnership[], credentials?: RoleCredentials): Promise<void> {
  const name = client.escapeIdentifier(role.name);
  const clone = `${role.name}${CLONE_SUFFIX}`;
  const limit = `CONNECTION LIMIT ${role.connectionLimit ?? -1}`;
  await ensureRole(client, role.name, 'LOGIN');
  await refusePowerfulRole(client, role.name);
  await client.query(`ALTER ROLE ${name} LOGIN ${limit}`);
  if (role.signIn === 'iam') {
    await client.query(`GRANT ${RDS_IAM_ROLE} TO ${name}`);
    await client.query(`ALTER ROLE ${name} PASSWORD NULL`);
    if (await roleExists(client, clone)) await client.query(`ALTER ROLE ${client.escapeIdentifier(clone)} NOLOGIN PASSWORD NULL`);
  } else {
    if (!credentials) throw new Error(`application role ${role.name} signs in with a secret, but its credentials were not read`);
    if (credentials.username !== role.name && credentials.username !== clone) {
      throw new Error(`the secret of application role ${role.name} is for user ${credentials.username}: it should be ${role.name} or ${clone} (the alternating-users rotation)`);
    }
    await revokeMembership(client, RDS_IAM_ROLE, role.name);
    // The rotation's twin, made here so it carries the role's limits and settings from the start.
    await ensureRole(client, clone, 'LOGIN PASSWORD NULL');
    await client.query(`GRANT ${name} TO ${client.escapeIdentifier(clone)}`);
    await client.query(`ALTER ROLE ${client.escapeIdentifier(clone)} LOGIN ${limit}`);
    // The password travels as its SCRAM verifier, so the server's log never holds it.
    await client.query(`ALTER ROLE ${client.escapeIdentifier(credentials.username)} PASSWORD ${client.escapeLiteral(scramSha256Verifier(credentials.password))}`);
  }
  for (const user of role.signIn === 'secret' ? [role.name, clone] : [role.name]) {
    const target = client.escapeIdentifier(user);
    await client.query(
      role.statementTimeoutMs === undefined ? `ALTER ROLE ${target} RESET statement_timeout` : `ALTER ROLE ${target} SET statement_timeout = ${role.statementTimeoutMs}`,
    );
    await client.query(`ALTER ROLE ${target} SET search_path = ${role.schemas.map((schema) => client.escapeIdentifier(schema)).join(', ')}`);
  }
  await revokeEverything(client, role.name);
  for (const schema of role.schemas) {
    const owner = streams.find((stream) => stream.schemas.includes(schema))?.owner;
    if (!owner) throw new Error(`application role ${role.name} is given schema ${schema}, which no application stream owns`);
    await grantOnSchema(client, role, schema, owner);
  }
}

/** Usage on the schema, and the access's privileges on what its owner has made and will make there. */
async function grantOnSchema(client: ClientBase, role: ApplicationRoleSpec, schema: string, owner: string): Promise<void> {
  const grantee = client.escapeIdentifier(role.name);
  const nsp = client.escapeIdentifier(schema);
  await client.query(`GRANT USAGE ON SCHEMA ${nsp} TO ${grantee}`);
  const { rows } = await client.query<{ relation: string; relkind: string }>(
    `SELECT c.oid::regclass::text AS relation, c.relkind::text AS relkind FROM pg_class AS c
     WHERE c.relnamespace = $1::regnamespace AND c.relowner = $2::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')`,
    [schema, owner],
  );
  for (const { relation, relkind } of rows) {
    const privileges = relkind === 'S' ? SEQUENCE_PRIVILEGES[role.access] : relkind === 'm' ? 'SELECT' : TABLE_PRIVILEGES[role.access];
    await client.query(`GRANT ${privileges} ON ${relkind === 'S' ? 'SEQUENCE' : 'TABLE'} ${relation} TO ${grantee}`);
  }
  const creator = client.escapeIdentifier(owner);
  await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${creator} IN SCHEMA ${nsp} GRANT ${TABLE_PRIVILEGES[role.access]} ON TABLES TO ${grantee}`);
  await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${creator} IN SCHEMA ${nsp} GRANT ${SEQUENCE_PRIVILEGES[role.access]} ON SEQUENCES TO ${grantee}`);
}

/**
 * Takes back whatever the role holds in this database, granted by anyone: on every schema, table,
 * sequence and routine outside the system's, and in every default privilege. What it is given
 * next is then exactly what the configuration says.
 */
async function revokeEverything(client: ClientBase, role: string): Promise<void> {
  const grantee = client.escapeIdentifier(role);
  // Only what the role holds, object by object: a blanket REVOKE ... IN SCHEMA would also touch
  // objects the master user may not manage (an extension's functions in public).
  const { rows: held } = await client.query<{ statement: string }>(
    `SELECT format('REVOKE ALL ON SCHEMA %I FROM %I', n.nspname, $1::name) AS statement
     FROM pg_namespace AS n WHERE EXISTS (SELECT FROM aclexplode(n.nspacl) AS a WHERE a.grantee = $1::regrole)
     UNION ALL
     SELECT format('REVOKE ALL ON %s %s FROM %I', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass, $1::name)
     FROM pg_class AS c WHERE EXISTS (SELECT FROM aclexplode(c.relacl) AS a WHERE a.grantee = $1::regrole)
     UNION ALL
     SELECT format('REVOKE ALL ON ROUTINE %s FROM %I', p.oid::regprocedure, $1::name)
     FROM pg_proc AS p WHERE EXISTS (SELECT FROM aclexplode(p.proacl) AS a WHERE a.grantee = $1::regrole)`,
    [role],
  );
  for (const { statement } of held) await client.query(statement);
  const { rows: defaults } = await client.query<{ creator: string; schema: string | null; kind: string }>(
    `SELECT quote_ident(pg_get_userbyid(d.defaclrole)) AS creator, quote_ident(n.nspname) AS schema, d.defaclobjtype::text AS kind
     FROM pg_default_acl AS d LEFT JOIN pg_namespace AS n ON n.oid = d.defaclnamespace
     WHERE EXISTS (SELECT FROM aclexplode(d.defaclacl) AS a WHERE a.grantee = $1::regrole)`,
    [role],
  );
  const objects: Record<string, string> = { r: 'TABLES', S: 'SEQUENCES', f: 'ROUTINES', T: 'TYPES', n: 'SCHEMAS' };
  for (const { creator, schema, kind } of defaults) {
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${creator}${schema ? ` IN SCHEMA ${schema}` : ''} REVOKE ALL ON ${objects[kind]} FROM ${grantee}`);
  }
}

/** NOLOGIN for a removed role and its twin; dropped (with its privileges) when neither owns anything anywhere. */
async function removeRole(client: ClientBase, role: string): Promise<boolean> {
  const users = [role, `${role}${CLONE_SUFFIX}`];
  for (const user of users) if (await roleExists(client, user)) await client.query(`ALTER ROLE ${client.escapeIdentifier(user)} NOLOGIN`);
  const { rows } = await client.query<{ owns: boolean }>(
    `SELECT EXISTS (SELECT FROM pg_shdepend AS d JOIN pg_roles AS r ON r.oid = d.refobjid WHERE r.rolname = ANY ($1::name[]) AND d.deptype = 'o') AS owns`,
    [users],
  );
  if (rows[0].owns) return false;
  await client.query('SAVEPOINT drop_role');
  try {
    for (const user of users.reverse()) {
      if (!(await roleExists(client, user))) continue;
      await revokeEverything(client, user);
      await client.query(`DROP ROLE ${client.escapeIdentifier(user)}`);
    }
    await client.query('RELEASE SAVEPOINT drop_role');
    return true;
  } catch {
    // Privileges in another database keep it: it stays, without login.
    await client.query('ROLLBACK TO SAVEPOINT drop_role');
    return false;
  }
}

/** A role made by hand with more power than an application's is not turned into one: say so. */
async function refusePowerfulRole(client: ClientBase, role: string): Promise<void> {
  const { rows } = await client.query<{ powers: string[] }>(
    `SELECT array_remove(ARRAY[CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolcreaterole THEN 'CREATEROLE' END, CASE WHEN rolcreatedb THEN 'CREATEDB' END,
       CASE WHEN rolreplication THEN 'REPLICATION' END, CASE WHEN rolbypassrls THEN 'BYPASSRLS' END], NULL) AS powers
     FROM pg_roles WHERE rolname = $1`,
    [role],
  );
  const powers = rows[0]?.powers ?? [];
  if (powers.length > 0) {
    throw new Error(`application role ${role} exists with ${powers.join(', ')}: an application role has none of these; give the application another name, or remove them from the role first`);
  }
}

async function roleExists(client: ClientBase, role: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  return Boolean(rowCount);
}

async function ensureRole(client: ClientBase, role: string, attributes: string): Promise<void> {
  if (!(await roleExists(client, role))) await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} ${attributes}`);
}

async function revokeMembership(client: ClientBase, group: string, member: string): Promise<void> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM pg_auth_members AS m WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $1) AND m.member = (SELECT oid FROM pg_roles WHERE rolname = $2)`,
    [group, member],
  );
  if (rowCount) await client.query(`REVOKE ${client.escapeIdentifier(group)} FROM ${client.escapeIdentifier(member)}`);
}
