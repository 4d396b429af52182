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

-- Writes the heartbeat; call it on the primary only (a replica refuses writes).
CREATE FUNCTION data_tier.record_heartbeat(p_written_by text DEFAULT current_user)
RETURNS timestamptz
LANGUAGE sql
AS $$
  INSERT INTO data_tier.heartbeat AS h (beat_at, written_by)
  VALUES (clock_timestamp(), p_written_by)
  ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, written_by = excluded.written_by
  RETURNING h.beat_at;
$$;
