/**
 * The greedy step of the index search: each step adds the candidate (or widens a chosen index) worth the most, by
 * net value per byte or by net value alone, while it fits the budget; then drops indexes a later one made redundant.
 */
import { dropTakenOver } from "./drop-taken-over.js";
import { candidateDdl, type IndexCandidate } from "./index-candidate.js";
import { startsWith, widened, widerColumns } from "./index-widening.js";
import type { SearchContext } from "./search-context.js";
import { valueCeiling } from "./value-ceiling.js";
import { joinsKeysOf } from "./what-if.js";

/**
 * Lazy evaluation (as CELF): what a move was worth beside a set of chosen indexes bounds what it is worth beside
 * any set holding those, since an index saves less, not more, once others are in. Each greedy step asks moves in
 * the order of their bounds and stops once no bound can beat the best move found; a move never asked beside a
 * subset of the chosen is bounded by its gain alone. Kept across the greedy runs (by value, refills), every basis a
 * move was asked beside: a refill starts from a set without one of the indexes, where only the bounds asked before
 * that index came in still hold, and the tightest of those is taken.
 */
export type MoveBounds = Map<string, Array<{ net: number; basis: Set<string> }>>;

/** What the greedy runs of one search share: the pool, each candidate's gain alone, and the moves' bounds. */
export interface GreedySearch {
  pool: IndexCandidate[];
  aloneGain: Map<IndexCandidate, number>;
  bounds: MoveBounds;
  /** Whether two candidates' keys are joined by a statement (what-if.ts joinsKeysOf), by their keys' pair. */
  partners: Map<string, boolean>;
}

interface Move {
  key: string;
  next: IndexCandidate[];
  added: IndexCandidate;
  bytes: number;
  bound: number;
}

export async function greedySelection(
  context: SearchContext,
  search: GreedySearch,
  scoreBy: "density" | "value",
): Promise<IndexCandidate[]> {
  return (await greedy(context, search, scoreBy, null, [], [])) ?? [];
}

/**
 * A greedy run from `seed` without `leaveOut` that is there to beat a set worth `rival`: null once what it could
 * still reach (value-ceiling.ts) is worth no more than that, checked before it starts from a seed and after each
 * index it adds.
 */
export function greedyToBeat(
  context: SearchContext,
  search: GreedySearch,
  scoreBy: "density" | "value",
  rival: number,
  seed: IndexCandidate[] = [],
  leaveOut: IndexCandidate[] = [],
): Promise<IndexCandidate[] | null> {
  return greedy(context, search, scoreBy, rival, seed, leaveOut);
}

async function greedy(
  context: SearchContext,
  search: GreedySearch,
  scoreBy: "density" | "value",
  rival: number | null,
  seed: IndexCandidate[],
  leaveOut: IndexCandidate[],
): Promise<IndexCandidate[] | null> {
  const beaten = async () => rival !== null && (await valueCeiling(context, pool, chosen, leaveOut)) <= rival;
  const { options, whatIf, queries, onTable, ratio, charge, storage, netOf, minGain } = context;
  const { pool, aloneGain, bounds } = search;
  const chosen: IndexCandidate[] = [...seed];
  // Submodularity fails for a join's two sides: customer (c_custkey) saves little until orders (o_custkey) is in,
  // then much more (TPC-H no-PK at 250 MB: 30 ms, then 196). A bound asked before a join partner of the move
  // came in bounds nothing; the move is bounded by what its statements still cost instead.
  const partners = (x: IndexCandidate, y: IndexCandidate) => {
    const pair = `${x.key}\u0000${y.key}`;
    let known = search.partners.get(pair);
    if (known === undefined) {
      known = onTable(x).some((q) => joinsKeysOf(q, x, y));
      search.partners.set(pair, known);
    }
    return known;
  };
  let usedBytes = await context.sizeOf(seed);
  if (seed.length && (await beaten())) return null;
  for (;;) {
    if (options.maxIndexes !== null && chosen.length >= options.maxIndexes) break;
    let best: { next: IndexCandidate[]; score: number; net: number; bytes: number } | null = null;
    const chosenKeys = new Set(chosen.map((c) => c.key));
    const asked = new Set<string>();
    const moves: Move[] = [];
    // A move saves at most what the statements it can change still cost with the chosen set.
    const leftOn = async (c: IndexCandidate) => {
      let left = 0;
      for (const q of onTable(c)) left += q.weight * (await ratio(q, chosen));
      return left;
    };
    const move = async (
      next: IndexCandidate[],
      added: IndexCandidate,
      bytes: number,
      replaced?: IndexCandidate,
    ) => {
      if (options.budgetBytes !== null && usedBytes + bytes > options.budgetBytes) return;
      const key = `${replaced?.key ?? ""}\u0000${added.key}`;
      const alone = replaced ? undefined : aloneGain.get(added);
      // The basis of a bound holds every join partner of the move that is chosen now, or the bound is void.
      const holdsPartners = (basis: Set<string>) =>
        !chosen.some((c) => !basis.has(c.key) && partners(added, c));
      let bound = Number.POSITIVE_INFINITY;
      for (const known of bounds.get(key) ?? [])
        if (
          known.net < bound &&
          [...known.basis].every((k) => chosenKeys.has(k)) &&
          holdsPartners(known.basis)
        )
          bound = known.net;
      if (bound === Number.POSITIVE_INFINITY)
        bound =
          (alone !== undefined && holdsPartners(new Set()) ? alone : await leftOn(added)) -
          charge(added).ms -
          storage(bytes);
      moves.push({ key, next, added, bytes, bound });
    };
    // A candidate a chosen index starts with (lineitem (l_shipdate) once (l_shipdate, l_discount) is in) is not
    // asked about unless it is under half its size: the chosen index serves its statements already, and a copy of
    // its leading keys saves only the pages it does not have to read (TPC-H SF 1 PK, 250 MB: supplier
    // (s_nationkey) INCLUDE (s_suppkey), 408 kB, beside (s_nationkey, s_name) INCLUDE (s_suppkey), 944 kB).
    const copies = async (c: IndexCandidate) => {
      for (const x of chosen)
        if (startsWith(x, c) && 2 * (await whatIf.size(c)) > (await whatIf.size(x))) return true;
      return false;
    };
    for (const c of pool.filter((c) => !chosen.includes(c) && !leaveOut.includes(c)))
      if (!(await copies(c))) await move([...chosen, c], c, await whatIf.size(c));
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
    const ask = async (m: Move) => {
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
    context.progress(
      `chose ${added.map((c) => candidateDdl(c)).join(" ")} (saves about ${pick.net.toFixed(1)} ms net)`,
    );
    chosen.splice(0, chosen.length, ...pick.next);
    usedBytes += pick.bytes;
    if (await beaten()) return null;
  }
  return dropTakenOver(context, chosen);
}
