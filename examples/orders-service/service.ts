// The orders service's data access, on postgres-data-tier/client: each read says the consistency
// it needs and the client routes it (a replica when one is fresh enough, else the writer).
//   placeOrder   a write; its token goes with the customer's session
//   getOrder     read-your-writes: the order just placed, from a replica only once it has replayed it
//   listOrders   eventual: a customer's recent orders, from the least-lagged replica within 1 s
//   getProduct   cached 300 s in Redis/Valkey; setPrice invalidates it after its commit
//   recordEvent  order events, written in COPY batches (10,000 rows or every 100 ms)
import type { Consistency, DataTierClient, Ingester, ReadYourWritesToken } from 'postgres-data-tier/client';

export interface Product {
  readonly id: number;
  readonly name: string;
  readonly priceCents: number;
}

export interface Order {
  readonly id: number;
  readonly customerId: string;
  readonly productId: number;
  readonly quantity: number;
  readonly totalCents: number;
  readonly status: string;
}

/** Where a kind of read was served: `writer`, a replica's name, or `cache`. */
export type Split = Record<string, Record<string, number>>;

const PRODUCT_TTL_SECONDS = 300;
const ORDER_COLUMNS = `id::int AS "id", customer_id AS "customerId", product_id::int AS "productId", quantity::int AS "quantity", total_cents::int AS "totalCents", status`;

const productKey = (id: number) => `orders:product:${id}`;

export class OrdersService {
  /** Reads served, by kind of read and by node (or the cache): the routing split. */
  readonly split: Split = {};
  private readonly events: Ingester;

  constructor(private readonly db: DataTierClient) {
    this.events = db.ingester('orders.order_events');
  }

  async addProduct(product: Product): Promise<void> {
    await this.db.write('INSERT INTO orders.products (id, name, price_cents) VALUES ($1, $2, $3)', [product.id, product.name, product.priceCents]);
  }

  /** Places an order at the product's current price; the token reads it back. */
  async placeOrder(customerId: string, productId: number, quantity: number): Promise<{ order: Order; token: ReadYourWritesToken }> {
    const { rows, token } = await this.db.write<Order>(
      `INSERT INTO orders.orders (customer_id, product_id, quantity, total_cents)
       SELECT $1, id, $3, price_cents * $3 FROM orders.products WHERE id = $2
       RETURNING ${ORDER_COLUMNS}`,
      [customerId, productId, quantity],
    );
    if (rows.length === 0) throw new Error(`no product ${productId}`);
    await this.recordEvent(rows[0].id, 'order_placed', { productId, quantity, totalCents: rows[0].totalCents });
    return { order: rows[0], token };
  }

  /** The order, as the customer who placed it must see it: with `token`, never older than their write. */
  async getOrder(id: number, token: ReadYourWritesToken | undefined): Promise<Order | undefined> {
    const { rows } = await this.read<Order>('readYourWrites', `SELECT ${ORDER_COLUMNS} FROM orders.orders WHERE id = $1`, [id], token);
    return rows[0];
  }

  /** A customer's 20 latest orders; a second behind is fine. */
  async listOrders(customerId: string): Promise<Order[]> {
    const { rows } = await this.read<Order>('eventual', `SELECT ${ORDER_COLUMNS} FROM orders.orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20`, [customerId]);
    return rows;
  }

  /** A product, from the cache; on a miss from a replica, kept 300 s. */
  async getProduct(id: number): Promise<Product | undefined> {
    let loaded = false;
    const product = await this.db.cached(productKey(id), PRODUCT_TTL_SECONDS, async () => {
      loaded = true;
      const { rows } = await this.read<Product>('eventual', `SELECT id::int AS "id", name, price_cents::int AS "priceCents" FROM orders.products WHERE id = $1`, [id], undefined, 'product (cached)');
      return rows[0] ?? null;
    });
    if (!loaded) this.count('product (cached)', 'cache');
    return product ?? undefined;
  }

  /** Changes a price; the cached product is invalidated once the change has committed. */
  async setPrice(id: number, priceCents: number): Promise<ReadYourWritesToken> {
    const { token } = await this.db.write('UPDATE orders.products SET price_cents = $2, updated_at = now() WHERE id = $1', [id, priceCents], { invalidates: [productKey(id)] });
    return token;
  }

  /** Buffers an event; it is written with the next COPY batch. */
  recordEvent(orderId: number, type: string, payload: unknown): Promise<void> {
    return this.events.add({ order_id: orderId, event_type: type, payload });
  }

  /** Writes the events still buffered, then closes the batches; returns how many were written and in how many batches. */
  async closeEvents(): Promise<{ readonly rowsWritten: number; readonly batchesWritten: number }> {
    await this.events.close();
    return this.events.progress;
  }

  private async read<R extends object>(consistency: Consistency, sql: string, params: unknown[], token?: ReadYourWritesToken, kind: string = consistency) {
    const result = await this.db.query<R & Record<string, unknown>>(sql, params, { consistency, token });
    this.count(kind, result.servedBy);
    return result;
  }

  private count(kind: string, where: string): void {
    const row = (this.split[kind] ??= {});
    row[where] = (row[where] ?? 0) + 1;
  }
}
