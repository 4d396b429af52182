import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IConstruct } from 'constructs';

/**
 * The interface endpoints of one VPC, shared by every tier in it. A VPC holds one endpoint per
 * service with private DNS (a second one fails to deploy), and private DNS sends every caller in
 * the VPC to it, whatever its own route out. So the first tier that needs a service creates its
 * endpoint, the others use it, and every tier's groups are admitted to the one security group the
 * endpoints sit behind, also those of a tier built before the endpoints were.
 */
export class VpcEndpoints {
  private readonly services = new Set<string>();
  private readonly clients: Array<{ readonly group: ec2.ISecurityGroup; readonly description: string }> = [];
  private group?: ec2.ISecurityGroup;
  private external = false;

  /** The endpoints' security group, once a tier made the endpoints or their owner gave it. */
  get securityGroup(): ec2.ISecurityGroup | undefined {
    return this.group;
  }

  /**
   * The endpoints' security group, unless the VPC already has one: the `given` one (with the
   * endpoints its owner made, unless `createEndpoints`), or a new `EndpointSecurityGroup` under `scope`.
   */
  useSecurityGroup(scope: Construct, vpc: ec2.IVpc, given?: ec2.ISecurityGroup, options: { readonly createEndpoints?: boolean } = {}): ec2.ISecurityGroup {
    if (!this.group) {
      this.external = given !== undefined && !(options.createEndpoints ?? false);
      this.group =
        given ??
        new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
          vpc,
          description: 'Interface endpoints of the data tier: HTTPS from the function subnets only',
          allowAllOutbound: false,
        });
      for (const client of this.clients) this.allow(client.group, client.description);
    }
    return this.group;
  }

  /** Creates, under `parent`, the endpoints of `services` the VPC does not have yet (ids `<name>Endpoint`). */
  ensure(parent: Construct, vpc: ec2.IVpc, subnets: ec2.SubnetSelection, services: Readonly<Record<string, ec2.InterfaceVpcEndpointAwsService>>): void {
    if (this.external || !this.group) return;
    for (const [name, service] of Object.entries(services)) {
      if (this.services.has(service.name)) continue;
      this.services.add(service.name);
      new ec2.InterfaceVpcEndpoint(parent, `${name}Endpoint`, { vpc, service, subnets, securityGroups: [this.group], open: false, privateDnsEnabled: true });
    }
  }

  /** Admits `group` on 443 to the endpoints, now or as soon as the VPC has them. */
  admit(group: ec2.ISecurityGroup, description: string): void {
    this.clients.push({ group, description });
    if (this.group) this.allow(group, description);
  }

  private allow(group: ec2.ISecurityGroup, description: string): void {
    allowHttpsTo(this.group!, group, description);
  }
}

/** The endpoints of each VPC, per app: a VPC construct by its path, an imported VPC by its account, region and id. */
const ENDPOINTS_BY_APP = new WeakMap<IConstruct, Map<string, VpcEndpoints>>();

/** The shared endpoints of `vpc` in this app (none created until a tier asks for them). */
export function vpcEndpointsOf(vpc: ec2.IVpc): VpcEndpoints {
  const app = vpc.node.root;
  let registry = ENDPOINTS_BY_APP.get(app);
  if (!registry) ENDPOINTS_BY_APP.set(app, (registry = new Map()));
  const { account, region } = Stack.of(vpc);
  const key = Token.isUnresolved(vpc.vpcId) ? `construct:${vpc.node.path}` : `vpc:${account}:${region}:${vpc.vpcId}`;
  let endpoints = registry.get(key);
  if (!endpoints) registry.set(key, (endpoints = new VpcEndpoints()));
  return endpoints;
}

/**
 * Lets `client` reach `endpoints` on 443. The rules are written in the client's stack (the
 * ingress as a remote rule), so a tier in another stack than the endpoints' depends on that
 * stack and never the other way round.
 */
export function allowHttpsTo(endpoints: ec2.ISecurityGroup, client: ec2.ISecurityGroup, description: string): void {
  endpoints.addIngressRule(client, ec2.Port.tcp(443), description, true);
  client.addEgressRule(endpoints, ec2.Port.tcp(443), description);
}
