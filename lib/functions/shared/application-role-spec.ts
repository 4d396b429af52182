// What the deploy-time migration function is told about application roles and stream schemas:
// the construct writes them as properties of the custom resource, the function reads them from
// its event. Properties, not environment variables: Lambda allows 4 KB of environment in all, and
// a rolled-back deploy sends the previous properties (the function's environment would still be
// the new one). No database code, so synthesis can import it.

/** Custom-resource property holding the declared application roles, as JSON `ApplicationRoleSpec[]`. */
export const APPLICATION_ROLES_PROPERTY = 'ApplicationRoles';
/** Custom-resource property holding each application stream's schemas, as JSON `{ [stream]: string[] }`. */
export const STREAM_SCHEMAS_PROPERTY = 'StreamSchemas';

/** How an application role signs in: an IAM token through the proxy, or its rotated secret. */
export type ApplicationRoleSignIn = 'iam' | 'secret';
/** What an application role may do with the tables of its schemas. */
export type ApplicationRoleAccess = 'read-write' | 'read-only';

/** One declared application role, defaults filled in. */
export interface ApplicationRoleSpec {
  readonly name: string;
  readonly access: ApplicationRoleAccess;
  readonly schemas: readonly string[];
  readonly signIn: ApplicationRoleSignIn;
  /** Absent: no limit of its own. */
  readonly connectionLimit?: number;
  /** Absent: the database's statement_timeout. */
  readonly statementTimeoutMs?: number;
  /** The role's own secret (username = name); only for `signIn: 'secret'`. */
  readonly secretArn?: string;
}
