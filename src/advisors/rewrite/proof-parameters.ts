/**
 * The $n value sets a rewrite proof runs a statement with: drawn from pg_stats by parameter-draws.ts, as SQL
 * literals cast to each column's type, $1 first. A statement may number its parameters with gaps ($1 and $3, or
 * only $2: an ORM that dropped a condition, a statement cut from a larger one): the draws would count the missing
 * ones as "not compared with a column" and give no values at all. Here the parameters are renumbered without gaps
 * for the draw, and each set is put back at the statement's own numbers, with NULL at the numbers it never uses
 * (never inlined: the statement has no such token), so every set is a dense array of one literal per number.
 */
import type { PostgresConnector } from "../../connectors/postgres/postgres-connector.js";
import { byteToCharOffset, scanSql } from "../../util/sql-parser.js";
import { inlineParameters } from "../parameters/inline-parameters.js";
import { drawParameters } from "../parameters/parameter-draws.js";

export interface ProofParameters {
  /** One array per set, index n - 1 for $n; null when the statement has no parameters; empty when no values. */
  sets: string[][] | null;
  /** Where the values came from, or why there are none; null without parameters. */
  note: string | null;
}

export async function proofParameterSets(
  db: PostgresConnector,
  statement: string,
  count: number,
): Promise<ProofParameters> {
  const used = usedParameters(statement);
  if (used.length === 0) return { sets: null, note: null };
  // used[i] is drawn as $(i + 1).
  const dense = used.every((n, i) => n === i + 1)
    ? statement
    : (inlineParameters(statement, new Map(used.map((n, i) => [n, `$${i + 1}`]))) as string);
  const draws = await drawParameters(db, dense, { sets: count, seed: 1 });
  const own = (k: number) => used[k - 1] as number;
  if (draws.unresolved.length)
    return {
      sets: [],
      note: `no values for ${draws.unresolved.map((u) => `$${own(u.n)} (${u.reason})`).join("; ")}`,
    };
  const highest = used.at(-1) as number;
  const sets = draws.sets.map((set) => {
    const out: string[] = Array.from({ length: highest }, () => "NULL");
    for (const [i, literal] of set.literals.entries()) out[own(i + 1) - 1] = String(literal);
    return out;
  });
  const from = draws.sources.map((s) => `$${own(s.n)} from ${s.column ? `${s.column}'s ${s.from}` : s.from}`);
  return { sets, note: `${sets.length} value sets: ${from.join(", ")}` };
}

/** The $n numbers a statement uses (by the lexer: not inside strings or comments), ascending, each once. */
function usedParameters(statement: string): number[] {
  const numbers = new Set<number>();
  for (const t of scanSql(statement).tokens)
    if (t.tokenName === "PARAM")
      numbers.add(
        Number(statement.slice(byteToCharOffset(statement, t.start) + 1, byteToCharOffset(statement, t.end))),
      );
  return [...numbers].filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
}
