-- Dashboard rollup (seed 002 background job 1; seed 001 "summarized materialized view for
-- last 30/90 days"): events per tenant, UTC day and event type over the last 90 days.
-- Refresh it every few minutes with data_tier.refresh_materialized_view().

CREATE TABLE data_tier.materialized_view_refreshes (
  materialized_view regclass PRIMARY KEY,
  refreshed_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL
);

COMMENT ON TABLE data_tier.materialized_view_refreshes IS
  'Last refresh of each materialized view refreshed by data_tier.refresh_materialized_view(); health_check() reports staleness from it.';

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

INSERT INTO data_tier.materialized_view_refreshes (materialized_view, refreshed_at, duration_ms)
VALUES ('public.analytics_daily_rollup', now(), 0);

-- Refreshes without blocking readers (CONCURRENTLY diffs the new result into the view) and
-- records when and how long. Returns the duration in milliseconds.
CREATE FUNCTION data_tier.refresh_materialized_view(p_view regclass DEFAULT 'public.analytics_daily_rollup')
RETURNS double precision
LANGUAGE plpgsql
AS $$
DECLARE
  v_started timestamptz := clock_timestamp();
  v_duration_ms double precision;
BEGIN
  EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %s', p_view);
  v_duration_ms := extract(epoch FROM clock_timestamp() - v_started) * 1000;
  INSERT INTO data_tier.materialized_view_refreshes AS r (materialized_view, refreshed_at, duration_ms)
  VALUES (p_view, clock_timestamp(), v_duration_ms)
  ON CONFLICT (materialized_view) DO UPDATE
    SET refreshed_at = excluded.refreshed_at, duration_ms = excluded.duration_ms;
  RETURN v_duration_ms;
END;
$$;
