/**
 * pg_stat_statements replaces constants with $n, including the string of a typed literal: `interval '30 days'`
 * is stored as `interval $2`, which no longer parses. Turn such pairs back into valid SQL: `$2::interval`.
 */
const TYPED_LITERAL =
  /\b(interval|date|time(?:stamp)?(?:\s+with(?:out)?\s+time\s+zone)?|timestamptz|timetz|json|jsonb|uuid|inet|cidr|macaddr|numeric|bytea|bit|xml|money)\s+(\$\d+)/gi;

export function repairNormalizedQuery(sql: string): string {
  return sql.replace(
    TYPED_LITERAL,
    (_, type: string, param: string) => `${param}::${type.replace(/\s+/g, " ")}`,
  );
}
