import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IDependable } from 'constructs';
import { FunctionPlacement } from './function-placement';
import { TASKS } from './observability/contract';
import { DataTierFunction } from './private/data-tier-function';
import { allowMetricPublishing, scheduledDelivery, scheduledFunctionProps } from './private/schedules';

/**
 * Scheduled database jobs: how often each runs and the task the maintenance function runs. A
 * rule is named after its task (`<name>-<task>`), and its construct ID says the same.
 */
export const MAINTENANCE_SCHEDULES = [
  { id: 'PartitionMaintenance', task: TASKS.partitionMaintenance, every: Duration.hours(1) },
  // The dashboard rollup is refreshed every 5 minutes; each registered view is refreshed on the
  // first run after its own interval.
  { id: 'MaterializedViewRefresh', task: TASKS.materializedViewRefresh, every: Duration.minutes(5) },
] as const;

export interface MaintenanceProps extends FunctionPlacement {
  /** Value of the `Environment` dimension of the published metrics, e.g. `prod`. */
  readonly metricEnvironment: string;
  /** The identifier its metrics are published under (dimension `DBInstance`): the primary's instance identifier, or the DB cluster's. */
  readonly writerId: string;
  /** Where it connects: the writer's endpoint address (the primary instance's, or the DB cluster's writer endpoint). */
  readonly writerEndpointAddress: string;
  /** Master credentials: partition maintenance creates and detaches partitions. */
  readonly secret: secretsmanager.ISecret;
  /** Where scheduled events EventBridge could not deliver go (the health check's queue). */
  readonly scheduleDeadLetterQueue: sqs.IQueue;
  /** The schedules start only once the migrations (which create the functions they call) have run. */
  readonly schema: IDependable;
}

/**
 * The database's scheduled upkeep on the primary: partition maintenance hourly and, every 5
 * minutes, the refresh of the registered materialized views that are due.
 *
 * Its schedule rules are created beside it, in its scope: in a `DataTier` they keep the
 * logical IDs (and so the named rules) they had when the health check and maintenance were one
 * construct; a rule of the same name under a new ID would fail to create beside the old one.
 */
export class Maintenance extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: MaintenanceProps) {
    super(scope, id);
    // `Default` is left out of logical IDs: the function keeps those it had as `Maintenance`.
    const scheduled = scheduledFunctionProps(props);
    this.function = new DataTierFunction(this, 'Default', {
      ...scheduled,
      functionName: 'maintenance',
      entry: 'maintenance/index.ts',
      description: 'Partition maintenance (hourly) and the refresh of registered materialized views that are due (every 5 minutes) on the primary instance',
      timeout: Duration.minutes(10),
      environment: { ...scheduled.environment, DB_SECRET_ARN: props.secret.secretArn, DB_HOST: props.writerEndpointAddress },
    }).function;
    for (const job of MAINTENANCE_SCHEDULES) {
      const rule = new events.Rule(scope, job.id, {
        ruleName: `${props.name}-${job.task}`,
        description: `Runs ${job.task} on the primary`,
        schedule: events.Schedule.rate(job.every),
        targets: [
          new targets.LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject({ task: job.task }), ...scheduledDelivery(props.scheduleDeadLetterQueue, job.every) }),
        ],
      });
      rule.node.addDependency(props.schema);
    }
    props.secret.grantRead(this.function);
    allowMetricPublishing(this.function);
  }
}
