import { Duration, Token } from 'aws-cdk-lib';
import type { ApplicationRoleAccess, ApplicationRoleSignIn, ApplicationRoleSpec } from './functions/shared/application-role-spec';
import type { MigrationStream } from './functions/shared/migration-streams';
import { MASTER_USERNAME } from './private/database-users';
import { DataTierValidationError, requireInteger, requireOneOf, requireUnique } from './private/validation';

export type { ApplicationRoleAccess, ApplicationRoleSignIn } from './functions/shared/application-role-spec';

/**
 * A database role of an application: the deploy-time migrations create it with LOGIN and the
 * privileges its `access` gives on the tables of its `schemas`, and it signs in through RDS Proxy
 * with an IAM token (`signIn: 'iam'`) or with its own rotated secret (`signIn: 'secret'`).
 * Grant an application its role with `DataTier.grantConnect(grantee, name)`.
 */
export interface ApplicationRole<Name extends string = string> {
  /**
   * The role's name in PostgreSQL, and the user the application signs in as: lower-case letters,
   * digits and `_`, starting with a letter; at most 63 characters (57 for `signIn: 'secret'`,
   * whose rotation adds `_clone`). Not `postgres`, `public`, the master user, a name starting
   * `rds`, `pg_` or `data_tier`, or ending `_owner` or `_clone` (those are the database's, the
   * tier's, the migration streams' owners and the rotation's).
   */
  readonly name: Name;
  /**
   * What the role may do with the tables of its schemas: `read-write` reads and writes rows
   * (SELECT, INSERT, UPDATE, DELETE, and the sequences), `read-only` only reads them. No role may
   * change the schema itself: that is the migrations', run by each stream's owner.
   */
  readonly access: ApplicationRoleAccess;
  /**
   * The schemas the role works in; each must be owned by one of the application's migration
   * streams (`applicationMigrations`).
   * @default - one schema named after the role
   */
  readonly schemas?: readonly string[];
  /**
   * `iam`: the application signs in through RDS Proxy with an IAM authentication token, valid 15
   * minutes, for each new connection; no password exists. `secret`: the role has a password in
   * its own Secrets Manager secret, rotated every 30 days with alternating users (`<name>` and
   * `<name>_clone`), for clients that cannot make a token.
   * @default 'iam'
   */
  readonly signIn?: ApplicationRoleSignIn;
  /**
   * Sessions the role may hold at once on the database (`CONNECTION LIMIT`).
   * @default - no limit of its own
   */
  readonly connectionLimit?: number;
  /**
   * Statements of the role's sessions slower than this are cancelled (its own `statement_timeout`):
   * a whole number of milliseconds, at most a day.
   * @default - the database's statement_timeout
   */
  readonly statementTimeout?: Duration;
}

/** The longest PostgreSQL identifier (NAMEDATALEN - 1). */
export const MAX_ROLE_NAME_LENGTH = 63;
/** What alternating-users rotation appends to make the second user of a secret. */
export const ROTATION_CLONE_SUFFIX = '_clone';
/** The longest name of a `secret` role: its rotation clone must still be a valid identifier. */
export const MAX_SECRET_ROLE_NAME_LENGTH = MAX_ROLE_NAME_LENGTH - ROTATION_CLONE_SUFFIX.length;
/** PostgreSQL's largest `max_connections` (MAX_BACKENDS): a role's limit above it can never apply. */
export const MAX_CONNECTION_LIMIT = 262_143;
/** A statement timeout is a guard; beyond a day it guards nothing (PostgreSQL itself stops at 24.8 days). */
export const MAX_STATEMENT_TIMEOUT = Duration.hours(24);

const ROLE_NAME = /^[a-z][a-z0-9_]*$/;
const ACCESS: readonly ApplicationRoleAccess[] = ['read-write', 'read-only'];
const SIGN_IN: readonly ApplicationRoleSignIn[] = ['iam', 'secret'];

/** Why a role name is someone else's, or undefined when it is free for an application. */
function reservedBecause(name: string): string | undefined {
  if (name === 'postgres' || name === 'public') return `${name} is PostgreSQL's own`;
  if (name === MASTER_USERNAME) return `${name} is the tier's master user`;
  if (name.startsWith('rds')) return 'names starting rds are Amazon RDS\'s (rdsadmin, rds_superuser, rds_iam, rdsproxyadmin...)';
  if (name.startsWith('pg_')) return 'names starting pg_ are PostgreSQL\'s predefined roles';
  if (name.startsWith('data_tier')) return 'names starting data_tier are the tier\'s own roles (data_tier_monitor, data_tier_operator)';
  if (name.endsWith('_owner')) return 'names ending _owner are the migration streams\' owner roles (<stream>_owner)';
  if (name.endsWith(ROTATION_CLONE_SUFFIX)) return 'names ending _clone are the second users that secret rotation makes (<name>_clone)';
  return undefined;
}

/**
 * The declared roles as the migration function takes them, defaults filled in (no `secretArn`
 * yet), after refusing anything PostgreSQL, RDS or the rotation would refuse at deploy time or
 * that would take a name that is not the application's. `prop` is how refusals name the list.
 */
export function resolveApplicationRoles(path: string, roles: readonly ApplicationRole[] = [], prop = 'applicationRoles'): ApplicationRoleSpec[] {
  const specs = roles.map((role, index) => resolveRole(path, `${prop}[${index}]`, role));
  requireUnique(path, prop, specs.map((spec) => spec.name));
  return specs;
}

function resolveRole(path: string, prop: string, role: ApplicationRole): ApplicationRoleSpec {
  const { name } = role;
  if (typeof name !== 'string' || !ROLE_NAME.test(name) || name.length > MAX_ROLE_NAME_LENGTH) {
    throw new DataTierValidationError(path, `${prop}.name`, name, `must be 1 to ${MAX_ROLE_NAME_LENGTH} lower-case letters, digits and _, starting with a letter, such as orders_app`);
  }
  const reserved = reservedBecause(name);
  if (reserved) throw new DataTierValidationError(path, `${prop}.name`, name, `is reserved: ${reserved}; choose a name of the application's, such as orders_app`);
  requireOneOf(path, `${prop}.access`, role.access, ACCESS);
  const signIn = role.signIn ?? 'iam';
  requireOneOf(path, `${prop}.signIn`, signIn, SIGN_IN);
  if (signIn === 'secret' && name.length > MAX_SECRET_ROLE_NAME_LENGTH) {
    throw new DataTierValidationError(
      path,
      `${prop}.name`,
      name,
      `must have at most ${MAX_SECRET_ROLE_NAME_LENGTH} characters with signIn 'secret': its rotation alternates with ${name}${ROTATION_CLONE_SUFFIX}, which must fit PostgreSQL's ${MAX_ROLE_NAME_LENGTH}`,
    );
  }
  const schemas = role.schemas ?? [name];
  if (!Array.isArray(schemas) || schemas.length === 0) throw new DataTierValidationError(path, `${prop}.schemas`, schemas, 'must list at least one schema, or be left out for the schema named after the role');
  requireUnique(path, `${prop}.schemas`, schemas);
  if (role.connectionLimit !== undefined) requireInteger(path, `${prop}.connectionLimit`, role.connectionLimit, 1, MAX_CONNECTION_LIMIT);
  return {
    name,
    access: role.access,
    schemas: [...schemas],
    signIn,
    ...(role.connectionLimit === undefined ? {} : { connectionLimit: role.connectionLimit }),
    ...(role.statementTimeout === undefined ? {} : { statementTimeoutMs: statementTimeoutMs(path, `${prop}.statementTimeout (ms)`, role.statementTimeout) }),
  };
}

function statementTimeoutMs(path: string, prop: string, timeout: Duration): number {
  const ms = timeout.toMilliseconds({ integral: false });
  if (Token.isUnresolved(ms)) return ms;
  requireInteger(path, prop, ms, 1, MAX_STATEMENT_TIMEOUT.toMilliseconds());
  return ms;
}

/**
 * Refuses a role whose schema no application stream owns: the role would be granted nothing
 * there, or a schema nobody creates. Names the schemas the streams own.
 */
export function validateRoleSchemas(path: string, roles: readonly ApplicationRoleSpec[], streams: readonly MigrationStream[], prop = 'applicationRoles'): void {
  const owned = new Set(streams.flatMap((stream) => (stream.owner ? (stream.schemas ?? []) : [])));
  roles.forEach((role, index) => {
    const unknown = role.schemas.filter((schema) => !owned.has(schema));
    if (unknown.length === 0) return;
    const known = owned.size > 0 ? `the application streams own ${[...owned].join(', ')}` : 'no application stream is declared (applicationMigrations)';
    throw new DataTierValidationError(
      path,
      `${prop}[${index}].schemas`,
      role.schemas,
      `names unknown schema ${unknown.join(', ')}: a role works in schemas its application's migration streams own, and ${known}; give the stream that creates it the schema ({ directory, schemas } in applicationMigrations)`,
    );
  });
}

/**
 * A role's construct id: its name in PascalCase, `_` plus a letter as the capital letter
 * (`orders_app` is `OrdersApp`); other `_` stay, so two names never share an id.
 */
export function roleConstructId(name: string): string {
  return name.replace(/^[a-z]/, (first) => first.toUpperCase()).replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
