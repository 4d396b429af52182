-- The orders service's schema (its stream's owner role, orders_owner, owns schema orders): the
-- products it sells (read through the cache), the orders placed, and the order events it ingests
-- in COPY batches.
CREATE TABLE orders.products (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  price_cents bigint NOT NULL CHECK (price_cents >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id uuid NOT NULL,
  product_id bigint NOT NULL REFERENCES orders.products (id),
  quantity bigint NOT NULL CHECK (quantity > 0),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  status text NOT NULL DEFAULT 'placed' CHECK (status IN ('placed', 'paid', 'shipped', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_created_at ON orders.orders (customer_id, created_at DESC);

CREATE TABLE orders.order_events (
  order_id bigint NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX order_events_order_id ON orders.order_events (order_id);
