-- migrate:replaces 000_extensions_and_schema.sql 7915224fc342989d43c8ceb704737c48e2899629de0309aec6e5d8170f237b03
-- migrate:replaces 001_updated_at_trigger.sql 4576ccb8286a4dbd1543e2fdebdc972e52f60a02d628ae4a9540dd84de244d07
-- migrate:replaces 002_partition_manager.sql 2142a46adc109d859bbd52ff28dd3be5806a524a883c20900aa6e908f0b899c6
-- migrate:replaces 005_heartbeat.sql 58769694121a75093645d5c2b96fc9ca143fffefdaeb8b7863d8041189d767ee
-- migrate:replaces 006_health_check.sql 9f7eab033a5c78d648848d75869a6b114ba4386d4ff489506bc111e03cd108c9
-- migrate:replaces 007_health_check_bounds_once.sql fc61f117ff9b30d3e3fd1339dfaef32b5cc4ef0d573e6e88b2745af442308daf
-- migrate:replaces 008_monitor_role.sql f1b106d3f3c6abfa82d9e48f2fa6812cd2c86feb8b4fdd36369320ed539dfb0a

-- The data_tier schema's tables and roles: the partition manager's registry, the heartbeat
-- and the health check's least-privilege role. Functions, procedures and their grants are
-- repeatable definitions (repeatable/), re-applied whenever they change; only the trigger
-- function tables depend on is created here.
--
-- This file stands for the first versioned files applied before migration streams existed
-- (the replaces lines above): a database that applied them records this file as applied.

-- Query statistics for the runbooks' slow-query investigations. The library must also be in
-- shared_preload_libraries (the stack's parameter group sets it).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

CREATE SCHEMA IF NOT EXISTS data_tier;

COMMENT ON SCHEMA data_tier IS
  'Operational machinery of the data tier: partition manager, heartbeat, materialized-view registry, health_check(). Managed by the data tier''s own migration stream.';

-- Stamps updated_at on UPDATE: for every table that has the column.
CREATE OR REPLACE FUNCTION data_tier.set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

COMMENT ON FUNCTION data_tier.set_updated_at() IS
  'BEFORE UPDATE row trigger: sets NEW.updated_at to now(). Shared by every table that has updated_at.';

CREATE TABLE data_tier.partitioned_parents (
  parent_table regclass PRIMARY KEY,
  partition_column name NOT NULL,
  partition_interval text NOT NULL DEFAULT 'month'
    CHECK (partition_interval IN ('day', 'week', 'month')),
  -- A count of partitions, capped at 120 by the CHECK: int is plenty.
  -- squawk-ignore prefer-bigint-over-int
  premake integer NOT NULL DEFAULT 6 CHECK (premake BETWEEN 1 AND 120),
  -- NULL keeps partitions forever.
  retention interval DEFAULT interval '12 months' CHECK (retention > interval '0'),
  retention_action text NOT NULL DEFAULT 'detach' CHECK (retention_action IN ('detach', 'drop')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE data_tier.partitioned_parents IS
  'Partitioned parents maintained by data_tier.run_partition_maintenance(). Register with data_tier.register_partitioned_parent().';

CREATE TRIGGER set_updated_at
  BEFORE UPDATE ON data_tier.partitioned_parents
  FOR EACH ROW EXECUTE FUNCTION data_tier.set_updated_at();

-- Heartbeat: one row the health-check job rewrites on the primary every run. Replicas read
-- it through replication, so its age on a replica is the end-to-end replication delay plus
-- the write interval, even when the primary is otherwise idle (where
-- pg_last_xact_replay_timestamp() would report a growing, false lag).
CREATE TABLE data_tier.heartbeat (
  -- The classic single-row table: the only possible key is true.
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  beat_at timestamptz NOT NULL,
  written_by text NOT NULL
) WITH (fillfactor = 50);  -- room for HOT updates: the row is rewritten every minute

INSERT INTO data_tier.heartbeat (beat_at, written_by) VALUES (now(), 'migration');

-- A least-privilege role for the health check: it reads the statistics views (pg_monitor),
-- runs health_check(), writes the heartbeat, and nothing else (no application data, no DDL).
-- Roles belong to the whole server, so the role may already exist. It is created NOLOGIN:
-- the deploy-time migration function gives it LOGIN and the password of its own secret.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'data_tier_monitor') THEN
    CREATE ROLE data_tier_monitor NOLOGIN;
  END IF;
END
$$;

GRANT pg_monitor TO data_tier_monitor;
GRANT USAGE ON SCHEMA data_tier TO data_tier_monitor;
GRANT SELECT ON data_tier.partitioned_parents TO data_tier_monitor;
GRANT SELECT, INSERT, UPDATE ON data_tier.heartbeat TO data_tier_monitor;
