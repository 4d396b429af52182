// The README's client example ("Applications read and write through the client"): the lines between
// the markers, dedented, after the import, are what the README shows, word for word
// (test/examples/examples.test.ts); here they type-check against the client's real API.
import { cacheAuthTokenFromSecret, DataTierClient, SignIn } from 'postgres-data-tier/client';

/** `outputs`: the tier's outputs as `npx data-tier outputs --deployed --tier orders --json` prints them. */
export async function readmeClientExample(outputs: Record<string, string>, customer: string, id: number, events: Array<Record<string, unknown>>) {
  // readme:start
  const db = DataTierClient.fromOutputs(outputs, {
    signIn: SignIn.iam({ user: 'orders_app', region: outputs.REGION }),
    cache: { host: outputs.CACHE_PRIMARY_ENDPOINT, authToken: cacheAuthTokenFromSecret(outputs.CACHE_AUTH_SECRET_ARN) },
  });
  const { rows, token } = await db.write('INSERT INTO orders.orders (customer_id, total_cents) VALUES ($1, $2) RETURNING id', [customer, 4200]);
  const placed = await db.query('SELECT * FROM orders.orders WHERE id = $1', [rows[0].id], { consistency: 'readYourWrites', token }); // a replica that has replayed the write, else the writer
  const recent = await db.query('SELECT * FROM orders.orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20', [customer], { consistency: 'eventual' }); // least-lagged replica within 1 s
  const product = await db.cached(`product:${id}`, 300, async () => (await db.query('SELECT * FROM orders.products WHERE id = $1', [id], { consistency: 'eventual' })).rows[0]);
  await db.write('UPDATE orders.products SET price_cents = $2 WHERE id = $1', [id, 990], { invalidates: [`product:${id}`] }); // dropped from the cache after the commit
  await db.ingest('orders.order_events', events); // COPY batches of 10,000 rows or every 100 ms
  // readme:end
  await db.close();
  return { placed, recent, product };
}
