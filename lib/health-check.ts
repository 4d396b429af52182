import { Duration, Fn } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IDependable } from 'constructs';
import { DataTierFunction, FunctionPlacement, placementOf } from './data-tier-function';
import { acknowledge, acrossPacks } from './nag';
import { METRIC_NAMESPACE, TASKS } from './observability/contract';

/** Latency probes each health check runs per instance; their samples give the p95. */
export const PROBE_COUNT = 20;

/** How often the health check runs. */
export const HEALTH_CHECK_INTERVAL = Duration.minutes(1);

/**
 * Scheduled database jobs: how often each runs and the task the maintenance function runs. A
 * rule is named after its task (`<prefix>-<task>`), and its construct ID says the same.
 */
export const MAINTENANCE_SCHEDULES = [
  { id: 'PartitionMaintenance', task: TASKS.partitionMaintenance, every: Duration.hours(1) },
  // Design notes: the dashboard rollup is refreshed every 5 minutes; each registered view is refreshed
  // on the first run after its own interval.
  { id: 'MaterializedViewRefresh', task: TASKS.materializedViewRefresh, every: Duration.minutes(5) },
] as const;

/** Times EventBridge retries delivering a scheduled event before it goes to the dead-letter queue. */
export const SCHEDULE_RETRY_ATTEMPTS = 2;

export interface HealthCheckProps extends FunctionPlacement {
  /** Value of the `Environment` dimension of the published metrics, e.g. `prod`. */
  readonly metricEnvironment: string;
  readonly proxy: rds.DatabaseProxy;
  readonly primary: rds.DatabaseInstance;
  readonly replicas: rds.DatabaseInstanceReadReplica[];
  /** Master credentials: partition maintenance creates and detaches partitions. */
  readonly secret: secretsmanager.ISecret;
  /** The health check's own least-privilege credentials. */
  readonly monitorSecret: secretsmanager.ISecret;
  /** The schedules start only once the migrations (which create the functions they call) have run. */
  readonly schema: IDependable;
}

/**
 * The database's own view of its health, every minute: a function that writes the
 * heartbeat and reads `health_check()` through the proxy (as applications connect) and on
 * each replica directly, times probe queries, and publishes it all to CloudWatch. A second
 * function runs partition maintenance hourly and, every 5 minutes, refreshes the registered
 * materialized views that are due.
 * A scheduled event EventBridge cannot deliver, after its retries, lands in one dead-letter queue.
 */
export class HealthCheck extends Construct {
  readonly healthCheck: DataTierFunction;
  readonly maintenance: DataTierFunction;
  /** Scheduled events EventBridge could not deliver to either function. */
  readonly scheduleDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: HealthCheckProps) {
    super(scope, id);
    const common = {
      ...placementOf(props),
      reservedConcurrency: 1,
      anyResourceReasons: [`cloudwatch:PutMetricData has no resource-level permissions; the statement is limited to the ${METRIC_NAMESPACE} namespace by the cloudwatch:namespace condition.`],
    };
    const metricEnvironment = {
      METRIC_NAMESPACE,
      ENVIRONMENT: props.metricEnvironment,
      PRIMARY_INSTANCE_ID: props.primary.instanceIdentifier,
    };

    this.scheduleDeadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', {
      queueName: `${props.namePrefix}-schedule-dlq`,
      // SQS-managed keys need no grant to EventBridge on the data key; the events carry only a task name.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.scheduleDeadLetterQueue,
      ...acrossPacks(
        { awsSolutions: 'SQS3', serverless: 'SQSRedrivePolicy' },
        'This queue is itself the dead-letter queue of the scheduled EventBridge targets; a dead-letter queue of a dead-letter queue would only move the same events again.',
      ),
    );
    // An event older than the interval of its schedule is superseded by the next run.
    const delivery = (interval: Duration): targets.LambdaFunctionProps => ({
      deadLetterQueue: this.scheduleDeadLetterQueue,
      retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
      maxEventAge: interval,
    });

    this.healthCheck = new DataTierFunction(this, 'HealthCheck', {
      ...common,
      name: 'health-check',
      entry: 'health-check/index.ts',
      description: 'Every minute: heartbeat, health_check() and latency probes on the primary (via RDS Proxy) and each replica, published to CloudWatch',
      // Every target is tried in parallel with a 5 s connect timeout; 60 s leaves room for a slow database.
      timeout: Duration.seconds(60),
      environment: {
        ...metricEnvironment,
        DB_SECRET_ARN: props.monitorSecret.secretArn,
        PRIMARY_HOST: props.proxy.endpoint,
        REPLICAS: props.replicas.length > 0 ? Fn.join(',', props.replicas.map((r) => `${r.instanceIdentifier}=${r.dbInstanceEndpointAddress}`)) : '',
        PROBE_COUNT: String(PROBE_COUNT),
        CONNECT_TIMEOUT_MS: '5000',
      },
    });
    const everyMinute = new events.Rule(this, 'EveryMinute', {
      ruleName: `${props.namePrefix}-health-check`,
      description: 'Runs the data-tier health check',
      schedule: events.Schedule.rate(HEALTH_CHECK_INTERVAL),
      targets: [new targets.LambdaFunction(this.healthCheck.function, delivery(HEALTH_CHECK_INTERVAL))],
    });
    everyMinute.node.addDependency(props.schema);

    this.maintenance = new DataTierFunction(this, 'Maintenance', {
      ...common,
      name: 'maintenance',
      entry: 'maintenance/index.ts',
      description: 'Partition maintenance (hourly) and the refresh of registered materialized views that are due (every 5 minutes) on the primary instance',
      timeout: Duration.minutes(10),
      environment: { ...metricEnvironment, DB_SECRET_ARN: props.secret.secretArn, DB_HOST: props.primary.dbInstanceEndpointAddress },
    });
    for (const job of MAINTENANCE_SCHEDULES) {
      const rule = new events.Rule(this, job.id, {
        ruleName: `${props.namePrefix}-${job.task}`,
        description: `Runs ${job.task} on the primary`,
        schedule: events.Schedule.rate(job.every),
        targets: [new targets.LambdaFunction(this.maintenance.function, { event: events.RuleTargetInput.fromObject({ task: job.task }), ...delivery(job.every) })],
      });
      rule.node.addDependency(props.schema);
    }

    props.monitorSecret.grantRead(this.healthCheck.function);
    props.secret.grantRead(this.maintenance.function);
    for (const fn of [this.healthCheck, this.maintenance]) {
      fn.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
        }),
      );
    }
  }
}
