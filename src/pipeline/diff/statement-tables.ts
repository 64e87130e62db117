import { repairNormalizedQuery } from "../../facts/sql/normalized-statement.js";
import { fingerprintSql, tryParseSql } from "../../util/sql-parser.js";

/** A relation a statement names: schema when written, else null (resolved by name against the tables known). */
export interface NamedRelation {
  schema: string | null;
  name: string;
}

/** libpg_query's fingerprint of a pg_stat_statements text, or null for text it cannot read (cut short, not SQL). */
export function statementFingerprint(query: string): string | null {
  try {
    return fingerprintSql(repairNormalizedQuery(query));
  } catch {
    return null;
  }
}

/**
 * Every relation a statement names (FROM, JOIN, subqueries, CTEs, DML targets), from its parse tree, walked with
 * an explicit stack. CTE names are left out. Empty for text the parser cannot read.
 */
export function statementRelations(query: string): NamedRelation[] {
  let tree: unknown;
  try {
    tree = tryParseSql(repairNormalizedQuery(query));
  } catch {
    return [];
  }
  if (!tree) return [];
  const found = new Map<string, NamedRelation>();
  const ctes = new Set<string>();
  const pending: unknown[] = [tree];
  while (pending.length) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    if (!node || typeof node !== "object") continue;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === "RangeVar" && value && typeof value === "object") {
        const r = value as { schemaname?: string; relname?: string };
        if (r.relname) {
          const schema = r.schemaname ?? null;
          found.set(`${schema}.${r.relname}`, { schema, name: r.relname });
        }
      } else if (key === "CommonTableExpr" && value && typeof value === "object") {
        const name = (value as { ctename?: string }).ctename;
        if (name) ctes.add(name);
      }
      if (value && typeof value === "object") pending.push(value);
    }
  }
  return [...found.values()].filter((r) => r.schema !== null || !ctes.has(r.name));
}
