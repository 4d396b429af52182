// CloudFormation custom resource (CDK Provider framework `onEvent`) that applies the bundled
// migration streams (the data tier's, then the application's) to the primary instance.
// Environment:
//   DB_SECRET_ARN      RDS secret (host, port, username, password, dbname)       required
//   DB_HOST            writer instance endpoint (not the proxy: SET pins proxy sessions);
//                      defaults to the secret's host
//   DB_TLS             'disable' turns TLS off (local tests only); otherwise verified TLS
//   MONITOR_SECRET_ARN secret of the health check's role (created NOLOGIN by sql/); after the
//                      migrations the role gets LOGIN and that secret's password (optional)
//   OPERATOR_SECRET_ARN secret of the runbooks' read-only role, given LOGIN the same way (optional)
//   MIGRATION_STREAMS  stream names (comma-separated) in the order they apply, data_tier first;
//                      each stream's files are in <SQL_ROOT>/<name>/
//   SQL_ROOT           default: sql/ next to this file (where the stack bundles the streams)
//   CONNECT_TIMEOUT    bounds the connection and the server's answer to a first query, default 10s
//   LOCK_TIMEOUT       per-statement lock_timeout, default 5s
//   STATEMENT_TIMEOUT  per-statement statement_timeout, default 13min (under Lambda's 15 min cap,
//                      so a slow statement fails with its own message rather than a Lambda timeout)
//   ALLOW_OUT_OF_ORDER file names (comma-separated) to apply although a later-numbered file is
//                      already applied (the runner's allowOutOfOrder); default none
// Resource properties (besides SqlHash):
//   StreamSchemas      JSON { stream: [schema, ...] }: the schemas each application stream's owner
//                      role owns (default: one named after the stream)
//   ApplicationRoles   JSON ApplicationRoleSpec[]: after the migrations, each role is given exactly
//                      these rights; one no longer listed loses its login (default: none)
import path from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Client } from 'pg';
import { APPLICATION_ROLES_PROPERTY, type ApplicationRoleSpec, STREAM_SCHEMAS_PROPERTY } from '../shared/application-role-spec';
import { applyApplicationRoles } from '../shared/application-roles';
import { connectionConfig, connectWithin, durationMs, readDatabaseSecret } from '../shared/database';
import { defaultStreamSchema, type MigrationStream, PLATFORM_STREAM, runMigrations, streamOwnerRole } from '../shared/migrations';
import { scramSha256Verifier } from '../shared/scram';
import { migrationStreamsHash } from '../shared/sql-directory-hash';

export const PHYSICAL_RESOURCE_ID = 'schema-migrations';

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}

export interface CustomResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, number>;
}

const secrets = new SecretsManagerClient({});

/** Room left, before the function's own time limit, to roll a stopped file back and answer CloudFormation. */
const ROLLBACK_AND_ANSWER_MS = 60_000;

export async function onEvent(event: CustomResourceEvent, context?: { getRemainingTimeInMillis(): number }): Promise<CustomResourceResponse> {
  if (event.RequestType === 'Delete') {
    // Removing the resource (or the stack) must never drop schema or data.
    console.log('Delete: nothing to do, the schema stays');
    return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID };
  }
  const streams = streamsOf(event);
  const requested = event.ResourceProperties?.SqlHash;
  const carried = migrationStreamsHash(streams);
  if (event.RequestType === 'Update' && typeof requested === 'string' && requested !== carried) {
    // CloudFormation rolls this resource back (to the previous SqlHash) before it rolls the
    // function's code back, so this code still carries the SQL that just failed. That file
    // was rolled back by the runner and the earlier ones are applied: there is nothing to
    // do, and re-running the failed file would leave the stack in UPDATE_ROLLBACK_FAILED.
    console.log(`Update asks for SQL ${requested.slice(0, 12)} but this function carries ${carried.slice(0, 12)}: a rollback, nothing applied`);
    return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID, Data: { Applied: 0, Skipped: 0, DurationMs: 0 } };
  }
  const secretArn = process.env.DB_SECRET_ARN;
  if (!secretArn) throw new Error('DB_SECRET_ARN is not set');
  const secret = await readDatabaseSecret(secrets, secretArn);
  const config = connectionConfig(secret, {
    host: process.env.DB_HOST,
    tls: process.env.DB_TLS !== 'disable',
    applicationName: 'schema-migrations',
  });
  const client = await connectWithin(config, durationMs(process.env.CONNECT_TIMEOUT || '10s', 'CONNECT_TIMEOUT'));
  try {
    const result = await runMigrations(client, {
      streams,
      lockTimeout: process.env.LOCK_TIMEOUT || '5s',
      statementTimeout: process.env.STATEMENT_TIMEOUT || '13min',
      allowOutOfOrder: (process.env.ALLOW_OUT_OF_ORDER ?? '').split(',').map((name) => name.trim()).filter(Boolean),
      log: (line) => console.log(line),
      // A file too long for the function stops with the runner's message, not a bare Lambda timeout.
      deadline: context ? Date.now() + context.getRemainingTimeInMillis() - ROLLBACK_AND_ANSWER_MS : undefined,
    });
    for (const arn of [process.env.MONITOR_SECRET_ARN, process.env.OPERATOR_SECRET_ARN]) if (arn) await enableLogin(client, arn);
    const roles = jsonProperty<ApplicationRoleSpec[]>(event, APPLICATION_ROLES_PROPERTY, []);
    await applyApplicationRoles(client, roles, {
      streams: streams.flatMap((stream) => (stream.owner ? [{ stream: stream.name, owner: stream.owner, schemas: stream.schemas ?? [] }] : [])),
      credentialsOf: async (role) => {
        if (!role.secretArn) throw new Error(`application role ${role.name} signs in with a secret, but ${APPLICATION_ROLES_PROPERTY} gives it no secretArn`);
        return readDatabaseSecret(secrets, role.secretArn);
      },
      log: (line) => console.log(line),
    });
    return {
      PhysicalResourceId: PHYSICAL_RESOURCE_ID,
      Data: { Applied: result.applied.length, Skipped: result.skipped, DurationMs: Math.round(result.durationMs) },
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The streams the function carries, in order: the platform's, then each application's, run by its owner role. */
function streamsOf(event: CustomResourceEvent): MigrationStream[] {
  const root = process.env.SQL_ROOT || path.join(__dirname, 'sql');
  const schemas = jsonProperty<Record<string, string[]>>(event, STREAM_SCHEMAS_PROPERTY, {});
  return (process.env.MIGRATION_STREAMS || PLATFORM_STREAM)
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) =>
      name === PLATFORM_STREAM
        ? { name, directory: path.join(root, name) }
        : { name, directory: path.join(root, name), owner: streamOwnerRole(name), schemas: schemas[name] ?? [defaultStreamSchema(name)] },
    );
}

function jsonProperty<T>(event: CustomResourceEvent, name: string, fallback: T): T {
  const value = event.ResourceProperties?.[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new Error(`resource property ${name} should be a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}

/**
 * Gives a role the migrations created NOLOGIN the password of its own secret. The password
 * travels as its SCRAM verifier, so the DDL the server logs does not contain it.
 */
async function enableLogin(client: Client, secretArn: string): Promise<void> {
  const { username, password } = await readDatabaseSecret(secrets, secretArn);
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username]);
  if (!rowCount) throw new Error(`role ${username} of secret ${secretArn} does not exist: sql/ should have created it`);
  await client.query(`ALTER ROLE ${client.escapeIdentifier(username)} LOGIN PASSWORD ${client.escapeLiteral(scramSha256Verifier(password))}`);
  console.log(`role ${username}: LOGIN with the password of its secret`);
}
