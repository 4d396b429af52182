// A tier that applies its application's own migrations after the platform's, sized for its load.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { join } from 'node:path';
import { DataTier } from 'postgres-data-tier';

export function buildMigrationsExample(app: App): Stack {
  const stack = new Stack(app, 'OrdersDataTier', { env: { account: '123456789012', region: 'us-east-1' } });
  const tier = new DataTier(stack, 'Orders', {
    name: 'orders-prod',
    network: { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], cidr: '10.60.0.0/16' },
    database: {
      engineVersion: rds.PostgresEngineVersion.VER_17,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
      replicaCount: 2,
      backupRetention: Duration.days(35),
    },
    applicationMigrations: [join(__dirname, 'sql', 'orders')],
    monitoring: { alarmEmails: ['oncall@example.com'], thresholds: { queryLatencyP95Ms: 200 }, disabledAlarms: ['disk-queue-high'] },
  });
  // The application's own service role, signing in through the proxy with IAM.
  const service = new ec2.SecurityGroup(stack, 'OrdersService', { vpc: tier.vpc, allowAllOutbound: false });
  tier.allowClient(service, 'Orders service');
  return stack;
}

if (require.main === module) {
  const app = new App({ context: { 'availability-zones:account=123456789012:region=us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'] } });
  buildMigrationsExample(app);
  app.synth();
}
