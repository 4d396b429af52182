import { CfnResource, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import { join } from 'node:path';
import { FunctionPlacement } from './function-placement';
import { DataTierFunction, placementOf } from './private/data-tier-function';
import { ApplicationRole, resolveApplicationRoles, validateRoleSchemas } from './application-roles';
import { APPLICATION_ROLES_PROPERTY, ApplicationRoleSpec, STREAM_SCHEMAS_PROPERTY } from './functions/shared/application-role-spec';
import { ApplicationMigrationsSource, MigrationStream, migrationStreamProblems, migrationStreams } from './functions/shared/migration-streams';
import { DataTierValidationError } from './private/validation';
import { migrationStreamsHash } from './functions/shared/sql-directory-hash';
import { PLATFORM_SQL_DIR } from './platform-sql';
import { acknowledge, acrossPacks } from './private/nag';


/**
 * The migration function's own limit: Lambda's maximum. The runner's statement_timeout
 * (13 min) stays under it, so a slow statement fails with the runner's message, naming the
 * file and statement, instead of a bare Lambda timeout.
 */
export const MIGRATION_TIMEOUT = Duration.minutes(15);
/**
 * How long CloudFormation waits for the resource's answer. The provider framework invokes
 * the migration function synchronously, so 15 minutes of migration plus the framework's
 * own overhead fit well inside.
 */
export const MIGRATION_SERVICE_TIMEOUT = Duration.minutes(20);

export interface SchemaMigrationsProps extends FunctionPlacement {
  /**
   * Where the migrations connect, not through the proxy: the writer's endpoint address, that of
   * the primary instance (`instance.dbInstanceEndpointAddress`) or of a DB cluster's writer endpoint.
   */
  readonly writerEndpointAddress: string;
  /** What must accept connections before the migrations run: the primary instance, or the DB cluster and its instances. */
  readonly writer: IDependable;
  /** Master secret attached to the primary (or the cluster). */
  readonly secret: secretsmanager.ISecret;
  /** Secret of the health check's role: the migrations give the role this password and LOGIN. */
  readonly monitorSecret: secretsmanager.ISecret;
  /** Secret of the runbooks' read-only role: the migrations give the role this password and LOGIN. */
  readonly operatorSecret: secretsmanager.ISecret;
  /**
   * The application's migration directories, each a stream of its own named after the
   * directory (versioned `NNN_name.sql` files, repeatable definitions in `repeatable/`),
   * applied in this order after the data tier's own stream, run by its own owner role
   * (`<stream>_owner`), which owns the stream's schemas.
   * @default - none: only the data tier's own schema
   */
  readonly applicationMigrations?: readonly (string | ApplicationMigrationsSource)[];
  /**
   * The applications' database roles, created (and kept as declared) by the migrations after the
   * streams, each in schemas an application stream owns.
   * @default - none
   */
  readonly applicationRoles?: readonly ApplicationRole[];
  /**
   * The secret of each role with `signIn: 'secret'`, by name (`Database.applicationRoleSecrets`):
   * the migrations give the role that secret's password.
   * @default - none
   */
  readonly applicationRoleSecrets?: Readonly<Record<string, secretsmanager.ISecret>>;
}

/**
 * Applies the data tier's migrations, then the application's, to the primary at deploy time
 * through a custom resource. Create and
 * Update run the migration runner; Delete does nothing, so removing the stack never drops
 * schema or data. A failure fails the deployment with the runner's message.
 */
export class SchemaMigrations extends Construct {
  readonly handler: lambda.Function;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SchemaMigrationsProps) {
    super(scope, id);
    const streams = migrationStreams(PLATFORM_SQL_DIR, props.applicationMigrations);
    const problems = migrationStreamProblems(streams);
    if (problems.length > 0) throw new DataTierValidationError(this.node.path, 'applicationMigrations', props.applicationMigrations, problems.join('; '));
    const roles = this.applicationRoles(props, streams);
    const streamSchemas = Object.fromEntries(streams.filter((stream) => stream.owner).map((stream) => [stream.name, stream.schemas ?? []]));
    const roleSecrets = roles.flatMap((role) => (role.secretArn ? [props.applicationRoleSecrets![role.name]] : []));
    // The secrets' ARNs are tokens: written into the JSON as references.
    const rolesJson = roles.length > 0 ? Stack.of(this).toJsonString(roles) : undefined;
    const streamSchemasJson = Object.keys(streamSchemas).length > 0 ? JSON.stringify(streamSchemas) : undefined;
    this.handler = new DataTierFunction(this, 'Handler', {
      ...placementOf(props),
      functionName: 'schema-migrations',
      entry: 'migrate/index.ts',
      handler: 'onEvent',
      description: `Applies the migration streams ${streams.map((stream) => stream.name).join(', ')} to the primary instance (custom resource)`,
      timeout: MIGRATION_TIMEOUT,
      reservedConcurrency: 1,
      memorySize: 512,
      copyDirectories: streams.map((stream): [string, string] => [stream.directory, join('sql', stream.name)]),
      deadLetterQueue: false,
      environment: {
        DB_SECRET_ARN: props.secret.secretArn,
        DB_HOST: props.writerEndpointAddress,
        MONITOR_SECRET_ARN: props.monitorSecret.secretArn,
        OPERATOR_SECRET_ARN: props.operatorSecret.secretArn,
        MIGRATION_STREAMS: streams.map((stream) => stream.name).join(','),
      },
    }).function;
    for (const secret of [props.secret, props.monitorSecret, props.operatorSecret, ...roleSecrets]) secret.grantRead(this.handler);
    acknowledgeSynchronousHandler(this.handler);

    const frameworkLogs = new logs.LogGroup(this, 'ProviderLogs', {
      logGroupName: `/aws/lambda/${props.name}-schema-migrations-provider`,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      providerFunctionName: `${props.name}-schema-migrations-provider`,
      providerFunctionEnvEncryption: props.dataKey,
      logGroup: frameworkLogs,
    });
    acknowledgeProviderFramework(provider, this.handler);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SchemaMigrations',
      serviceTimeout: MIGRATION_SERVICE_TIMEOUT,
      // The roles and schemas too, so a change of either runs the resource again; left out when
      // empty, so a tier without them keeps the properties it had.
      properties: {
        SqlHash: migrationStreamsHash(streams),
        // Only when present, so a tier without them keeps the resource's properties.
        ...(rolesJson ? { [APPLICATION_ROLES_PROPERTY]: rolesJson } : {}),
        ...(streamSchemasJson ? { [STREAM_SCHEMAS_PROPERTY]: streamSchemasJson } : {}),
      },
    });
    // The writer must accept connections (and its secret be attached) before migrating.
    this.resource.node.addDependency(props.writer);
  }

  /**
   * The declared roles as the function takes them (defaults filled in, the secret's ARN for a
   * `secret` role), refused when a schema is none of the streams' or a secret is missing.
   */
  private applicationRoles(props: SchemaMigrationsProps, streams: readonly MigrationStream[]): ApplicationRoleSpec[] {
    const roles = resolveApplicationRoles(this.node.path, props.applicationRoles);
    validateRoleSchemas(this.node.path, roles, streams);
    return roles.map((role) => {
      if (role.signIn !== 'secret') return role;
      const secret = props.applicationRoleSecrets?.[role.name];
      if (!secret) {
        throw new DataTierValidationError(this.node.path, 'applicationRoleSecrets', Object.keys(props.applicationRoleSecrets ?? {}), `must hold the secret of ${role.name}, which signs in with one (Database.applicationRoleSecrets)`);
      }
      return { ...role, secretArn: secret.secretArn };
    });
  }
}

/** Findings about async-invocation features on a function that is only ever invoked synchronously. */
function acknowledgeSynchronousHandler(fn: lambda.IFunction): void {
  acknowledge(
    fn,
    ...acrossPacks(
      { nist: 'LambdaDLQ', hipaa: 'LambdaDLQ', serverless: 'LambdaDLQ' },
      'Invoked synchronously by the custom-resource provider, which reports any failure to CloudFormation; there is no asynchronous event to keep in a dead-letter queue.',
    ),
  );
}

/** The CDK provider framework function relays between CloudFormation and the migration function. */
function acknowledgeProviderFramework(provider: cr.Provider, onEvent: lambda.Function): void {
  const onEventLogicalId = Stack.of(onEvent).resolve((onEvent.node.defaultChild as CfnResource).logicalId);
  const framework = provider.node.findChild('framework-onEvent') as lambda.Function;
  acknowledge(
    framework.role!,
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWS-maintained policy that lets the CDK provider framework write its own logs; assumable only by lambda.amazonaws.com for this one function.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${onEventLogicalId}.Arn>:*]`,
      reason: 'CDK-generated: the framework may invoke any version or alias of the one migration function, and nothing else.',
    },
    ...acrossPacks(
      { nist: 'IAMNoInlinePolicy', hipaa: 'IAMNoInlinePolicy', pci: 'IAMNoInlinePolicy' },
      'CDK-generated grant on the provider framework role alone: invoke the migration function, nothing else.',
    ),
  );
  acknowledge(
    framework,
    ...acrossPacks(
      { nist: 'LambdaInsideVPC', hipaa: 'LambdaInsideVPC', pci: 'LambdaInsideVPC' },
      'The framework only relays between CloudFormation and the migration function and holds no database credentials; it must reach the CloudFormation response URL in S3, which the isolated VPC has no route to.',
    ),
    ...acrossPacks(
      { nist: 'LambdaDLQ', hipaa: 'LambdaDLQ', serverless: 'LambdaDLQ' },
      'Invoked by CloudFormation for one resource; failures are reported to CloudFormation, which fails the deployment, so there is nothing to queue.',
    ),
    ...acrossPacks(
      { nist: 'LambdaConcurrency', hipaa: 'LambdaConcurrency' },
      'The CDK provider framework does not expose reserved concurrency; it runs once per deployment of this stack.',
    ),
    ...acrossPacks(
      { serverless: 'LambdaDefaultMemorySize' },
      'The CDK provider framework does not expose its memory size; it only relays one event per deployment between CloudFormation and the migration function, well within the default 128 MB.',
    ),
    ...acrossPacks(
      { serverless: 'LambdaTracing' },
      'The CDK provider framework does not expose tracing; the migration function it relays to traces every invocation, and the relay itself is logged to its encrypted log group.',
    ),
  );
}
