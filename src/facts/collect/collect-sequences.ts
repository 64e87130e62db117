import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import type { SequenceFacts } from "../snapshot.js";
import { num, numOrNull, userSchemaFilter } from "./user-schemas.js";

type Row = Record<string, unknown>;

/**
 * Sequences with how far they have counted, and the column each one feeds (serial: an 'a' dependency, identity:
 * an 'i' one), so a bigint sequence behind an int4 column can be caught.
 */
export async function collectSequences(
  db: PostgresConnector,
  locked: number[] = [],
): Promise<SequenceFacts[]> {
  const rows = await db.query<Row>(
    `
    select s.schemaname, s.sequencename, s.data_type::text as data_type,
           s.last_value::float8 as last_value, s.min_value::float8 as min_value, s.max_value::float8 as max_value,
           s.increment_by::float8 as increment_by, s.cycle,
           has_sequence_privilege(sc.oid, 'SELECT,USAGE') as readable,
           tn.nspname as table_schema, tc.relname as table_name, a.attname::text as column_name,
           format_type(a.atttypid, a.atttypmod) as column_type
      from pg_sequences s
      join pg_namespace n on n.nspname = s.schemaname
      join pg_class sc on sc.relname = s.sequencename and sc.relnamespace = n.oid
      left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = sc.oid
            and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      left join pg_class tc on tc.oid = d.refobjid
      left join pg_namespace tn on tn.oid = tc.relnamespace
      left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
     where ${userSchemaFilter("n")} and sc.oid <> all($1::oid[])
     order by s.schemaname, s.sequencename`,
    [locked],
  );
  return rows.map((r) => ({
    schema: String(r.schemaname),
    name: String(r.sequencename),
    dataType: String(r.data_type),
    lastValue: numOrNull(r.last_value),
    minValue: num(r.min_value),
    maxValue: num(r.max_value),
    increment: num(r.increment_by),
    cycle: Boolean(r.cycle),
    readable: Boolean(r.readable),
    ownedBy:
      r.table_name && r.column_name
        ? {
            schema: String(r.table_schema),
            table: String(r.table_name),
            column: String(r.column_name),
            columnType: String(r.column_type),
          }
        : null,
  }));
}
