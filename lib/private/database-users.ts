// The database users the tier itself signs in as, apart from any application's: shared by the
// database construct, which makes their secrets, and the application roles, whose names must
// differ from them.

/** The master user; applications get their own roles (`applicationRoles`), not this one. */
export const MASTER_USERNAME = 'dbadmin';
/** Role of the health check, created NOLOGIN by sql/001_data_tier_schema.sql; the migrations give it its secret's password. */
export const MONITOR_USERNAME = 'data_tier_monitor';
/** The runbooks' read-only role, created NOLOGIN by sql/004_operator_role.sql. */
export const OPERATOR_USERNAME = 'data_tier_operator';
