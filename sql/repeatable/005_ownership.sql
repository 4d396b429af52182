-- Ownership checks for the functions an application stream's owner may call. Those functions
-- are SECURITY DEFINER (they write the data tier's registries, which the owner cannot), so the
-- caller is not current_user inside them: it is the role set with SET ROLE, or else the role
-- that signed in. The migration runner signs in as each stream's owner, so that is the owner.
CREATE OR REPLACE FUNCTION data_tier.calling_role()
RETURNS name
LANGUAGE sql
STABLE
AS $$
  SELECT CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role')::name END;
$$;

COMMENT ON FUNCTION data_tier.calling_role() IS
  'The role that called a SECURITY DEFINER function of the data tier: the SET ROLE role, else the session''s.';

-- Raises permission denied (42501) unless the calling role owns p_relation (or is a member of
-- its owner, as the master user is of every stream owner).
CREATE OR REPLACE FUNCTION data_tier.require_owner(p_relation regclass, p_action text)
RETURNS void
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
  v_owner name;
  v_caller name := data_tier.calling_role();
BEGIN
  SELECT pg_catalog.pg_get_userbyid(c.relowner) INTO v_owner FROM pg_catalog.pg_class AS c WHERE c.oid = p_relation;
  IF NOT pg_catalog.pg_has_role(v_caller, v_owner, 'USAGE') THEN
    RAISE EXCEPTION 'permission denied to % %: it is owned by %, not by %', p_action, p_relation, v_owner, v_caller
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'A migration stream may register only the tables and views its own migrations created.';
  END IF;
END;
$$;

REVOKE ALL ON FUNCTION data_tier.calling_role(), data_tier.require_owner(regclass, text) FROM PUBLIC;
