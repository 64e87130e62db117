import type { Snapshot, StatementFacts } from "../../facts/snapshot.js";
import type { Finding } from "../../findings/finding.js";
import { formatCount, formatMs, formatPercent, oneLine, round3 } from "../../util/format.js";
import { byteToCharOffset, tryParseSql } from "../../util/sql-parser.js";
import { type SqlText, sqlFrom } from "../../util/sql-text.js";
import type { Rule } from "../rule.js";
import { keyEquality } from "./lookup-key-shape.js";
import { timeShare, type WorkloadRuleFacts } from "./workload-facts.js";

type Options = {
  minCalls: number;
  maxRowsPerCall: number;
  minShare: number;
  minCallsWithParent: number;
  minCallRatio: number;
  maxRowsFactor: number;
  roundTripMs: number;
};

type Node = Record<string, unknown>;

/**
 * A single-row lookup by key called thousands of times: the mark an N+1 loop leaves in pg_stat_statements
 * (the application fetches a list, then one row per item). Each call is fast; the round trips are not, and the
 * server does not see them. So a lookup is judged first by its call ratio to a likely parent statement (see
 * likelyParent), reported whatever its share of server time, with the round trips priced in; a lookup without
 * such a parent is reported only when it takes a share of server time.
 */
export const repeatedLookup: Rule<WorkloadRuleFacts, Options> = {
  id: "workload/repeated-lookup",
  family: "workload",
  title: "Single-row lookup called very often (likely N+1)",
  description:
    "A SELECT that fetches about one row by key, called once for each row an earlier statement returned (an N+1 loop), or thousands of times. One query with = ANY($1) fetches the whole batch in one round trip.",
  maxSeverity: "warning",
  docsUrl:
    "https://www.postgresql.org/docs/current/functions-comparisons.html#FUNCTIONS-COMPARISONS-ANY-SOME",
  options: {
    minCalls: {
      default: 1000,
      description: "calls since statistics were reset, for a lookup without a parent",
    },
    maxRowsPerCall: { default: 1.5, description: "average rows returned per call" },
    // Low on purpose: each call of an N+1 is fast in the server; the round trips it does not see are the cost.
    minShare: { default: 0.001, description: "share of all statement time, for a lookup without a parent" },
    minCallsWithParent: { default: 100, description: "calls, for a lookup with a likely parent statement" },
    minCallRatio: { default: 10, description: "lookup calls per call of the parent statement, at least" },
    maxRowsFactor: {
      default: 3,
      description: "the parent's rows and the lookup's calls differ by this factor at most",
    },
    roundTripMs: {
      default: 0.3,
      description: "client-server round trip in ms (0.3 on a LAN), to price calls the server does not time",
    },
  },
  check({ snapshot }, o) {
    const findings: Finding[] = [];
    for (const s of snapshot.workload.statements) {
      if (s.calls === 0 || s.rows / s.calls > o.maxRowsPerCall) continue;
      const batched = batchedRewrite(s.query);
      if (!batched) continue;
      const share = timeShare(snapshot, s);
      const parent = s.calls >= o.minCallsWithParent ? likelyParent(snapshot, s, batched, o) : null;
      if (!parent && (s.calls < o.minCalls || share < o.minShare)) continue;
      const roundTripsMs = s.calls * o.roundTripMs;
      const ratio = parent ? s.calls / parent.statement.calls : null;
      const loop = parent
        ? `It ran ${round3(ratio ?? 0)} times per call of ${oneLine(parent.statement.query, 120, "...")} (${formatCount(parent.statement.calls)} calls returning ${formatCount(parent.statement.rows)} rows; ${parent.link}): a loop over that statement's rows, one round trip each.`
        : "Calls like this usually come from a loop over the rows of an earlier query.";
      findings.push({
        ruleId: this.id,
        severity: parent || share >= 0.1 ? "warning" : "info",
        title: parent
          ? `N+1: lookup by ${batched.column} ran ${formatCount(s.calls)} times for ${formatCount(parent.statement.calls)} calls of one statement`
          : `Lookup by ${batched.column} ran ${formatCount(s.calls)} times, ${round3(s.rows / s.calls)} rows each`,
        detail: `Each call takes ${formatMs(s.meanMs)} in the server (${formatMs(s.totalMs)} in all, ${formatPercent(share)} of statement time), plus a network round trip the server does not see: about ${formatMs(roundTripsMs)} at ${formatMs(o.roundTripMs)} each (option roundTripMs). ${loop}`,
        evidence: {
          calls: s.calls,
          rowsPerCall: round3(s.rows / s.calls),
          meanMs: round3(s.meanMs),
          totalMs: round3(s.totalMs),
          share: round3(share),
          keyColumn: batched.column,
          roundTripMs: o.roundTripMs,
          roundTripsMs: round3(roundTripsMs),
          ...(parent
            ? {
                parentQueryId: parent.statement.queryId,
                parentCalls: parent.statement.calls,
                parentRows: parent.statement.rows,
                callsPerParentCall: round3(ratio ?? 0),
              }
            : {}),
        },
        fix: {
          sql: batched.sql,
          note: `Collect the keys first and fetch them in one statement, passing an array for ${batched.param} (node-postgres: [ids]); return ${batched.column} too so the rows can be matched to the items. ORMs call this eager loading (include / with / DataLoader).`,
        },
        docsUrl: this.docsUrl,
        // Server time plus the round trips it does not see: what the loop costs the application.
        impact: s.totalMs + roundTripsMs,
        timeMs: s.totalMs + roundTripsMs,
        query: s.query,
      });
    }
    return findings;
  },
};

interface Parent {
  statement: StatementFacts;
  /** How the parent's tables lead to the looked-up table, in words. */
  link: string;
}

/**
 * pg_stat_statements keeps no link between statements, so the parent of a loop is inferred: a SELECT called far
 * less often (calls ratio at least minCallRatio) whose rows returned are about the lookup's calls (within
 * maxRowsFactor), as a loop over its rows would make them, and that reads a table with a foreign key to the
 * looked-up table or a column named like the lookup's key. Without that link in the schema the counts alone are
 * a coincidence too often (a report query returning 60 rows once) to report a lookup on them. Among several, the
 * closest rows to calls.
 */
function likelyParent(
  snapshot: Snapshot,
  lookup: StatementFacts,
  batched: { column: string; table: string | null },
  o: Pick<Options, "minCallRatio" | "maxRowsFactor">,
): Parent | null {
  const candidates: Array<Parent & { distance: number }> = [];
  for (const p of snapshot.workload.statements) {
    if (p === lookup || p.calls === 0 || p.rows === 0) continue;
    if (lookup.calls / p.calls < o.minCallRatio) continue;
    const distance = Math.abs(Math.log(p.rows / lookup.calls));
    if (distance > Math.log(o.maxRowsFactor)) continue;
    const tables = selectedTables(p.query);
    if (!tables) continue;
    const link = linkTo(snapshot, tables, batched);
    if (link) candidates.push({ statement: p, link, distance });
  }
  candidates.sort((a, b) => a.distance - b.distance);
  const best = candidates[0];
  return best ? { statement: best.statement, link: best.link } : null;
}

function linkTo(
  snapshot: Snapshot,
  tables: string[],
  batched: { column: string; table: string | null },
): string | null {
  const target = batched.table;
  for (const name of tables) {
    const fk = target
      ? snapshot.constraints.find(
          (c) =>
            c.type === "foreign" &&
            c.table === name &&
            c.refTable === target &&
            c.refColumns.includes(batched.column),
        )
      : undefined;
    if (fk) return `${name}.${fk.columns.join(", ")} references ${target}`;
  }
  for (const name of tables) {
    if (name === target) continue;
    const table = snapshot.tables.find((t) => t.name === name);
    // Its own key named alike (products.id for a lookup by customers.id) links nothing.
    const ownKey = snapshot.constraints.some(
      (c) => c.type === "primary" && c.table === name && c.columns.includes(batched.column),
    );
    if (!ownKey && table?.columns.some((c) => c.name === batched.column)) {
      return `${name} has a ${batched.column} column`;
    }
  }
  return null;
}

/** Names of the tables a SELECT reads in its FROM clause (joins included); null when it is not one SELECT. */
export function selectedTables(sql: string): string[] | null {
  const tree = tryParseSql(sql);
  const select = (tree?.stmts?.[0]?.stmt as Node | undefined)?.SelectStmt as Node | undefined;
  if (!select || tree?.stmts?.length !== 1) return null;
  const names: string[] = [];
  const pending = [...((select.fromClause as Node[] | undefined) ?? [])];
  while (pending.length > 0) {
    const item = pending.pop() as Node;
    const range = item.RangeVar as Node | undefined;
    if (range) names.push(String(range.relname));
    const join = item.JoinExpr as Node | undefined;
    if (join) pending.push(join.larg as Node, join.rarg as Node);
  }
  return names;
}

/** "... WHERE id = $1" → "... WHERE id = ANY($1)", from the real parse tree; null if it is not such a lookup. */
export function batchedRewrite(
  sql: string,
): { sql: SqlText; column: string; param: string; table: string | null } | null {
  const tree = tryParseSql(sql);
  const stmt = tree?.stmts?.[0]?.stmt as Node | undefined;
  const select = stmt?.SelectStmt as Node | undefined;
  if (!select?.whereClause || tree?.stmts?.length !== 1) return null;
  const lookup = keyEquality(select.whereClause as Node);
  if (!lookup) return null;
  const column = lookup.fields.at(-1) as string;
  const paramLocation = byteToCharOffset(sql, lookup.location);
  const param = `$${lookup.number}`;
  if (sql.slice(paramLocation, paramLocation + param.length) !== param) return null;
  const rewritten = `${sql.slice(0, paramLocation)}ANY(${param})${sql.slice(paramLocation + param.length)}`;
  const from = (select.fromClause as Node[] | undefined) ?? [];
  const table =
    from.length === 1 ? ((from[0]?.RangeVar as Node | undefined)?.relname as string | undefined) : undefined;
  // The user's own statement with one parameter wrapped: SQL from the workload, checked when it is printed.
  return {
    sql: sqlFrom("statement", rewritten.trim().replace(/;?$/, ";")),
    column,
    param,
    table: table ?? null,
  };
}
