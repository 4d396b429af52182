// A platform team's own CDK app: its VPC (isolated subnets only), a DataTier with every default.
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DataTier } from 'postgres-data-tier';

export function buildMinimalExample(app: App): Stack {
  const stack = new Stack(app, 'MinimalDataTier', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  new DataTier(stack, 'Db', { network: { vpc } });
  return stack;
}

if (require.main === module) {
  const app = new App({ context: { 'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] } });
  buildMinimalExample(app);
  app.synth();
}
