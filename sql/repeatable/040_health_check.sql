-- health_check(): one call, one row per metric (name, value, unit), cheap enough to run every
-- minute on a large database. It reads catalog and statistics views, three tiny tables of
-- this schema (heartbeat: 1 row; partitioned_parents and materialized_view_refreshes: one row
-- per registered object), and at most 10,000 rows of each default partition, which should be
-- empty: a crash or pg_stat_reset() empties the statistics, so those rows are counted.
--
-- It writes nothing, so it runs on the primary and on a read-only hot standby alike.
-- Units are CloudWatch StandardUnit names, so callers can publish rows as they come.
--
-- Metrics (":<schema.table>" names one object; the "_min"/"_max"/total rows are the ones
-- to alarm on, since their names do not change):
--   connections_used_pct            Percent  client connections / max_connections
--   connections                     Count    client connections
--   sessions_active                 Count    client sessions running a statement
--   sessions_idle_in_transaction    Count    sessions holding a transaction open while idle
--   longest_transaction_seconds     Seconds  age of the oldest open transaction
--   lock_waits_over_1s              Count    sessions waiting on a lock for more than 1 s
--   deadlocks_total                 Count    cumulative since the statistics reset: callers
--                                            that want a rate diff it between calls
--   deadlocks_since_last_call       Count    since the previous health_check() in this same
--                                            session (remembered in a session setting, so no
--                                            write is needed); 0 on a session's first call
--   transaction_id_age              Count    age of the oldest datfrozenxid in the cluster
--   transaction_id_wraparound_pct   Percent  that age as a share of the 2^31 hard limit
--   cache_hit_ratio_pct             Percent  shared-buffer hits for this database
--   is_replica                      None     1 on a hot standby, 0 on the primary
--   replication_lag_seconds         Seconds  how far this instance's data is behind the writer's
--                                            (0 on the writer); its source depends on the
--                                            topology (below). NULL when the topology's signal
--                                            is unavailable: blind, never 0
--   heartbeat_age_seconds           Seconds  now - data_tier.heartbeat.beat_at; on a replica,
--                                            replication delay plus the heartbeat interval
--   partitions_ahead:<parent>       Count    consecutive periods after the current one that
--                                            have a partition; -1 if the current one has none
--   partitions_ahead_min            Count    the minimum over managed parents
--   default_partition_rows:<parent> Count    rows in the parent's default partition, counted
--                                            exactly up to 10,000 (10,000 means at least that
--                                            many) by default_partition_row_counts() below;
--                                            the statistics' estimate only while another
--                                            session locks the partition
--   default_partition_rows          Count    their total
--   default_transaction_read_only   None     1 when new transactions of every role start
--                                            read-only: set for the server, this database or
--                                            all roles (read from pg_db_role_setting as well
--                                            as the session, since a database setting reaches
--                                            only sessions that start after it)
--   invalid_indexes                 Count    indexes in user schemas that are not valid or
--                                            not ready (a failed CREATE INDEX CONCURRENTLY or
--                                            REINDEX CONCURRENTLY leaves one), leaving out
--                                            those of a table being indexed right now
--   matview_staleness_seconds:<mv>  Seconds  since the registered view was last refreshed
--   matview_staleness_seconds_max   Seconds  the maximum over registered views
--   matview_overdue_seconds:<mv>    Seconds  how far past its own refresh interval the view is
--                                            (0 while it is within it): views registered with
--                                            different intervals alarm on one threshold
--   matview_overdue_seconds_max     Seconds  the maximum over registered views
--   dead_tuple_pct:<table>          Percent  dead / (live + dead) tuples, for the 5 tables with
--                                            the most writes (primary only: a standby's
--                                            statistics do not see the primary's writes)
--   dead_tuple_pct_max              Percent  the maximum over those tables
--   synchronous_standbys            Count    writer only, and only where commits wait for
--                                            standbys (synchronous_standby_names is set): the
--                                            standbys streaming whose acknowledgment counts now
--                                            (pg_stat_replication.sync_state sync or quorum)
--   synchronous_standbys_missing    Count    how many more of them synchronous_standby_names
--                                            requires: above 0, every commit waits. Both rows
--                                            are NULL on a Multi-AZ DB cluster's writer whose
--                                            settings name no synchronous standby (blind)
--
-- The topology is read from what the server offers, never from configuration:
--   Aurora PostgreSQL     pg_catalog.aurora_replica_status() exists
--   Multi-AZ DB cluster   rds_tools.multi_az_db_cluster_source_dbi_resource_id() exists (how
--                         AWS's own drivers tell one: aws/aws-advanced-jdbc-wrapper,
--                         RdsMultiAzDbClusterPgDialect); its readers are still hot standbys
--   instances             neither
-- What feeds replication_lag_seconds on each:
--   instances and Multi-AZ DB cluster: on a standby, clock_timestamp() -
--     pg_last_xact_replay_timestamp(), 0 once everything received is replayed; 0 on the writer.
--     A Multi-AZ DB cluster replicates "using the DB engine's native replication capabilities",
--     and "acknowledgment from at least one reader DB instance is required for a change to be
--     committed" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html),
--     so its readers replay WAL as a read replica does; what differs is the writer, which
--     waits for them: synchronous_standbys(_missing) above. AWS does not document which setting
--     makes it wait, so the rows say what PostgreSQL says, or NULL where it says nothing.
--   Aurora PostgreSQL: aurora_replica_lag_seconds() below. Aurora replicas read the writer's
--     cluster volume instead of replaying WAL streamed to them
--     (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Replication.html),
--     so they are not in pg_stat_replication and the replay functions are not how Aurora
--     reports their lag: aurora_replica_status().replica_lag_in_msec is
--     (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_replica_status.html:
--     "Replica lag is the time in milliseconds that the page cache of a reader instance is
--     behind that of the writer instance"; CloudWatch stores it as AuroraReplicaLag,
--     Milliseconds), published here in seconds like every other topology's.
-- Counts the rows of every default partition (found through pg_partitioned_table.partdefid,
-- so no caller can point it at another table), stopping at the cap. row_count is NULL when
-- another session holds a conflicting lock (maintenance moving rows out holds ACCESS
-- EXCLUSIVE; on a hot standby, the replay of it): the count gives way instead of queueing.
CREATE OR REPLACE FUNCTION data_tier.default_partition_row_counts()
RETURNS TABLE (parent_table regclass, row_count bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  -- Reading 10,000 rows costs a few milliseconds; the alarm threshold must stay below it
  -- (lib/config.ts DEFAULT_PARTITION_ROWS_COUNTED_UP_TO).
  v_cap constant bigint := 10000;
  v_default record;
BEGIN
  FOR v_default IN
    SELECT pt.partrelid, n.nspname, c.relname
    FROM pg_partitioned_table AS pt
    JOIN pg_class AS c ON c.oid = pt.partdefid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    -- Tables only: a foreign default partition would be counted on its remote server.
    WHERE c.relkind IN ('r', 'p')
    ORDER BY pt.partrelid
  LOOP
    parent_table := v_default.partrelid;
    BEGIN
      EXECUTE format('LOCK TABLE %I.%I IN ACCESS SHARE MODE NOWAIT', v_default.nspname, v_default.relname);
      EXECUTE format('SELECT count(*) FROM (SELECT FROM %I.%I LIMIT %s) AS capped', v_default.nspname, v_default.relname, v_cap)
        INTO row_count;
    EXCEPTION WHEN lock_not_available OR insufficient_privilege THEN
      row_count := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END;
$$;

COMMENT ON FUNCTION data_tier.default_partition_row_counts() IS
  'Rows in each default partition, counted up to 10,000 (NULL when it is locked). SECURITY DEFINER for health_check(), which runs as data_tier_monitor.';

REVOKE ALL ON FUNCTION data_tier.default_partition_row_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION data_tier.default_partition_row_counts() TO data_tier_monitor, data_tier_operator;

-- On Aurora PostgreSQL: how far this instance's data is behind the writer's, in seconds, from
-- what Aurora itself reports for it in milliseconds. The instance is found by its identifier,
-- aurora_db_instance_identifier() (Aurora PostgreSQL 13.7, 12.11 and later), among the rows of
--   aurora_replica_status(): one per instance of the cluster; server_id is the instance,
--     session_id 'MASTER_SESSION_ID' the writer (its replica_lag_in_msec is NULL) and a UUID a
--     reader; replica_lag_in_msec "Time that reader instance lags behind writer instance, in
--     milliseconds"; last_update_timestamp of its status, NULL for the instance asked from
--     Aurora PostgreSQL 13.9 on
--     (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_replica_status.html,
--     https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_db_instance_identifier.html)
--   aurora_global_db_instance_status(), where it exists: the same for every instance of an
--     Aurora global database, secondary Regions' included; visibility_lag_in_msec "How far this
--     DB instance is lagging behind the writer DB instance in milliseconds", NULL for the writer
--     (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_global_db_instance_status.html).
-- A row saying the instance reads makes it a reader, and its lag the larger of the two readings.
-- Blind, NULL, never 0: a reader whose rows give no lag, or only a status not updated for 5
-- minutes (AWS's own drivers drop such rows from their topology); an instance with no row that
-- is in recovery; Aurora's functions refusing this role or missing. The writer (its rows say
-- MASTER_SESSION_ID, or it has none and is not in recovery) is 0, as a primary is.
CREATE OR REPLACE FUNCTION data_tier.aurora_replica_lag_seconds()
RETURNS double precision
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_instance text;
  v_rows bigint := 0;
  v_reader_rows bigint := 0;
  v_lag_ms double precision;
  v_global_rows bigint;
  v_global_reader_rows bigint;
  v_global_lag_ms double precision;
BEGIN
  IF to_regprocedure('pg_catalog.aurora_db_instance_identifier()') IS NOT NULL THEN
    v_instance := pg_catalog.aurora_db_instance_identifier();
  END IF;
  IF v_instance IS NOT NULL THEN
    SELECT count(*),
           count(*) FILTER (WHERE r.session_id IS DISTINCT FROM 'MASTER_SESSION_ID'),
           max(r.replica_lag_in_msec::double precision)
             FILTER (WHERE r.session_id IS DISTINCT FROM 'MASTER_SESSION_ID'
                       AND (r.last_update_timestamp IS NULL OR r.last_update_timestamp >= clock_timestamp() - interval '5 minutes'))
      INTO v_rows, v_reader_rows, v_lag_ms
    FROM pg_catalog.aurora_replica_status() AS r
    WHERE r.server_id = v_instance;
    IF to_regprocedure('pg_catalog.aurora_global_db_instance_status()') IS NOT NULL THEN
      SELECT count(*),
             count(*) FILTER (WHERE g.session_id IS DISTINCT FROM 'MASTER_SESSION_ID'),
             max(g.visibility_lag_in_msec::double precision) FILTER (WHERE g.session_id IS DISTINCT FROM 'MASTER_SESSION_ID')
        INTO v_global_rows, v_global_reader_rows, v_global_lag_ms
      FROM pg_catalog.aurora_global_db_instance_status() AS g
      WHERE g.server_id = v_instance;
      v_rows := v_rows + v_global_rows;
      v_reader_rows := v_reader_rows + v_global_reader_rows;
      v_lag_ms := greatest(v_lag_ms, v_global_lag_ms);
    END IF;
  END IF;
  IF v_reader_rows > 0 THEN
    RETURN v_lag_ms / 1000;
  ELSIF v_rows > 0 THEN
    RETURN 0;
  END IF;
  RETURN CASE WHEN pg_is_in_recovery() THEN NULL ELSE 0 END;
EXCEPTION WHEN insufficient_privilege OR undefined_function OR undefined_column THEN
  RETURN CASE WHEN pg_is_in_recovery() THEN NULL ELSE 0 END;
END;
$$;

COMMENT ON FUNCTION data_tier.aurora_replica_lag_seconds() IS
  'On Aurora PostgreSQL: this instance''s replica lag in seconds from aurora_replica_status() and aurora_global_db_instance_status() (milliseconds there); 0 on the writer, NULL when Aurora does not say. For health_check().';

GRANT EXECUTE ON FUNCTION data_tier.aurora_replica_lag_seconds() TO data_tier_monitor, data_tier_operator;

CREATE OR REPLACE FUNCTION data_tier.health_check()
RETURNS TABLE (metric text, value double precision, unit text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_in_recovery boolean := pg_is_in_recovery();
  -- The topology, from what the server offers (the header says what each one changes).
  v_aurora boolean := EXISTS (
    SELECT FROM pg_proc AS p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = 'aurora_replica_status');
  v_multi_az_cluster boolean := EXISTS (
    SELECT FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
    WHERE n.nspname = 'rds_tools' AND p.proname = 'multi_az_db_cluster_source_dbi_resource_id');
  v_replication_lag double precision;
  v_deadlocks bigint;
  v_deadlocks_seen bigint;
BEGIN
  RETURN QUERY
  WITH sessions AS (
    SELECT a.state, a.xact_start, a.pid = pg_backend_pid() AS is_self
    FROM pg_stat_activity AS a
    WHERE a.backend_type = 'client backend'
  )
  SELECT 'connections_used_pct', 100.0 * count(*) / current_setting('max_connections')::double precision, 'Percent'
  FROM sessions
  UNION ALL
  SELECT 'connections', count(*), 'Count' FROM sessions
  UNION ALL
  SELECT 'sessions_active', count(*) FILTER (WHERE s.state = 'active' AND NOT s.is_self), 'Count'
  FROM sessions AS s
  UNION ALL
  SELECT 'sessions_idle_in_transaction', count(*) FILTER (WHERE s.state LIKE 'idle in transaction%'), 'Count'
  FROM sessions AS s
  UNION ALL
  SELECT 'longest_transaction_seconds',
         coalesce(extract(epoch FROM clock_timestamp() - min(s.xact_start) FILTER (WHERE NOT s.is_self)), 0)::double precision,
         'Seconds'
  FROM sessions AS s;

  RETURN QUERY
  SELECT 'lock_waits_over_1s', count(DISTINCT l.pid)::double precision, 'Count'
  FROM pg_locks AS l
  WHERE NOT l.granted AND l.waitstart < clock_timestamp() - interval '1 second';

  SELECT d.deadlocks INTO v_deadlocks FROM pg_stat_database AS d WHERE d.datname = current_database();
  v_deadlocks_seen := nullif(current_setting('data_tier.deadlocks_seen', true), '')::bigint;
  PERFORM set_config('data_tier.deadlocks_seen', v_deadlocks::text, false);
  RETURN QUERY VALUES
    ('deadlocks_total', v_deadlocks::double precision, 'Count'),
    -- A statistics reset makes the counter go backwards: count from zero again.
    ('deadlocks_since_last_call',
     CASE WHEN v_deadlocks_seen IS NULL THEN 0
          WHEN v_deadlocks < v_deadlocks_seen THEN v_deadlocks
          ELSE v_deadlocks - v_deadlocks_seen END::double precision,
     'Count');

  RETURN QUERY
  SELECT 'transaction_id_age', max(age(d.datfrozenxid))::double precision, 'Count' FROM pg_database AS d
  UNION ALL
  SELECT 'transaction_id_wraparound_pct', 100.0 * max(age(d.datfrozenxid)) / 2147483648.0, 'Percent' FROM pg_database AS d
  UNION ALL
  SELECT 'cache_hit_ratio_pct',
         coalesce(100.0 * d.blks_hit / nullif(d.blks_hit + d.blks_read, 0), 100)::double precision, 'Percent'
  FROM pg_stat_database AS d WHERE d.datname = current_database();

  IF v_aurora THEN
    -- Never the WAL receiver's functions here: Aurora replicas do not replay streamed WAL.
    v_replication_lag := data_tier.aurora_replica_lag_seconds();
  ELSE
    v_replication_lag :=
      CASE WHEN NOT v_in_recovery OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
           ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
      END::double precision;
  END IF;
  RETURN QUERY VALUES
    ('is_replica', CASE WHEN v_in_recovery THEN 1 ELSE 0 END::double precision, 'None'),
    ('replication_lag_seconds', v_replication_lag, 'Seconds');

  -- A writer whose commits wait for standbys: how many acknowledge. Not on Aurora, whose
  -- commits are made durable by its storage, not by standbys.
  IF NOT v_in_recovery AND NOT v_aurora THEN
    IF current_setting('synchronous_standby_names') <> '' THEN
      RETURN QUERY
      WITH required AS (
        -- FIRST n (...), ANY n (...), n (...), or a plain list, which waits for its first one.
        SELECT coalesce(
                 (regexp_match(current_setting('synchronous_standby_names'), '^\s*(?:(?:first|any)\s+)?(\d+)\s*\(', 'i'))[1]::int,
                 1) AS standbys
      ),
      acknowledging AS (
        SELECT count(*) AS standbys
        FROM pg_stat_replication AS r
        WHERE r.state = 'streaming' AND r.sync_state IN ('sync', 'quorum')
      )
      SELECT 'synchronous_standbys', a.standbys::double precision, 'Count'
      FROM acknowledging AS a
      UNION ALL
      SELECT 'synchronous_standbys_missing', greatest(q.standbys - a.standbys, 0)::double precision, 'Count'
      FROM required AS q, acknowledging AS a;
    ELSIF v_multi_az_cluster THEN
      -- AWS says its commits wait for a reader; PostgreSQL's settings do not say for which.
      RETURN QUERY VALUES
        ('synchronous_standbys', NULL::double precision, 'Count'),
        ('synchronous_standbys_missing', NULL::double precision, 'Count');
    END IF;
  END IF;
  RETURN QUERY
  SELECT 'heartbeat_age_seconds', extract(epoch FROM clock_timestamp() - h.beat_at)::double precision, 'Seconds'
  FROM data_tier.heartbeat AS h;

  RETURN QUERY
  SELECT 'default_transaction_read_only',
         CASE WHEN current_setting('default_transaction_read_only')::boolean
                OR EXISTS (
                  SELECT FROM pg_db_role_setting AS rs, unnest(rs.setconfig) AS c(setting)
                  WHERE rs.setrole = 0
                    AND rs.setdatabase IN (0, (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database()))
                    AND split_part(c.setting, '=', 1) = 'default_transaction_read_only'
                    AND split_part(c.setting, '=', 2)::boolean)
              THEN 1 ELSE 0 END::double precision,
         'None';

  RETURN QUERY
  WITH parents AS (
    SELECT pp.parent_table,
           date_trunc(pp.partition_interval, clock_timestamp(), 'UTC') AS current_period,
           ('1 ' || pp.partition_interval)::interval AS step,
           pp.premake
    FROM data_tier.partitioned_parents AS pp
    JOIN pg_class AS c ON c.oid = pp.parent_table
  ),
  -- MATERIALIZED: read the partition bounds once. Referenced once, the CTE was inlined into
  -- the NOT EXISTS below and partition_bounds() ran again for every (parent, period) pair.
  bounds AS MATERIALIZED (
    SELECT p.parent_table, b.lower_bound, b.upper_bound
    FROM parents AS p, data_tier.partition_bounds(p.parent_table) AS b
    WHERE NOT b.is_default
  ),
  ahead AS (
    -- The first period (0 = current) without a partition covering it, minus one.
    SELECT p.parent_table,
           coalesce(min(k.k), 2 * p.premake + 1) - 1 AS partitions_ahead
    FROM parents AS p
    LEFT JOIN LATERAL generate_series(0, 2 * p.premake) AS k(k)
      ON NOT EXISTS (
        SELECT FROM bounds AS b
        WHERE b.parent_table = p.parent_table
          AND b.lower_bound <= date_add(p.current_period, p.step * k.k, 'UTC')
          AND b.upper_bound >= date_add(p.current_period, p.step * (k.k + 1), 'UTC'))
    GROUP BY p.parent_table, p.premake
  )
  SELECT 'partitions_ahead:' || data_tier.qualified_name(a.parent_table), a.partitions_ahead::double precision, 'Count'
  FROM ahead AS a
  UNION ALL
  SELECT 'partitions_ahead_min', min(a.partitions_ahead)::double precision, 'Count'
  FROM ahead AS a
  HAVING count(*) > 0;

  RETURN QUERY
  WITH defaults AS (
    SELECT pt.partrelid,
           coalesce(
             counted.row_count,
             -- Not counted (locked): the estimate. The standby's pg_stat_* counters do not see
             -- the primary's writes; reltuples (replicated with the catalog) does.
             CASE WHEN v_in_recovery THEN greatest(c.reltuples, 0)
                  ELSE coalesce(s.n_live_tup, greatest(c.reltuples, 0)) END) AS row_count
    FROM pg_partitioned_table AS pt
    JOIN pg_class AS c ON c.oid = pt.partdefid
    LEFT JOIN pg_stat_user_tables AS s ON s.relid = pt.partdefid
    LEFT JOIN data_tier.default_partition_row_counts() AS counted ON counted.parent_table = pt.partrelid
  )
  SELECT 'default_partition_rows:' || data_tier.qualified_name(d.partrelid), d.row_count::double precision, 'Count'
  FROM defaults AS d
  UNION ALL
  SELECT 'default_partition_rows', coalesce(sum(d.row_count), 0)::double precision, 'Count'
  FROM defaults AS d;

  RETURN QUERY
  SELECT 'invalid_indexes', count(*)::double precision, 'Count'
  FROM pg_index AS i
  JOIN pg_class AS c ON c.oid = i.indexrelid
  JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE NOT (i.indisvalid AND i.indisready)
    -- pg_catalog, pg_toast and the temporary schemas; user schemas cannot start with pg_.
    AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
    -- A build in progress is invalid until it ends. By table, not index: REINDEX CONCURRENTLY
    -- reports the index it replaces while the invalid one it builds is its `_ccnew` copy.
    AND NOT EXISTS (
      SELECT FROM pg_stat_progress_create_index AS p
      WHERE p.datname = current_database() AND p.relid = i.indrelid);

  RETURN QUERY
  WITH staleness AS (
    SELECT r.materialized_view,
           extract(epoch FROM clock_timestamp() - r.refreshed_at)::double precision AS seconds,
           greatest(0, extract(epoch FROM clock_timestamp() - r.refreshed_at - r.refresh_interval))::double precision AS overdue
    FROM data_tier.materialized_view_refreshes AS r
    JOIN pg_class AS c ON c.oid = r.materialized_view
  )
  SELECT 'matview_staleness_seconds:' || data_tier.qualified_name(s.materialized_view), s.seconds, 'Seconds'
  FROM staleness AS s
  UNION ALL
  SELECT 'matview_overdue_seconds:' || data_tier.qualified_name(s.materialized_view), s.overdue, 'Seconds'
  FROM staleness AS s
  UNION ALL
  SELECT 'matview_staleness_seconds_max', max(s.seconds), 'Seconds'
  FROM staleness AS s
  HAVING count(*) > 0
  UNION ALL
  SELECT 'matview_overdue_seconds_max', max(s.overdue), 'Seconds'
  FROM staleness AS s
  HAVING count(*) > 0;

  IF v_in_recovery THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH hottest AS (
    SELECT s.relid,
           100.0 * s.n_dead_tup / nullif(s.n_live_tup + s.n_dead_tup, 0) AS dead_pct
    FROM pg_stat_user_tables AS s
    WHERE s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0
    ORDER BY s.n_tup_ins + s.n_tup_upd + s.n_tup_del DESC
    LIMIT 5
  )
  SELECT 'dead_tuple_pct:' || data_tier.qualified_name(h.relid), coalesce(h.dead_pct, 0)::double precision, 'Percent'
  FROM hottest AS h
  UNION ALL
  SELECT 'dead_tuple_pct_max', coalesce(max(h.dead_pct), 0)::double precision, 'Percent'
  FROM hottest AS h;
END;
$$;

COMMENT ON FUNCTION data_tier.health_check() IS
  'One row per health metric (metric, value, unit); catalogs, statistics views and default partitions (counted up to 10,000 rows); read-only, works on replicas; on instances, a Multi-AZ DB cluster and Aurora PostgreSQL. See the header of sql/repeatable/040_health_check.sql for the list.';

GRANT EXECUTE ON FUNCTION data_tier.health_check() TO data_tier_monitor, data_tier_operator;
