import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DataTier } from 'postgres-data-tier';

const app = new App();
const stack = new Stack(app, 'Orders', { env: { region: 'eu-west-1' } });
const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
// Your VPC (any ec2.IVpc will do); without one the tier makes its own.
const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: zones, natGateways: 0, subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
const tier = new DataTier(stack, 'Db', { network: { vpc, availabilityZones: zones } });
const ordersService = new ec2.SecurityGroup(stack, 'OrdersService', { vpc });
tier.allowClient(ordersService, 'the orders service');
app.synth();
