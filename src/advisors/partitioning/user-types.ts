/**
 * The user-defined types a table's columns use, read from the user's catalog and recreated on the sampled copy
 * before the table: enums (labels in their order), domains (base type, default, NOT NULL, checks), composite types
 * and range types, and what they are built on in turn (a domain over an enum, an array of a composite), each
 * created after the types it needs. A type of an extension (citext, hstore, ltree) brings CREATE EXTENSION, in
 * the schema it has on the source, so the copy names it as the source does. A table's row type is left to fail the
 * table's CREATE: the copy cannot have it without the table.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { ident, list, literal, qname, type SqlText, sql, sqlFrom } from "../../util/sql-text.js";

interface TypeRow {
  oid: string;
  schema: string;
  name: string;
  /** pg_type.typtype: e enum, d domain, c composite, r range, b base (an array when elem is set). */
  kind: string;
  elem: string;
  from_extension: boolean;
  /** The extension the type belongs to, and that extension's schema. */
  extension: string | null;
  extension_schema: string | null;
  relkind: string | null;
  base_oid: string;
  base: string | null;
  default_expr: string | null;
  not_null: boolean;
  labels: string[] | null;
  checks: Array<{ name: string; definition: string }> | null;
  attributes: Array<{ name: string; type: string; oid: string }> | null;
  range: { subtype: string; oid: string; subdiff: string | null } | null;
}

const TYPES_SQL = `SELECT t.oid::text AS oid, n.nspname AS schema, t.typname AS name, t.typtype AS kind,
  CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE 0 END::text AS elem,
  EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
    AS from_extension,
  x.extname AS extension, x.extschema AS extension_schema,
  (SELECT c.relkind::text FROM pg_class c WHERE c.oid = t.typrelid) AS relkind,
  t.typbasetype::text AS base_oid,
  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base,
  t.typdefault AS default_expr, t.typnotnull AS not_null,
  CASE WHEN t.typtype = 'e' THEN
    (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) END AS labels,
  CASE WHEN t.typtype = 'd' THEN
    (SELECT json_agg(json_build_object('name', c.conname, 'definition', pg_get_constraintdef(c.oid)) ORDER BY c.conname)
       FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c') END AS checks,
  CASE WHEN t.typtype = 'c' THEN
    (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
        'oid', a.atttypid::text) ORDER BY a.attnum)
       FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS attributes,
  CASE WHEN t.typtype = 'r' THEN
    (SELECT json_build_object('subtype', format_type(r.rngsubtype, NULL), 'oid', r.rngsubtype::text,
        'subdiff', CASE WHEN p.pronamespace = 'pg_catalog'::regnamespace THEN p.proname::text END)
       FROM pg_range r LEFT JOIN pg_proc p ON p.oid = r.rngsubdiff WHERE r.rngtypid = t.oid) END AS range
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN LATERAL (SELECT e.extname::text AS extname, en.nspname::text AS extschema FROM pg_depend d
    JOIN pg_extension e ON e.oid = d.refobjid JOIN pg_namespace en ON en.oid = e.extnamespace
  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
    AND d.refclassid = 'pg_extension'::regclass LIMIT 1) x ON true
WHERE t.oid = ANY($1::oid[])`;

const COLUMN_TYPES_SQL = `SELECT DISTINCT a.atttypid::text AS oid FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`;

/**
 * A type to create on the copy: its schema.name (to create it once) and its statements, one each; for a type of
 * an extension, the extension (created once, keyed by its name) and the type that needs it.
 */
export interface UserTypeDefinition {
  key: string;
  statements: SqlText[];
  extension?: { name: string; type: string };
}

/** The CREATE statements for the user-defined types of a table's columns, each type after those it is built on. */
export async function userTypeDefinitions(
  source: PostgresConnector,
  schema: string,
  table: string,
): Promise<UserTypeDefinition[]> {
  const rows = new Map<string, TypeRow>();
  let wanted = (await source.query<{ oid: string }>(COLUMN_TYPES_SQL, [schema, table])).map((r) => r.oid);
  while (wanted.length) {
    const found = await source.query<TypeRow>(TYPES_SQL, [wanted]);
    for (const t of found) rows.set(t.oid, t);
    wanted = [...new Set(found.flatMap(dependencies))].filter((oid) => oid !== "0" && !rows.has(oid));
  }
  // Depth first, so each type follows what it is built on (the catalog has no cycle among these).
  const out: UserTypeDefinition[] = [];
  const done = new Set<string>();
  const visit = (oid: string) => {
    const t = rows.get(oid);
    if (!t || done.has(oid)) return;
    done.add(oid);
    for (const d of dependencies(t)) visit(d);
    if (t.extension && t.extension_schema) {
      const schemaName = ident(t.extension_schema);
      out.push({
        key: `extension ${t.extension}`,
        extension: { name: t.extension, type: `${t.schema}.${t.name}` },
        statements: [
          sql`CREATE SCHEMA IF NOT EXISTS ${schemaName}`,
          sql`CREATE EXTENSION IF NOT EXISTS ${ident(t.extension)} WITH SCHEMA ${schemaName} CASCADE`,
        ],
      });
      return;
    }
    const created = definition(t);
    if (created)
      out.push({
        key: `${t.schema}.${t.name}`,
        statements: [sql`CREATE SCHEMA IF NOT EXISTS ${ident(t.schema)}`, created],
      });
  };
  for (const oid of rows.keys()) visit(oid);
  return out;
}

/** The types `t` is built on. */
function dependencies(t: TypeRow): string[] {
  if (builtIn(t)) return [];
  return [
    t.elem,
    t.kind === "d" ? t.base_oid : "0",
    ...(t.attributes ?? []).map((a) => a.oid),
    t.range?.oid ?? "0",
  ].filter((oid) => oid !== "0");
}

function builtIn(t: TypeRow): boolean {
  return t.schema === "pg_catalog" || t.schema === "information_schema" || t.from_extension;
}

/** CREATE TYPE / CREATE DOMAIN for a user's type; null for a built-in one, an array, or one the copy cannot have. */
function definition(t: TypeRow): SqlText | null {
  if (builtIn(t) || t.elem !== "0") return null;
  const name = qname(t.schema, t.name);
  if (t.kind === "e")
    return sql`CREATE TYPE ${name} AS ENUM (${list((t.labels ?? []).map((l) => literal(l)))})`;
  if (t.kind === "d" && t.base) {
    const fallback = t.default_expr ? sql` DEFAULT ${sqlFrom("server", t.default_expr)}` : sql``;
    const notNull = t.not_null ? sql` NOT NULL` : sql``;
    // A check added NOT VALID is printed so; CREATE DOMAIN takes it without (the copied rows exist on the source).
    const checks = (t.checks ?? []).map(
      (c) => sql` CONSTRAINT ${ident(c.name)} ${sqlFrom("server", c.definition.replace(/ NOT VALID$/, ""))}`,
    );
    return sql`CREATE DOMAIN ${name} AS ${sqlFrom("server", t.base)}${fallback}${notNull}${list(checks, "")}`;
  }
  if (t.kind === "c" && t.relkind === "c" && t.attributes)
    return sql`CREATE TYPE ${name} AS (${list(
      t.attributes.map((a) => sql`${ident(a.name)} ${sqlFrom("server", a.type)}`),
    )})`;
  if (t.kind === "r" && t.range) {
    const diff = t.range.subdiff ? sql`, SUBTYPE_DIFF = ${ident(t.range.subdiff)}` : sql``;
    return sql`CREATE TYPE ${name} AS RANGE (SUBTYPE = ${sqlFrom("server", t.range.subtype)}${diff})`;
  }
  return null;
}
