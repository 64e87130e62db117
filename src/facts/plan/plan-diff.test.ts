/**
 * Plan comparison on before/after pairs captured from PostgreSQL 15 and 18 (test/fixtures/plans/compare, made by
 * capture-compare.ts there): the nodes pair up as an expert would pair them, and the verdict names the node
 * where the plans diverge and why.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, PLAN_VERSIONS } from "../../../test/support/fixtures.js";
import { diffPlans, type PlanDiff } from "./plan-diff.js";
import { judgeDiff, statementMismatch } from "./plan-diff-verdict.js";
import { parsePlan } from "./plan-input.js";
import { analyzePlan } from "./plan-metrics.js";

const read = (version: string, name: string, side: "before" | "after", format: "txt" | "json") =>
  analyzePlan(
    parsePlan(readFileSync(join(FIXTURES, "plans", "compare", version, `${name}.${side}.${format}`), "utf8")),
  );

function compare(version: string, name: string, format: "txt" | "json" = "json") {
  const diff = diffPlans(read(version, name, "before", format), read(version, name, "after", format));
  return { diff, verdict: judgeDiff(diff) };
}

const kinds = (v: ReturnType<typeof judgeDiff>) => v.reasons.map((r) => r.kind);
const statuses = (diff: PlanDiff) =>
  diff.entries.map((e) => `${e.status} ${e.before?.label ?? ""}|${e.after?.label ?? ""}`);

describe.each(PLAN_VERSIONS)("plan comparison on %s captures", (version) => {
  it.each(["txt", "json"] as const)(
    "an index dropped under a join (%s): the join flips, the index is named",
    (format) => {
      const { diff, verdict } = compare(version, "index-dropped-join", format);
      expect(verdict.measure).toBe("time");
      expect(verdict.divergence?.label).toBe("Nested Loop → Hash Join");
      expect(verdict.divergence?.entry).toBe(0);
      expect(verdict.sameShape).toBe(false);
      const why = verdict.divergence?.why ?? [];
      expect(why[0]).toMatch(
        /^the index orders_customer_id_idx is no longer used: Bitmap Heap Scan on orders o → Seq Scan on orders o/,
      );
      expect(why).toContain("join method changed: Nested Loop → Hash Join");
      // The scan of orders is paired with the scan that replaced it; the Hash is new, the bitmap index scan gone.
      expect(statuses(diff)).toEqual(
        expect.arrayContaining([
          "changed Bitmap Heap Scan on orders o|Seq Scan on orders o",
          "removed Bitmap Index Scan on orders_customer_id_idx|",
          "added |Hash",
          "same Index Scan using customers_pkey on customers c|Index Scan using customers_pkey on customers c",
        ]),
      );
      expect(diff.entries).toHaveLength(5);
      const root = diff.entries[0];
      expect(root?.shapeChanges).toContain("outer and inner sides swapped");
      expect(verdict.after.totalMs).toBeGreaterThan(verdict.before.totalMs ?? Number.POSITIVE_INFINITY);
    },
  );

  it("text and JSON of the same plans align the same way", () => {
    for (const name of [
      "index-dropped-join",
      "stale-statistics",
      "parallel-off",
      "sort-spills",
      "hash-batches",
    ]) {
      expect(statuses(compare(version, name, "txt").diff)).toEqual(
        statuses(compare(version, name, "json").diff),
      );
    }
  });

  it("an index dropped under a filter: the scan is where the plans diverge, with the rows the filter removed", () => {
    const { verdict } = compare(version, "index-dropped-filter");
    expect(verdict.divergence?.label).toMatch(/^(Bitmap Heap|Index) Scan.* on orders → Seq Scan on orders$/);
    expect(verdict.divergence?.why[0]).toMatch(
      /the index orders_customer_id_idx is no longer used: .* → Seq Scan on orders \(rows removed by filter 199,990\)/,
    );
  });

  it("stale statistics: the join flips, and the misestimate on events is named as the likely cause", () => {
    const { diff, verdict } = compare(version, "stale-statistics");
    expect(verdict.divergence?.label).toBe("Hash Join → Nested Loop");
    const why = verdict.divergence?.why.join("\n") ?? "";
    expect(why).toContain("join method changed: Hash Join → Nested Loop");
    expect(why).toMatch(
      /estimate off by 30,000× on Seq Scan on events e in the after plan \(est\. 1, actual 30,000\): the likely cause of the plan flip/,
    );
    expect(why).toMatch(
      /the estimate for Seq Scan on events e changed [\d,]+ → 1 rows while the actual rows stayed about 30,000/,
    );
    expect(kinds(verdict)).toContain("parallel-lost");
    // The scan of events keeps its pair although it moved from under a Hash to the outer side of the loop.
    expect(statuses(diff)).toContain("same Seq Scan on events e|Seq Scan on events e");
  });

  it("work_mem lowered: the sort spill is the difference, on the Sort", () => {
    const { verdict } = compare(version, "sort-spills");
    expect(verdict.divergence?.label).toBe("Sort");
    expect(verdict.sameShape).toBe(true);
    expect(verdict.divergence?.why[0]).toMatch(
      /^sort spilled to disk: quicksort → external merge \(disk 6\.\d MB, temp written \d+\.\d MB\)/,
    );
  });

  it("work_mem lowered: the hash table in batches", () => {
    const { verdict } = compare(version, "hash-batches");
    expect(verdict.divergence?.label).toBe("Hash");
    expect(verdict.divergence?.why[0]).toMatch(/^the hash table was split into \d+ batches \(was 1\)/);
  });

  it("parallel query off: the Gather Merge is gone and the aggregate strategy changed", () => {
    const { verdict } = compare(version, "parallel-off");
    expect(verdict.divergence?.label).toBe("Finalize GroupAggregate → HashAggregate");
    expect(verdict.divergence?.why).toEqual(
      expect.arrayContaining([
        "the plan is no longer parallel: Gather Merge (workers planned 1) removed",
        "aggregate strategy changed: Finalize GroupAggregate → HashAggregate",
      ]),
    );
  });

  it("workers planned but not launched", () => {
    const { diff, verdict } = compare(version, "parallel-not-launched");
    expect(diff.entries.every((e) => e.status === "same" || e.status === "changed")).toBe(true);
    expect(verdict.divergence?.label).toBe("Gather Merge");
    expect(verdict.divergence?.why[0]).toMatch(/^parallel workers planned 1, launched 0/);
  });

  it("EXPLAIN without ANALYZE on both sides: costs and estimates compared, the same divergence", () => {
    const { verdict } = compare(version, "index-dropped-estimate");
    expect(verdict.measure).toBe("cost");
    expect(verdict.comparable).toBe(
      "neither plan ran with ANALYZE: estimated costs and rows compared, no time",
    );
    expect(verdict.summary).toMatch(/^estimated total cost [\d,]+, was [\d,]+: [\d.]+× costlier$/);
    expect(verdict.divergence?.label).toBe("Nested Loop → Hash Join");
    expect(kinds(verdict)).not.toContain("estimate-off");
  });

  it("one side with ANALYZE and one without: says what can be compared", () => {
    const { verdict } = compare(version, "index-dropped-mixed", "txt");
    expect(verdict.measure).toBe("cost");
    expect(verdict.comparable).toMatch(
      /^the after plan did not run with ANALYZE: estimated costs and rows compared/,
    );
    expect(verdict.divergence?.label).toBe("Nested Loop → Hash Join");
  });

  it("the index that gave the order dropped: a Sort and a Gather Merge added above the scan, one change", () => {
    const { diff, verdict } = compare(version, "sort-added", "txt");
    expect(statuses(diff)).toEqual([
      "same Limit|Limit",
      "added |Gather Merge",
      "added |Sort",
      "changed Index Scan using orders_customer_id_idx on orders|Parallel Seq Scan on orders",
    ]);
    expect(verdict.divergence?.label).toBe(
      "Index Scan using orders_customer_id_idx on orders → Parallel Seq Scan on orders",
    );
    expect(verdict.divergence?.why.slice(0, 3)).toEqual([
      "the index orders_customer_id_idx is no longer used: Index Scan on orders → Parallel Seq Scan on orders",
      "the plan went parallel: Gather Merge added (workers planned 1, launched 1)",
      "Sort added (customer_id)",
    ]);
    // Fewer rows than estimated under a Limit is the Limit at work, not a misestimate.
    expect(kinds(verdict)).not.toContain("estimate-off");
  });

  it("an index dropped under a SubPlan, a CTE and an InitPlan: each pairs inside its own subplan", () => {
    const sub = compare(version, "subplan-index-dropped");
    expect(statuses(sub.diff)).toContain("same SubPlan 1: Aggregate|SubPlan 1: Aggregate");
    expect(sub.verdict.divergence?.label).toBe("Bitmap Heap Scan on orders o → Seq Scan on orders o");
    expect(sub.verdict.divergence?.why[0]).toBe(
      "the index orders_customer_id_idx is no longer used: Bitmap Heap Scan on orders o → Seq Scan on orders o (rows removed by filter 3,999,800)",
    );
    const cte = compare(version, "cte-index-dropped", "txt");
    expect(cte.verdict.divergence?.label).toBe(
      "CTE recent: Bitmap Heap Scan on orders → Parallel Seq Scan on orders",
    );
    expect(statuses(cte.diff)).toContain("added |CTE recent: Gather");
    expect(statuses(cte.diff)).toContain("same CTE Scan on recent r|CTE Scan on recent r");
    const init = compare(version, "initplan-index-dropped");
    expect(statuses(init.diff)).toContain(
      "changed Bitmap Heap Scan on orders orders_1|Seq Scan on orders orders_1",
    );
    // The index is gone from both scans that used it: the outer one (where the plans diverge) and the InitPlan's.
    expect(init.verdict.divergence?.label).toBe("Bitmap Heap Scan on orders → Parallel Seq Scan on orders");
    expect(init.verdict.reasons.filter((r) => r.kind === "index-unused").map((r) => r.text)).toEqual([
      "the index orders_customer_id_idx is no longer used: Bitmap Heap Scan on orders orders_1 → Seq Scan on orders orders_1 (rows removed by filter 199,990)",
      "the index orders_customer_id_idx is no longer used: Bitmap Heap Scan on orders → Parallel Seq Scan on orders (rows removed by filter 199,990)",
    ]);
    expect(init.verdict.reasons.map((r) => r.text)).toContain(
      "the plan went parallel: Gather added (workers planned 1, launched 1)",
    );
  });

  it("TIMING OFF: node costs stand in for node times, the execution times still compare", () => {
    const untimed = (side: "before" | "after") =>
      analyzePlan(
        parsePlan(
          readFileSync(
            join(FIXTURES, "plans", "compare", version, `index-dropped-join.${side}.txt`),
            "utf8",
          ).replace(/actual time=[\d.]+\.\.[\d.]+ /g, "actual "),
        ),
      );
    const verdict = judgeDiff(diffPlans(untimed("before"), untimed("after")));
    expect(verdict.measure).toBe("cost");
    expect(verdict.comparable).toBe(
      "both plans ran with ANALYZE: rows, loops and buffers compared (TIMING OFF: node costs stand in for node times)",
    );
    expect(verdict.summary).toMatch(/^execution [\d.]+ ms, was [\d.]+ ms: [\d.]+× slower$/);
    expect(verdict.divergence?.label).toBe("Nested Loop → Hash Join");
  });

  it("a plan compared with itself: every node the same, nothing to explain", () => {
    const plan = read(version, "index-dropped-join", "before", "json");
    const diff = diffPlans(plan, read(version, "index-dropped-join", "before", "json"));
    expect(diff.entries.every((e) => e.status === "same")).toBe(true);
    const verdict = judgeDiff(diff);
    expect(verdict.reasons).toEqual([]);
    expect(verdict.summary).toMatch(/about the same$/);
  });

  it("plans of different statements are told apart", () => {
    const mismatch = statementMismatch(
      read(version, "other-statement", "before", "json"),
      read(version, "sort-spills", "after", "json"),
    );
    expect(mismatch).toBe(
      "the plans do not look like the same statement: the before plan reads customers, the after plan orders",
    );
    expect(
      statementMismatch(
        read(version, "index-dropped-join", "before", "json"),
        read(version, "index-dropped-join", "after", "txt"),
      ),
    ).toBeNull();
  });
});

/** A chain of Limits `levels` deep over one scan, as EXPLAIN prints it. */
function deepText(levels: number, leaf: string): string {
  const out: string[] = [];
  const pad = (i: number) => (i === 0 ? "" : `${" ".repeat(2 + 6 * (i - 1))}->  `);
  for (let i = 0; i < levels; i++)
    out.push(
      `${pad(i)}Limit  (cost=0.00..${levels - i + 10}.00 rows=1 width=4) (actual time=0.010..${((levels - i) / 100 + 0.1).toFixed(3)} rows=1 loops=1)`,
    );
  out.push(`${pad(levels)}${leaf}`);
  return out.join("\n");
}

describe("deep plans", () => {
  it("aligns and judges two plans 3,000 levels deep without recursion", () => {
    const before = analyzePlan(
      parsePlan(
        deepText(
          3000,
          "Index Scan using t_pkey on t  (cost=0.29..8.30 rows=1 width=4) (actual time=0.005..0.006 rows=1 loops=1)",
        ),
      ),
    );
    const after = analyzePlan(
      parsePlan(
        deepText(
          3000,
          "Seq Scan on t  (cost=0.00..10.00 rows=1 width=4) (actual time=0.005..0.090 rows=1 loops=1)",
        ),
      ),
    );
    const started = performance.now();
    const diff = diffPlans(before, after);
    const verdict = judgeDiff(diff);
    // Linear: about 0.2 s here; a quadratic walk would take minutes.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(diff.entries).toHaveLength(3001);
    expect(diff.entries.at(-1)?.depth).toBe(3000);
    expect(verdict.divergence?.label).toBe("Index Scan using t_pkey on t → Seq Scan on t");
    expect(verdict.divergence?.why[0]).toBe(
      "the index t_pkey is no longer used: Index Scan on t → Seq Scan on t",
    );
  });
});

describe("every captured plan against its other format", () => {
  it.each(PLAN_VERSIONS)("%s: each node pairs with itself, no shape change", (version) => {
    const dirPath = join(FIXTURES, "plans", version);
    const names = readdirSync(dirPath)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .filter((name) => existsSync(join(dirPath, `${name}.txt`)));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const json = analyzePlan(parsePlan(readFileSync(join(dirPath, `${name}.json`), "utf8")));
      const text = analyzePlan(parsePlan(readFileSync(join(dirPath, `${name}.txt`), "utf8")));
      const diff = diffPlans(json, text);
      const odd = diff.entries.filter(
        (e) => e.status === "added" || e.status === "removed" || e.shapeChanges.length,
      );
      expect(
        odd.map((e) => `${name}: ${e.status} ${e.before?.label} | ${e.after?.label} ${e.shapeChanges}`),
      ).toEqual([]);
      expect(diff.entries).toHaveLength(json.nodes.length);
    }
  });
});
