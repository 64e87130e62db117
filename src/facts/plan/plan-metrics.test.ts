import { describe, expect, it } from "vitest";
import { loadPlan } from "../../../test/support/fixtures.js";
import { parsePlan } from "./plan-input.js";
import { analyzePlan } from "./plan-metrics.js";

const sumExclusive = (name: string, version: "pg15" | "pg18" = "pg18") => {
  const a = analyzePlan(loadPlan(version, name, "txt"));
  return {
    a,
    sum: a.metrics.reduce((s, m) => s + (m.exclusiveMs ?? 0), 0),
    root: a.metrics[0]?.inclusiveMs ?? 0,
  };
};

describe("plan metrics", () => {
  it.each([
    "seq-scan-filter",
    "hash-join-batches",
    "nested-loop-many-loops",
    "gather-merge",
    "cte-scanned-twice",
    "partitions-runtime-pruning",
    "initplan",
    "subplan-correlated",
  ])("exclusive times add up to the root's time, nothing counted twice (%s)", (name) => {
    const { a, sum, root } = sumExclusive(name);
    expect(sum).toBeGreaterThan(root * 0.97);
    expect(sum).toBeLessThan(root * 1.03);
    for (const m of a.metrics) expect(m.exclusiveMs ?? 0).toBeGreaterThanOrEqual(0);
  });

  it("multiplies per-loop figures by loops", () => {
    const { a } = sumExclusive("nested-loop-many-loops");
    const inner = a.nodes.findIndex((n) => n.actual?.loops === 10000);
    expect(a.metrics[inner]?.inclusiveMs).toBeCloseTo((a.nodes[inner]?.actual?.totalMs ?? 0) * 10000, 1);
    expect(a.metrics[inner]?.totalRows).toBe((a.nodes[inner]?.actual?.rows ?? 0) * 10000);
  });

  it("divides by the processes of a parallel part", () => {
    const { a } = sumExclusive("parallel-aggregate-verbose");
    const scan = a.nodes.findIndex((n) => n.nodeType === "Seq Scan");
    expect(a.metrics[scan]?.processes).toBe(3);
    expect(a.metrics[scan]?.inclusiveMs).toBeCloseTo(a.nodes[scan]?.actual?.totalMs ?? 0, 3);
    expect(a.metrics[scan]?.rowsRemovedByFilter).toBe(0);
  });

  it("charges an InitPlan to the node whose start-up waited for it", () => {
    const { a } = sumExclusive("partitions-runtime-pruning");
    const append = a.nodes.findIndex((n) => n.nodeType === "Append");
    const init = a.nodes.findIndex((n) => n.role === "initplan");
    const childSum = (a.nodes[append]?.children ?? []).reduce(
      (s, c) => s + (a.metrics[c.id]?.inclusiveMs ?? 0),
      0,
    );
    expect(a.metrics[append]?.exclusiveMs).toBeCloseTo(
      (a.metrics[append]?.inclusiveMs ?? 0) - childSum - (a.metrics[init]?.inclusiveMs ?? 0),
      3,
    );
  });

  it("charges a CTE to the scans that read it", () => {
    const { a } = sumExclusive("cte-scanned-twice");
    const scan = a.nodes.findIndex((n) => n.nodeType === "CTE Scan" && n.alias === "a");
    expect(a.metrics[scan]?.exclusiveMs).toBeLessThan((a.metrics[scan]?.inclusiveMs ?? 0) * 0.2);
    expect(a.metrics[0]?.exclusiveMs).toBeLessThan(1);
  });

  it("derives the row factor and its direction, and exclusive buffers", () => {
    const { a } = sumExclusive("initplan", "pg15");
    const root0 = a.nodes[0];
    expect(a.metrics[0]?.rowFactor).toBeCloseTo((root0?.planRows ?? 0) / (root0?.actual?.rows ?? 1), 5);
    expect(a.metrics[0]?.rowDirection).toBe("over");
    const own = a.nodes[0]?.buffers?.sharedHit ?? 0;
    const inputs = (a.nodes[0]?.children ?? []).reduce((s, c) => s + (c.buffers?.sharedHit ?? 0), 0);
    expect(a.metrics[0]?.exclusiveBuffers?.sharedHit).toBe(own - inputs);
    expect(own - inputs).toBeGreaterThan(0);
  });

  it("totals rows removed by filters over all loops", () => {
    const plan =
      parsePlan(`Nested Loop  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..5.0 rows=10 loops=1)
  ->  Seq Scan on a  (cost=0.00..1.00 rows=10 width=4) (actual time=0.01..0.1 rows=10 loops=1)
  ->  Seq Scan on b  (cost=0.00..1.00 rows=1 width=4) (actual time=0.01..0.4 rows=1 loops=10)
        Filter: (x = a.x)
        Rows Removed by Filter: 99`);
    expect(analyzePlan(plan).metrics[2]?.rowsRemovedByFilter).toBe(990);
  });

  it("weighs the estimated cost of a Limit's input by how much of it runs", () => {
    const plan = parsePlan(`Limit  (cost=0.42..4.00 rows=10 width=4)
  ->  Index Scan using t_idx on t  (cost=0.42..40000.00 rows=100000 width=4)`);
    const a = analyzePlan(plan);
    expect(a.metrics[1]?.exclusiveCostShare).toBeCloseTo(1, 2);
    expect(a.metrics[0]?.exclusiveCost).toBeCloseTo(0, 2);
  });
});
