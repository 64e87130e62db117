/** The candidates the search chooses from: each scored alone, the most promising kept per table. */
import { DbError } from "../../connectors/db-error.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { candidateProblem } from "./planning-errors.js";
import type { SearchContext } from "./search-context.js";

const MAX_CANDIDATES_PER_TABLE = 12;

export interface ScoredCandidates {
  /** What each measurable candidate saves alone (also those that save nothing). */
  aloneGain: Map<IndexCandidate, number>;
  /** The candidates that save something alone, with what. */
  scored: Array<{ c: IndexCandidate; gain: number }>;
}

/** What each candidate saves the statements it can serve with no other candidate in; one that cannot be planned is named in a note. */
export async function scoreAlone(context: SearchContext): Promise<ScoredCandidates> {
  const aloneGain = new Map<IndexCandidate, number>();
  const scored: ScoredCandidates["scored"] = [];
  for (const c of context.measurable) {
    try {
      const gain = await context.gainOf([], [c], context.onTable(c));
      aloneGain.set(c, gain);
      if (gain > 0) scored.push({ c, gain });
    } catch (error) {
      if (error instanceof DbError && error.isConnectionError) throw error;
      context.notes.push(
        `left out ${candidateDdl(c)} (for ${c.reason}): it could not be measured, ${candidateProblem(error instanceof Error ? error.message : String(error))}`,
      );
    }
  }
  return { aloneGain, scored };
}

/**
 * The pool: per table, the MAX_CANDIDATES_PER_TABLE worth most alone and every plain single-column B-tree; with
 * `maxCandidates`, only the best that many of those.
 */
export function promisingPool(
  scored: ScoredCandidates["scored"],
  maxCandidates: number | undefined,
): IndexCandidate[] {
  const perTable = [...new Map(scored.map((s) => [`${s.c.schema}.${s.c.table}`, 0])).keys()].flatMap(
    (table) =>
      scored
        .filter((s) => `${s.c.schema}.${s.c.table}` === table)
        .sort((a, b) => b.gain - a.gain)
        // Plain single-column B-trees always stay: small, and often worth most beside other indexes (a join key
        // pays off once the other side has its index), which scoring each candidate alone does not show.
        .filter((s, rank) => rank < MAX_CANDIDATES_PER_TABLE || isSingleColumn(s.c))
        .map((s) => s.c),
  );
  if (maxCandidates === undefined) return perTable;
  return [...perTable]
    .sort((a, b) => (scored.find((x) => x.c === b)?.gain ?? 0) - (scored.find((x) => x.c === a)?.gain ?? 0))
    .slice(0, maxCandidates);
}

function isSingleColumn(c: IndexCandidate): boolean {
  return c.method === "btree" && c.columns.length === 1 && c.include.length === 0 && !c.where;
}
