-- migrate:replaces 009_partition_maintenance_in_steps.sql 8b9aa30590521ee813453c8befbb0655f5ab669aaae6e591175ef4676884f8bf
-- migrate:replaces 010_health_signals_never_blind.sql 8272b987f1867dcbddffd4b890e6c1ad578fe6f816c21c384c741c640477cc6b

-- Partition maintenance in one short transaction per step (repeatable/010_partition_manager.sql
-- says how and why): a per-parent horizon, and the functions of the one-transaction design
-- dropped, since their replacements have other signatures. Safe to run on a database that
-- applied part of what it stands for.
ALTER TABLE data_tier.partitioned_parents
  -- A count of periods, capped by the CHECK: int is plenty.
  -- squawk-ignore prefer-bigint-over-int
  ADD COLUMN IF NOT EXISTS horizon integer NOT NULL DEFAULT 12 CHECK (horizon BETWEEN 1 AND 1200);

COMMENT ON COLUMN data_tier.partitioned_parents.horizon IS
  'Periods after the current one within which a row in the default partition gets its partition created by maintenance (at least premake). Rows further ahead stay in the default partition.';

DROP FUNCTION IF EXISTS data_tier.run_partition_maintenance(timestamptz, regclass);
DROP FUNCTION IF EXISTS data_tier.maintain_parent(data_tier.partitioned_parents, timestamptz);
DROP FUNCTION IF EXISTS data_tier.create_partition(data_tier.partitioned_parents, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS data_tier.register_partitioned_parent(regclass, text, integer, interval, text);
