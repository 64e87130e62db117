import { describe, expect, it } from "vitest";
import { judgeRegression } from "../../store/window-statistics.js";
import { defaultOptions } from "../rule.js";
import { causeScore, type RegressionCause, statementRegressed } from "./statement-regressed.js";

const QUERY = "select * from orders where customer_id = $1";
// 2,000 calls of ~1 ms (stddev 0.1 ms), then 2,000 calls of ~5 ms: beyond any noise.
const totals = (calls: number, mean: number, stddev: number) => ({
  calls,
  totalMs: calls * mean,
  sumSqMs: calls * (stddev * stddev + mean * mean),
});
const slower = judgeRegression(totals(2000, 1, 0.1), totals(2000, 5, 0.5));
const same = judgeRegression(totals(2000, 1, 0.1), totals(2000, 1.01, 0.1));

const dropped: RegressionCause = {
  kind: "index-dropped",
  score: causeScore("index-dropped", { planChanged: true, indexInOldPlan: true }),
  headline: "index public.orders_customer dropped",
  text: "the index public.orders_customer, which the old plan used, is gone",
  evidence: { droppedIndex: "public.orders_customer" },
  objects: ["public.orders_customer"],
  recreate: "CREATE INDEX orders_customer ON public.orders USING btree (customer_id)",
};
const planChanged: RegressionCause = {
  kind: "plan-changed",
  score: causeScore("plan-changed", { planChanged: true }),
  headline: "plan changed",
  text: "the plan changed from Index Scan to Seq Scan",
  evidence: { planBefore: "Index Scan using orders_customer on orders", planAfter: "Seq Scan on orders" },
  objects: [],
};
const setting: RegressionCause = {
  kind: "setting-changed",
  score: causeScore("setting-changed", { planChanged: true, setting: "application_name" }),
  headline: "application_name changed",
  text: "the setting application_name changed",
  evidence: { "setting:application_name": "a → b" },
  objects: [],
};

describe("history/statement-regressed", () => {
  const options = defaultOptions(statementRegressed);

  it("names the most likely cause first whatever order the causes come in, and recreates the dropped index", () => {
    const [finding, ...rest] = statementRegressed.check(
      {
        query: QUERY,
        verdict: slower,
        causes: [setting, planChanged, dropped],
        since: new Date("2026-12-01T10:00:00Z"),
      },
      options,
    );
    expect(rest).toEqual([]);
    expect(finding?.title).toBe(
      "5.0× slower since 2026-12-01 10:00Z: index public.orders_customer dropped, plan changed",
    );
    expect(finding?.evidence.cause).toBe("index-dropped");
    expect(finding?.evidence.causes).toBe("index-dropped, plan-changed, setting-changed");
    expect(finding?.evidence.slowerBy).toBe(5);
    expect(finding?.evidence.callsAfter).toBe(2000);
    expect(finding?.evidence.droppedIndex).toBe("public.orders_customer");
    expect(finding?.severity).toBe("warning");
    expect(finding?.timeMs).toBeCloseTo(8000, 0);
    expect(String(finding?.fix?.sql)).toBe(
      "CREATE INDEX CONCURRENTLY orders_customer ON public.orders USING btree (customer_id);",
    );
    expect(finding?.objects).toEqual(["public.orders_customer"]);
  });

  it("recreates a partitioned table's dropped index on the whole tree, without CONCURRENTLY or ON ONLY", () => {
    const [finding] = statementRegressed.check(
      {
        query: QUERY,
        verdict: slower,
        causes: [{ ...dropped, recreate: 'CREATE UNIQUE INDEX "M k" ON ONLY public.m USING btree (k, at)' }],
      },
      options,
    );
    expect(String(finding?.fix?.sql)).toBe('CREATE UNIQUE INDEX "M k" ON public.m USING btree (k, at);');
    expect(finding?.fix?.note).toMatch(/ATTACH PARTITION/);
  });

  it("adds the statement's counters and how its entries were paired when the comparison has them", () => {
    const counters = (calls: number, rows: number) => ({ calls, rows, sharedBlksRead: 7, tempBytes: 0 });
    const [finding] = statementRegressed.check(
      {
        query: QUERY,
        verdict: slower,
        causes: [],
        counters: { before: counters(2000, 2000), after: counters(2000, 6000) },
        matchedBy: "fingerprint",
      },
      options,
    );
    expect(finding?.title).toBe("5.0× slower: cause not found");
    expect(finding?.evidence.rowsPerCallAfter).toBe(3);
    expect(finding?.evidence.matchedBy).toBe("fingerprint");
    expect(finding?.evidence.causes).toBe("none found");
    expect(finding?.fix).toBeUndefined();
  });

  it("is an error when the statement is errorRatio× slower and added errorAddedMs", () => {
    const [finding] = statementRegressed.check(
      { query: QUERY, verdict: slower, causes: [] },
      { errorRatio: 4, errorAddedMs: 1000 },
    );
    expect(finding?.severity).toBe("error");
  });

  it("is quiet when the mean did not move beyond the noise", () => {
    expect(same.regressed).toBe(false);
    expect(statementRegressed.check({ query: QUERY, verdict: same, causes: [dropped] }, options)).toEqual([]);
  });

  it("ranks a memory setting first only when the statement's temporary bytes grew", () => {
    const memory = (tempGrew: boolean) =>
      causeScore("setting-changed", { planChanged: false, setting: "work_mem", tempGrew });
    expect(memory(true)).toBeGreaterThan(causeScore("plan-changed", { planChanged: true }));
    expect(memory(false)).toBeLessThan(causeScore("table-grew", { planChanged: false }));
  });
});
