// How each CloudFormation resource type of the tier is accounted for: priced (by its pricer in
// pricing/pricers.ts), free, or usage-only, each with what is paid or why nothing is. A template
// with a type not listed here fails the estimate (UncoveredResourceTypeError).

/** How each resource type is accounted for. */
export type Coverage =
  | { readonly kind: 'priced'; readonly how: string }
  | { readonly kind: 'free'; readonly reason: string }
  | { readonly kind: 'usage-only'; readonly reason: string };

const priced = (how: string): Coverage => ({ kind: 'priced', how });
const free = (reason: string): Coverage => ({ kind: 'free', reason });
const usageOnly = (reason: string): Coverage => ({ kind: 'usage-only', reason });

export const RESOURCE_TYPES: Readonly<Record<string, Coverage>> = {
  'AWS::RDS::DBInstance': priced('Aurora instances: instance-hours or Serverless v2 ACU-hours at the Standard or I/O-Optimized rate of their cluster; others: instance-hours and gp3 storage at the Single-AZ or Multi-AZ (primary + standby) rate, IOPS and throughput above baseline, backups beyond the free allowance, Performance Insights beyond 7 days, enhanced monitoring logs'),
  'AWS::RDS::DBCluster': priced('Multi-AZ DB cluster: deployment-hours of its writer and two readable standbys, storage and provisioned IOPS at the cluster rates, Performance Insights and enhanced monitoring of its three instances; Aurora: the storage its volume holds (assumed), Standard\'s I/O requests (assumed); the backups of both; Aurora instances are priced as AWS::RDS::DBInstance (instance-hours, or Serverless v2 ACU-hours from the cluster\'s capacity range)'),
  'AWS::RDS::DBProxy': priced('per vCPU-hour of the target instance, minimum 2 vCPUs'),
  'AWS::ElastiCache::ReplicationGroup': priced('node-hours of every cache cluster; snapshot storage'),
  'AWS::EC2::VPCEndpoint': priced('interface endpoints: per endpoint per zone per hour, plus data processed; gateway endpoints are free'),
  'AWS::AutoScaling::AutoScalingGroup': priced('instance-hours of its desired capacity, root volume and detailed monitoring from its launch template'),
  'AWS::KMS::Key': priced('per key-month; requests as one usage line'),
  'AWS::SecretsManager::Secret': priced('per secret-month; API calls as one usage line'),
  'AWS::CloudWatch::Alarm': priced('standard, high-resolution, and metric-math alarms priced per metric they read'),
  'AWS::CloudWatch::Dashboard': priced('per dashboard-month'),
  'AWS::Logs::LogGroup': priced('ingestion and storage (retention) per group, volume assumed'),
  'AWS::Lambda::Function': priced('requests and GB-seconds of the scheduled functions; X-Ray traces when tracing is active'),
  'AWS::Events::Rule': priced('free itself (scheduled rules and AWS events on the default bus); its schedule drives the Lambda lines'),
  'AWS::SNS::Topic': priced('publishes, volume assumed'),
  'AWS::Backup::BackupPlan': priced('snapshot storage of its rules (counted against the RDS backup allowance) and cross-region copies'),
  'AWS::EC2::FlowLog': priced('through the log group it delivers to (vended logs)'),
  'AWS::EC2::LaunchTemplate': free('priced through the Auto Scaling group that launches it'),
  'AWS::Backup::BackupVault': free('a vault costs nothing; what it stores is priced with the backup plan'),
  'AWS::Backup::BackupSelection': free('assignment of resources to the plan'),
  'AWS::RDS::DBProxyTargetGroup': free('priced with the proxy'),
  'AWS::RDS::DBProxyEndpoint': usageOnly('the proxy\'s read-only endpoint over a cluster\'s readers: RDS Proxy is billed per vCPU (or Serverless v2 ACU) of its targets (https://aws.amazon.com/rds/proxy/pricing/), priced with the proxy; whether an endpoint of its own adds a charge was not found in a source (searched 2026-12), so nothing is estimated for it'),
  'AWS::RDS::DBParameterGroup': free('configuration'),
  'AWS::RDS::DBClusterParameterGroup': free('configuration'),
  'AWS::RDS::GlobalCluster': usageOnly('Aurora Global Database: its secondary cluster is priced in the secondary region\'s stack; the primary\'s replicated write I/Os are billed per million and not estimated'),
  'AWS::ApplicationAutoScaling::ScalableTarget': free('Application Auto Scaling is free; the Aurora readers it adds are not in the template (the estimate prices the declared ones)'),
  'AWS::ApplicationAutoScaling::ScalingPolicy': usageOnly('Application Auto Scaling is free; the target-tracking alarms the service creates for a policy (a high and a low one) bill as CloudWatch alarms and are not estimated'),
  'AWS::RDS::DBSubnetGroup': free('configuration'),
  'AWS::RDS::EventSubscription': free('no charge; its notifications are SNS publishes'),
  'AWS::ElastiCache::ParameterGroup': free('configuration'),
  'AWS::ElastiCache::SubnetGroup': free('configuration'),
  'AWS::EC2::VPC': free('no charge for a VPC'),
  'AWS::EC2::Subnet': free('no charge'),
  'AWS::EC2::RouteTable': free('no charge'),
  'AWS::EC2::SubnetRouteTableAssociation': free('no charge'),
  'AWS::EC2::SecurityGroup': free('no charge'),
  'AWS::EC2::SecurityGroupIngress': free('no charge'),
  'AWS::EC2::SecurityGroupEgress': free('no charge'),
  'AWS::IAM::Role': free('IAM is free'),
  'AWS::IAM::Policy': free('IAM is free'),
  'AWS::IAM::ManagedPolicy': free('IAM is free'),
  'AWS::IAM::InstanceProfile': free('IAM is free'),
  'AWS::KMS::Alias': free('aliases are free'),
  'AWS::Lambda::Permission': free('resource policy'),
  'AWS::Logs::ResourcePolicy': free('resource policy'),
  'AWS::SNS::TopicPolicy': free('resource policy'),
  'AWS::SQS::QueuePolicy': free('resource policy'),
  'AWS::SecretsManager::ResourcePolicy': free('resource policy'),
  'AWS::SecretsManager::SecretTargetAttachment': free('adds connection fields to the secret'),
  'AWS::SecretsManager::RotationSchedule': usageOnly('one rotation per secret every 30 days: a handful of Lambda invocations and API calls a month'),
  'AWS::SSM::Document': free('Session Manager documents and sessions are free; session logs are priced as a log group'),
  'AWS::SQS::Queue': usageOnly('dead-letter queues: empty unless a delivery fails; a few requests a month'),
  'AWS::FIS::ExperimentTemplate': usageOnly('drills only: AWS FIS bills action-minutes when an experiment runs'),
  'Custom::SchemaMigrations': usageOnly('runs at deploy only: its Lambda invocations are a few per deploy'),
  'Custom::VpcRestrictDefaultSG': usageOnly('runs when CloudFormation creates or replaces the VPC'),
  'AWS::CDK::Metadata': free('CDK bookkeeping, no AWS resource'),
};
