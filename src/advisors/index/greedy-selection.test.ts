import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { ident } from "../../util/sql-text.js";
import { greedySelection } from "./greedy-selection.js";
import { type IndexCandidate, makeCandidate } from "./index-candidate.js";
import type { SearchContext } from "./search-context.js";
import type { WorkloadQuery } from "./workload-query.js";

const on = (...columns: string[]): IndexCandidate =>
  makeCandidate({ schema: "public", name: 'Order "Lines"' }, "btree", columns.map(ident), {
    reason: "",
    query: "",
  });

/**
 * One statement of weight 100 on one table; `cost` gives its cost (1 with no index) for a set of index keys, and
 * every set asked is recorded.
 */
function fakeContext(cost: (keys: Set<string>) => number, asked: string[][]) {
  const q = { id: "q", weight: 100, tables: new Set(['public.Order "Lines"']), shape: { blocks: [] } };
  const query = q as unknown as WorkloadQuery;
  const ratio = async (_q: WorkloadQuery, config: IndexCandidate[]) => {
    asked.push(config.map((c) => c.key));
    return cost(new Set(config.map((c) => c.key)));
  };
  const gainOf = async (from: IndexCandidate[], to: IndexCandidate[]) =>
    100 * ((await ratio(query, from)) - (await ratio(query, to)));
  return {
    queries: [query],
    options: { budgetBytes: null, maxIndexes: null, minImprovement: 0 },
    whatIf: { size: async () => 8192 },
    progress: () => {},
    minGain: 0,
    ratio,
    onTable: () => [query],
    charge: () => ({ ms: 0 }),
    storage: () => 0,
    sizeOf: async (config: IndexCandidate[]) => 8192 * config.length,
    netOf: (_x: IndexCandidate, from: IndexCandidate[], to: IndexCandidate[]) => gainOf(from, to),
  } as unknown as SearchContext;
}

describe("greedySelection", () => {
  beforeAll(loadSqlParser);
  it("does not ask about an index a chosen one of less than twice its size starts with, for a sliver of gain", async () => {
    const wide = on("Tenant Id", "created_at");
    const narrow = on("Tenant Id");
    const asked: string[][] = [];
    // The narrower index saves a little beside the wider one (a smaller index to scan): not worth a copy of its keys.
    const cost = (keys: Set<string>) =>
      keys.has(wide.key) ? (keys.has(narrow.key) ? 0.099 : 0.1) : keys.has(narrow.key) ? 0.5 : 1;
    const context = fakeContext(cost, asked);
    const search = {
      pool: [wide, narrow],
      aloneGain: new Map([
        [wide, 90],
        [narrow, 50],
      ]),
      bounds: new Map(),
      partners: new Map(),
    };
    const chosen = await greedySelection(context, search, "value");
    expect(chosen.map((c) => c.key)).toEqual([wide.key]);
    expect(asked.some((set) => set.includes(wide.key) && set.includes(narrow.key))).toBe(false);
  });
});
