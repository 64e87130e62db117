import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../facts/plan/plan-model.js";
import { queryShape } from "../../facts/sql/query-shape.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { ident } from "../../util/sql-text.js";
import { type IndexCandidate, makeCandidate } from "./index-candidate.js";
import { servingOnly } from "./serving-what-if.js";
import { CostCache, type WhatIf } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

/** A what-if session over a cache whose planner records the index sets it was asked with. */
function recordingSession() {
  const cache = new CostCache();
  const asked: string[][] = [];
  const session: WhatIf = {
    kind: "hypopg",
    get calls() {
      return cache.calls;
    },
    cacheHits: 0,
    cost: (query, config) =>
      cache.cost(
        query,
        config,
        async (relevant) => {
          asked.push(relevant.map((c) => c.columns.join(",")));
          return { root: { cost: { total: 10 }, children: [] } } as unknown as Plan;
        },
        () => undefined,
      ),
    size: async () => 8192,
    close: async () => {},
  };
  return { session, asked };
}

describe("servingOnly", () => {
  beforeAll(loadSqlParser);
  const q = () =>
    ({
      id: "grouped",
      tables: new Set(["public.orders"]),
      shape: queryShape(
        `select status, sum("Total Due") from orders where created_at > $1 group by status`,
        (_column, tables) => tables[0] ?? null,
      ),
    }) as unknown as WorkloadQuery;
  const on = (columns: string[]): IndexCandidate =>
    makeCandidate({ schema: "public", name: "orders" }, "btree", columns.map(ident), {
      reason: "",
      query: "",
    });

  it("asks once for sets that differ by an index the statement only reads a column of", async () => {
    const { session, asked } = recordingSession();
    const view = servingOnly(session);
    const query = q();
    const created = on(["created_at"]);
    // "Total Due" is only summed: an index on it gives the planner no path, but the statement reads the column.
    const summed = on(["Total Due"]);
    await view.cost(query, [created]);
    await view.cost(query, [created, summed]);
    expect(view.calls).toBe(1);
    expect(asked).toEqual([["created_at"]]);
    // The session alone keys by the wider rule, and asks again.
    await session.cost(query, [created, summed]);
    expect(session.calls).toBe(2);
  });
});
