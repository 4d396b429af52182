import { CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HealthCheck } from '../../lib/health-check';
import { Maintenance } from '../../lib/maintenance';
import { SchemaMigrations } from '../../lib/schema';
import { databaseWithPlacement, newStack } from './support';

describe('HealthCheck and Maintenance of a Database', () => {
  const stack = newStack();
  const { database, placement } = databaseWithPlacement(stack);
  const schema = new SchemaMigrations(stack, 'Schema', {
    ...placement,
    writerEndpointAddress: database.writerEndpoint.hostname,
    writer: database.writer,
    secret: database.secret,
    monitorSecret: database.monitorSecret,
    operatorSecret: database.operatorSecret,
  });
  const healthCheck = new HealthCheck(stack, 'HealthCheck', {
    ...placement,
    metricEnvironment: 'prod',
    proxy: database.proxy,
    writerId: database.writerId,
    readers: database.replicas.map((replica) => ({ id: replica.instanceIdentifier, address: replica.dbInstanceEndpointAddress })),
    monitorSecret: database.monitorSecret,
    schema: schema.resource,
  });
  new Maintenance(stack, 'Maintenance', {
    ...placement,
    metricEnvironment: 'prod',
    writerId: database.writerId,
    writerEndpointAddress: database.writerEndpoint.hostname,
    secret: database.secret,
    scheduleDeadLetterQueue: healthCheck.scheduleDeadLetterQueue,
    schema: schema.resource,
  });
  const template = Template.fromStack(stack);
  const schemaId = stack.getLogicalId(schema.resource.node.defaultChild as CfnResource);

  test('creates a health-check function that probes through the proxy and each replica', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-health-check',
      Environment: {
        Variables: Match.objectLike({ ENVIRONMENT: 'prod', PRIMARY_HOST: Match.anyValue(), REPLICAS: Match.anyValue(), PROBE_COUNT: '20' }),
      },
    });
  });

  test('creates a maintenance function on the primary', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'orders-maintenance', Timeout: 600 });
  });

  test('schedules the health check every minute and maintenance hourly and every 5 minutes, each after the migrations', () => {
    for (const schedule of ['rate(1 minute)', 'rate(1 hour)', 'rate(5 minutes)']) {
      template.hasResource('AWS::Events::Rule', {
        Properties: { ScheduleExpression: schedule, State: 'ENABLED' },
        DependsOn: Match.arrayWith([schemaId]),
      });
    }
    template.resourceCountIs('AWS::Events::Rule', 3);
  });

  test('sends scheduled events it cannot deliver to one dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders-schedule-dlq', SqsManagedSseEnabled: true });
    template.allResourcesProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) })],
    });
  });

  test('lets both functions publish metrics only to the tier\'s namespace', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': Match.anyValue() } } }),
        ]),
      },
    });
  });
});
