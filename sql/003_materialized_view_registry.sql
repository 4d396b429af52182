-- Materialized views that maintenance refreshes: applications register theirs with
-- data_tier.register_materialized_view(view, refresh interval); the maintenance function
-- refreshes those that are due, and health_check() reports each one's staleness.
--
-- Before migration streams, an application's migration created this table for its one view;
-- IF NOT EXISTS keeps that table and its rows, and the refresh interval is added to it.
CREATE TABLE IF NOT EXISTS data_tier.materialized_view_refreshes (
  materialized_view regclass PRIMARY KEY,
  refreshed_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL
);

ALTER TABLE data_tier.materialized_view_refreshes
  ADD COLUMN IF NOT EXISTS refresh_interval interval NOT NULL DEFAULT interval '5 minutes'
    CHECK (refresh_interval >= interval '1 minute');

COMMENT ON TABLE data_tier.materialized_view_refreshes IS
  'Materialized views registered with data_tier.register_materialized_view(): refreshed by data_tier.refresh_materialized_views() when due; health_check() reports staleness from it.';

GRANT SELECT ON data_tier.materialized_view_refreshes TO data_tier_monitor;

-- Its old form defaulted to one application's view; a default cannot be removed in place.
DROP FUNCTION IF EXISTS data_tier.refresh_materialized_view(regclass);
