/**
 * Validators for data tier settings. Each takes the place being validated (`path`: a construct
 * path or config path), the setting's name (`prop`) and its value, and throws a
 * {@link DataTierValidationError} that says what is allowed and, where it can, what to write instead.
 *
 * Values that are unresolved CDK tokens (`Token.isUnresolved`) are not known until deployment, so
 * every validator lets them through unchecked.
 */
import { Token } from 'aws-cdk-lib';
import {
  AWS_REGIONS,
  CACHE_ENGINES,
  CLOUDWATCH_LOG_RETENTION_DAYS,
  ELASTICACHE_NODE_TYPES,
  RDS_POSTGRES_INSTANCE_CLASSES,
  VPC_CIDR_PREFIXES,
  cacheEngineVersions,
  elasticacheNodeTypes,
  isKnownRegion,
  normalizeRdsInstanceClass,
  rdsPostgresFamilies,
  zonesOf,
} from './allowed-values';
import { DataTierValidationError } from '../errors';

export { DataTierValidationError };

function isToken(value: unknown): boolean {
  return Token.isUnresolved(value);
}

// ---------------------------------------------------------------------------------------------
// Generic checks
// ---------------------------------------------------------------------------------------------

/** Requires a whole number from `min` to `max` inclusive. */
export function requireInteger(path: string, prop: string, value: unknown, min: number, max: number): void {
  if (isToken(value)) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DataTierValidationError(path, prop, value, `must be a whole number from ${min} to ${max}`);
  }
}

/** Requires one of `allowed` (compared with `===`). */
export function requireOneOf<T>(path: string, prop: string, value: unknown, allowed: readonly T[]): void {
  if (isToken(value)) return;
  if (!allowed.includes(value as T)) throw new DataTierValidationError(path, prop, value, `must be one of ${allowed.join(', ')}`);
}

/**
 * Requires every value to appear once. Values containing `@` are e-mail addresses and are compared
 * without case (`a@x.com` and `A@x.com` reach the same mailbox); `ignoreCase` compares all values so.
 */
export function requireUnique(path: string, prop: string, values: readonly string[], options: { ignoreCase?: boolean } = {}): void {
  if (isToken(values)) return;
  if (!Array.isArray(values)) throw new DataTierValidationError(path, prop, values, 'must be a list');
  const seen = new Map<string, string>();
  for (const value of values) {
    if (isToken(value)) continue;
    const text = String(value);
    const key = options.ignoreCase || text.includes('@') ? text.toLowerCase() : text;
    const first = seen.get(key);
    if (first !== undefined) {
      const twice =
        first === value
          ? `lists ${JSON.stringify(value)} twice`
          : `lists ${JSON.stringify(first)} and ${JSON.stringify(value)}, which differ only in case (e-mail addresses are compared without case)`;
      throw new DataTierValidationError(path, prop, values, `${twice}; remove one`);
    }
    seen.set(key, value);
  }
}

// ---------------------------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------------------------

/** An IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** The address part as an unsigned 32-bit number. */
  readonly address: number;
  /** The prefix length, 0 to 32. */
  readonly prefix: number;
}

export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

export function networkOf(address: number, prefix: number): number {
  // `>>> 0` keeps the result unsigned; a /0 mask is all zeros.
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (address & mask) >>> 0;
}

/** Parses `a.b.c.d/n`; throws for anything else, including octets above 255 and prefixes above 32. */
export function parseCidr(path: string, prop: string, cidr: unknown): Ipv4Cidr {
  const match = typeof cidr === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr) : null;
  if (!match) throw new DataTierValidationError(path, prop, cidr, 'must be an IPv4 CIDR block such as 10.42.0.0/16');
  const octets = match.slice(1, 5).map(Number);
  const badOctet = octets.find((octet) => octet > 255);
  if (badOctet !== undefined) throw new DataTierValidationError(path, prop, cidr, `has octet ${badOctet}; each octet must be from 0 to 255`);
  const prefix = Number(match[5]);
  if (prefix > 32) throw new DataTierValidationError(path, prop, cidr, `has prefix /${prefix}; an IPv4 prefix is at most /32`);
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  return { address, prefix };
}

/** Whether the block `address/prefix` lies inside `range` (a block of a VPC's size lies inside each range below, or outside it). */
function inside(address: number, prefix: number, range: string): boolean {
  const [base, bits] = range.split('/');
  const rangePrefix = Number(bits);
  const rangeAddress = base.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return prefix >= rangePrefix && networkOf(address, rangePrefix) === rangeAddress;
}

/**
 * The private IPv4 ranges a VPC's block should come from: RFC 1918's, which the Amazon VPC User
 * Guide recommends ("VPC CIDR blocks": "we recommend that you specify a CIDR block from the private
 * IPv4 address ranges as specified in RFC 1918"), and RFC 6598's shared address space, which that
 * page lists among the blocks a VPC may use and which the internet does not route either.
 */
export const PRIVATE_IPV4_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'] as const;

/** Blocks Amazon VPC refuses for a VPC (same page: "You can't specify the following CIDR blocks for your VPCs"). */
const RANGES_NO_VPC_TAKES: Record<string, string> = {
  '0.0.0.0/8': 'the "this network" block',
  '127.0.0.0/8': 'the loopback range',
  '169.254.0.0/16': 'the link-local range',
  '224.0.0.0/4': 'the multicast range',
};

export interface AddressRangeOptions {
  /**
   * Allow a publicly routable block: the VPC's local route then takes those addresses, so hosts of
   * the internet in it (and, through peering or a transit gateway, anything routed there) are out of
   * reach of the VPC; only for a block the organisation owns and means to use.
   * @default false
   */
  readonly allowPublic?: boolean;
  /** The setting that allows one, named in the refusal. @default 'allowPublicCidr' */
  readonly allowPublicSetting?: string;
}

/**
 * Requires a VPC's block to be private (RFC 1918 or RFC 6598) unless a public one is allowed, and
 * never one Amazon VPC refuses (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
 */
export function validatePrivateCidr(path: string, prop: string, cidr: unknown, options: AddressRangeOptions = {}): void {
  if (isToken(cidr)) return;
  const { address, prefix } = parseCidr(path, prop, cidr);
  const refused = Object.keys(RANGES_NO_VPC_TAKES).find((range) => inside(address, prefix, range));
  if (refused) {
    throw new DataTierValidationError(path, prop, cidr, `lies in ${refused}, ${RANGES_NO_VPC_TAKES[refused]}, which Amazon VPC refuses for a VPC; use a private block such as 10.42.0.0/16`);
  }
  if (options.allowPublic || PRIVATE_IPV4_RANGES.some((range) => inside(address, prefix, range))) return;
  throw new DataTierValidationError(
    path,
    prop,
    cidr,
    `is publicly routable: a VPC's block must come from a private range, 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918, as AWS recommends for a VPC) ` +
      `or 100.64.0.0/10 (RFC 6598); the VPC's local route would take every address of ${String(cidr)}, so whoever holds them on the internet is out of reach of the VPC and of every network routed to it. ` +
      `Use a private block such as 10.42.0.0/16, or set ${options.allowPublicSetting ?? 'allowPublicCidr'} if the block is your organisation's and meant`,
  );
}

/**
 * Requires a VPC CIDR block: IPv4 syntax, a prefix from /16 to /28 (the sizes Amazon VPC accepts),
 * host bits zero, a private range unless `allowPublic` ({@link validatePrivateCidr}), and room for
 * `subnetsNeeded` subnets of `/subnetPrefix`.
 */
export function validateCidr(path: string, prop: string, cidr: unknown, room: { subnetsNeeded: number; subnetPrefix: number } & AddressRangeOptions): void {
  if (isToken(cidr)) return;
  const { address, prefix } = parseCidr(path, prop, cidr);
  if (prefix < VPC_CIDR_PREFIXES.min || prefix > VPC_CIDR_PREFIXES.max) {
    throw new DataTierValidationError(
      path,
      prop,
      cidr,
      `must have a prefix from /${VPC_CIDR_PREFIXES.min} to /${VPC_CIDR_PREFIXES.max}, the block sizes Amazon VPC accepts for a VPC`,
    );
  }
  const network = networkOf(address, prefix);
  if (network !== address) {
    throw new DataTierValidationError(path, prop, cidr, `must be a CIDR block whose host bits are zero; did you mean ${formatIpv4(network)}/${prefix}?`);
  }
  validatePrivateCidr(path, prop, cidr, room);
  const { subnetsNeeded, subnetPrefix } = room;
  if (subnetsNeeded <= 0) return;
  // n subnets of /s fit in a block of prefix s - ceil(log2 n) or shorter.
  const largestFittingPrefix = subnetPrefix - Math.ceil(Math.log2(subnetsNeeded));
  if (largestFittingPrefix < VPC_CIDR_PREFIXES.min) {
    throw new DataTierValidationError(
      path,
      prop,
      cidr,
      `cannot hold ${subnetsNeeded} /${subnetPrefix} subnets: they need a /${largestFittingPrefix}, larger than the largest VPC (/${VPC_CIDR_PREFIXES.min}); use smaller subnets`,
    );
  }
  if (prefix > largestFittingPrefix) {
    const fits = subnetPrefix >= prefix ? 2 ** (subnetPrefix - prefix) : 0;
    const suggestion = `${formatIpv4(networkOf(address, largestFittingPrefix))}/${largestFittingPrefix}`;
    throw new DataTierValidationError(
      path,
      prop,
      cidr,
      `has room for ${fits} of the ${subnetsNeeded} /${subnetPrefix} subnets the tier needs; ` +
        `use a /${largestFittingPrefix} or larger block, such as ${suggestion}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Regions and zones
// ---------------------------------------------------------------------------------------------

/** Levenshtein distance: the fewest one-character insertions, deletions or substitutions from `a` to `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The candidates nearest to `value` by edit distance, at most `maxDistance` away, nearest first. */
export function nearest(value: string, candidates: readonly string[], maxDistance: number): string[] {
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(value, candidate) }))
    .filter(({ distance }) => distance <= maxDistance)
    .sort((x, y) => x.distance - y.distance)
    .map(({ candidate }) => candidate);
}

/** Region name prefixes of the partitions other than `aws` (from aws-cdk-lib's region-info partition map). */
const OTHER_PARTITION = /^(cn|us-gov|us-iso[a-z]?|eu-isoe|eusc-de)-/;

/** Requires a commercial AWS region from {@link AWS_REGIONS}; a refusal names the closest ones. */
export function validateRegion(path: string, prop: string, region: unknown): void {
  if (isToken(region)) return;
  if (typeof region === 'string' && isKnownRegion(region)) return;
  if (typeof region === 'string' && OTHER_PARTITION.test(region)) {
    throw new DataTierValidationError(path, prop, region, 'is in another AWS partition (China, GovCloud, ISO or European Sovereign Cloud); this tier deploys to commercial regions only');
  }
  const close = typeof region === 'string' ? nearest(region, Object.keys(AWS_REGIONS), 3).slice(0, 4) : [];
  const hint = close.length > 0 ? `; closest: ${close.join(', ')}` : '; for example us-east-1 or eu-west-1';
  throw new DataTierValidationError(path, prop, region, `must be a commercial AWS region${hint}`);
}

/**
 * Requires at least `min` distinct availability zones of `region`, each named once. A zone must be
 * `<region><letter>`, and one of the region's zones where {@link AWS_REGIONS} knows them.
 */
export function validateZones(path: string, prop: string, region: string, zones: readonly string[], options: { min: number }): void {
  if (isToken(zones)) return;
  if (!Array.isArray(zones)) throw new DataTierValidationError(path, prop, zones, `must be a list of zones of ${region}, such as ["${region}a","${region}b"]`);
  const regionKnown = !isToken(region);
  const known = regionKnown ? zonesOf(region) : undefined;
  zones.forEach((zone, index) => {
    if (isToken(zone) || !regionKnown) return;
    const letter = typeof zone === 'string' && zone.startsWith(region) ? zone.slice(region.length) : '';
    if (!/^[a-z]$/.test(letter)) {
      const examples = known ? `: one of ${known.join(', ')}` : `, such as ${region}a`;
      throw new DataTierValidationError(path, `${prop}[${index}]`, zone, `must be a zone of ${region}${examples}`);
    }
    if (known && !known.includes(zone)) {
      throw new DataTierValidationError(path, `${prop}[${index}]`, zone, `is not a zone of ${region}; its zones are ${known.join(', ')}`);
    }
  });
  requireUnique(path, prop, zones);
  if (zones.length < options.min) {
    throw new DataTierValidationError(path, prop, zones, `must name at least ${options.min} distinct zones of ${region}; ${zones.length} given`);
  }
}

// ---------------------------------------------------------------------------------------------
// Database, cache, logs
// ---------------------------------------------------------------------------------------------

/**
 * Requires an instance class RDS for PostgreSQL `majorVersion` offers, written with or without
 * `db.` (`db.r7g.large` or `r7g.large`).
 */
export function validateRdsInstanceClass(path: string, prop: string, instanceClass: unknown, majorVersion: number): void {
  if (isToken(instanceClass) || isToken(majorVersion)) return;
  const families = rdsPostgresFamilies(majorVersion);
  if (!families) {
    const versions = Object.keys(RDS_POSTGRES_INSTANCE_CLASSES).join(', ');
    throw new DataTierValidationError(path, prop, instanceClass, `has no instance class table for PostgreSQL ${majorVersion}; known major versions: ${versions}`);
  }
  const name = typeof instanceClass === 'string' ? normalizeRdsInstanceClass(instanceClass) : '';
  const match = /^(db\.[a-z0-9-]+)\.([a-z0-9-]+)$/.exec(name);
  if (!match) throw new DataTierValidationError(path, prop, instanceClass, 'must be an RDS instance class such as db.r7g.large');
  const [, family, size] = match;
  const sizes = families[family];
  if (!sizes) {
    throw new DataTierValidationError(
      path,
      prop,
      instanceClass,
      `${family} is not offered for RDS for PostgreSQL ${majorVersion}; offered families: ${Object.keys(families).join(', ')}`,
    );
  }
  if (!sizes.includes(size)) {
    throw new DataTierValidationError(path, prop, instanceClass, `${family} comes in ${sizes.join(', ')} for RDS for PostgreSQL ${majorVersion}`);
  }
}

/** Requires an engine from {@link CACHE_ENGINES} at a version this tier deploys with encryption, AUTH and Multi-AZ. */
export function validateCacheEngineVersion(path: string, prop: string, engine: unknown, version: unknown): void {
  if (isToken(engine) || isToken(version)) return;
  const versions = typeof engine === 'string' ? cacheEngineVersions(engine) : [];
  if (versions.length === 0) {
    throw new DataTierValidationError(path, prop, version, `engine ${JSON.stringify(engine)} is not one of ${CACHE_ENGINES.join(', ')}`);
  }
  if (typeof version === 'string' && versions.includes(version)) return;
  const otherEngine = CACHE_ENGINES.find((other) => other !== engine && typeof version === 'string' && cacheEngineVersions(other).includes(version));
  const switchHint = otherEngine ? `; ${version} is a ${otherEngine} version, so set the engine to ${otherEngine} or pick one of those` : '';
  throw new DataTierValidationError(path, prop, version, `must be one of ${versions.join(', ')} for ${engine}${switchHint}`);
}

/** Requires a current-generation ElastiCache node type from {@link ELASTICACHE_NODE_TYPES}, such as `cache.r7g.large`. */
export function validateCacheNodeType(path: string, prop: string, nodeType: unknown): void {
  if (isToken(nodeType)) return;
  const all = elasticacheNodeTypes();
  if (typeof nodeType === 'string' && all.includes(nodeType)) return;
  // ElastiCache needs the prefix, unlike RDS classes built from an ec2.InstanceType.
  if (typeof nodeType === 'string' && all.includes(`cache.${nodeType}`)) {
    throw new DataTierValidationError(path, prop, nodeType, `must start with cache.; did you mean cache.${nodeType}?`);
  }
  const family = typeof nodeType === 'string' ? nodeType.split('.').slice(0, 2).join('.') : '';
  const sizes = Object.prototype.hasOwnProperty.call(ELASTICACHE_NODE_TYPES, family) ? ELASTICACHE_NODE_TYPES[family] : undefined;
  if (sizes) {
    throw new DataTierValidationError(path, prop, nodeType, `${family} comes in ${sizes.join(', ')}`);
  }
  throw new DataTierValidationError(
    path,
    prop,
    nodeType,
    `must be a current-generation ElastiCache node type; families: ${Object.keys(ELASTICACHE_NODE_TYPES).join(', ')}`,
  );
}

/** Requires a retention CloudWatch Logs accepts ({@link CLOUDWATCH_LOG_RETENTION_DAYS}); a refusal names the nearest ones. */
export function validateLogRetentionDays(path: string, prop: string, days: unknown): void {
  if (isToken(days)) return;
  if (typeof days === 'number' && CLOUDWATCH_LOG_RETENTION_DAYS.includes(days)) return;
  let hint = '';
  if (typeof days === 'number' && Number.isFinite(days)) {
    const below = CLOUDWATCH_LOG_RETENTION_DAYS.filter((allowed) => allowed < days).at(-1);
    const above = CLOUDWATCH_LOG_RETENTION_DAYS.find((allowed) => allowed > days);
    hint = `; nearest: ${[below, above].filter((n) => n !== undefined).join(' or ')}`;
  }
  throw new DataTierValidationError(path, prop, days, `must be one of the retention periods CloudWatch Logs accepts: ${CLOUDWATCH_LOG_RETENTION_DAYS.join(', ')}${hint}`);
}

// ---------------------------------------------------------------------------------------------
// Backup
// ---------------------------------------------------------------------------------------------

const BACKUP_VAULT_ARN = /^arn:(aws[a-z-]*):backup:([a-z0-9-]+):(\d{12}):backup-vault:([^\s:/]+)$/;

/**
 * Requires the ARN of a backup vault in another region than the tier's:
 * `arn:<partition>:backup:<region>:<12-digit account>:backup-vault:<name>`.
 */
export function validateCopyVaultArn(path: string, prop: string, arn: unknown, tierRegion: string): void {
  if (isToken(arn)) return;
  const match = typeof arn === 'string' ? BACKUP_VAULT_ARN.exec(arn) : null;
  if (!match) {
    throw new DataTierValidationError(path, prop, arn, 'must be a backup vault ARN: arn:aws:backup:<region>:<12-digit account>:backup-vault:<name>');
  }
  const vaultRegion = match[2];
  if (!isToken(tierRegion) && vaultRegion === tierRegion) {
    throw new DataTierValidationError(
      path,
      prop,
      arn,
      `names a vault in ${tierRegion}, the tier's own region; a copy must survive the loss of that region, so use a vault in another region`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Override objects
// ---------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Throws for the first key of `value` (a plain JSON object, such as the `overrides` context) that
 * `shape` does not have, at any depth. The error's `prop` is the full dotted path of that key
 * (e.g. `overrides.database.replicaCont`) and its `path` is empty; it lists the keys allowed at that
 * level and suggests one within two edits.
 *
 * The shape is an example of the allowed structure:
 * - its own keys are the allowed keys; an optional key is listed like any other (with `undefined`
 *   as its value, nothing below it is checked);
 * - where the shape holds an object, the value's object there is checked against it;
 * - where the shape holds an array whose first element is an object, each element of the value's
 *   array is checked against that element; arrays of primitives are not checked.
 * Types are not checked here; the validators above do that.
 */
export function rejectUnknownKeys(path: string, value: unknown, shape: unknown): void {
  if (isToken(value)) return;
  if (Array.isArray(value) && Array.isArray(shape)) {
    const elementShape: unknown = shape[0];
    if (isPlainObject(elementShape)) value.forEach((element, index) => rejectUnknownKeys(`${path}[${index}]`, element, elementShape));
    return;
  }
  if (!isPlainObject(value) || !isPlainObject(shape)) return;
  const allowed = Object.keys(shape);
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (!Object.prototype.hasOwnProperty.call(shape, key)) {
      const suggestion = nearest(key, allowed, 2)[0];
      const hint = suggestion ? `; did you mean ${suggestion}?` : '';
      throw new DataTierValidationError('', childPath, child, `unknown key; allowed at ${path || 'the top level'}: ${allowed.join(', ')}${hint}`);
    }
    rejectUnknownKeys(childPath, child, shape[key]);
  }
}
