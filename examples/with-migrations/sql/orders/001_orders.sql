-- The orders service's schema (its stream's owner role, orders_owner, owns schema orders): orders partitioned by month, kept 24 months online; the
-- platform's maintenance creates and detaches the partitions once the table is registered.
CREATE TABLE orders.orders (
  id bigint GENERATED ALWAYS AS IDENTITY,
  customer_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('placed', 'paid', 'shipped', 'cancelled')),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE INDEX orders_customer_created_at ON orders.orders (customer_id, created_at DESC);

SELECT data_tier.register_partitioned_parent('orders.orders', p_retention => interval '24 months');
