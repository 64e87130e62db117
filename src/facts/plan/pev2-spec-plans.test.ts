/**
 * pev2's own spec plans and its demo samples (test/fixtures/plans/real/pev2/specs, see PROVENANCE.md there): every
 * one is read with its node count, ANALYZE, execution time, triggers and worker lines as checked by hand against
 * the plan text, plus the figures pev2's specs assert, in this model's terms.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import { parsePlan, parsePlans } from "./plan-input.js";
import { analyzePlan } from "./plan-metrics.js";

const DIR = join(FIXTURES, "plans", "real", "pev2", "specs");
const read = (file: string) => readFileSync(join(DIR, file), "utf8");
const analyzed = (file: string) => analyzePlan(parsePlan(read(file)));

/** File, nodes, ANALYZE, Execution Time, triggers, worker entries over all nodes. */
type Expected = [string, number, boolean, number | null, number, number];
const EXPECTED: Expected[] = [
  ["02-actual-duration-loops-01.plan", 4, true, 12.035, 0, 0],
  ["03-actual-duration-cte-01.plan", 5, true, 1001.133, 0, 0],
  ["04-actual-duration-parallel-01.plan", 3, true, 4225.445, 0, 2],
  ["05-parallel-child-without-worker-01.plan", 6, true, 128.781, 0, 4],
  ["05-parallel-children-loops-01.plan", 15, true, 383161.073, 0, 0],
  ["05-parallel-gather-children-01.plan", 9, true, 1626.725, 0, 2],
  ["05-parallel-jit-01.plan", 24, true, 1639.241, 0, 22],
  ["05-parallel-launched-workers-01.plan", 6, true, 1094.777, 0, 28],
  ["05-parallel-pg12-01.plan", 3, false, null, 0, 0],
  ["05-parallel-pg12-02.plan", 3, true, 5.844, 0, 2],
  ["05-parallel-pg12-03.plan", 3, true, 5.941, 0, 6],
  ["05-parallel-pg12-04.plan", 5, false, null, 0, 0],
  ["05-parallel-pg12-05.plan", 5, true, 9.025, 0, 0],
  ["05-parallel-pg12-06.plan", 5, false, null, 0, 0],
  ["05-parallel-pg12-07.plan", 5, true, 5.646, 0, 8],
  ["07-bis-no-analyze-workers-01.plan", 4, false, null, 0, 0],
  ["07-no-analyze-01.plan", 1, false, null, 0, 0],
  ["08-plan-without-cost-01.plan", 1, true, null, 0, 0],
  ["08-plan-without-cost-02.plan", 4, false, null, 0, 0],
  ["09-plan-json-double-doule-quotes-01.plan", 2, false, null, 0, 0],
  ["09-plan-json-oneline-01.plan", 1, false, null, 0, 0],
  ["1-parse-error-line-break-01.plan", 1, true, 0.17, 0, 0],
  ["10-tid-scans-01.plan", 1, true, null, 0, 0],
  ["11-mix-tabs-spaces-01.plan", 14, false, null, 0, 0],
  ["13-query-text-01.plan", 5, true, null, 0, 0],
  ["13-query-text-02.plan", 2, true, null, 0, 0],
  ["14-wal-01.plan", 4, true, 11.797, 0, 0],
  ["14-wal-02.plan", 2, true, 11560.132, 0, 0],
  ["15-subquery-scan-01.plan", 3, false, null, 0, 0],
  ["15-subquery-scan-02.plan", 3, false, null, 0, 0],
  ["16-quote-last-line-01.plan", 1, true, 127241.78, 0, 0],
  ["16-quote-last-line-02.plan", 1, true, 127241.78, 0, 0],
  ["17-cost-0.00-01.plan", 1, false, null, 0, 0],
  ["18-fractional-rows-01.plan", 4, true, 0.044, 0, 0],
  ["19-io-timings-01.plan", 2, true, null, 0, 0],
  ["20-insert-modifytable-01.plan", 2, true, 0.842, 2, 0],
  ["20-insert-modifytable-02.plan", 2, true, 0.824, 2, 0],
  ["22-triggers-01.plan", 2, true, 0.842, 2, 0],
  ["22-triggers-02.plan", 2, true, 0.842, 2, 0],
  ["22-triggers-03.plan", 7, true, 381072.164, 7, 0],
  ["23-serialization-and-planning-01.plan", 1, true, 4.812, 0, 0],
  ["23-serialization-and-planning-02.plan", 1, true, 25.577, 0, 0],
  ["23-serialization-and-planning-03.plan", 4, true, 22103.138, 0, 0],
  ["24-parallel-aware-01.plan", 1, false, null, 0, 0],
  ["24-parallel-aware-02.plan", 1, false, null, 0, 0],
  ["25-enable-parameter-01.plan", 1, false, null, 0, 0],
  ["26-planned-partitions-01.plan", 2, false, null, 0, 0],
  ["26-planned-partitions-02.plan", 2, true, 438.186, 0, 0],
  ["cte-exclusive-time-cte-01.plan", 8, true, 2999.94, 0, 0],
  ["cte-exclusive-time-cte-02.plan", 4, true, 505.124, 0, 0],
  ["cte-exclusive-time-cte-03.plan", 42, true, null, 0, 0],
  ["cte-exclusive-time-cte-04.plan", 5, true, 0.109, 0, 0],
  ["cte-exclusive-time-cte-05.plan", 5, true, 1938.457, 0, 0],
  ["plan-service-01.plan", 1, false, null, 0, 0],
  ["plan-service-02.plan", 1, false, null, 0, 0],
  ["plan-service-03.plan", 1, false, null, 0, 0],
  ["plan-service-04.plan", 1, false, null, 0, 0],
  ["plan-service-05.plan", 5, true, 0.17, 0, 0],
  ["plan-service-06.plan", 14, true, 136.448, 0, 0],
  ["plan-service-07.plan", 3, false, null, 0, 0],
  ["plan-service-08.plan", 3, false, null, 0, 0],
  ["plan-service-09.plan", 2, true, 5581.481, 0, 0],
  ["plan-service-10.plan", 7, true, 19.475, 0, 0],
  ["plan-service-11.plan", 1, false, null, 0, 0],
  ["plan-service-12.plan", 1, true, null, 0, 0],
  ["samples-01.plan", 5, true, 0.17, 0, 0],
  ["samples-02.plan", 5, true, 0.134, 0, 0],
  ["samples-03.plan", 9, true, 6.248, 0, 0],
  ["samples-04.plan", 49, true, 14.391, 0, 0],
  ["samples-05.plan", 19, true, 726.8, 0, 0],
  ["samples-06.plan", 12, true, 2.9, 0, 0],
  ["samples-07.plan", 11, true, 16365.829, 0, 0],
  ["samples-08.plan", 7, true, 303.905, 0, 0],
  ["samples-09.plan", 72, true, null, 0, 0],
  ["samples-10.plan", 18, true, 18733.542, 2, 0],
  ["samples-11.plan", 4, true, 486.495, 0, 4],
  ["samples-12.plan", 9, true, 7923.77, 0, 4],
  ["samples-13.plan", 7, true, 381072.164, 7, 0],
  ["samples-14.plan", 4, true, 548.488, 0, 0],
  ["worker-actual-rows-01.plan", 1, true, 60, 0, 2],
];

describe("pev2's spec plans and samples", () => {
  it("lists every fixture", () => {
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith(".plan"))
        .sort(),
    ).toEqual(EXPECTED.map((e) => e[0]).sort());
  });

  it.each(EXPECTED)("%s: %i nodes", (file, nodes, isAnalyzed, executionMs, triggers, workers) => {
    const plans = parsePlans(read(file));
    expect(plans).toHaveLength(1);
    const plan = plans[0];
    if (!plan) throw new Error("no plan");
    const a = analyzePlan(plan);
    expect(a.nodes).toHaveLength(nodes);
    expect(plan.analyzed).toBe(isAnalyzed);
    expect(plan.executionMs).toBe(executionMs);
    expect(plan.triggers).toHaveLength(triggers);
    expect(a.nodes.reduce((sum, n) => sum + n.workers.length, 0)).toBe(workers);
    for (const m of a.metrics) {
      if (m.exclusiveMs !== null) expect(m.exclusiveMs).toBeGreaterThanOrEqual(0);
      if (m.inclusiveMs !== null) expect(Number.isFinite(m.inclusiveMs)).toBe(true);
    }
  });

  it("per-loop times become totals: a Materialize looped 402 times (pev2 02)", () => {
    const a = analyzed("02-actual-duration-loops-01.plan");
    expect(a.metrics[2]?.exclusiveMs).toBeCloseTo(0.008 * 402 - 0.015, 6);
    expect(a.metrics[0]?.exclusiveMs).toBeCloseTo(10.198 - (0.008 * 402 - 0.015 + 0.015) - 0.058, 6);
  });

  it("a CTE's time is not its reader's parent's (pev2 03)", () => {
    expect(analyzed("03-actual-duration-cte-01.plan").metrics[0]?.exclusiveMs).toBeLessThanOrEqual(0.002);
  });

  it("under Gather Merge, times are per process, not multiplied by loops (pev2 04, 05)", () => {
    const parallel = analyzed("04-actual-duration-parallel-01.plan");
    expect(parallel.metrics[2]?.exclusiveMs).toBeCloseTo(400.681, 6);
    expect(parallel.metrics[1]?.exclusiveMs).toBeCloseTo(2020.558 - 400.681, 6);
    const gather = analyzed("05-parallel-gather-children-01.plan");
    expect(gather.nodes[3]?.nodeType).toBe("Aggregate");
    expect(gather.metrics[3]?.exclusiveMs).toBeCloseTo(1.793, 3);
  });

  it("a data-modifying CTE that finishes after its reader stopped counts in the statement, not the root (pev2 14)", () => {
    const a = analyzed("14-wal-01.plan");
    expect(a.plan.root.props["WAL Bytes"]).toBe(1320);
    expect(a.metrics[0]?.inclusiveMs).toBe(0.086);
    expect(a.metrics.reduce((sum, m) => sum + (m.exclusiveMs ?? 0), 0)).toBeCloseTo(11.381, 3);
    expect(analyzed("14-wal-02.plan").plan.root.props).toMatchObject({
      "WAL Records": 10000000,
      "WAL FPI": 1,
    });
  });

  it("a root pasted at its first child's column keeps its tree, and all seven triggers (pev2 22)", () => {
    const a = analyzed("22-triggers-03.plan");
    expect(a.plan.root.nodeType).toBe("ModifyTable");
    expect(a.plan.root.children.map((c) => c.nodeType)).toEqual(["Nested Loop"]);
    expect(a.nodes[1]?.children.map((c) => c.nodeType)).toEqual(["Aggregate", "Index Scan"]);
    expect(a.plan.notes).toEqual([]);
    expect(a.plan.executionMs).toBe(381072.164);
  });

  it("the flattened copy of that plan is still refused: two children at the root's column", () => {
    const flat = read("22-triggers-03.plan")
      .split("\n")
      .map((l) => l.trimStart())
      .join("\n");
    expect(() => parsePlan(flat)).toThrow(/at the plan's left margin/);
  });

  it("SERIALIZE's buffers, planning buffers, settings, HashAgg spill figures (pev2 23, 25, 26)", () => {
    const serialized = parsePlan(read("23-serialization-and-planning-01.plan"));
    expect(serialized.notes).toEqual([]);
    expect(serialized.planningMs).toBe(0.065);
    expect(serialized.planningBuffers?.sharedHit).toBe(6);
    expect(serialized.serialization).toMatchObject({ timeMs: 4.69, outputKB: 31251, format: "text" });
    expect(serialized.serialization?.buffers?.sharedHit).toBe(200);
    const disabled = parsePlan(read("25-enable-parameter-01.plan"));
    expect(disabled.root.props.Disabled).toBe(true);
    expect(disabled.settings).toEqual({ enable_seqscan: "off" });
    expect(parsePlan(read("26-planned-partitions-02.plan")).root.props).toMatchObject({
      "Planned Partitions": 32,
      "HashAgg Batches": 193,
      "Peak Memory Usage": 4153,
      "Disk Usage": 31752,
    });
  });

  it("reads a one-line JSON plan with a 135 kB filter in linear time (pev2 25)", () => {
    const filter = `(a = ${"1 OR a = ".repeat(15000)}1)`;
    const source =
      '[{"Plan":{"Node Type":"Seq Scan","Relation Name":"t","Alias":"t",' +
      '"Startup Cost":0.00,"Total Cost":1.00,"Plan Rows":1,"Plan Width":4,' +
      `"Filter":"${filter}"}}]`;
    const plan = parsePlan(source);
    expect(plan.root.nodeType).toBe("Seq Scan");
    expect(plan.root.props.Filter).toBe(filter);
  });
});
