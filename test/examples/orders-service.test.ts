// examples/orders-service through its npm script, on the local servers it starts (a primary, two
// streaming replicas, a redis-server with TLS): it is given the tier's outputs, and prints the
// routing split and whether every read-your-writes read saw its write.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const ORDERS = 200;

/** The routing split's rows: reads served by each node (and the cache), by kind of read. */
function parseSplit(output: string): Record<string, Record<string, number>> {
  const lines = output.slice(output.indexOf('routing split:\n') + 'routing split:\n'.length).split('\n');
  const header = lines[0].trim().split(/\s{2,}/);
  const split: Record<string, Record<string, number>> = {};
  for (const line of lines.slice(1)) {
    if (line.trim() === '') break;
    const cells = line.trim().split(/\s{2,}/);
    split[cells[0]] = Object.fromEntries(header.slice(1).map((node, i) => [node, Number(cells[i + 1])]));
  }
  return split;
}

describe('examples/orders-service on local servers (npm run example:orders)', () => {
  let stdout: string;
  beforeAll(async () => {
    ({ stdout } = await promisify(execFile)('npm', ['run', '--silent', 'example:orders', '--', '--orders', String(ORDERS)], { cwd: ROOT, timeout: 170_000 }));
  }, 180_000);

  it("is given the tier's outputs, each endpoint with its local port", () => {
    const outputs = JSON.parse(/^the tier's outputs \(as data-tier outputs --json prints them\): (.*)$/m.exec(stdout)![1]) as Record<string, string>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['PROXY_ENDPOINT', 'REPLICA1_ENDPOINT', 'REPLICA2_ENDPOINT', 'DATABASE_NAME', 'CACHE_PRIMARY_ENDPOINT', 'CACHE_PORT']));
    expect(outputs.REPLICA2_ENDPOINT).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('prints the routing split: every read counted once, eventual reads on replicas, products mostly from the cache', () => {
    const split = parseSplit(stdout);
    expect(Object.keys(split).sort()).toEqual(['eventual', 'product (cached)', 'readYourWrites']);
    const total = (kind: string) => Object.values(split[kind]).reduce((a, b) => a + b, 0) - split[kind].total;
    expect({ readYourWrites: split.readYourWrites.total, eventual: split.eventual.total, product: split['product (cached)'].total }).toEqual({
      readYourWrites: ORDERS,
      eventual: ORDERS / 5,
      product: ORDERS,
    });
    for (const kind of Object.keys(split)) expect(total(kind)).toBe(split[kind].total);
    expect(split.eventual['replica-1'] + split.eventual['replica-2']).toBeGreaterThan(0);
    expect(split['product (cached)'].cache).toBeGreaterThan(ORDERS / 2);
  });

  it('every read-your-writes read saw its write, and every order event was ingested', () => {
    expect(stdout).toContain(`read-your-writes: ${ORDERS} of ${ORDERS} reads saw their write`);
    expect(stdout).toMatch(new RegExp(`order events ingested: ${ORDERS} in \\d+ COPY batch`));
  });
});
