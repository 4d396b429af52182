import { Duration, Fn } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IDependable } from 'constructs';
import { FunctionPlacement } from './function-placement';
import type { TopologyKind } from './topology';
import { DataTierFunction } from './private/data-tier-function';
import { allowMetricPublishing, scheduleDeadLetterQueue, scheduledDelivery, scheduledFunctionProps } from './private/schedules';

/** A reader the health check connects to directly. */
export interface HealthCheckReader {
  /** The `DBInstance` dimension of its metrics: a replica's instance identifier, or the DB cluster's. */
  readonly id: string;
  /** Its endpoint address (`host`, or `host:port`). */
  readonly address: string;
}

/** Latency probes each health check runs per instance; their samples give the p95. */
export const PROBE_COUNT = 20;

/** How often the health check runs. */
export const HEALTH_CHECK_INTERVAL = Duration.minutes(1);

export interface HealthCheckProps extends FunctionPlacement {
  /** Value of the `Environment` dimension of the published metrics, e.g. `prod`. */
  readonly metricEnvironment: string;
  /** RDS Proxy: the writer is checked through it, as applications reach it. */
  readonly proxy: rds.DatabaseProxy;
  /** The identifier the writer's metrics are published under (dimension `DBInstance`): the primary's instance identifier, or the DB cluster's. */
  readonly writerId: string;
  /**
   * The readers checked directly: each read replica by its instance identifier and endpoint, or a
   * DB cluster's reader endpoint under the cluster's identifier.
   */
  readonly readers: readonly HealthCheckReader[];
  /**
   * What the database is, passed to the function as `DB_TOPOLOGY` for a cluster topology (left
   * out for `instances`).
   * @default 'instances'
   */
  readonly topology?: TopologyKind;
  /** The health check's own least-privilege credentials. */
  readonly monitorSecret: secretsmanager.ISecret;
  /** The schedule starts only once the migrations (which create the functions it calls) have run. */
  readonly schema: IDependable;
}

/**
 * The database's own view of its health, every minute: a function that writes the heartbeat
 * and reads `health_check()` through the proxy (as applications connect) and on each replica
 * directly, times probe queries, and publishes it all to CloudWatch. A scheduled event
 * EventBridge cannot deliver, after its retries, lands in the schedule dead-letter queue, which
 * `Maintenance` shares.
 */
export class HealthCheck extends Construct {
  readonly function: lambda.Function;
  /** Scheduled events EventBridge could not deliver (to this function or the maintenance one). */
  readonly scheduleDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: HealthCheckProps) {
    super(scope, id);
    this.scheduleDeadLetterQueue = scheduleDeadLetterQueue(this, props.name);
    const scheduled = scheduledFunctionProps(props);
    this.function = new DataTierFunction(this, 'HealthCheck', {
      ...scheduled,
      functionName: 'health-check',
      entry: 'health-check/index.ts',
      description: 'Every minute: heartbeat, health_check() and latency probes on the primary (via RDS Proxy) and each replica, published to CloudWatch',
      // Every target is tried in parallel with a 5 s connect timeout; 60 s leaves room for a slow database.
      timeout: Duration.seconds(60),
      environment: {
        ...scheduled.environment,
        DB_SECRET_ARN: props.monitorSecret.secretArn,
        PRIMARY_HOST: props.proxy.endpoint,
        REPLICAS: props.readers.length > 0 ? Fn.join(',', props.readers.map((r) => `${r.id}=${r.address}`)) : '',
        PROBE_COUNT: String(PROBE_COUNT),
        CONNECT_TIMEOUT_MS: '5000',
        ...(props.topology === undefined || props.topology === 'instances' ? {} : { DB_TOPOLOGY: props.topology }),
      },
    }).function;
    const everyMinute = new events.Rule(this, 'EveryMinute', {
      ruleName: `${props.name}-health-check`,
      description: 'Runs the data-tier health check',
      schedule: events.Schedule.rate(HEALTH_CHECK_INTERVAL),
      targets: [new targets.LambdaFunction(this.function, scheduledDelivery(this.scheduleDeadLetterQueue, HEALTH_CHECK_INTERVAL))],
    });
    everyMinute.node.addDependency(props.schema);
    props.monitorSecret.grantRead(this.function);
    allowMetricPublishing(this.function);
  }
}
