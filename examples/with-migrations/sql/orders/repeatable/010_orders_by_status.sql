-- Re-applied whenever this file changes: the view the support dashboard reads.
CREATE OR REPLACE VIEW orders.orders_by_status AS
SELECT status, count(*) AS orders, sum(total_cents) AS total_cents
FROM orders.orders
WHERE created_at >= now() - interval '30 days'
GROUP BY status;
