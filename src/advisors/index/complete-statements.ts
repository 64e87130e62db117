/** The whole-statement step of the index search (the rule itself is whole-statement.ts). */
import { formatBytes, formatMs, formatPercent, oneLine } from "../../util/format.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { halves, measuredTime } from "./measured-choice.js";
import type { SearchContext } from "./search-context.js";
import {
  servesWholeStatement,
  WHOLE_MAX_COST_SHARE,
  WHOLE_MAX_DATABASE_SHARE,
  WHOLE_MAX_EXTRA_SHARE,
  wholeSpacePrice,
} from "./whole-statement.js";

/**
 * Whole-statement indexes (whole-statement.ts): for each statement, heaviest first, the B-tree that serves all
 * its equality columns and then its ORDER BY joins the set, taking the place of chosen indexes on the table that
 * no statement uses once it is in, when the planner says it at least halves that statement's cost (on a sandbox,
 * when it halves the statement's measured run time: measured-choice.ts), its extra bytes are at most half the
 * table's (or 1% of the database), and the workload gains net of writes. The greedy
 * leaves it out because the planner's gap between it and a one-column index is below MIN_MARGINAL of the
 * workload, while the measured gap is 3 to 300 times per call (bench/advisor-oltp.ts).
 */
export async function completeStatements(
  context: SearchContext,
  start: IndexCandidate[],
): Promise<IndexCandidate[]> {
  // The names used often; the rest are read off the context where they are used once.
  const { queries, whatIf, options, databaseBytes, onTable, sizeOf, tableBytes } = context;
  let current = start;
  // What the workload still costs with the set so far: space is priced against it here, since once the greedy's
  // indexes are in, the statements left slow are a small share of the no-index workload MIN_MARGINAL refers to.
  const remaining = async (config: IndexCandidate[]) => {
    let w = 0;
    for (const q of queries) w += q.weight * (await context.ratio(q, config));
    return w;
  };
  for (const q of [...queries].sort((a, b) => b.weight - a.weight)) {
    const planned = await whatIf.cost(q, current);
    // Served already: the rule is about the key, not about covering (the greedy's upgrade step weighs INCLUDE).
    if (current.some((x) => planned.used.includes(x.key) && servesWholeStatement(x, q.shape))) continue;
    const now = planned.cost;
    const left = await remaining(current);
    let best: {
      next: IndexCandidate[];
      y: IndexCandidate;
      cost: number;
      ms: number | null;
      extra: number;
      net: number;
    } | null = null;
    // On a sandbox the statement's run time decides whether a variant halves it (measured-choice.ts); the planner's
    // cost, which underrates the heap rows and the sort the narrower index leaves, decides elsewhere.
    const timed = await measuredTime(context, q, current);
    for (const y of context.measurable) {
      if (current.includes(y) || !q.tables.has(`${y.schema}.${y.table}`) || !servesWholeStatement(y, q.shape))
        continue;
      const withY = [...current, y];
      const cost = (await whatIf.cost(q, withY)).cost;
      if (!(await whatIf.cost(q, withY)).used.includes(y.key)) continue;
      const ms = timed ? await timed.with(withY) : null;
      if (ms === null ? cost > now * WHOLE_MAX_COST_SHARE : !halves(timed?.now ?? 0, ms)) continue;
      const unused: IndexCandidate[] = [];
      for (const x of current.filter((x) => x.schema === y.schema && x.table === y.table)) {
        let used = false;
        for (const o of onTable(x)) if ((await whatIf.cost(o, withY)).used.includes(x.key)) used = true;
        if (!used) unused.push(x);
      }
      const next = withY.filter((x) => !unused.includes(x));
      const extra = (await whatIf.size(y)) - (await sizeOf(unused));
      if (options.budgetBytes !== null && (await sizeOf(current)) + extra > options.budgetBytes) continue;
      if (options.maxIndexes !== null && next.length > options.maxIndexes) continue;
      const writes = context.charge(y).ms - unused.reduce((sum, x) => sum + context.charge(x).ms, 0);
      // Measured: the statement's share of the workload as the planner puts it now, cut by the measured ratio.
      const others = onTable(y).filter((o) => ms === null || o !== q);
      const own =
        ms === null ? 0 : q.weight * (await context.ratio(q, current)) * (1 - ms / (timed?.now ?? ms));
      const gain = (await context.gainOf(current, next, others)) + own - writes;
      if (gain <= 0) continue;
      // Small beside its table or the database; or (a covering variant, which skips the heap rows the planner
      // underrates) no larger than the table and worth its bytes priced against what the workload still costs.
      const space = options.priceStorage === false ? 0 : wholeSpacePrice(extra, databaseBytes, left);
      const small =
        extra <= Math.max(WHOLE_MAX_EXTRA_SHARE * tableBytes(y), WHOLE_MAX_DATABASE_SHARE * databaseBytes);
      if (!small && (extra > tableBytes(y) || gain - space <= 0)) continue;
      const net = gain - space;
      if (!best || net > best.net) best = { next, y, cost, ms, extra, net };
    }
    if (!best) continue;
    const change =
      best.ms !== null && timed
        ? `brings the measured time of ${oneLine(q.sql, 80, "...")} from ${formatMs(timed.now)} to ${formatMs(best.ms)} (planned cost ${now.toFixed(1)} to ${best.cost.toFixed(1)})`
        : `brings the planned cost of ${oneLine(q.sql, 80, "...")} from ${now.toFixed(1)} to ${best.cost.toFixed(1)}`;
    const figures = `${change} for ${formatBytes(Math.max(best.extra, 0))} more (${formatPercent(Math.max(best.extra, 0) / Math.max(tableBytes(best.y), 1), 1)} of the table)`;
    context.progress(`whole-statement index ${candidateDdl(best.y)}: ${figures}`);
    context.notes.push(
      `${candidateDdl(best.y)} serves every equality and ORDER BY column of its statement: it ${figures}; dbopt takes such an index when it halves the statement's ${best.ms !== null ? "measured time" : "cost"} at no more than half the table's bytes, since the planner underrates the heap rows and the sort a narrower index leaves`,
    );
    const y = best.y;
    current = best.next.map((x) =>
      x === y ? { ...y, reason: `${y.reason}; serves the whole statement` } : x,
    );
  }
  return current;
}
