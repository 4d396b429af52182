-- migrate:replaces 004_dashboard_rollup.sql 7d990151e336d5e3cb4de756714df051f186e7a853c2f4e1bda10724b1c15bb2

-- Dashboard rollup (seed 002 background job 1; seed 001 "summarized materialized view for
-- last 30/90 days"): events per tenant, UTC day and event type over the last 90 days,
-- registered with the data tier, whose maintenance function refreshes it every 5 minutes.

CREATE MATERIALIZED VIEW public.analytics_daily_rollup AS
SELECT e.tenant_id,
       (e.created_at AT TIME ZONE 'UTC')::date AS day,
       e.event_type,
       count(*) AS events,
       count(DISTINCT e.entity_id) AS entities,
       max(e.created_at) AS last_event_at
FROM public.analytics_events AS e
WHERE e.created_at >= date_trunc('day', now(), 'UTC') - interval '89 days'
GROUP BY 1, 2, 3
WITH DATA;

COMMENT ON MATERIALIZED VIEW public.analytics_daily_rollup IS
  'Events per tenant, UTC day and event type for the last 90 days. Refreshed concurrently by data_tier.refresh_materialized_view().';

-- REFRESH ... CONCURRENTLY needs a unique index over all rows; it also serves the
-- dashboard's tenant + date-range reads.
-- Not CONCURRENTLY: the view is created in this same transaction, so nothing can be blocked.
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX analytics_daily_rollup_key
  ON public.analytics_daily_rollup (tenant_id, day, event_type);

SELECT data_tier.register_materialized_view('public.analytics_daily_rollup', interval '5 minutes');
