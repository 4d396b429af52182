-- Materialized views the data tier keeps fresh. An application registers each of its views
-- once, in the migration that creates it:
--   SELECT data_tier.register_materialized_view('public.my_rollup', interval '5 minutes');
-- and the maintenance function (every 5 minutes) refreshes those whose interval has passed;
-- health_check() reports each view's staleness (matview_staleness_seconds:<view>).

-- Registers (or re-configures) a view. REFRESH ... CONCURRENTLY, which does not block readers,
-- needs a unique index over all rows, so a view without one is refused.
CREATE OR REPLACE FUNCTION data_tier.register_materialized_view(
  p_view regclass,
  p_refresh_interval interval DEFAULT interval '5 minutes'
)
RETURNS data_tier.materialized_view_refreshes
LANGUAGE plpgsql
-- An application stream's owner registers its own views: it cannot write the registry itself.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_registered data_tier.materialized_view_refreshes;
BEGIN
  PERFORM data_tier.require_owner(p_view, 'register materialized view');
  IF NOT EXISTS (SELECT FROM pg_class AS c WHERE c.oid = p_view AND c.relkind = 'm') THEN
    RAISE EXCEPTION '% is not a materialized view', p_view;
  END IF;
  IF NOT EXISTS (
    SELECT FROM pg_index AS i
    WHERE i.indrelid = p_view AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
  ) THEN
    RAISE EXCEPTION 'materialized view % has no unique index on plain columns, which REFRESH ... CONCURRENTLY needs', p_view
      USING HINT = 'Create one (CREATE UNIQUE INDEX ... ON the view (its key columns)) before registering it.';
  END IF;
  INSERT INTO data_tier.materialized_view_refreshes AS r (materialized_view, refreshed_at, duration_ms, refresh_interval)
  VALUES (p_view, now(), 0, p_refresh_interval)
  ON CONFLICT (materialized_view) DO UPDATE SET refresh_interval = excluded.refresh_interval
  RETURNING r.* INTO v_registered;
  RETURN v_registered;
END;
$$;

-- Refreshes one registered view without blocking readers (CONCURRENTLY diffs the new result
-- into the view) and records when and how long. Returns the duration in milliseconds.
CREATE OR REPLACE FUNCTION data_tier.refresh_materialized_view(p_view regclass)
RETURNS double precision
LANGUAGE plpgsql
AS $$
DECLARE
  v_started timestamptz := clock_timestamp();
  v_duration_ms double precision;
BEGIN
  IF NOT EXISTS (SELECT FROM data_tier.materialized_view_refreshes AS r WHERE r.materialized_view = p_view) THEN
    RAISE EXCEPTION '% is not registered', p_view
      USING HINT = 'Register it with data_tier.register_materialized_view() first.';
  END IF;
  EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %s', p_view);
  v_duration_ms := extract(epoch FROM clock_timestamp() - v_started) * 1000;
  UPDATE data_tier.materialized_view_refreshes AS r
  SET refreshed_at = clock_timestamp(), duration_ms = v_duration_ms
  WHERE r.materialized_view = p_view;
  RETURN v_duration_ms;
END;
$$;

-- Refreshes every registered view whose interval has passed (all of them with p_all), each in
-- a subtransaction: one that fails is reported and the others still refresh.
CREATE OR REPLACE FUNCTION data_tier.refresh_materialized_views(p_all boolean DEFAULT false)
RETURNS TABLE (materialized_view text, outcome text, duration_ms double precision, detail text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_view regclass;
BEGIN
  FOR v_view IN
    SELECT r.materialized_view FROM data_tier.materialized_view_refreshes AS r
    JOIN pg_class AS c ON c.oid = r.materialized_view
    WHERE p_all OR r.refreshed_at + r.refresh_interval <= clock_timestamp() + interval '10 seconds'
    ORDER BY r.refreshed_at
  LOOP
    materialized_view := data_tier.qualified_name(v_view);
    BEGIN
      duration_ms := data_tier.refresh_materialized_view(v_view);
      outcome := 'refreshed';
      detail := NULL;
    EXCEPTION WHEN OTHERS THEN
      duration_ms := NULL;
      outcome := 'failed';
      detail := SQLERRM;
    END;
    RETURN NEXT;
  END LOOP;
END;
$$;

COMMENT ON FUNCTION data_tier.refresh_materialized_views(boolean) IS
  'Refreshes the registered materialized views that are due (all with p_all => true), concurrently; one row per view with its outcome.';

-- Refreshing and registering are maintenance: the owner's (see 010_partition_manager.sql).
REVOKE ALL ON FUNCTION
  data_tier.register_materialized_view(regclass, interval),
  data_tier.refresh_materialized_view(regclass),
  data_tier.refresh_materialized_views(boolean)
FROM PUBLIC;
