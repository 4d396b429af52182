-- A read-only role for operators following the runbooks: the statistics views (pg_monitor)
-- and the data_tier schema's tables and read-only functions (granted next to each function
-- in repeatable/), nothing else: no application data, no DDL, no maintenance. Roles belong
-- to the whole server, so the role may already exist. It is created NOLOGIN: the deploy-time
-- migration function gives it LOGIN and the password of its own secret.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'data_tier_operator') THEN
    CREATE ROLE data_tier_operator NOLOGIN;
  END IF;
END
$$;

GRANT pg_monitor TO data_tier_operator;
GRANT USAGE ON SCHEMA data_tier TO data_tier_operator;
GRANT SELECT ON data_tier.partitioned_parents, data_tier.heartbeat, data_tier.materialized_view_refreshes TO data_tier_operator;
-- The migration history, for diagnosing a failed deploy (the runner creates it before any file).
GRANT SELECT ON public.schema_migrations TO data_tier_operator;
