/**
 * Keywords that quote_ident() quotes (every category but unreserved), from
 * `select word from pg_get_keywords() where catcode <> 'U'` on PostgreSQL 15; 16-18 added none.
 */
const NON_UNRESERVED_KEYWORDS = new Set(
  [
    "all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean",
    "both case cast char character check coalesce collate collation column concurrently constraint",
    "create cross current_catalog current_date current_role current_schema current_time",
    "current_timestamp current_user dec decimal default deferrable desc distinct do else end except",
    "exists extract false fetch float for foreign freeze from full grant greatest group grouping having",
    "ilike in initially inner inout int integer intersect interval into is isnull join lateral leading",
    "least left like limit localtime localtimestamp national natural nchar none normalize not notnull",
    "null nullif numeric offset on only or order out outer overlaps overlay placing position precision",
    "primary real references returning right row select session_user setof similar smallint some",
    "substring symmetric table tablesample then time timestamp to trailing treat trim true union unique",
    "user using values varchar variadic verbose when where window with xmlattributes xmlconcat",
    "xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable",
  ]
    .join(" ")
    .split(" "),
);

// quote_ident() leaves only these bare: "$" is legal after the first letter but it quotes it too.
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Quote an identifier only where PostgreSQL needs it, as quote_ident() and pg_dump do. */
export function quoteIdent(name: string): string {
  if (PLAIN_IDENTIFIER.test(name) && !NON_UNRESERVED_KEYWORDS.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** schema.name, leaving out "public" as people write it. */
export function qualifiedName(schema: string | null | undefined, name: string): string {
  return schema && schema !== "public" ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `wanted`, or `wanted` with a number, that is not in `taken`, cut to 63 bytes as PostgreSQL would. */
export function freeName(taken: ReadonlySet<string>, wanted: string): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : String(n);
    let base = wanted;
    while (Buffer.byteLength(base + suffix, "utf8") > 63) base = base.slice(0, -1);
    if (!taken.has(base + suffix)) return base + suffix;
  }
}
