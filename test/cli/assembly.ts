// A consumer's app for the `data-tier` command's tests: two tiers in one stack (each in its own
// VPC), one in another stack, and a stack of the consumer's own with no tier, synthesized once
// into a cloud assembly directory.
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataTier } from '../../lib/data-tier';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

function vpcFor(stack: Stack, id: string, cidr: string): ec2.IVpc {
  return new ec2.Vpc(stack, id, {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    availabilityZones: ZONES,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
}

/**
 * Stack `Shop`: tiers `Orders` (named `orders`) and `Payments` (named `payments`);
 * stack `Analytics`: tier `Db` (its default name); stack `Queues`: a queue, no tier. Returns the
 * assembly directory.
 */
export function synthesizeConsumerAssembly(outdir = mkdtempSync(join(tmpdir(), 'data-tier-cli-'))): string {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: ZONES } });
  const shop = new Stack(app, 'Shop', { env: { account: ACCOUNT, region: REGION } });
  new DataTier(shop, 'Orders', { name: 'orders', network: { vpc: vpcFor(shop, 'OrdersVpc', '10.1.0.0/16') } });
  new DataTier(shop, 'Payments', { name: 'payments', network: { vpc: vpcFor(shop, 'PaymentsVpc', '10.2.0.0/16') } });
  const analytics = new Stack(app, 'Analytics', { env: { account: ACCOUNT, region: REGION } });
  new DataTier(analytics, 'Db', { network: { vpc: vpcFor(analytics, 'Vpc', '10.3.0.0/16') } });
  const queues = new Stack(app, 'Queues', { env: { account: ACCOUNT, region: REGION } });
  new sqs.Queue(queues, 'Jobs', { enforceSSL: true });
  app.synth();
  return outdir;
}

if (require.main === module) console.log(synthesizeConsumerAssembly(process.argv[2]));
