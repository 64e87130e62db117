/**
 * Plans thousands of levels deep and inputs of hundreds of thousands of lines: read without recursion, in time
 * linear in the input, and honestly (what is not read is said).
 */
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { parsePlan } from "./plan-input.js";
import { analyzePlan } from "./plan-metrics.js";
import { countNodes, walkPlan } from "./plan-model.js";

/** A chain of Limit nodes laid out as EXPLAIN prints it: six more columns each level. */
function deepText(levels: number): string {
  const out: string[] = [];
  for (let i = 0; i < levels; i++) {
    const pad = i === 0 ? "" : `${" ".repeat(2 + 6 * (i - 1))}->  `;
    out.push(
      `${pad}Limit  (cost=0.00..${levels - i}.00 rows=1 width=4) (actual time=0.010..${((levels - i) / 100).toFixed(3)} rows=1 loops=1)`,
    );
  }
  out.push("Planning Time: 0.100 ms", `Execution Time: ${(levels / 100 + 1).toFixed(3)} ms`);
  return out.join("\n");
}

/** The same chain as EXPLAIN (FORMAT JSON) prints it, written out directly (JSON.stringify recurses). */
function deepJson(levels: number): string {
  const open: string[] = [];
  for (let i = 0; i < levels; i++) {
    const relationship = i === 0 ? "" : `"Parent Relationship": "Outer", `;
    const plans = i < levels - 1 ? `, "Plans": [` : "";
    open.push(
      `{"Node Type": "Limit", ${relationship}"Startup Cost": 0.00, "Total Cost": ${levels - i}.00, "Plan Rows": 1, "Plan Width": 4, "Actual Startup Time": 0.010, "Actual Total Time": ${(levels - i) / 100}, "Actual Rows": 1, "Actual Loops": 1${plans}`,
    );
  }
  const close = `${"}]".repeat(levels - 1)}}`;
  return `[{"Plan": ${open.join("\n")}${close}, "Planning Time": 0.1, "Execution Time": ${levels / 100 + 1}}]`;
}

/**
 * Best of `runs` runs, in ms of this process's CPU time (wall time on a machine shared by parallel test
 * workers measures the other workers too).
 */
function timed(work: () => void, runs: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = process.cpuUsage();
    work();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe("deep plans", () => {
  it.each([1000, 2000, 5000])("reads a %i-level text plan and measures it", (levels) => {
    const plan = parsePlan(deepText(levels));
    expect(countNodes(plan.root)).toBe(levels);
    expect(plan.root.cost?.total).toBe(levels);
    expect(plan.executionMs).toBeCloseTo(levels / 100 + 1, 3);
    expect(plan.notes).toEqual([]);
    let deepest = plan.root;
    while (deepest.children[0]) deepest = deepest.children[0];
    expect(deepest.cost?.total).toBe(1);
    expect(deepest.id).toBe(levels - 1);
    const analyzed = analyzePlan(plan);
    expect(analyzed.metrics).toHaveLength(levels);
    expect(analyzed.parents[levels - 1]?.id).toBe(levels - 2);
  });

  it.each([1000, 2000, 5000])("reads a %i-level JSON plan", (levels) => {
    const plan = parsePlan(deepJson(levels));
    expect(countNodes(plan.root)).toBe(levels);
    expect([...walkPlan(plan.root)].at(-1)?.[0].cost?.total).toBe(1);
    expect(plan.executionMs).toBe(levels / 100 + 1);
  });

  it("takes time linear in the input: as much per megabyte at 5,000 levels as at 1,000", () => {
    const small = deepText(1000);
    const large = deepText(5000); // 24 times the bytes of 1,000 levels: indentation grows with depth
    const perMbSmall = timed(() => parsePlan(small), 5) / (small.length / 1e6);
    const perMbLarge = timed(() => parsePlan(large), 2) / (large.length / 1e6);
    // Quadratic work would make the large input 24 times slower per megabyte; allow noise, not that.
    expect(perMbLarge).toBeLessThan(perMbSmall * 4);
    const json = [deepJson(1000), deepJson(5000)];
    const [jsonSmall, jsonLarge] = json.map((text) => timed(() => parsePlan(text), 5) / (text.length / 1e6));
    expect(jsonLarge).toBeLessThan((jsonSmall ?? 0) * 4);
  });
});

describe("large inputs", () => {
  it("counts the plans of an input of one-line plans instead of reading one node in silence", () => {
    const line = "Seq Scan on events  (cost=0.00..35.50 rows=2550 width=4)";
    const count = 50_000; // 2.9 MB; `npx tsx bench/explain-large-plan.ts` runs the 50 MB case
    const input = `${line}\n`.repeat(count);
    const started = performance.now();
    const plan = parsePlan(input);
    const ms = performance.now() - started;
    expect(countNodes(plan.root)).toBe(1);
    expect(plan.notes?.[0]).toMatch(
      /^the input holds 50,000 plans \(starting at lines 1, 2, 3, 4, 5, \.\.\.\); read plan 1; pass --plan-index N to read another$/,
    );
    expect(countNodes(parsePlan(input, { index: 50_000 }).root)).toBe(1);
    expect(ms).toBeLessThan(10_000);
  });

  it("names the lines it skipped after a plan, however many", () => {
    const input = `Seq Scan on events  (cost=0.00..35.50 rows=2550 width=4)\n${"some text that is not a plan\n".repeat(50_000)}`;
    const plan = parsePlan(input);
    expect(plan.notes).toEqual([
      'skipped 50,000 lines that are not part of a plan, the first at line 2: "some text that is not a plan"',
    ]);
  });
});
