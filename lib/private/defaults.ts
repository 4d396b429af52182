import { Names, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { DataTierValidationError } from './validation';

/** The block of a VPC the network creates when none is given. */
export const DEFAULT_VPC_CIDR = '10.40.0.0/16';

/** The zones a tier spreads over: the Multi-AZ pair, a replica and one cache node each. */
export const DATA_TIER_ZONE_COUNT = 3;

/**
 * The longest tier name: the longest physical name built from it, the cache's replication
 * group id `<name>-cache`, may have 40 characters (ElastiCache's limit).
 */
export const MAX_NAME_LENGTH = 30;
const NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/**
 * The prefix of every physical name of a tier: `name` when given, checked, otherwise one
 * derived from the construct's path (with a hash, so two tiers never share it).
 */
export function tierName(scope: IConstruct, name: string | undefined): string {
  if (name === undefined) {
    return Names.uniqueResourceName(scope, { maxLength: MAX_NAME_LENGTH, separator: '-' }).toLowerCase().replace(/_/g, '-');
  }
  if (!Token.isUnresolved(name) && (name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name) || name.includes('--'))) {
    throw new DataTierValidationError(
      scope.node.path,
      'name',
      name,
      `must be 2 to ${MAX_NAME_LENGTH} lowercase letters, digits and single hyphens, starting with a letter (it prefixes every physical name, such as the cache id <name>-cache)`,
    );
  }
  return name;
}

/** Isolated subnets if the VPC has any (the data needs no route out), otherwise its private ones. */
export function defaultDataSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return { subnetType: vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS };
}

/** Private subnets with egress if the VPC has any (functions call AWS APIs), otherwise its isolated ones. */
export function defaultFunctionSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
}
