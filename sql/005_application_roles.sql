-- Applications sign in as their own roles and run their migrations as their own owners
-- (docs/application-roles.md). The deploy-time function records here what it was told, so
-- operators can compare the configuration with pg_roles (runbooks/application-cannot-sign-in.md):
--   application_roles        one row per role ever declared; declared = false once removed
--                            from the configuration (the role then has NOLOGIN);
--   migration_stream_owners  the role that runs each application stream and owns its schemas.
CREATE TABLE data_tier.application_roles (
  role_name name PRIMARY KEY,
  sign_in text NOT NULL CHECK (sign_in IN ('iam', 'secret')),
  access text NOT NULL CHECK (access IN ('read-write', 'read-only')),
  schemas name[] NOT NULL,
  -- A count of connections (NULL: no limit of its own): int is plenty.
  -- squawk-ignore prefer-bigint-over-int
  connection_limit integer CHECK (connection_limit > 0),
  -- squawk-ignore prefer-bigint-over-int
  statement_timeout_ms integer CHECK (statement_timeout_ms > 0),
  declared boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE data_tier.application_roles IS
  'Application roles as the tier''s configuration declares them (database.applicationRoles), written at each deploy; declared = false for a role removed from it, which keeps no LOGIN.';

CREATE TABLE data_tier.migration_stream_owners (
  stream text PRIMARY KEY,
  owner_role name NOT NULL UNIQUE,
  schemas name[] NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE data_tier.migration_stream_owners IS
  'The role each application migration stream runs as and the schemas it owns; written by the migration runner before it applies the stream.';

GRANT SELECT ON data_tier.application_roles, data_tier.migration_stream_owners TO data_tier_operator, data_tier_monitor;

-- No routine of the data_tier schema is executable by PUBLIC: each role is granted what it
-- needs next to the routine (repeatable/), and stream owners only the registration functions
-- (the migration runner grants them). Routines the master user creates from now on start
-- without PUBLIC's EXECUTE too, so a new one cannot be forgotten.
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA data_tier FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
