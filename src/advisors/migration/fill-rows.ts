/**
 * `--rows table=N`: fill a table of the trace database with N generated rows first, so scans and rewrites take
 * the time they would on real data. Values come from each column's type; columns with a default (serials,
 * identities, timestamps) keep it. A single-column foreign key takes the referenced table's keys in turn (fill that
 * table first), so a constraint added later validates.
 */
import type pg from "pg";
import { InputError } from "../../util/input-error.js";
import { quoteIdent } from "../../util/sql-identifiers.js";

const VALUE_BY_TYPE: Array<[RegExp, string]> = [
  [/^(smallint|integer|bigint|numeric|real|double precision)/, "g"],
  [/^(text|character varying|character)/, "'row ' || g"],
  [/^boolean/, "g % 2 = 0"],
  [/^timestamp|^date/, "now() - g * interval '1 minute'"],
  [/^uuid/, "md5(g::text)::uuid"],
  [/^jsonb?/, "jsonb_build_object('n', g)"],
];

export async function fillRows(client: pg.Client, table: string, rows: number): Promise<void> {
  const { rows: columns } = await client
    .query<{ name: string; type: string; has_default: boolean; not_null: boolean; identity: string }>(
      `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.atthasdef as has_default,
            a.attnotnull as not_null, a.attidentity as identity
       from pg_attribute a where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
      order by a.attnum`,
      [table],
    )
    .catch(() => {
      throw new InputError(
        `--rows names ${table}, which the trace database does not have`,
        "name a table of the starting schema",
      );
    });
  const { rows: references } = await client.query<{ column: string; ref_table: string; ref_column: string }>(
    `select a.attname as column, c.confrelid::regclass::text as ref_table, ra.attname as ref_column
       from pg_constraint c
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
       join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = c.confkey[1]
      where c.conrelid = $1::regclass and c.contype = 'f' and cardinality(c.conkey) = 1`,
    [table],
  );
  const filled = columns.filter((c) => !c.has_default && c.identity === "");
  const keyArrays: string[] = [];
  const values = filled.map((c) => {
    const ref = references.find((r) => r.column === c.name);
    if (ref) {
      const alias = `k${keyArrays.length}`;
      keyArrays.push(`(select array_agg(${quoteIdent(ref.ref_column)}) as k from ${ref.ref_table}) ${alias}`);
      return `${alias}.k[1 + (g - 1) % greatest(cardinality(${alias}.k), 1)]`;
    }
    const value = VALUE_BY_TYPE.find(([re]) => re.test(c.type))?.[1];
    if (value) return `(${value})::${c.type}`;
    if (c.not_null)
      throw new InputError(
        `--rows cannot make values of type ${c.type} for ${table}.${c.name}`,
        "give the column a default, or fill the table in the schema file",
      );
    return "null";
  });
  await client.query("set session_replication_role = replica");
  try {
    await client.query(
      `insert into ${table} (${filled.map((c) => quoteIdent(c.name)).join(", ")}) select ${values.join(", ")} from ${["generate_series(1, $1::int) g", ...keyArrays].join(", ")}`,
      [rows],
    );
  } finally {
    await client.query("set session_replication_role = origin");
  }
  await client.query(`analyze ${table}`);
}
