-- Writes the heartbeat; call it on the primary only (a replica refuses writes).
CREATE OR REPLACE FUNCTION data_tier.record_heartbeat(p_written_by text DEFAULT current_user)
RETURNS timestamptz
LANGUAGE sql
AS $$
  INSERT INTO data_tier.heartbeat AS h (beat_at, written_by)
  VALUES (clock_timestamp(), p_written_by)
  ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, written_by = excluded.written_by
  RETURNING h.beat_at;
$$;

GRANT EXECUTE ON FUNCTION data_tier.record_heartbeat(text) TO data_tier_monitor;
