import { cidrsOverlap, otherHalfOfPrivateRange } from '../../lib/private/cidr';
import { parseCidr } from '../../lib/private/validation';

const cidr = (text: string) => parseCidr('', 'cidr', text);

describe('cidrsOverlap', () => {
  test.each([
    ['10.42.0.0/16', '10.42.0.0/16', true],
    ['10.42.0.0/16', '10.42.128.0/17', true],
    ['10.42.128.0/17', '10.42.0.0/16', true],
    ['10.0.0.0/8', '10.170.3.0/24', true],
    ['10.42.0.0/16', '10.43.0.0/16', false],
    ['10.42.0.0/17', '10.42.128.0/17', false],
    ['10.42.0.0/16', '172.16.0.0/16', false],
  ])('%s and %s: %s', (a, b, overlap) => {
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(overlap);
  });
});

describe('otherHalfOfPrivateRange', () => {
  test.each([
    ['10.42.0.0/16', '10.170.0.0/16'],
    ['10.170.0.0/16', '10.42.0.0/16'],
    ['10.40.0.0/16', '10.168.0.0/16'],
    ['172.16.0.0/16', '172.24.0.0/16'],
    ['172.31.0.0/16', '172.23.0.0/16'],
    ['192.168.0.0/20', '192.168.128.0/20'],
    ['192.168.200.0/24', '192.168.72.0/24'],
  ])('of %s is %s, which does not overlap it', (source, other) => {
    expect(otherHalfOfPrivateRange(cidr(source))).toBe(other);
    expect(cidrsOverlap(cidr(source), cidr(other))).toBe(false);
  });

  test.each(['192.168.0.0/16', '100.64.0.0/16', '52.0.0.0/16'])('of %s is none: the block fills its range, or is not in one', (source) => {
    expect(otherHalfOfPrivateRange(cidr(source))).toBeUndefined();
  });
});
