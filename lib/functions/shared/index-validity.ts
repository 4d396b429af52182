import type { ClientBase } from 'pg';
import { indexBuildOf, type SqlStatement } from './sql-statements';

/** An index a migration built or named that queries and constraints cannot rely on. */
export interface UnusableIndex {
  /** 0-based position, in the file, of the statement that named the index or its table. */
  readonly statement: number;
  /** Schema-qualified, quoted where needed. */
  readonly index: string;
  /**
   * `invalid`: `pg_index.indisvalid` or `indisready` is false. `name taken`: `CREATE INDEX ...
   * IF NOT EXISTS` found the name held by another table's index (or by a relation that is not
   * an index), so nothing was built on the table the statement names.
   */
  readonly problem: 'invalid' | 'name taken';
  /** The table the index is on; null when the name is not an index at all. */
  readonly table: string | null;
  /** For `name taken`: the table the statement names. */
  readonly namedTable: string | null;
}

/**
 * The indexes the statements build that are unusable now: the index a `CREATE INDEX` names
 * must be a valid index on the named table; after an unnamed `CREATE INDEX` or a `REINDEX`,
 * every index of the tables it touched must be valid (a failed `REINDEX CONCURRENTLY` leaves
 * `<name>_ccnew`). A failed or cancelled concurrent build leaves its index INVALID, and
 * `IF NOT EXISTS` skips an existing one whatever its state. Builds other sessions are running
 * right now are not counted against the file.
 */
export async function unusableIndexes(client: ClientBase, statements: readonly SqlStatement[]): Promise<UnusableIndex[]> {
  const builds = statements.flatMap((statement, position) => {
    const build = indexBuildOf(statement);
    return build ? [{ position, ...build }] : [];
  });
  if (builds.length === 0) return [];
  const { rows } = await client.query<UnusableIndex>(
    `WITH build AS (
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::boolean[])
         AS b(statement, index_name, table_name, schema_name, every_table)
     ),
     named AS ( -- CREATE INDEX name ON table: PostgreSQL puts the index in the table's schema
       SELECT b.statement, t.oid AS named_table,
              to_regclass(format('%s.%s', t.relnamespace::regnamespace, b.index_name)) AS relation
       FROM build AS b JOIN pg_class AS t ON t.oid = to_regclass(b.table_name)
       WHERE b.index_name IS NOT NULL AND b.table_name IS NOT NULL
     ),
     touched AS ( -- unnamed CREATE INDEX ON table, REINDEX INDEX (its table), TABLE, SCHEMA, DATABASE
       SELECT b.statement, i.indexrelid AS relation, NULL::oid AS named_table
       FROM build AS b
       JOIN pg_class AS t
         ON t.oid = to_regclass(b.table_name)
         OR t.oid = (SELECT indrelid FROM pg_index WHERE indexrelid = to_regclass(b.index_name))
         OR t.relnamespace = to_regnamespace(b.schema_name)
         OR b.every_table
       JOIN pg_index AS i ON i.indrelid = t.oid
       WHERE (b.index_name IS NULL OR b.table_name IS NULL)
         AND i.indexrelid NOT IN (SELECT index_relid FROM pg_stat_progress_create_index WHERE index_relid IS NOT NULL)
     ),
     checked AS (
       SELECT statement, relation, named_table FROM named WHERE relation IS NOT NULL
       UNION ALL
       SELECT statement, relation, named_table FROM touched
     )
     SELECT DISTINCT ON (c.relation)
            c.statement,
            CASE WHEN i.indrelid IS DISTINCT FROM c.named_table AND c.named_table IS NOT NULL THEN 'name taken' ELSE 'invalid' END AS problem,
            (pg_identify_object('pg_class'::regclass, c.relation, 0)).identity AS index,
            (pg_identify_object('pg_class'::regclass, i.indrelid, 0)).identity AS table,
            (pg_identify_object('pg_class'::regclass, c.named_table, 0)).identity AS "namedTable"
     FROM checked AS c
     LEFT JOIN pg_index AS i ON i.indexrelid = c.relation
     WHERE i.indexrelid IS NULL OR NOT (i.indisvalid AND i.indisready) OR i.indrelid <> c.named_table
     ORDER BY c.relation, c.statement`,
    [
      builds.map((build) => build.position),
      builds.map((build) => build.index ?? null),
      builds.map((build) => build.table ?? null),
      builds.map((build) => build.schema ?? null),
      builds.map((build) => build.everyTable ?? false),
    ],
  );
  return rows.sort((a, b) => a.statement - b.statement);
}
