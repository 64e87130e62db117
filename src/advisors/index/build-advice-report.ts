/** The last step of the index search: the chosen set costed per statement and written up as an AdviceReport. */
import { formatBytes, formatPercent } from "../../util/format.js";
import type {
  AdviceReport,
  IndexRecommendation,
  UnmeasuredCandidate,
  UnplannedStatement,
} from "./advice-report.js";
import { requirementOf } from "./extension-requirement.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { partitionedRecipe } from "./partitioned-index.js";
import { redundantExisting } from "./redundant-existing.js";
import type { SearchContext } from "./search-context.js";

export interface ReportInputs {
  target: string;
  chosen: IndexCandidate[];
  /** How many candidates there were, and how many the search chose from. */
  candidates: number;
  pool: number;
  unmeasured: UnmeasuredCandidate[];
  unplanned: UnplannedStatement[];
  /** When the advice started (Date.now()). */
  started: number;
}

export async function buildAdviceReport(context: SearchContext, inputs: ReportInputs): Promise<AdviceReport> {
  const { queries, whatIf, options, snapshot, base, totalWeight, notes } = context;
  const { chosen } = inputs;
  const usedBytes = await context.sizeOf(chosen);
  // Final costs, per statement, with the chosen set.
  let after = 0;
  const finalCost = new Map<string, { cost: number; used: string[] }>();
  for (const q of queries) {
    const r = await whatIf.cost(q, chosen);
    finalCost.set(q.id, r);
    after += q.weight * (r.cost / (base.get(q.id) ?? 1));
  }
  const improvement = totalWeight > 0 ? 1 - after / totalWeight : 0;
  const netValue = await context.netValueOf(chosen);
  let recommendations: IndexRecommendation[] = [];
  for (const c of chosen) {
    const affected = queries.filter((q) => finalCost.get(q.id)?.used.includes(c.key));
    const w = context.charge(c);
    const steps = partitionedRecipe(c, snapshot);
    recommendations.push({
      ddl: steps ? steps.map((s) => s.sql).join("\n") : candidateDdl(c),
      ...(steps
        ? {
            partitioned: {
              steps,
              plainDdl: candidateDdl(c, false),
              leafPartitions: steps.filter((s) => s.kind === "build").length,
            },
          }
        : {}),
      schema: c.schema,
      table: c.table,
      method: c.method,
      sizeBytes: Math.round(await whatIf.size(c)),
      reason: c.reason,
      ...requirementOf(c, options.extensions),
      benefitMs: Math.round(
        await context.gainOf(
          chosen.filter((x) => x !== c),
          chosen,
          context.onTable(c),
        ),
      ),
      writeChargeMs: Math.round(w.ms),
      breaksHotOn: w.breaksHotOn,
      queries: affected.map((q) => ({
        query: q.sql,
        costBefore: round(base.get(q.id) ?? 0),
        costAfter: round(finalCost.get(q.id)?.cost ?? 0),
        weightMs: round(q.weight),
        planning: q.method,
      })),
    });
  }
  if (recommendations.length && improvement < options.minImprovement) {
    notes.push(
      `the best set found improves the workload by ${formatPercent(improvement, 1)}, under --min-improvement ${formatPercent(options.minImprovement)}: nothing recommended`,
    );
    recommendations = [];
  }
  recommendations.sort((a, b) => b.benefitMs - a.benefitMs);
  const drops = recommendations.length ? redundantExisting(chosen, snapshot) : [];
  if (options.budgetBytes !== null)
    notes.push(`budget ${formatBytes(options.budgetBytes)}, used ${formatBytes(usedBytes)}`);
  const planning = { bound: 0, generic: 0, literal: 0 };
  for (const q of queries) planning[q.method]++;
  return {
    kind: "advice",
    target: inputs.target,
    whatIf: whatIf.kind,
    recommendations,
    drops,
    unmeasured: inputs.unmeasured,
    workload: {
      statements: queries.length,
      costBefore: round(totalWeight),
      costAfter: round(recommendations.length ? after : totalWeight),
      improvement: recommendations.length ? round(improvement) : 0,
      planning,
    },
    candidates: inputs.candidates,
    selection: { strategy: options.strategy ?? "greedy", pool: inputs.pool, netValueMs: round(netValue) },
    whatIfCalls: whatIf.calls,
    whatIfCacheHits: whatIf.cacheHits,
    elapsedMs: Date.now() - inputs.started,
    notes,
    unplanned: inputs.unplanned,
    applied: [],
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
