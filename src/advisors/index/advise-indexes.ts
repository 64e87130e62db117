/**
 * Workload-level index selection: candidates from the statements' shapes, each costed by the real planner
 * (HypoPG, or real indexes on a sandbox), then chosen greedily by net benefit per byte, re-costing with what is
 * already chosen (so two indexes that help the same statement are not both counted), widening a chosen index
 * by a column when that beats a new one, within the byte budget and index count, net of what each index costs
 * the writes. Existing indexes the recommendations make redundant are proposed for dropping.
 */
import { DbError } from "../../connectors/db-error.js";
import { leafTables } from "../../facts/partition-tree.js";
import type { Snapshot } from "../../facts/snapshot.js";
import { formatBytes, formatPercent } from "../../util/format.js";
import { checkSql, ident, qname, type SqlText, sql } from "../../util/sql-text.js";
import type {
  AdviceReport,
  DropRecommendation,
  ExtensionRequirement,
  ExtensionState,
  IndexRecommendation,
  UnmeasuredCandidate,
  UnplannedStatement,
} from "./advice-report.js";
import { completeStatements } from "./complete-statements.js";
import { generateCandidates } from "./generate-candidates.js";
import { buildBenefitGraph } from "./index-benefit-graph.js";
import { candidateDdl, type IndexCandidate, makeCandidate } from "./index-candidate.js";
import { partitionedRecipe } from "./partitioned-index.js";
import { candidateProblem, statementProblem } from "./planning-errors.js";
import { preferBrin } from "./prefer-brin.js";
import type { SearchContext } from "./search-context.js";
import { canServe, type WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";
import { type WorkloadWrites, writeCharge } from "./write-charge.js";

export interface AdviseOptions {
  budgetBytes: number | null;
  maxIndexes: number | null;
  /** The whole set must improve the workload by this share, or nothing is recommended. */
  minImprovement: number;
  tables?: string[];
  exclude?: string[];
  /** pg_stat_statements' window over the table counters' window, to put writes and reads on one scale. */
  windowScale?: number;
  /** "exhaustive" tries every subset of the candidate pool (small pools only): the benchmark for the greedy. */
  strategy?: "greedy" | "exhaustive";
  /** Keep only the best this many candidates (by what each saves alone) before choosing. */
  maxCandidates?: number;
  /** false: only the budget limits space, as in published index-selection benchmarks; default true. */
  priceStorage?: boolean;
  /** The share of the workload an index must save to be added or kept; default MIN_MARGINAL (0.5%). */
  minIndexGain?: number;
  /** The state of extensions candidates need (pg_trgm for trigram GIN); not checked when absent. */
  extensions?: Record<string, ExtensionState>;
  onProgress?: (message: string) => void;
  /** Stops the search at its next what-if question (SIGINT). */
  signal?: AbortSignal;
}

/**
 * Milliseconds per planner cost unit, to turn a statement's estimated cost into time when only its call count is
 * known. The unit is one sequential page read (seq_page_cost = 1). Measured on PostgreSQL 15 on this project's
 * 2-core test machine: a cached sequential scan counting 1.1M rows (cost 24,058, no parallel workers) ran in
 * 160 to 275 ms, 0.007 to 0.011 ms per unit. It matters only where reads are weighed against write costs and
 * space; statements' weights among themselves stand in the ratio of calls × cost whatever the unit is worth.
 */
export const MS_PER_COST_UNIT = 0.008;

/** pg_stat_statements' mean time for the statement, when the snapshot has it (same text once normalised). */
function measuredMsPerCall(q: WorkloadQuery, snapshot: Snapshot): number | null {
  const norm = (s: string) => s.replace(/\s+/g, " ").replace(/;\s*$/, "").trim().toLowerCase();
  const text = norm(q.sql);
  const s = snapshot.workload.statements.find((x) => x.calls > 0 && norm(x.query) === text);
  return s ? s.totalMs / s.calls : null;
}

/** Each index must save at least this share of the workload to be worth adding. */
const MIN_MARGINAL = 0.005;
const MAX_CANDIDATES_PER_TABLE = 12;
/**
 * How many of the largest chosen indexes the refill pass tries taking out. One: on TPC-H SF 1 (both layouts,
 * 100 MB to 1.5 GB) the second and third tries never replaced anything and cost up to a third of the search's calls.
 */
const REFILL_TRIES = 1;

export async function adviseIndexes(
  workload: WorkloadQuery[],
  snapshot: Snapshot,
  whatIf: WhatIf,
  target: string,
  options: AdviseOptions,
): Promise<AdviceReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const notes: string[] = [];
  const inScope = (schema: string, table: string) =>
    (!options.tables?.length || options.tables.some((t) => t === table || t === `${schema}.${table}`)) &&
    !options.exclude?.some((t) => t === table || t === `${schema}.${table}`);

  let queries = workload;
  const all = generateCandidates(queries, snapshot)
    .filter((c) => inScope(c.schema, c.table))
    .map((c) => withRequirement(c, options.extensions));
  const missing = (c: IndexCandidate) =>
    c.requires !== null && extensionState(c, options.extensions) === "missing";
  const simulable = all.filter((c) => !missing(c) && (c.hypothetical || whatIf.kind === "sandbox"));
  const unmeasured: UnmeasuredCandidate[] = all
    .filter((c) => !simulable.includes(c))
    .map((c) => ({
      ddl:
        partitionedRecipe(c, snapshot)
          ?.map((s) => s.sql)
          .join("\n") ?? candidateDdl(c),
      reason: c.reason,
      ...requirementOf(c, options.extensions),
      why: missing(c)
        ? `Not measured: the ${c.requires} extension is not available on this server; install PostgreSQL's contrib package (Debian/Ubuntu: postgresql-contrib, part of the server package since PostgreSQL 10) to use it`
        : `Not measured: HypoPG cannot simulate ${c.method.toUpperCase()} indexes, so the planner cannot say what this one saves; verify with dbopt advise --sandbox on a copy of the database, which builds it for real`,
    }));

  const measurable = await withinBudget(simulable, options.budgetBytes, whatIf);
  progress(`costing ${queries.length} statements with the current indexes`);
  const base = new Map<string, number>();
  const planned: WorkloadQuery[] = [];
  const unplanned: UnplannedStatement[] = [];
  const written: WorkloadWrites = new Map();
  let byCalls = 0;
  let measuredCalls = 0;
  for (const q of queries) {
    options.signal?.throwIfAborted();
    try {
      const now = await whatIf.cost(q, []);
      base.set(q.id, Math.max(now.cost, 1e-9));
      if (q.weightIs === "calls") {
        // A call count: worth calls × one call's time, measured when pg_stat_statements knows it, else the plan's cost.
        const measured = measuredMsPerCall(q, snapshot);
        q.weight = q.calls * (measured ?? Math.max(now.cost, 1e-9) * MS_PER_COST_UNIT);
        byCalls++;
        if (measured !== null) measuredCalls++;
        if (now.written?.length) written.set(q.id, now.written);
      }
      planned.push(q);
    } catch (error) {
      if (error instanceof DbError && error.isConnectionError) throw error;
      const problem = statementProblem(
        error instanceof Error ? error.message : String(error),
        error instanceof DbError ? error.hint : null,
      );
      unplanned.push({ query: q.sql, why: problem.why, hint: problem.hint });
    }
  }
  notes.push(...unplannedNotes(unplanned, workload.length));
  if (byCalls)
    notes.push(
      `${byCalls} statement${byCalls === 1 ? "" : "s"} weighted by call count × the time of one call (${measuredCalls ? `${measuredCalls} measured by pg_stat_statements, ` : ""}${byCalls - measuredCalls} estimated from the plan's cost at ${MS_PER_COST_UNIT} ms per cost unit); writes charged from the workload's INSERT, UPDATE and DELETE statements`,
    );
  queries = planned;
  const totalWeight = queries.reduce((s, q) => s + q.weight, 0);
  const minGain = (options.minIndexGain ?? MIN_MARGINAL) * totalWeight;
  // The statements an index can change the plan of (what-if.ts: on its table, reading one of its columns).
  const onTable = (c: IndexCandidate) => queries.filter((q) => canServe(q, c));
  const ratio = async (q: WorkloadQuery, config: IndexCandidate[]) => {
    options.signal?.throwIfAborted();
    return (await whatIf.cost(q, config)).cost / (base.get(q.id) ?? 1);
  };
  const gainOf = async (config: IndexCandidate[], next: IndexCandidate[], affected: WorkloadQuery[]) => {
    let gain = 0;
    for (const q of affected) gain += q.weight * ((await ratio(q, config)) - (await ratio(q, next)));
    return gain;
  };

  // Score each candidate alone; keep the most promising per table. Each statement's questions are asked in one
  // batch first (index-benefit-graph.ts), so most of these and the search's later ones need no planner call.
  progress(`costing ${measurable.length} candidate indexes`);
  for (const q of queries) {
    try {
      await buildBenefitGraph(whatIf, q, measurable, options.signal);
    } catch (error) {
      // A candidate that cannot be planned is found and named by the scoring below, one at a time.
      if (error instanceof DbError && error.isConnectionError) throw error;
      if (options.signal?.aborted) throw error;
    }
  }
  const scored: Array<{ c: IndexCandidate; gain: number }> = [];
  const aloneGain = new Map<IndexCandidate, number>();
  for (const c of measurable) {
    try {
      const gain = await gainOf([], [c], onTable(c));
      aloneGain.set(c, gain);
      if (gain > 0) scored.push({ c, gain });
    } catch (error) {
      if (error instanceof DbError && error.isConnectionError) throw error;
      notes.push(
        `left out ${candidateDdl(c)} (for ${c.reason}): it could not be measured, ${candidateProblem(error instanceof Error ? error.message : String(error))}`,
      );
    }
  }
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
  const pool =
    options.maxCandidates === undefined
      ? perTable
      : [...perTable]
          .sort(
            (a, b) => (scored.find((x) => x.c === b)?.gain ?? 0) - (scored.find((x) => x.c === a)?.gain ?? 0),
          )
          .slice(0, options.maxCandidates);

  const charge = (c: IndexCandidate) =>
    writeCharge(c, snapshot, queries, options.windowScale ?? 1, byCalls ? written : undefined);
  // Space has a price too: an index must save MIN_MARGINAL of the workload for every 1% of the database it adds.
  const databaseBytes = Math.max(snapshot.database.sizeBytes, 1024 * 1024);
  const storage = (bytes: number) =>
    options.priceStorage === false
      ? 0
      : (Math.max(bytes, 0) / databaseBytes) * 100 * MIN_MARGINAL * totalWeight;
  /** The B-tree x with one more key column (taken out of its INCLUDE when it is there). */
  const widened = (x: IndexCandidate, column: SqlText): IndexCandidate => {
    const wide = makeCandidate({ schema: x.schema, name: x.table }, "btree", [...x.columns, column], {
      include: x.include.filter((c) => c !== column),
      reason: `${x.reason}, widened by ${column}`,
      query: [...x.queries][0] ?? "",
    });
    for (const q of x.queries) wide.queries.add(q);
    return wide;
  };
  const netOf = async (x: IndexCandidate, from: IndexCandidate[], to: IndexCandidate[], bytes: number) =>
    (await gainOf(from, to, onTable(x))) - charge(x).ms - storage(bytes);
  const netValueOf = async (config: IndexCandidate[]) => {
    let net = 0;
    for (const c of config) net -= charge(c).ms + storage(await whatIf.size(c));
    for (const q of queries) net += q.weight * (1 - (await ratio(q, config)));
    return net;
  };
  const sizeOf = async (config: IndexCandidate[]) => {
    let bytes = 0;
    for (const c of config) bytes += await whatIf.size(c);
    return bytes;
  };

  /**
   * Lazy evaluation (as CELF): what a move was worth beside a set of chosen indexes bounds what it is worth beside
   * any set holding those, since an index saves less, not more, once others are in. Each greedy step asks moves in
   * the order of their bounds and stops once no bound can beat the best move found; a move never asked beside a
   * subset of the chosen is bounded by its gain alone. Kept across the greedy runs (by value, refills), every basis a
   * move was asked beside: a refill starts from a set without one of the indexes, where only the bounds asked before
   * that index came in still hold, and the tightest of those is taken.
   */
  const bounds = new Map<string, Array<{ net: number; basis: Set<string> }>>();

  /**
   * Greedy selection: each step adds the candidate (or widens a chosen index) worth the most, by net value per
   * byte or by net value alone, while it fits the budget; then drops indexes a later one made redundant.
   */
  const greedy = async (
    scoreBy: "density" | "value",
    seed: IndexCandidate[] = [],
    leaveOut: IndexCandidate[] = [],
  ): Promise<IndexCandidate[]> => {
    const chosen: IndexCandidate[] = [...seed];
    let usedBytes = await sizeOf(seed);
    for (;;) {
      if (options.maxIndexes !== null && chosen.length >= options.maxIndexes) break;
      let best: { next: IndexCandidate[]; score: number; net: number; bytes: number } | null = null;
      const chosenKeys = new Set(chosen.map((c) => c.key));
      const asked = new Set<string>();
      const moves: Array<{
        key: string;
        next: IndexCandidate[];
        added: IndexCandidate;
        bytes: number;
        bound: number;
      }> = [];
      const move = async (
        next: IndexCandidate[],
        added: IndexCandidate,
        bytes: number,
        replaced?: IndexCandidate,
      ) => {
        if (options.budgetBytes !== null && usedBytes + bytes > options.budgetBytes) return;
        const key = `${replaced?.key ?? ""}\u0000${added.key}`;
        const alone = replaced ? undefined : aloneGain.get(added);
        let bound = Number.POSITIVE_INFINITY;
        for (const known of bounds.get(key) ?? [])
          if (known.net < bound && [...known.basis].every((k) => chosenKeys.has(k))) bound = known.net;
        if (bound === Number.POSITIVE_INFINITY)
          bound = (alone ?? (await leftOn(added))) - charge(added).ms - storage(bytes);
        moves.push({ key, next, added, bytes, bound });
      };
      // A move saves at most what the statements it can change still cost with the chosen set.
      const leftOn = async (c: IndexCandidate) => {
        let left = 0;
        for (const q of onTable(c)) left += q.weight * (await ratio(q, chosen));
        return left;
      };
      for (const c of pool.filter((c) => !chosen.includes(c) && !leaveOut.includes(c)))
        await move([...chosen, c], c, await whatIf.size(c));
      // Widening: the chosen B-tree plus one more key column, in place of the narrower one.
      for (const x of chosen.filter((x) => x.method === "btree" && !x.where)) {
        for (const column of widerColumns(x, pool, queries)) {
          const wide = widened(x, column);
          const extra = (await whatIf.size(wide)) - (await whatIf.size(x));
          await move([...chosen.filter((c) => c !== x), wide], wide, Math.max(extra, 0), x);
        }
        // Upgrading: a candidate that starts with the same keys and holds more (a covering variant) replaces it.
        for (const y of pool.filter((y) => y !== x && !chosen.includes(y) && startsWith(y, x))) {
          const extra = (await whatIf.size(y)) - (await whatIf.size(x));
          await move([...chosen.filter((c) => c !== x), y], y, Math.max(extra, 0), x);
        }
      }
      const scoreOf = (net: number, bytes: number) =>
        scoreBy === "density" ? net / Math.max(bytes, 8192) : net;
      moves.sort((a, b) => scoreOf(b.bound, b.bytes) - scoreOf(a.bound, a.bytes));
      const ask = async (m: (typeof moves)[number]) => {
        const net = await netOf(m.added, chosen, m.next, m.bytes);
        const known = bounds.get(m.key);
        if (known) known.push({ net, basis: chosenKeys });
        else bounds.set(m.key, [{ net, basis: chosenKeys }]);
        asked.add(m.key);
        if (net <= minGain) return;
        const score = scoreOf(net, m.bytes);
        if (!best || score > best.score) best = { next: m.next, score, net, bytes: m.bytes };
      };
      for (const m of moves) {
        if (m.bound <= minGain) continue;
        if (best && scoreOf(m.bound, m.bytes) <= (best as { score: number }).score) break;
        await ask(m);
      }
      // Before stopping, ask every move not asked in this step: two indexes can be worth more together (a join's
      // two sides) than apart, which a bound from before or a gain alone cannot show.
      if (!best) for (const m of moves) if (!asked.has(m.key)) await ask(m);
      if (!best) break;
      const pick: { next: IndexCandidate[]; bytes: number; net: number } = best;
      const added = pick.next.filter((c) => !chosen.includes(c));
      progress(
        `chose ${added.map((c) => candidateDdl(c)).join(" ")} (saves about ${pick.net.toFixed(1)} ms net)`,
      );
      chosen.splice(0, chosen.length, ...pick.next);
      usedBytes += pick.bytes;
    }

    // A later index may have taken over an earlier one's work. Of two that do the same job, keep the one worth more
    // net of its writes and space; an index that no longer pays for itself goes.
    for (let changed = true; changed && chosen.length > 1; ) {
      changed = false;
      for (const c of [...chosen]) {
        const without = chosen.filter((x) => x !== c);
        if ((await netOf(c, without, chosen, await whatIf.size(c))) > minGain) continue;
        let remove = c;
        for (const d of without.filter((d) => d.schema === c.schema && d.table === c.table)) {
          const rest = without.filter((x) => x !== d);
          const cAlone = await netOf(c, rest, [...rest, c], await whatIf.size(c));
          if (cAlone <= minGain) continue; // c does no job of its own without d either
          if (cAlone > (await netOf(d, rest, [...rest, d], await whatIf.size(d)))) remove = d;
          break;
        }
        progress(`dropped ${candidateDdl(remove)}: another chosen index does its job`);
        chosen.splice(chosen.indexOf(remove), 1);
        changed = true;
        break;
      }
    }
    return chosen;
  };

  /**
   * A full budget can hold an index that a greedy step liked early but that later ones would beat together: take
   * each of the largest chosen indexes out in turn, fill the space again without it, and keep the better set.
   */
  /**
   * What a refill of `seed` could be worth at most: the seed beside every index the space left could take (a pool
   * candidate, an upgrade or a one-column widening of a seed index), all at once, with no charge for writes or space. An
   * index only adds plans for the planner to choose from, so no set the refill can reach costs the workload less.
   * One planner question per statement, against the dozens a refill run asks.
   */
  const refillCeiling = async (seed: IndexCandidate[], leftOut: IndexCandidate): Promise<number> => {
    const free = (options.budgetBytes ?? Number.POSITIVE_INFINITY) - (await sizeOf(seed));
    const extra: IndexCandidate[] = [];
    for (const y of pool) {
      if (y === leftOut || seed.includes(y)) continue;
      let room = free;
      for (const x of seed) if (startsWith(y, x)) room = Math.max(room, free + (await whatIf.size(x)));
      if ((await whatIf.size(y)) <= room) extra.push(y);
    }
    for (const x of seed.filter((x) => x.method === "btree" && !x.where))
      for (const column of widerColumns(x, pool, queries)) {
        const wide = widened(x, column);
        if ((await whatIf.size(wide)) - (await whatIf.size(x)) <= free) extra.push(wide);
      }
    // Writes and space are left uncharged: the refill's redundancy step may drop seed indexes, and the ceiling
    // must stay above whatever it reaches.
    let value = 0;
    for (const q of queries) value += q.weight * (1 - (await ratio(q, [...seed, ...extra])));
    return value;
  };

  const refillUnderBudget = async (start: IndexCandidate[]): Promise<IndexCandidate[]> => {
    let best = start;
    let value = await netValueOf(start);
    const largest = [...start];
    const sizes = new Map<IndexCandidate, number>();
    for (const c of largest) sizes.set(c, await whatIf.size(c));
    largest.sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0));
    for (const c of largest.slice(0, REFILL_TRIES)) {
      const seed = best.filter((x) => x !== c);
      if ((await refillCeiling(seed, c)) <= value + minGain) continue;
      const next = await greedy("density", seed, [c]);
      const v = await netValueOf(next);
      if (v > value + minGain) {
        progress(
          `replaced ${candidateDdl(c)} by ${next
            .filter((x) => !best.includes(x))
            .map((x) => candidateDdl(x))
            .join(" ")}`,
        );
        best = next;
        value = v;
      }
    }
    return best;
  };

  /** A table's own bytes; a partitioned table's, its partitions'. */
  const tableBytes = (c: IndexCandidate): number => {
    const table = snapshot.tables.find((t) => t.schema === c.schema && t.name === c.table);
    if (!table) return 0;
    return table.kind === "partitioned"
      ? leafTables(snapshot, table.schema, table.name).reduce((sum, t) => sum + t.sizeBytes, 0)
      : table.sizeBytes;
  };

  const context: SearchContext = {
    queries,
    whatIf,
    options,
    measurable,
    databaseBytes,
    progress,
    notes,
    ratio,
    gainOf,
    onTable,
    sizeOf,
    charge,
    tableBytes,
  };

  let chosen: IndexCandidate[];
  if (options.strategy === "exhaustive") {
    progress(`trying every subset of ${pool.length} candidates`);
    chosen = await exhaustiveSelection(pool, options, netValueOf, (c) => whatIf.size(c));
  } else {
    progress("choosing indexes for the whole workload");
    chosen = await greedy("density");
    // Under a budget, value per byte can fill the space with small indexes and leave out the one big index that
    // matters most (the knapsack trap); choosing by value alone avoids it, so both run and the better set wins.
    // When the set holds the index worth most alone (or one starting with its keys), the trap did not close.
    if (options.budgetBytes !== null) {
      const first = [...aloneGain].filter(([c]) => pool.includes(c)).sort((a, b) => b[1] - a[1])[0]?.[0];
      if (first && !chosen.some((x) => x === first || startsWith(x, first))) {
        progress("choosing again by value alone, to compare under the budget");
        const byValue = await greedy("value");
        if ((await netValueOf(byValue)) > (await netValueOf(chosen))) {
          progress("the set chosen by value alone is worth more");
          chosen = byValue;
        }
      }
      progress("taking the largest index out, to fill the space again");
      chosen = await refillUnderBudget(chosen);
    }
    chosen = await completeStatements(context, chosen);
  }
  chosen = await preferBrin(context, chosen);
  const usedBytes = await sizeOf(chosen);

  // Final costs, per statement, with the chosen set.
  let after = 0;
  const finalCost = new Map<string, { cost: number; used: string[] }>();
  for (const q of queries) {
    const r = await whatIf.cost(q, chosen);
    finalCost.set(q.id, r);
    after += q.weight * (r.cost / (base.get(q.id) ?? 1));
  }
  const improvement = totalWeight > 0 ? 1 - after / totalWeight : 0;
  const netValue = await netValueOf(chosen);
  let recommendations: IndexRecommendation[] = [];
  for (const c of chosen) {
    const affected = queries.filter((q) => finalCost.get(q.id)?.used.includes(c.key));
    const w = charge(c);
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
        await gainOf(
          chosen.filter((x) => x !== c),
          chosen,
          onTable(c),
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
    target,
    whatIf: whatIf.kind,
    recommendations,
    drops,
    unmeasured,
    workload: {
      statements: queries.length,
      costBefore: round(totalWeight),
      costAfter: round(recommendations.length ? after : totalWeight),
      improvement: recommendations.length ? round(improvement) : 0,
      planning,
    },
    candidates: all.length,
    selection: { strategy: options.strategy ?? "greedy", pool: pool.length, netValueMs: round(netValue) },
    whatIfCalls: whatIf.calls,
    whatIfCacheHits: whatIf.cacheHits,
    elapsedMs: Date.now() - started,
    notes,
    unplanned,
    applied: [],
  };
}

/**
 * One note per reason statements could not be planned ("permission denied for table orders"), with how many
 * and the fix: the advice covers only what was planned.
 */
export function unplannedNotes(unplanned: UnplannedStatement[], total: number): string[] {
  const byWhy = new Map<string, UnplannedStatement[]>();
  for (const u of unplanned) byWhy.set(u.why, [...(byWhy.get(u.why) ?? []), u]);
  return [...byWhy].map(([why, list]) => {
    const first = list[0] as UnplannedStatement;
    const example = first.query.replace(/\s+/g, " ");
    return `could not plan ${list.length} of ${total} statement${total === 1 ? "" : "s"}, left out of the advice: ${why}${first.hint ? ` (${first.hint})` : ""}; e.g. ${example.length > 100 ? `${example.slice(0, 97)}...` : example}`;
  });
}

function extensionState(
  c: IndexCandidate,
  extensions: Record<string, ExtensionState> | undefined,
): ExtensionState {
  return c.requires ? (extensions?.[c.requires] ?? "unknown") : "installed";
}

/** The candidate's reason, saying which extension it needs and whether it must be installed first. */
function withRequirement(
  c: IndexCandidate,
  extensions: Record<string, ExtensionState> | undefined,
): IndexCandidate {
  if (!c.requires) return c;
  const state = extensionState(c, extensions);
  const install = `CREATE EXTENSION IF NOT EXISTS ${c.requires};`;
  const needs = {
    installed: `uses the ${c.requires} extension, installed in this database`,
    available: `needs the ${c.requires} extension, available on this server but not installed in this database: run ${install} first`,
    missing: `needs the ${c.requires} extension, which this server does not have`,
    unknown: `needs the ${c.requires} extension: run ${install} first`,
  }[state];
  return { ...c, reason: `${c.reason}; ${needs}` };
}

function requirementOf(
  c: IndexCandidate,
  extensions: Record<string, ExtensionState> | undefined,
): { requires?: ExtensionRequirement } {
  if (!c.requires) return {};
  const ddl = checkSql(sql`CREATE EXTENSION IF NOT EXISTS ${ident(c.requires)};`, 1);
  return { requires: { extension: c.requires, state: extensionState(c, extensions), ddl } };
}

/**
 * The candidates no larger than the whole budget: a bigger one can never be chosen, so no question is asked about
 * it (Extend skips them too). One whose size cannot be read stays, for the scoring to name what is wrong with it.
 */
async function withinBudget(
  candidates: IndexCandidate[],
  budgetBytes: number | null,
  whatIf: WhatIf,
): Promise<IndexCandidate[]> {
  if (budgetBytes === null) return candidates;
  const out: IndexCandidate[] = [];
  for (const c of candidates) {
    const bytes = await whatIf.size(c).catch((error: unknown) => {
      if (error instanceof DbError && error.isConnectionError) throw error;
      return 0;
    });
    if (bytes <= budgetBytes) out.push(c);
  }
  return out;
}

/** Key columns other candidates on the same table use, that x does not have yet. */
function startsWith(y: IndexCandidate, x: IndexCandidate): boolean {
  return (
    y.schema === x.schema &&
    y.table === x.table &&
    y.method === x.method &&
    y.where === x.where &&
    x.columns.every((c, i) => y.columns[i] === c) &&
    x.include.every((c) => y.columns.includes(c) || y.include.includes(c))
  );
}

function isSingleColumn(c: IndexCandidate): boolean {
  return c.method === "btree" && c.columns.length === 1 && c.include.length === 0 && !c.where;
}

/**
 * Columns to widen a chosen B-tree by: the key and INCLUDE columns of other candidates on its table, and (as
 * Extend does) any column a statement reads together with all of the index's key columns.
 */
function widerColumns(x: IndexCandidate, pool: IndexCandidate[], queries: WorkloadQuery[]): SqlText[] {
  const columns = new Set<SqlText>();
  for (const c of pool) {
    if (c.schema !== x.schema || c.table !== x.table || c.method !== "btree") continue;
    for (const col of [...c.columns, ...c.include]) columns.add(col);
  }
  const keys = x.columns.map((k) => k.replace(/ DESC$/, ""));
  for (const q of queries.filter((q) => q.tables.has(`${x.schema}.${x.table}`))) {
    for (const block of q.shape.blocks) {
      for (const t of block.tables.filter((t) => t.name === x.table)) {
        const read = [...(block.referenced.get(t.refName) ?? [])].filter((c) => c !== "*").map(ident);
        if (keys.every((k) => read.some((r) => r === k))) for (const col of read) columns.add(col);
      }
    }
  }
  // A column x already holds gains nothing as another key; one in its INCLUDE, only a sort order no query asked for.
  return [...columns].filter((col) => !x.columns.includes(col) && !x.include.includes(col));
}

/** Existing plain B-trees whose keys lead a recommended B-tree: the new one serves their lookups. */
function redundantExisting(chosen: IndexCandidate[], snapshot: Snapshot): DropRecommendation[] {
  const out: DropRecommendation[] = [];
  for (const i of snapshot.indexes) {
    if (i.method !== "btree" || i.isUnique || i.isPrimary || i.constraint || i.predicate || !i.isValid)
      continue;
    const keys = i.columns.slice(0, i.keyColumnCount);
    const by = chosen.find(
      (c) =>
        c.method === "btree" &&
        !c.where &&
        c.schema === i.tableSchema &&
        c.table === i.table &&
        c.columns.length > keys.length &&
        keys.every((k, n) => c.columns[n]?.replace(/ DESC$/, "").replace(/"/g, "") === k.replace(/"/g, "")),
    );
    if (by) {
      // A partitioned table's index cannot be dropped CONCURRENTLY: DROP INDEX locks the table and its partitions.
      const partitioned = snapshot.tables.some(
        (t) => t.schema === i.tableSchema && t.name === i.table && t.kind === "partitioned",
      );
      out.push({
        ddl: partitioned
          ? checkSql(sql`DROP INDEX ${qname(i.schema, i.name)};`, 1)
          : checkSql(sql`DROP INDEX CONCURRENTLY ${qname(i.schema, i.name)};`, 1),
        index: `${i.schema}.${i.name}`,
        sizeBytes: i.sizeBytes,
        reason: `its keys (${keys.join(", ")}) lead the recommended index on (${by.columns.join(", ")}); drop it once that one is built`,
        replacedBy: candidateDdl(by),
      });
    }
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Pools above this size have too many subsets to try. */
export const EXHAUSTIVE_MAX_POOL = 14;

/** The subset of the pool with the highest net value within the budget and index count. */
async function exhaustiveSelection(
  pool: IndexCandidate[],
  options: AdviseOptions,
  value: (config: IndexCandidate[]) => Promise<number>,
  size: (c: IndexCandidate) => Promise<number>,
): Promise<IndexCandidate[]> {
  if (pool.length > EXHAUSTIVE_MAX_POOL)
    throw new Error(`exhaustive search over ${pool.length} candidates is too large`);
  const sizes: number[] = [];
  for (const c of pool) sizes.push(await size(c)); // one session: one question at a time
  let best: IndexCandidate[] = [];
  let bestValue = 0;
  for (let mask = 1; mask < 1 << pool.length; mask++) {
    const config = pool.filter((_, k) => mask & (1 << k));
    if (options.maxIndexes !== null && config.length > options.maxIndexes) continue;
    const bytes = sizes.reduce((sum, b, k) => sum + (mask & (1 << k) ? b : 0), 0);
    if (options.budgetBytes !== null && bytes > options.budgetBytes) continue;
    const v = await value(config);
    if (v > bestValue) {
      best = config;
      bestValue = v;
    }
  }
  return best;
}
