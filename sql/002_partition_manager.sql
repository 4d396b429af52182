-- Partition manager for native declarative RANGE partitioning on a timestamptz column
-- (pg_partman is not available on the embedded PostgreSQL, and its 4.x/5.x APIs differ).
--
-- A parent is registered once with data_tier.register_partitioned_parent(); the single
-- entry point data_tier.run_partition_maintenance() then, for each registered parent:
--   1. keeps a DEFAULT partition, so an insert outside the partitioned range never fails;
--   2. creates the partitions for the current period plus `premake` periods ahead, fills
--      gaps between the oldest kept partition and now, and creates the partition of any
--      period whose rows landed in the default partition, moving those rows into it;
--   3. detaches (or drops) partitions whose whole range is older than `retention`,
--      never the current or a future one.
-- Period boundaries are computed and written in UTC, whatever the session TimeZone.
-- It is idempotent, serialised by an advisory lock, and bounded by lock_timeout for DDL.

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

-- schema.table, whatever the search_path (regclass::text omits schemas on the path).
CREATE FUNCTION data_tier.qualified_name(p_relation regclass)
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
CREATE FUNCTION data_tier.partition_bounds(p_parent regclass)
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

CREATE FUNCTION data_tier.register_partitioned_parent(
  p_parent regclass,
  p_interval text DEFAULT 'month',
  p_premake integer DEFAULT 6,
  p_retention interval DEFAULT interval '12 months',
  p_retention_action text DEFAULT 'detach'
)
RETURNS data_tier.partitioned_parents
LANGUAGE plpgsql
AS $$
DECLARE
  v_column name;
  v_type regtype;
  v_registered data_tier.partitioned_parents;
BEGIN
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

  INSERT INTO data_tier.partitioned_parents AS pp
    (parent_table, partition_column, partition_interval, premake, retention, retention_action)
  VALUES (p_parent, v_column, p_interval, p_premake, p_retention, p_retention_action)
  ON CONFLICT (parent_table) DO UPDATE
    SET partition_column = excluded.partition_column,
        partition_interval = excluded.partition_interval,
        premake = excluded.premake,
        retention = excluded.retention,
        retention_action = excluded.retention_action
  RETURNING pp.* INTO v_registered;
  RETURN v_registered;
END;
$$;

-- Creates the partition [p_lower, p_upper) of a registered parent and returns how many rows
-- it moved out of the default partition. The table is created standalone, filled from the
-- default partition, then attached: ATTACH takes only SHARE UPDATE EXCLUSIVE on the parent,
-- so inserts into other partitions carry on. The default partition is locked first so no
-- row of the range can land there between the move and the attach (which would fail).
-- Called by run_partition_maintenance(), which holds the maintenance lock.
CREATE FUNCTION data_tier.create_partition(
  p_config data_tier.partitioned_parents,
  p_lower timestamptz,
  p_upper timestamptz
)
RETURNS TABLE (partition_name text, moved_rows bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_schema name;
  v_parent_name name;
  v_name text;
  v_default regclass;
  v_columns text;
  v_moved bigint := 0;
BEGIN
  SELECT n.nspname, c.relname INTO v_schema, v_parent_name
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE c.oid = p_config.parent_table;

  v_name := format('%s_p%s', v_parent_name,
    to_char(p_lower AT TIME ZONE 'UTC', CASE p_config.partition_interval WHEN 'month' THEN 'YYYY_MM' ELSE 'YYYY_MM_DD' END));
  IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
    RAISE EXCEPTION 'cannot create partition %.%: a table of that name exists but is not attached to %', v_schema, v_name, p_config.parent_table
      USING HINT = 'Attach it, rename it or drop it, then run data_tier.run_partition_maintenance() again.';
  END IF;

  EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
    v_schema, v_name, p_config.parent_table);

  SELECT b.partition_table INTO v_default
  FROM data_tier.partition_bounds(p_config.parent_table) AS b WHERE b.is_default;
  IF v_default IS NOT NULL THEN
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', v_default);
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_columns
    FROM pg_attribute AS a
    WHERE a.attrelid = p_config.parent_table AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    EXECUTE format(
      'WITH moved AS (DELETE FROM %1$s WHERE %2$I >= %3$L AND %2$I < %4$L RETURNING %5$s) '
      'INSERT INTO %6$I.%7$I (%5$s) SELECT %5$s FROM moved',
      v_default, p_config.partition_column, p_lower, p_upper, v_columns, v_schema, v_name);
    GET DIAGNOSTICS v_moved = ROW_COUNT;
  END IF;

  EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
    p_config.parent_table, v_schema, v_name,
    to_char(p_lower AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"+00"'),
    to_char(p_upper AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"+00"'));

  RETURN QUERY SELECT data_tier.qualified_name(format('%I.%I', v_schema, v_name)::regclass), v_moved;
END;
$$;

-- One parent's maintenance; see the header of this file. Called by run_partition_maintenance().
CREATE FUNCTION data_tier.maintain_parent(p_config data_tier.partitioned_parents, p_now timestamptz)
RETURNS TABLE (parent regclass, action text, partition_name text, detail text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_parent regclass := p_config.parent_table;
  v_unit text := p_config.partition_interval;
  v_step interval := ('1 ' || p_config.partition_interval)::interval;
  v_current timestamptz := date_trunc(p_config.partition_interval, p_now, 'UTC');
  v_last timestamptz;
  v_cutoff timestamptz;
  v_default regclass;
  v_oldest timestamptz;
  v_period timestamptz;
  v_created record;
  v_expired record;
  v_stray_periods timestamptz[];
  v_stray_counts bigint[];
  v_left_in_default bigint;
  v_expired_name text;
BEGIN
  v_last := date_add(v_current, v_step * p_config.premake, 'UTC');
  v_cutoff := date_subtract(p_now, p_config.retention, 'UTC');

  SELECT b.partition_table INTO v_default FROM data_tier.partition_bounds(v_parent) AS b WHERE b.is_default;
  IF v_default IS NULL THEN
    SELECT format('%I.%I', n.nspname, c.relname || '_default') INTO partition_name
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = v_parent;
    EXECUTE format('CREATE TABLE %s PARTITION OF %s DEFAULT', partition_name, v_parent);
    v_default := partition_name::regclass;
    RETURN QUERY SELECT v_parent, 'created default'::text, data_tier.qualified_name(v_default), 'catches rows outside every partition'::text;
  END IF;

  SELECT min(b.lower_bound) INTO v_oldest FROM data_tier.partition_bounds(v_parent) AS b WHERE NOT b.is_default;

  -- Periods that rows in the default partition belong to. Reading the default partition is a
  -- scan, but it holds only strays: health_check() alarms on its row count.
  EXECUTE format(
    'SELECT array_agg(period), array_agg(row_count) FROM (SELECT date_trunc(%L, %I, %L) AS period, count(*) AS row_count FROM %s GROUP BY 1) AS s',
    v_unit, p_config.partition_column, 'UTC', v_default)
    INTO v_stray_periods, v_stray_counts;

  FOR v_period IN
    SELECT wanted.period
    FROM (
      SELECT generate_series(v_current, v_last, v_step, 'UTC') AS period
      UNION
      SELECT generate_series(v_oldest, v_current, v_step, 'UTC') WHERE v_oldest IS NOT NULL
      UNION
      SELECT s.period FROM unnest(v_stray_periods) AS s(period) WHERE s.period <= v_last
    ) AS wanted
    WHERE (v_cutoff IS NULL OR date_add(wanted.period, v_step, 'UTC') > v_cutoff)
      AND NOT EXISTS (
        SELECT FROM data_tier.partition_bounds(v_parent) AS b
        WHERE NOT b.is_default
          AND b.lower_bound < date_add(wanted.period, v_step, 'UTC')
          AND b.upper_bound > wanted.period)
    ORDER BY wanted.period
  LOOP
    SELECT * INTO v_created FROM data_tier.create_partition(p_config, v_period, date_add(v_period, v_step, 'UTC'));
    RETURN QUERY SELECT v_parent, 'created'::text, v_created.partition_name,
      format('[%s, %s) UTC, %s rows moved from the default partition',
        to_char(v_period AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        to_char(date_add(v_period, v_step, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        v_created.moved_rows);
  END LOOP;

  SELECT coalesce(sum(s.row_count), 0) INTO v_left_in_default
  FROM unnest(v_stray_periods, v_stray_counts) AS s(period, row_count)
  WHERE s.period > v_last OR (v_cutoff IS NOT NULL AND date_add(s.period, v_step, 'UTC') <= v_cutoff);
  IF v_left_in_default > 0 THEN
    RETURN QUERY SELECT v_parent, 'left in default'::text, data_tier.qualified_name(v_default),
      format('%s rows lie past the premade range or before retention; move or delete them by hand', v_left_in_default);
  END IF;

  IF v_cutoff IS NULL THEN
    RETURN;
  END IF;
  -- Expired: the whole range is older than the cutoff. The second condition is redundant
  -- while retention > 0 but states the rule: never the current or a future partition.
  FOR v_expired IN
    SELECT b.partition_table FROM data_tier.partition_bounds(v_parent) AS b
    WHERE NOT b.is_default AND b.upper_bound <= v_cutoff AND b.upper_bound <= v_current
    ORDER BY b.lower_bound
  LOOP
    v_expired_name := data_tier.qualified_name(v_expired.partition_table);
    IF p_config.retention_action = 'drop' THEN
      EXECUTE format('DROP TABLE %s', v_expired.partition_table);
    ELSE
      EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_parent, v_expired.partition_table);
    END IF;
    RETURN QUERY SELECT v_parent,
      CASE p_config.retention_action WHEN 'drop' THEN 'dropped' ELSE 'detached' END,
      v_expired_name,
      format('past retention of %s', p_config.retention);
  END LOOP;
END;
$$;

-- The maintenance entry point: run it on a schedule (hourly or daily) and after deploys.
-- p_now exists so tests and drills can run maintenance "as of" another time.
CREATE FUNCTION data_tier.run_partition_maintenance(
  p_now timestamptz DEFAULT now(),
  p_parent regclass DEFAULT NULL
)
RETURNS TABLE (parent regclass, action text, partition_name text, detail text)
LANGUAGE plpgsql
-- Bounds the DDL's wait for locks held by running queries; restored on return.
SET lock_timeout = '5s'
AS $$
#variable_conflict use_column
DECLARE
  v_config data_tier.partitioned_parents;
BEGIN
  -- A second run waits for the first to commit, then finds nothing left to do. Waiting here
  -- blocks nobody else, so this one wait is not bounded by lock_timeout.
  PERFORM set_config('lock_timeout', '0', true);
  PERFORM pg_advisory_xact_lock(hashtext('data_tier.run_partition_maintenance'));
  PERFORM set_config('lock_timeout', '5s', true);

  FOR v_config IN
    SELECT pp.* FROM data_tier.partitioned_parents AS pp
    JOIN pg_class AS c ON c.oid = pp.parent_table
    WHERE p_parent IS NULL OR pp.parent_table = p_parent
    ORDER BY pp.parent_table::text
  LOOP
    RETURN QUERY SELECT * FROM data_tier.maintain_parent(v_config, p_now);
  END LOOP;
END;
$$;

COMMENT ON FUNCTION data_tier.run_partition_maintenance(timestamptz, regclass) IS
  'Creates current + premake partitions, fills gaps, moves default-partition rows into new partitions, applies retention. Idempotent; serialised by an advisory lock.';
