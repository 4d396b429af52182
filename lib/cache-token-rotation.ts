import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Cache } from './cache';
import { FunctionPlacement } from './function-placement';
import { DataTierFunction, placementOf } from './private/data-tier-function';
import { acknowledge, acrossPacks } from './private/nag';

/** Days between rotations of the cache AUTH token. */
export const CACHE_TOKEN_ROTATION_DAYS = 30;

export interface CacheTokenRotationProps extends FunctionPlacement {
  readonly cache: Cache;
}

/**
 * Rotates the cache AUTH token every 30 days without breaking clients: the new token is
 * added next to the current one (ElastiCache's ROTATE strategy), tested with a real AUTH
 * over TLS, and only then made current; the token before that is dropped at the next
 * rotation. Secrets Manager has no hosted rotation for ElastiCache AUTH tokens.
 */
export class CacheTokenRotation extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: CacheTokenRotationProps) {
    super(scope, id);
    const group = props.cache.replicationGroup;
    this.function = new DataTierFunction(this, 'Function', {
      ...placementOf(props),
      functionName: 'cache-token-rotation',
      entry: 'cache-token-rotation/index.ts',
      description: 'Rotates the cache AUTH token: ROTATE the new token in beside the current one, test it, make it current',
      // Setting the current token and rotating in the next one each wait for the group to be available again.
      timeout: Duration.minutes(15),
      reservedConcurrency: 1,
      deadLetterQueue: false,
      anyResourceReasons: [
        'secretsmanager:GetRandomPassword, which generates the new token, has no resource-level permissions; every other action of this role but X-Ray\'s names the one secret or the one replication group.',
      ],
      environment: {
        REPLICATION_GROUP_ID: group.ref,
        CACHE_HOST: props.cache.primaryEndpoint,
        CACHE_PORT: String(props.cache.port),
        // Two waits for the group (SET, then ROTATE) must fit in the 15-minute timeout.
        WAIT_TIMEOUT_MS: String(6 * 60_000),
      },
    }).function;
    const fn = this.function;
    const arn = (resource: string, resourceName: string) => Stack.of(this).formatArn({ service: 'elasticache', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['elasticache:ModifyReplicationGroup', 'elasticache:DescribeReplicationGroups'],
        // Modifying a group acts on its member clusters too.
        resources: [arn('replicationgroup', group.ref), ...props.cache.nodeIds.map((id) => arn('cluster', id))],
      }),
    );
    props.cache.authSecret.addRotationSchedule('Rotation', { rotationLambda: fn, automaticallyAfter: Duration.days(CACHE_TOKEN_ROTATION_DAYS) });
    acknowledge(
      fn,
      ...acrossPacks(
        { nist: 'LambdaDLQ', hipaa: 'LambdaDLQ', serverless: 'LambdaDLQ' },
        'Invoked synchronously by Secrets Manager for each rotation step; a failed step is retried by Secrets Manager and shows on the secret, so there is no event to queue.',
      ),
    );
  }
}
