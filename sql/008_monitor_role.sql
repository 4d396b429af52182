-- A least-privilege role for the health check, which runs every minute and should not hold
-- the master credentials: it reads the statistics views (pg_monitor), runs health_check(),
-- writes the heartbeat, and nothing else (no application data, no DDL).
--
-- Roles belong to the whole server, so the role may already exist (another database on the
-- same server, a restored snapshot). It is created NOLOGIN: the deploy-time migration
-- function gives it LOGIN and the password of its own Secrets Manager secret, which then
-- rotates like the master's.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'data_tier_monitor') THEN
    CREATE ROLE data_tier_monitor NOLOGIN;
  END IF;
END
$$;

GRANT pg_monitor TO data_tier_monitor;
GRANT USAGE ON SCHEMA data_tier TO data_tier_monitor;
GRANT SELECT ON data_tier.partitioned_parents, data_tier.materialized_view_refreshes TO data_tier_monitor;
GRANT SELECT, INSERT, UPDATE ON data_tier.heartbeat TO data_tier_monitor;
GRANT EXECUTE ON FUNCTION
  data_tier.health_check(),
  data_tier.record_heartbeat(text),
  data_tier.partition_bounds(regclass),
  data_tier.qualified_name(regclass)
TO data_tier_monitor;
