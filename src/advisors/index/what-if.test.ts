import { describe, expect, it } from "vitest";
import type { IndexCandidate } from "./index-candidate.js";
import { CostCache } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

const q = { id: "q1", tables: new Set(["public.orders", "public.customers"]) } as unknown as WorkloadQuery;
const ix = (key: string, table = "orders") => ({ key, schema: "public", table }) as unknown as IndexCandidate;
const a = ix("a");
const b = ix("b");
const c = ix("c", "customers");
const elsewhere = ix("z", "invoices");

describe("CostCache", () => {
  it("answers a set between a plan's used indexes and the set it was chosen from", () => {
    const cache = new CostCache();
    cache.set(q, [a, b, c], { cost: 10, used: ["a"] });
    expect(cache.get(q, [a, c])).toEqual({ cost: 10, used: ["a"] });
    expect(cache.get(q, [a])).toEqual({ cost: 10, used: ["a"] });
    // Indexes on tables the statement does not touch change nothing.
    expect(cache.get(q, [a, elsewhere])).toEqual({ cost: 10, used: ["a"] });
    expect(cache.derivedHits).toBe(2);
    expect(cache.exactHits).toBe(1);
  });

  it("does not guess without the used index, or with one the known plan could not choose", () => {
    const cache = new CostCache();
    cache.set(q, [a, b], { cost: 10, used: ["a"] });
    expect(cache.get(q, [b])).toBeUndefined();
    expect(cache.get(q, [a, c])).toBeUndefined();
    expect(cache.get({ ...q, id: "q2" } as WorkloadQuery, [a])).toBeUndefined();
  });
});
