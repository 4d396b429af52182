-- The partition manager: native declarative RANGE partitioning on a timestamptz column, in
-- short steps, so it never deadlocks with the application's writes (pg_partman is not on the
-- embedded PostgreSQL, and its 4.x/5.x APIs differ). Parents are registered in
-- data_tier.partitioned_parents with data_tier.register_partitioned_parent().
--
-- Why it is built this way (an earlier design deadlocked with writers): docs/partition-manager.md.
--
-- A run is planned once (data_tier.partition_maintenance_plan(), read-only) and applied
-- one step per transaction (data_tier.apply_partition_step()) by the procedure
-- data_tier.run_partition_maintenance(), which retries a step that could not get its locks:
--   * every step locks the parent first, in the mode it needs, then the default partition or
--     the partition it works on: the order writers use, so no cycle can form;
--   * creating a partition locks the parent in SHARE ROW EXCLUSIVE mode. That conflicts with
--     writers (ROW EXCLUSIVE) but not readers: in-flight inserts finish first, and later ones
--     route with the new partition, so none is sent to the default partition and refused;
--   * detach and drop lock the parent in ACCESS EXCLUSIVE mode, as DETACH does anyway.
--     DETACH ... CONCURRENTLY would let writers carry on, but PostgreSQL refuses it while the
--     parent has a default partition ("cannot detach partitions concurrently when a default
--     partition exists"), and every managed parent has one;
--   * each step waits at most lock_timeout (500 ms by default: below the 1 s deadlock_timeout
--     of the stack's parameter group, so maintenance always gives up before the deadlock
--     detector would have to choose a victim, and writers queue behind it for well under the
--     1 s of the lock-waits alarm), then is retried with backoff; a step that still cannot
--     run is reported and left for the next run, and the other steps go ahead;
--   * each step commits with synchronous_commit off: a step lost to a crash is planned again
--     by the next run, so waiting for its WAL flush would only slow maintenance down.
--
-- A row in the default partition gets its partition created (and is moved into it) when it
-- lies within `horizon` periods of the current one; rows further ahead, usually a bad
-- timestamp, stay in the default partition and keep the default_partition_rows alarm on,
-- until someone calls data_tier.create_partition_for() for them on purpose.

-- schema.table, whatever the search_path (regclass::text omits schemas on the path).
CREATE OR REPLACE FUNCTION data_tier.qualified_name(p_relation regclass)
RETURNS text
LANGUAGE sql
STABLE
AS $$
  SELECT format('%s.%s', n.nspname, c.relname)
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.oid = p_relation;
$$;

-- Partitions of a parent with their bounds, read from the catalog. pg_get_expr renders the
-- bounds with an explicit UTC offset, so the casts back are exact in any session TimeZone.
CREATE OR REPLACE FUNCTION data_tier.partition_bounds(p_parent regclass)
RETURNS TABLE (partition_table regclass, lower_bound timestamptz, upper_bound timestamptz, is_default boolean)
LANGUAGE sql
STABLE
AS $$
  SELECT b.partition_table,
         b.bounds[1]::timestamptz,
         b.bounds[2]::timestamptz,
         b.expression = 'DEFAULT'
  FROM (
    SELECT c.oid::regclass AS partition_table,
           pg_get_expr(c.relpartbound, c.oid) AS expression,
           regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) AS bounds
    FROM pg_inherits AS i
    JOIN pg_class AS c ON c.oid = i.inhrelid
    WHERE i.inhparent = p_parent
  ) AS b
  ORDER BY 2 NULLS LAST;
$$;

-- What a maintenance run has to do, in the order it does it; reads the catalog and each
-- default partition (which holds only strays: health_check() alarms on its row count).
--   create default   the parent has no default partition
--   create           [lower_bound, upper_bound): the current period and `premake` ahead,
--                    gaps between existing partitions (up to the horizon), and the period of
--                    any default-partition row within the horizon (stray_rows of them)
--   detach | drop    partition_table, whose whole range is older than the retention
--   leave in default stray_rows rows beyond the horizon or older than the retention
-- Creations come current period first, then future ones, then past gaps newest first.
CREATE OR REPLACE FUNCTION data_tier.partition_maintenance_plan(p_now timestamptz DEFAULT now(), p_parent regclass DEFAULT NULL)
RETURNS TABLE (
  parent regclass,
  step text,
  lower_bound timestamptz,
  upper_bound timestamptz,
  partition_table regclass,
  stray_rows bigint
)
LANGUAGE plpgsql
STABLE
-- The operator role reads the plan without reading application rows: the default partitions'
-- rows are seen only as counts per period. Fixed search_path, as for every SECURITY DEFINER.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_config data_tier.partitioned_parents;
  v_step interval;
  v_current timestamptz;
  v_last timestamptz;
  v_horizon timestamptz;
  v_cutoff timestamptz;
  v_default regclass;
  v_tables regclass[];
  v_lowers timestamptz[];
  v_uppers timestamptz[];
  v_stray_periods timestamptz[];
  v_stray_counts bigint[];
BEGIN
  FOR v_config IN
    SELECT pp.* FROM data_tier.partitioned_parents AS pp
    JOIN pg_class AS c ON c.oid = pp.parent_table
    WHERE p_parent IS NULL OR pp.parent_table = p_parent
    ORDER BY pp.parent_table::text
  LOOP
    v_step := ('1 ' || v_config.partition_interval)::interval;
    v_current := date_trunc(v_config.partition_interval, p_now, 'UTC');
    v_last := date_add(v_current, v_step * v_config.premake, 'UTC');
    v_horizon := date_add(v_current, v_step * greatest(v_config.premake, v_config.horizon), 'UTC');
    v_cutoff := date_subtract(p_now, v_config.retention, 'UTC');

    SELECT nullif(pt.partdefid, 0)::regclass INTO v_default
    FROM pg_partitioned_table AS pt WHERE pt.partrelid = v_config.parent_table;
    SELECT array_agg(b.partition_table ORDER BY b.lower_bound),
           array_agg(b.lower_bound ORDER BY b.lower_bound),
           array_agg(b.upper_bound ORDER BY b.lower_bound)
      INTO v_tables, v_lowers, v_uppers
    FROM data_tier.partition_bounds(v_config.parent_table) AS b
    WHERE NOT b.is_default;

    v_stray_periods := NULL;
    v_stray_counts := NULL;
    IF v_default IS NULL THEN
      RETURN QUERY SELECT v_config.parent_table, 'create default'::text, NULL::timestamptz, NULL::timestamptz, NULL::regclass, 0::bigint;
    ELSE
      EXECUTE format(
        'SELECT array_agg(period), array_agg(row_count) FROM (SELECT date_trunc(%L, %I, %L) AS period, count(*) AS row_count FROM %s GROUP BY 1) AS s',
        v_config.partition_interval, v_config.partition_column, 'UTC', v_default)
        INTO v_stray_periods, v_stray_counts;
    END IF;

    RETURN QUERY
    WITH existing AS (
      SELECT e.lower_bound, e.upper_bound FROM unnest(v_lowers, v_uppers) AS e(lower_bound, upper_bound)
    ),
    strays AS (
      SELECT s.period, s.row_count FROM unnest(v_stray_periods, v_stray_counts) AS s(period, row_count)
    ),
    -- From the oldest partition (or now) to the newest partition or stray row (or the last
    -- premade period), so one run leaves no gap; never past the horizon, so a partition made
    -- by hand for a far date does not make maintenance create every period up to it.
    span AS (
      SELECT least(v_current, (SELECT date_trunc(v_config.partition_interval, min(e.lower_bound), 'UTC') FROM existing AS e)) AS first_period,
             least(v_horizon, greatest(v_last,
               (SELECT date_trunc(v_config.partition_interval, max(e.lower_bound), 'UTC') FROM existing AS e),
               (SELECT max(s.period) FROM strays AS s WHERE s.period <= v_horizon))) AS last_period
    ),
    wanted AS (
      SELECT g.period FROM span, generate_series(span.first_period, span.last_period, v_step, 'UTC') AS g(period)
      UNION
      SELECT s.period FROM strays AS s WHERE s.period <= v_horizon
    )
    SELECT v_config.parent_table, 'create'::text, w.period, date_add(w.period, v_step, 'UTC'), NULL::regclass, coalesce(s.row_count, 0)
    FROM wanted AS w
    LEFT JOIN strays AS s ON s.period = w.period
    WHERE (v_cutoff IS NULL OR date_add(w.period, v_step, 'UTC') > v_cutoff)
      AND NOT EXISTS (
        SELECT FROM existing AS e
        WHERE e.lower_bound < date_add(w.period, v_step, 'UTC') AND e.upper_bound > w.period)
    ORDER BY w.period < v_current, CASE WHEN w.period >= v_current THEN w.period END, w.period DESC;

    IF v_cutoff IS NOT NULL THEN
      -- The second condition is redundant while retention > 0 but states the rule: never the
      -- current or a future partition.
      RETURN QUERY
      SELECT v_config.parent_table, v_config.retention_action, e.lower_bound, e.upper_bound, e.partition_table, 0::bigint
      FROM unnest(v_tables, v_lowers, v_uppers) AS e(partition_table, lower_bound, upper_bound)
      WHERE e.upper_bound <= v_cutoff AND e.upper_bound <= v_current
      ORDER BY e.lower_bound;
    END IF;

    RETURN QUERY
    SELECT v_config.parent_table, 'leave in default'::text, min(s.period), max(date_add(s.period, v_step, 'UTC')), v_default, sum(s.row_count)::bigint
    FROM unnest(v_stray_periods, v_stray_counts) AS s(period, row_count)
    WHERE s.period > v_horizon OR date_add(s.period, v_step, 'UTC') <= v_cutoff
    HAVING count(*) > 0;
  END LOOP;
END;
$$;

-- A partition belongs to its parent's owner, whoever made it (maintenance runs as the master
-- user): the stream that owns the parent can then ALTER it, which recurses into every partition.
CREATE OR REPLACE FUNCTION data_tier.give_to_parent_owner(p_partition regclass, p_parent regclass)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  v_owner name := (SELECT pg_get_userbyid(c.relowner) FROM pg_class AS c WHERE c.oid = p_parent);
BEGIN
  IF (SELECT c.relowner FROM pg_class AS c WHERE c.oid = p_partition) <> (SELECT c.relowner FROM pg_class AS c WHERE c.oid = p_parent) THEN
    EXECUTE format('ALTER TABLE %s OWNER TO %I', p_partition, v_owner);
  END IF;
END;
$$;

-- Applies one step of a plan in the caller's transaction and says what it did: outcome
-- 'done', or 'skipped' when a concurrent run (or a person) got there first. Locks the parent
-- before anything else (see the header); bounded by the caller's lock_timeout.
CREATE OR REPLACE FUNCTION data_tier.apply_partition_step(
  p_parent regclass,
  p_step text,
  p_lower timestamptz DEFAULT NULL,
  p_upper timestamptz DEFAULT NULL,
  p_partition regclass DEFAULT NULL
)
RETURNS TABLE (outcome text, partition_name text, detail text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_config data_tier.partitioned_parents;
  v_schema name;
  v_parent_name name;
  v_name text;
  v_default regclass;
  v_columns text;
  v_moved bigint := 0;
BEGIN
  -- Steps of concurrent runs take turns; a step holds this until its transaction ends.
  PERFORM pg_advisory_xact_lock(hashtext('data_tier.run_partition_maintenance'));
  SELECT * INTO v_config FROM data_tier.partitioned_parents AS pp WHERE pp.parent_table = p_parent;
  SELECT n.nspname, c.relname INTO v_schema, v_parent_name
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.oid = p_parent;

  IF p_step IN ('detach', 'drop') THEN
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', p_parent);
    v_name := data_tier.qualified_name(p_partition);
    IF NOT EXISTS (SELECT FROM pg_inherits AS i WHERE i.inhrelid = p_partition AND i.inhparent = p_parent) THEN
      RETURN QUERY SELECT 'skipped'::text, v_name, 'no longer a partition of the parent'::text;
      RETURN;
    END IF;
    IF p_step = 'drop' THEN
      EXECUTE format('DROP TABLE %s', p_partition);
    ELSE
      EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', p_parent, p_partition);
    END IF;
    RETURN QUERY SELECT 'done'::text, v_name, format('past retention of %s', v_config.retention);
    RETURN;
  END IF;

  IF p_step = 'create default' THEN
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', p_parent);
    v_name := format('%I.%I', v_schema, v_parent_name || '_default');
    IF EXISTS (SELECT FROM pg_partitioned_table AS pt WHERE pt.partrelid = p_parent AND pt.partdefid <> 0) THEN
      RETURN QUERY SELECT 'skipped'::text, v_name, 'the parent has a default partition already'::text;
      RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %s PARTITION OF %s DEFAULT', v_name, p_parent);
    PERFORM data_tier.give_to_parent_owner(v_name::regclass, p_parent);
    RETURN QUERY SELECT 'done'::text, data_tier.qualified_name(v_name::regclass), 'catches rows outside every partition'::text;
    RETURN;
  END IF;

  IF p_step <> 'create' THEN
    RAISE EXCEPTION 'unknown partition maintenance step "%"', p_step
      USING HINT = 'Steps are create default, create, detach and drop.';
  END IF;

  EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', p_parent);
  v_name := format('%s_p%s', v_parent_name,
    to_char(p_lower AT TIME ZONE 'UTC', CASE v_config.partition_interval WHEN 'month' THEN 'YYYY_MM' ELSE 'YYYY_MM_DD' END));
  -- The plan left out ranges a partition covers; one made since by a concurrent run has this
  -- name. One made since by hand under another name makes ATTACH fail, naming both.
  IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
    IF EXISTS (SELECT FROM pg_inherits AS i WHERE i.inhrelid = format('%I.%I', v_schema, v_name)::regclass AND i.inhparent = p_parent) THEN
      RETURN QUERY SELECT 'skipped'::text, format('%s.%s', v_schema, v_name), 'a partition covers this range already'::text;
      RETURN;
    END IF;
    RAISE EXCEPTION 'cannot create partition %.%: a table of that name exists but is not attached to %', v_schema, v_name, p_parent
      USING HINT = 'Attach it, rename it or drop it, then run data_tier.run_partition_maintenance() again.';
  END IF;

  -- Created standalone, filled from the default partition, then attached: ATTACH checks the
  -- rows of the new table and that none left in the default partition belongs to it.
  EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
    v_schema, v_name, p_parent);
  PERFORM data_tier.give_to_parent_owner(format('%I.%I', v_schema, v_name)::regclass, p_parent);
  SELECT nullif(pt.partdefid, 0)::regclass INTO v_default FROM pg_partitioned_table AS pt WHERE pt.partrelid = p_parent;
  IF v_default IS NOT NULL THEN
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', v_default);
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_columns
    FROM pg_attribute AS a
    WHERE a.attrelid = p_parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    EXECUTE format(
      'WITH moved AS (DELETE FROM %1$s WHERE %2$I >= %3$L AND %2$I < %4$L RETURNING %5$s) '
      'INSERT INTO %6$I.%7$I (%5$s) SELECT %5$s FROM moved',
      v_default, v_config.partition_column, p_lower, p_upper, v_columns, v_schema, v_name);
    GET DIAGNOSTICS v_moved = ROW_COUNT;
  END IF;
  EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
    p_parent, v_schema, v_name,
    to_char(p_lower AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"+00"'),
    to_char(p_upper AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"+00"'));

  RETURN QUERY SELECT 'done'::text, format('%s.%s', v_schema, v_name),
    format('[%s, %s) UTC, %s rows moved from the default partition',
      to_char(p_lower AT TIME ZONE 'UTC', 'YYYY-MM-DD'), to_char(p_upper AT TIME ZONE 'UTC', 'YYYY-MM-DD'), v_moved);
END;
$$;

-- The maintenance entry point, run hourly by the maintenance function and after restores:
--   CALL data_tier.run_partition_maintenance();
-- Each step commits on its own, so CALL it outside an explicit transaction block. p_now lets
-- tests and drills run "as of" another time. p_report comes back as a JSON array with one
-- object per step: parent, step, partition, outcome (done, skipped, failed, reported),
-- attempts, detail and ms; each step is also raised as a NOTICE, which psql prints.
CREATE OR REPLACE PROCEDURE data_tier.run_partition_maintenance(
  p_now timestamptz DEFAULT NULL,
  p_parent regclass DEFAULT NULL,
  p_lock_timeout text DEFAULT '500ms',
  -- squawk-ignore prefer-bigint-over-int
  p_attempts integer DEFAULT 5,
  INOUT p_report jsonb DEFAULT NULL
)
LANGUAGE plpgsql
AS $$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_plan jsonb;
  v_step record;
  v_applied record;
  v_attempt integer;
  v_outcome text;
  v_partition text;
  v_detail text;
  v_started timestamptz;
  -- Appended to in place; a jsonb concatenation would copy the whole report at every step.
  v_report jsonb[] := '{}';
BEGIN
  SELECT coalesce(jsonb_agg(to_jsonb(p)), '[]'::jsonb) INTO v_plan
  FROM data_tier.partition_maintenance_plan(v_now, p_parent) AS p;
  -- Ends the planning transaction; from here on every step is a transaction of its own.
  COMMIT;

  FOR v_step IN
    SELECT * FROM jsonb_to_recordset(v_plan) AS s(parent regclass, step text, lower_bound timestamptz, upper_bound timestamptz, partition_table regclass, stray_rows bigint)
  LOOP
    v_started := clock_timestamp();
    v_attempt := 0;
    IF v_step.step = 'leave in default' THEN
      v_outcome := 'reported';
      v_partition := data_tier.qualified_name(v_step.partition_table);
      v_detail := format(
        '%s rows from %s to %s UTC lie beyond the horizon or before the retention: create their partition on purpose with '
        'CALL data_tier.create_partition_for(%L, <a time in their period>), or delete them',
        v_step.stray_rows, to_char(v_step.lower_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        to_char(v_step.upper_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD'), data_tier.qualified_name(v_step.parent));
    ELSE
      LOOP
        v_attempt := v_attempt + 1;
        BEGIN
          PERFORM set_config('lock_timeout', p_lock_timeout, true);
          PERFORM set_config('synchronous_commit', 'off', true);
          SELECT * INTO v_applied
          FROM data_tier.apply_partition_step(v_step.parent, v_step.step, v_step.lower_bound, v_step.upper_bound, v_step.partition_table);
          v_outcome := v_applied.outcome;
          v_partition := v_applied.partition_name;
          v_detail := v_applied.detail;
        EXCEPTION
          WHEN lock_not_available OR deadlock_detected THEN
            v_outcome := 'retry';
            v_detail := SQLERRM;
          WHEN OTHERS THEN
            v_outcome := 'failed';
            v_detail := SQLERRM;
        END;
        COMMIT;
        EXIT WHEN v_outcome <> 'retry';
        IF v_attempt >= p_attempts THEN
          v_outcome := 'failed';
          v_detail := format('could not get its locks in %s attempts (%s); the next run tries again', v_attempt, v_detail);
          EXIT;
        END IF;
        -- Backoff with jitter: 100 ms, 200 ms, 400 ms ... (at most 5 s), each 0.5x to 1.5x.
        PERFORM pg_sleep(least(5, 0.1 * 2 ^ (v_attempt - 1)) * (0.5 + random()));
      END LOOP;
      IF v_outcome = 'failed' AND v_partition IS NULL THEN
        v_partition := coalesce(data_tier.qualified_name(v_step.partition_table),
          format('%s [%s, %s)', data_tier.qualified_name(v_step.parent),
            to_char(v_step.lower_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD'), to_char(v_step.upper_bound AT TIME ZONE 'UTC', 'YYYY-MM-DD')));
      END IF;
    END IF;
    -- psql shows notices as they come: a readable log of the run for an operator.
    RAISE NOTICE '% %: % (%)', v_step.step, coalesce(v_partition, '-'), v_outcome, v_detail;
    v_report := array_append(v_report, jsonb_build_object(
      'parent', data_tier.qualified_name(v_step.parent),
      'step', v_step.step,
      'partition', v_partition,
      'outcome', v_outcome,
      'attempts', v_attempt,
      'detail', v_detail,
      'ms', round((extract(epoch FROM clock_timestamp() - v_started) * 1000)::numeric, 1)));
    v_partition := NULL;
  END LOOP;
  p_report := to_jsonb(v_report);
END;
$$;

COMMENT ON PROCEDURE data_tier.run_partition_maintenance(timestamptz, regclass, text, integer, jsonb) IS
  'Creates current + premake partitions, fills gaps, moves default-partition rows within the horizon into new partitions, applies retention: one short transaction per step, retried on lock timeout. CALL it outside a transaction block.';

-- Creates the partition of the period that holds p_at, moving its rows out of the default
-- partition, however far ahead it lies: for rows beyond the horizon that are legitimate.
-- Runs in the caller's transaction; SET lock_timeout first on a busy table.
CREATE OR REPLACE PROCEDURE data_tier.create_partition_for(p_parent regclass, p_at timestamptz, INOUT p_result jsonb DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  v_interval text;
  v_lower timestamptz;
BEGIN
  SELECT pp.partition_interval INTO v_interval FROM data_tier.partitioned_parents AS pp WHERE pp.parent_table = p_parent;
  IF v_interval IS NULL THEN
    RAISE EXCEPTION '% is not registered with the partition manager', p_parent
      USING HINT = 'Register it with data_tier.register_partitioned_parent() first.';
  END IF;
  v_lower := date_trunc(v_interval, p_at, 'UTC');
  SELECT to_jsonb(s) INTO p_result
  FROM data_tier.apply_partition_step(p_parent, 'create', v_lower, date_add(v_lower, ('1 ' || v_interval)::interval, 'UTC')) AS s;
END;
$$;

-- Registers (or re-configures) a parent and brings it up to date in the caller's transaction:
-- a migration that creates a partitioned table and registers it leaves it with its default,
-- current and premade partitions, before any application writes to it.
CREATE OR REPLACE FUNCTION data_tier.register_partitioned_parent(
  p_parent regclass,
  p_interval text DEFAULT 'month',
  p_premake integer DEFAULT 6,
  p_retention interval DEFAULT interval '12 months',
  p_retention_action text DEFAULT 'detach',
  p_horizon integer DEFAULT 12
)
RETURNS data_tier.partitioned_parents
LANGUAGE plpgsql
-- An application stream's owner registers its own tables: it cannot write the registry itself.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_column name;
  v_type regtype;
  v_registered data_tier.partitioned_parents;
  v_step record;
BEGIN
  PERFORM data_tier.require_owner(p_parent, 'register partitioned table');
  SELECT a.attname, a.atttypid::regtype
    INTO v_column, v_type
  FROM pg_partitioned_table AS pt
  JOIN pg_attribute AS a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
  WHERE pt.partrelid = p_parent AND pt.partstrat = 'r' AND pt.partnatts = 1;

  IF v_column IS NULL THEN
    RAISE EXCEPTION '% is not partitioned BY RANGE on a single column', p_parent
      USING HINT = 'Create it with PARTITION BY RANGE (<timestamptz column>).';
  END IF;
  IF v_type <> 'timestamptz'::regtype THEN
    RAISE EXCEPTION 'partition key %.% is %, the partition manager needs timestamptz', p_parent, v_column, v_type;
  END IF;
  IF p_horizon < p_premake THEN
    RAISE EXCEPTION 'horizon % is less than premake % for %', p_horizon, p_premake, p_parent
      USING HINT = 'The horizon counts periods ahead like premake and must be at least as far.';
  END IF;

  INSERT INTO data_tier.partitioned_parents AS pp
    (parent_table, partition_column, partition_interval, premake, retention, retention_action, horizon)
  VALUES (p_parent, v_column, p_interval, p_premake, p_retention, p_retention_action, p_horizon)
  ON CONFLICT (parent_table) DO UPDATE
    SET partition_column = excluded.partition_column,
        partition_interval = excluded.partition_interval,
        premake = excluded.premake,
        retention = excluded.retention,
        retention_action = excluded.retention_action,
        horizon = excluded.horizon
  RETURNING pp.* INTO v_registered;

  FOR v_step IN SELECT * FROM data_tier.partition_maintenance_plan(now(), p_parent) AS p WHERE p.step <> 'leave in default' LOOP
    PERFORM data_tier.apply_partition_step(v_step.parent, v_step.step, v_step.lower_bound, v_step.upper_bound, v_step.partition_table);
  END LOOP;
  RETURN v_registered;
END;
$$;

GRANT EXECUTE ON FUNCTION data_tier.partition_bounds(regclass), data_tier.qualified_name(regclass) TO data_tier_monitor;
GRANT EXECUTE ON FUNCTION data_tier.partition_bounds(regclass), data_tier.qualified_name(regclass) TO data_tier_operator;
REVOKE ALL ON FUNCTION data_tier.partition_maintenance_plan(timestamptz, regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION data_tier.partition_maintenance_plan(timestamptz, regclass) TO data_tier_operator;

-- Maintenance changes tables: only the owner (the master user, which the maintenance function
-- and the migrations sign in as) runs it, not every role through PUBLIC's default EXECUTE.
REVOKE ALL ON ROUTINE
  data_tier.apply_partition_step(regclass, text, timestamptz, timestamptz, regclass),
  data_tier.run_partition_maintenance(timestamptz, regclass, text, integer, jsonb),
  data_tier.create_partition_for(regclass, timestamptz, jsonb),
  data_tier.register_partitioned_parent(regclass, text, integer, interval, text, integer),
  data_tier.give_to_parent_owner(regclass, regclass)
FROM PUBLIC;
