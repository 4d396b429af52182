import { formatIpv4, Ipv4Cidr, networkOf, parseCidr } from './validation';

/** The private IPv4 ranges of RFC 1918, where a VPC's block belongs. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((range) => parseCidr('', 'range', range));

function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && networkOf(inner.address, outer.prefix) === networkOf(outer.address, outer.prefix);
}

/** Whether two blocks share an address: the larger holds the smaller's network. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return networkOf(a.address, prefix) === networkOf(b.address, prefix);
}

/**
 * The block of the same size at the same place in the other half of the RFC 1918 range that holds
 * `cidr`, which therefore never overlaps it: 10.42.0.0/16 gives 10.170.0.0/16, 172.16.0.0/16
 * gives 172.24.0.0/16, 192.168.0.0/20 gives 192.168.128.0/20. Undefined when `cidr` is not inside
 * one of those ranges, or fills one (192.168.0.0/16).
 */
export function otherHalfOfPrivateRange(cidr: Ipv4Cidr): string | undefined {
  const range = PRIVATE_RANGES.find((r) => contains(r, cidr));
  if (range === undefined || cidr.prefix === range.prefix) return undefined;
  // The first bit after the range's prefix says which half the block is in.
  const halfBit = 2 ** (31 - range.prefix);
  const address = networkOf(cidr.address, cidr.prefix);
  const other = address & halfBit ? address - halfBit : address + halfBit;
  return `${formatIpv4(other)}/${cidr.prefix}`;
}
