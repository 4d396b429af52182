-- One generic trigger function for every table with an updated_at column,
-- replacing a function per table (seed 002, "consolidate updated_at triggers").
-- Attach it with:
--   CREATE TRIGGER set_updated_at BEFORE UPDATE ON <table>
--     FOR EACH ROW EXECUTE FUNCTION data_tier.set_updated_at();
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
