/**
 * The proof behind `dbopt rewrite`: on the user's data, the original and the rewritten statement return the same
 * rows, and then how long each takes. Both run read-only (the connector's session) with its statement_timeout.
 *
 * Rows are compared by a fingerprint the server computes, so no row leaves the server: each row's text form
 * (`row::text`, NULL and '' distinct) is hashed by md5 and cut to 60 bits; the multiset is the row count and the
 * sum of the hashes, and the order (when the original has ORDER BY) the sum of each hash times its position.
 * Both fingerprints of a parameter set are read in one REPEATABLE READ snapshot, so a concurrent write cannot
 * make them differ. Two different multisets agree only by a 60-bit hash collision.
 */

import { DbError } from "../../connectors/db-error.js";
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { tryParseSql } from "../../util/sql-parser.js";
import { highestParameter } from "../index/workload-query.js";
import { fasterBeyondSpread, measureStatements, type TimingSummary } from "../measure/measure-statement.js";
import { inlineParameters } from "../parameters/inline-parameters.js";

export type { TimingSummary } from "../measure/measure-statement.js";

export interface RewriteProof {
  /** Same row count and the same multiset of rows (in order when the original has ORDER BY) for every parameter set. */
  equal: boolean;
  /** Why not equal, or why not proven ("row counts differ: 10 and 12", "original failed: ..."). */
  reason: string | null;
  /** Rows of the first parameter set (the one timed). */
  rows: { original: number; rewritten: number };
  ordered: boolean;
  /** How many $n value sets were tried (1 when the statement has no parameters). */
  parameterSets: number;
  /** Null when not equal. */
  timing: { original: TimingSummary; rewritten: TimingSummary; speedup: number; faster: boolean } | null;
}

export interface ProveOptions {
  /** Timed runs of each statement, alternating (default 7, after one warm-up run each). */
  runs?: number;
  /** SQL text for each $n (literals with casts, $1 first), one array per set; both statements get the same. */
  parameterSets?: string[][];
  /** Above this many rows the proof stops: a statement returning more is not one a rewrite is proven on. */
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 1_000_000;

/** Timed runs stop starting after this long (at least three each): a 20 s statement is timed three times, not seven. */
const TIMING_BUDGET_MS = 60_000;

export async function proveRewrite(
  db: PostgresConnector,
  original: string,
  rewritten: string,
  options: ProveOptions = {},
): Promise<RewriteProof> {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const select = selectOf(original);
  const ordered = Array.isArray(select?.sortClause) && select.sortClause.length > 0;
  const parameters = Math.max(highestParameter(original), highestParameter(rewritten));
  const sets = parameters === 0 ? [[]] : (options.parameterSets ?? []);
  const proof: RewriteProof = {
    equal: false,
    reason: null,
    rows: { original: 0, rewritten: 0 },
    ordered,
    parameterSets: sets.length,
    timing: null,
  };
  if (!select || !selectOf(rewritten))
    return {
      ...proof,
      reason: "only SELECT statements are proven (the statement or its rewrite is not one)",
    };
  if (sets.length === 0)
    return { ...proof, reason: `the statement has $${parameters} parameters and no values to run it with` };
  const runs: Array<{ original: string; rewritten: string }> = [];
  for (const set of sets) {
    const values = new Map(set.map((v, i) => [i + 1, v]));
    const a = parameters ? inlineParameters(original, values) : original;
    const b = parameters ? inlineParameters(rewritten, values) : rewritten;
    if (a === null || b === null)
      return { ...proof, reason: `a parameter set has fewer than ${parameters} values` };
    runs.push({ original: bare(a), rewritten: bare(b) });
  }
  for (const [i, run] of runs.entries()) {
    const compared = await db.inReadOnlySnapshot(async () => ({
      original: await fingerprint(db, run.original).catch((e: unknown) => failed("original", e)),
      rewritten: await fingerprint(db, run.rewritten).catch((e: unknown) => failed("rewritten", e)),
    }));
    const setName = sets.length > 1 ? ` (parameter set ${i + 1})` : "";
    for (const side of ["original", "rewritten"] as const) {
      const f = compared[side];
      if (typeof f === "string") return { ...proof, reason: `${f}${setName}` };
    }
    const a = compared.original as Fingerprint;
    const b = compared.rewritten as Fingerprint;
    if (i === 0) proof.rows = { original: a.rows, rewritten: b.rows };
    if (a.rows > maxRows || b.rows > maxRows)
      return {
        ...proof,
        reason: `too many rows to compare (${Math.max(a.rows, b.rows)} > ${maxRows})${setName}`,
      };
    if (a.rows !== b.rows)
      return { ...proof, reason: `row counts differ: ${a.rows} and ${b.rows}${setName}` };
    if (a.total !== b.total)
      return { ...proof, reason: `the rows differ (${a.rows} each)${setName}${unorderedLimit(select)}` };
    if (ordered && a.ordered !== b.ordered)
      return {
        ...proof,
        reason: `the same rows in a different order (the ORDER BY leaves ties, or the order changed)${setName}`,
      };
  }
  proof.equal = true;
  const first = runs[0] as { original: string; rewritten: string };
  try {
    const [a, b] = (await measureStatements(db, [first.original, first.rewritten], {
      ...(options.runs ? { runs: options.runs } : {}),
      budgetMs: TIMING_BUDGET_MS,
    })) as [TimingSummary, TimingSummary];
    proof.timing = {
      original: a,
      rewritten: b,
      speedup:
        b.medianMs > 0 ? Math.round((a.medianMs / b.medianMs) * 100) / 100 : a.medianMs > 0 ? Infinity : 1,
      faster: fasterBeyondSpread(a, b),
    };
  } catch (error) {
    proof.reason = `equal, but timing failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return proof;
}

/** Whether the proof ran both statements and they returned different rows (not: could not run or compare them). */
export function resultsDiffer(proof: RewriteProof): boolean {
  return !proof.equal && proof.reason !== null && DIFFER.test(proof.reason);
}

const DIFFER = /^(row counts differ|the rows differ|the same rows in a different order)/;

interface Fingerprint {
  rows: number;
  total: string;
  ordered: string;
}

async function fingerprint(db: PostgresConnector, statement: string): Promise<Fingerprint> {
  // The statement on lines of its own: a trailing -- comment in it must not swallow the closing parenthesis.
  const [row] = await db.query<{ rows: number; total: string; ordered: string }>(
    `select count(*)::bigint as rows, coalesce(sum(h), 0)::text as total, coalesce(sum(h * n), 0)::text as ordered
       from (select ('x' || substr(md5(r::text), 1, 15))::bit(60)::bigint::numeric as h, row_number() over () as n
               from (
${statement}
) r) s`,
  );
  return { rows: Number(row?.rows ?? 0), total: String(row?.total), ordered: String(row?.ordered) };
}

function failed(side: "original" | "rewritten", error: unknown): string {
  const message = error instanceof DbError || error instanceof Error ? error.message : String(error);
  return `${side} failed: ${message}`;
}

/** The statement without a trailing semicolon (it goes inside parentheses). */
function bare(statement: string): string {
  return statement.trim().replace(/;\s*$/, "");
}

/** A LIMIT without ORDER BY returns whichever rows the plan meets first: a rewrite's other plan meets others. */
function unorderedLimit(select: Record<string, unknown>): string {
  return select.limitCount && !select.sortClause
    ? "; the statement has LIMIT without ORDER BY, so which rows it returns depends on the plan"
    : "";
}

/** The statement's SelectStmt when it is one SELECT (a WITH ... SELECT too), else undefined. */
function selectOf(statement: string): Record<string, unknown> | undefined {
  const tree = tryParseSql(statement);
  if (tree?.stmts?.length !== 1) return undefined;
  return (tree.stmts[0]?.stmt as Record<string, unknown> | undefined)?.SelectStmt as
    | Record<string, unknown>
    | undefined;
}
