// Fixtures for the scheduled handlers' tests: Secrets Manager answers with a test database's
// credentials, CloudWatch accepts PutMetricData and the tests read back what was sent.
import { type MetricDatum, CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { Client } from 'pg';
import type { TestDatabase } from '../support/database';
import { migratedDatabase } from '../sql/migrated-database';

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:data-tier-db-AbCdEf';
export const secrets = mockClient(SecretsManagerClient);
export const cloudwatch = mockClient(CloudWatchClient);

/** `host:port` of a test database, as an endpoint variable (PRIMARY_HOST, REPLICAS, DB_HOST) takes it. */
export function endpointOf(database: TestDatabase): string {
  return new URL(database.url).host;
}

/** The RDS secret (host, port, username, password, dbname) of a test database. */
export function databaseSecret(database: TestDatabase, overrides: Record<string, unknown> = {}): string {
  const url = new URL(database.url);
  return JSON.stringify({
    engine: 'postgres',
    host: url.hostname,
    port: Number(url.port),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    dbname: database.name,
    ...overrides,
  });
}

/** Makes SECRET_ARN the test database's secret. */
export function fakeDatabaseSecret(database: TestDatabase): void {
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: databaseSecret(database) });
}

/** CloudWatch accepts every PutMetricData, and forgets earlier ones. */
export function acceptMetrics(): void {
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
}

/** The PutMetricData inputs sent since acceptMetrics(). */
export function putMetricDataCalls() {
  return cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);
}

/** Every datum sent since acceptMetrics(). */
export function publishedData(): MetricDatum[] {
  return putMetricDataCalls().flatMap((input) => input.MetricData ?? []);
}

/** A datum's dimensions as an object, e.g. { Environment: 'dev', DBInstance: 'db-1', Role: 'primary' }. */
export function dimensionsOf(datum: MetricDatum): Record<string, string> {
  return Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name, d.Value]));
}

/** The data of one metric whose dimensions include all of `where`. */
export function dataNamed(name: string, where: Record<string, string> = {}): MetricDatum[] {
  return publishedData().filter(
    (datum) => datum.MetricName === name && Object.entries(where).every(([key, value]) => dimensionsOf(datum)[key] === value),
  );
}

/** The single value of a metric, failing when there is not exactly one datum. */
export function valueOf(name: string, where: Record<string, string> = {}): number | undefined {
  const data = dataNamed(name, where);
  if (data.length !== 1) throw new Error(`expected one ${name} datum for ${JSON.stringify(where)}, found ${data.length}`);
  return data[0].Value;
}

/** Captures console output as lines, restoring the console afterwards. */
export function captureConsole(): { lines: (level: 'log' | 'warn' | 'error') => string[]; restore: () => void } {
  const spies = {
    log: jest.spyOn(console, 'log').mockImplementation(() => {}),
    warn: jest.spyOn(console, 'warn').mockImplementation(() => {}),
    error: jest.spyOn(console, 'error').mockImplementation(() => {}),
  };
  return {
    lines: (level) => spies[level].mock.calls.map((args) => args.join(' ')),
    restore: () => Object.values(spies).forEach((spy) => spy.mockRestore()),
  };
}

/** Server processes of this database's sessions with the given application_name. */
export async function backendPids(sql: Client, applicationName: string): Promise<number[]> {
  const { rows } = await sql.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [
    applicationName,
  ]);
  return rows.map((row) => row.pid);
}

/** A database of the test file's own with every migration applied, a client on it, and SECRET_ARN pointing at it. */
export async function handlerDatabase(prefix: string): Promise<{ db: TestDatabase; sql: Client }> {
  const db = await migratedDatabase(prefix);
  fakeDatabaseSecret(db);
  return { db, sql: await db.connect() };
}

/** Closes the handler's cached connections, undoes the fakes and drops the database. */
export async function tearDown(db: TestDatabase, closeConnections: () => Promise<void>): Promise<void> {
  await closeConnections();
  secrets.restore();
  cloudwatch.restore();
  await db.drop();
}

/** Before each test: CloudWatch accepting afresh, console captured (restore it after the test). */
export function startRun(): ReturnType<typeof captureConsole> {
  acceptMetrics();
  return captureConsole();
}
