-- Extensions the data tier relies on (all available on Amazon RDS for PostgreSQL)
-- and the schema that holds the operational machinery: partition manager,
-- heartbeat, materialized-view refresh log and health_check().
-- Application data (analytics_events, the dashboard rollup) stays in public.

-- Query statistics for the runbooks' slow-query investigations. The library must
-- also be in shared_preload_libraries (the stack's parameter group sets it).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

CREATE SCHEMA IF NOT EXISTS data_tier;

COMMENT ON SCHEMA data_tier IS
  'Operational machinery of the data tier: partition manager, heartbeat, refresh log, health_check(). Managed by the sql/ migrations.';
