import type { Finding } from "../../findings/finding.js";
import { formatCount, formatMs, formatPercent, round3 } from "../../util/format.js";
import { byteToCharOffset, tryParseSql } from "../../util/sql-parser.js";
import { type SqlText, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { timeShare, type WorkloadRuleFacts } from "./workload-facts.js";

type Options = { minCalls: number; maxRowsPerCall: number; minShare: number };

type Node = Record<string, unknown>;

/**
 * A single-row lookup by key called thousands of times: the mark an N+1 loop leaves in pg_stat_statements
 * (the application fetches a list, then one row per item). Each call is fast; the round trips are not.
 */
export const repeatedLookup: Rule<WorkloadRuleFacts, Options> = {
  id: "workload/repeated-lookup",
  family: "workload",
  title: "Single-row lookup called very often (likely N+1)",
  description:
    "A SELECT that fetches about one row by key, called thousands of times. That is how an N+1 loop looks from the database; one query with = ANY($1) fetches the whole batch in one round trip.",
  maxSeverity: "warning",
  docsUrl:
    "https://www.postgresql.org/docs/current/functions-comparisons.html#FUNCTIONS-COMPARISONS-ANY-SOME",
  options: {
    minCalls: { default: 1000, description: "calls since statistics were reset" },
    maxRowsPerCall: { default: 1.5, description: "average rows returned per call" },
    // Low on purpose: each call of an N+1 is fast in the server; the round trips it does not see are the cost.
    minShare: { default: 0.001, description: "share of all statement time" },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const s of snapshot.workload.statements) {
      if (s.calls < o.minCalls || s.rows / s.calls > o.maxRowsPerCall) continue;
      const share = timeShare(snapshot, s);
      if (share < o.minShare) continue;
      const batched = batchedRewrite(s.query);
      if (!batched) continue;
      findings.push({
        ruleId: this.id,
        severity: share >= 0.1 ? "warning" : "info",
        title: `Lookup by ${batched.column} ran ${formatCount(s.calls)} times, ${round3(s.rows / s.calls)} rows each`,
        detail: `Each call takes ${formatMs(s.meanMs)} in the server (${formatMs(s.totalMs)} in all, ${formatPercent(share)} of statement time), plus a network round trip the server does not see. Calls like this usually come from a loop over the rows of an earlier query.`,
        evidence: {
          calls: s.calls,
          rowsPerCall: round3(s.rows / s.calls),
          meanMs: round3(s.meanMs),
          totalMs: round3(s.totalMs),
          share: round3(share),
          keyColumn: batched.column,
        },
        fix: {
          sql: batched.sql,
          note: `Collect the keys first and fetch them in one statement, passing an array for ${batched.param} (node-postgres: [ids]); return ${batched.column} too so the rows can be matched to the items. ORMs call this eager loading (include / with / DataLoader).`,
        },
        docsUrl: this.docsUrl,
        impact: s.totalMs,
        query: s.query,
      });
    }
    return findings;
  },
};

/** "... WHERE id = $1" → "... WHERE id = ANY($1)", from the real parse tree; null if it is not such a lookup. */
export function batchedRewrite(sql: string): { sql: SqlText; column: string; param: string } | null {
  const tree = tryParseSql(sql);
  const stmt = tree?.stmts?.[0]?.stmt as Node | undefined;
  const select = stmt?.SelectStmt as Node | undefined;
  if (!select?.whereClause || tree?.stmts?.length !== 1) return null;
  const lookup = findKeyEquality(select.whereClause as Node);
  if (!lookup) return null;
  const { column, paramNumber } = lookup;
  const paramLocation = byteToCharOffset(sql, lookup.paramLocation);
  const param = `$${paramNumber}`;
  if (sql.slice(paramLocation, paramLocation + param.length) !== param) return null;
  const rewritten = `${sql.slice(0, paramLocation)}ANY(${param})${sql.slice(paramLocation + param.length)}`;
  // The user's own statement with one parameter wrapped: SQL from the workload, checked when it is printed.
  return { sql: sqlFrom("statement", rewritten.trim().replace(/;?$/, ";")), column, param };
}

function findKeyEquality(node: Node): { column: string; paramLocation: number; paramNumber: number } | null {
  const bool = node.BoolExpr as Node | undefined;
  if (bool) {
    if (bool.boolop !== "AND_EXPR") return null;
    for (const arg of (bool.args as Node[]) ?? []) {
      const found = findKeyEquality(arg);
      if (found) return found;
    }
    return null;
  }
  const expr = node.A_Expr as Node | undefined;
  if (expr?.kind !== "AEXPR_OP") return null;
  const op = ((expr.name as Node[])?.[0]?.String as Node | undefined)?.sval;
  const ref = (expr.lexpr as Node | undefined)?.ColumnRef as Node | undefined;
  const param = (expr.rexpr as Node | undefined)?.ParamRef as Node | undefined;
  if (op !== "=" || !ref || !param) return null;
  const names = ((ref.fields as Node[]) ?? [])
    .map((f) => (f.String as Node | undefined)?.sval)
    .filter(Boolean);
  return {
    column: String(names.at(-1)),
    paramLocation: Number(param.location),
    paramNumber: Number(param.number),
  };
}
