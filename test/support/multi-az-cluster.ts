// An RDS Multi-AZ DB cluster as the embedded PostgreSQL can stand for one. AWS: the cluster
// replicates "using the DB engine's native replication capabilities", and "acknowledgment from at
// least one reader DB instance is required for a change to be committed"
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html): a
// writer with two streaming hot standbys whose commits wait for either one.

/** The writer's synchronous_standby_names: either of its two readers (startTestReplicaSet's names) acknowledges a commit. */
export const MULTI_AZ_CLUSTER_SYNCHRONOUS_STANDBY_NAMES = 'ANY 1 (alarm_standby, alarm_standby_2)';

/** What a Multi-AZ DB cluster's servers offer that others do not, as AWS's drivers call it (aws/aws-advanced-jdbc-wrapper, RdsMultiAzDbClusterPgDialect). */
export const MULTI_AZ_CLUSTER_FUNCTIONS = `
  CREATE SCHEMA rds_tools;
  CREATE FUNCTION rds_tools.multi_az_db_cluster_source_dbi_resource_id() RETURNS TABLE (multi_az_db_cluster_source_dbi_resource_id text)
    LANGUAGE sql STABLE AS $$ SELECT 'db-WRITERRESOURCEID0000000000'::text $$;
  CREATE FUNCTION rds_tools.dbi_resource_id() RETURNS TABLE (dbi_resource_id text)
    LANGUAGE sql STABLE AS $$ SELECT 'db-WRITERRESOURCEID0000000000'::text $$;
`;
