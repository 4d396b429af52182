// The orders service against a deployed tier, from its stack outputs:
//   npx data-tier outputs --deployed --tier orders --json > outputs.json && npx tsx main.ts outputs.json
//   eval "$(npx data-tier outputs --deployed --tier orders)" && npx tsx main.ts      (the outputs in the environment)
// It signs in as its own role, orders_app: with IAM (the role declared with signIn: 'iam'), or with
// its secret when ORDERS_DB_SECRET_ARN is set. It places orders, reads each back (read-your-writes),
// lists a customer's orders (eventual), reads products through the cache, changes prices (which
// invalidates them) and ingests order events, then prints where the reads were served.
// On local servers (a primary, two streaming replicas, a redis-server): npm run example:orders.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cacheAuthTokenFromSecret, DataTierClient, SignIn, type TierOutputs } from 'postgres-data-tier/client';
import { OrdersService, type Split } from './service';

export const ROLE = 'orders_app';

/** An output by its name in the stack (`CachePort`) or as `data-tier outputs` prints it (`CACHE_PORT`). */
function output(outputs: TierOutputs, name: string): string | undefined {
  return outputs[name] ?? outputs[name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()];
}

/**
 * The client of the tier whose outputs these are. `env`: ORDERS_DB_SECRET_ARN (sign in with the
 * role's secret instead of IAM), ORDERS_DB_PASSWORD and ORDERS_DB_TLS=off (a local server),
 * CACHE_AUTH_TOKEN and CACHE_CA_FILE (a local redis-server instead of the tier's AUTH secret and
 * Node's CAs).
 */
export function connectOrders(outputs: TierOutputs, env: NodeJS.ProcessEnv = process.env): DataTierClient {
  const region = output(outputs, 'Region') ?? env.AWS_REGION ?? '';
  const signIn = env.ORDERS_DB_PASSWORD
    ? SignIn.password(ROLE, env.ORDERS_DB_PASSWORD)
    : env.ORDERS_DB_SECRET_ARN
      ? SignIn.secret({ secretId: env.ORDERS_DB_SECRET_ARN })
      : SignIn.iam({ user: ROLE, region });
  const cacheHost = output(outputs, 'CachePrimaryEndpoint');
  const cacheAuthSecret = output(outputs, 'CacheAuthSecretArn');
  return DataTierClient.fromOutputs(outputs, {
    signIn,
    applicationName: 'orders-service',
    // RDS's CAs: NODE_EXTRA_CA_CERTS=global-bundle.pem, or tls: { ca }.
    tls: env.ORDERS_DB_TLS === 'off' ? false : undefined,
    cache: cacheHost
      ? {
          host: cacheHost,
          port: Number(output(outputs, 'CachePort') ?? 6380),
          tls: env.CACHE_CA_FILE ? { ca: readFileSync(env.CACHE_CA_FILE, 'utf8') } : true,
          authToken: env.CACHE_AUTH_TOKEN ?? (cacheAuthSecret ? cacheAuthTokenFromSecret(cacheAuthSecret) : undefined),
        }
      : undefined,
  });
}

export interface OrdersRun {
  readonly ordersPlaced: number;
  /** Read-your-writes reads of an order just placed, and how many returned it as written. */
  readonly readYourWrites: { readonly reads: number; readonly sawTheirWrite: number };
  readonly pricesChanged: number;
  readonly events: { readonly rowsWritten: number; readonly batchesWritten: number };
  readonly split: Split;
}

/** A morning of orders: `orders` orders by `customers` customers of `products` products. */
export async function runOrders(db: DataTierClient, options: { orders?: number; customers?: number; products?: number } = {}): Promise<OrdersRun> {
  const orders = options.orders ?? 500;
  const customers = Array.from({ length: options.customers ?? 25 }, () => randomUUID());
  const products = options.products ?? 10;
  const service = new OrdersService(db);
  for (let id = 1; id <= products; id++) await service.addProduct({ id, name: `product ${id}`, priceCents: 100 * id });
  let sawTheirWrite = 0;
  let pricesChanged = 0;
  try {
    for (let i = 0; i < orders; i++) {
      const customerId = customers[i % customers.length];
      const product = await service.getProduct(1 + (i % products));
      if (!product) throw new Error(`product ${1 + (i % products)} not found`);
      const { order, token } = await service.placeOrder(customerId, product.id, 1 + (i % 3));
      // The confirmation page: the order just placed, whichever node serves it.
      const seen = await service.getOrder(order.id, token);
      if (seen?.id === order.id && seen.totalCents === order.totalCents) sawTheirWrite++;
      // The customer's order history: a second behind is fine.
      if (i % 5 === 0) await service.listOrders(customerId);
      if (i % 50 === 49) {
        await service.setPrice(product.id, product.priceCents + 10);
        pricesChanged++;
      }
    }
  } catch (error) {
    await service.closeEvents().catch(() => {});
    throw error;
  }
  const events = await service.closeEvents();
  return { ordersPlaced: orders, readYourWrites: { reads: orders, sawTheirWrite }, pricesChanged, events, split: service.split };
}

/** The routing split as a table: reads served by each node (and the cache), by kind of read. */
export function formatRun(run: OrdersRun): string {
  const kinds = Object.keys(run.split);
  const nodes = [...new Set(kinds.flatMap((kind) => Object.keys(run.split[kind])))].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const header = ['reads served by', ...nodes, 'total'];
  const rows = kinds.map((kind) => {
    const counts = nodes.map((node) => run.split[kind][node] ?? 0);
    return [kind, ...counts.map(String), String(counts.reduce((a, b) => a + b, 0))];
  });
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [
    `orders placed: ${run.ordersPlaced}; prices changed: ${run.pricesChanged} (cached product invalidated); order events ingested: ${run.events.rowsWritten} in ${run.events.batchesWritten} COPY batch(es)`,
    '',
    'routing split:',
    line(header),
    ...rows.map(line),
    '',
    `read-your-writes: ${run.readYourWrites.sawTheirWrite} of ${run.readYourWrites.reads} reads saw their write`,
  ].join('\n');
}

function order(node: string): number {
  return node === 'writer' ? 0 : node === 'cache' ? 2 : 1;
}

if (require.main === module) {
  const outputs: TierOutputs = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], 'utf8')) : process.env;
  const db = connectOrders(outputs);
  runOrders(db)
    .then((run) => console.log(formatRun(run)))
    .finally(() => db.close())
    .catch((error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    });
}
