import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, loadPlan, PLAN_VERSIONS, planCases, planFixture } from "../../../test/support/fixtures.js";
import { comparablePlan } from "../../../test/support/plan-equality.js";
import { parsePlan } from "./plan-input.js";
import { countNodes, walkPlan } from "./plan-model.js";

/** Plans without run-time figures come out the same on every run, so TEXT and JSON must agree to the digit. */
const DETERMINISTIC = new Set(["estimate-only", "costs-off", "generic-plan"]);

describe.each(PLAN_VERSIONS)("plans captured from %s", (version) => {
  const cases = planCases(version);

  it("has the captured fixtures", () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases)("%s: TEXT and JSON give the same model", (name) => {
    const fromJson = loadPlan(version, name, "json");
    const fromText = loadPlan(version, name, "txt");
    expect(comparablePlan(fromText, false)).toEqual(comparablePlan(fromJson, false));
    if (DETERMINISTIC.has(name))
      expect(comparablePlan(fromText, true)).toEqual(comparablePlan(fromJson, true));
  });

  it.each(cases.filter((name) => existsSync(join(FIXTURES, "plans", version, `${name}.psql.txt`))))(
    "%s: psql-framed output reads like the raw plan",
    (name) => {
      const raw = comparablePlan(loadPlan(version, name, "txt"), false);
      for (const variant of ["psql.txt", "psql-border2.txt"]) {
        expect(comparablePlan(parsePlan(planFixture(version, `${name}.${variant}`)), false)).toEqual(raw);
      }
      const json = comparablePlan(loadPlan(version, name, "json"), false);
      expect(comparablePlan(parsePlan(planFixture(version, `${name}.psql-json.txt`)), false)).toEqual(json);
    },
  );
});

describe("plan details", () => {
  it("reads InitPlans in the 13-16 and the 17+ spelling", () => {
    for (const version of PLAN_VERSIONS) {
      const plan = loadPlan(version, "initplan", "txt");
      const init = plan.root.children.find((c) => c.role === "initplan");
      expect(init?.nodeType).toBe("Aggregate");
      expect(init?.subplanName).toBe(version === "pg15" ? "InitPlan 1 (returns $0)" : "InitPlan 1");
      expect(plan.root.props.Filter).toBe(
        version === "pg15" ? "(total > $0)" : "(total > (InitPlan 1).col1)",
      );
    }
  });

  it("reads SubPlans, CTEs and never-executed nodes", () => {
    const sub = loadPlan("pg18", "hashed-subplan", "txt");
    const seq = sub.root.children[0];
    expect(seq?.children[0]?.role).toBe("subplan");
    expect(seq?.children[0]?.subplanName).toBe("SubPlan 1");
    const cte = loadPlan("pg18", "cte-scanned-twice", "txt");
    expect(cte.root.children[0]?.subplanName).toBe("CTE t");
    expect(cte.root.children[0]?.role).toBe("initplan");
    const hash = cte.root.children.find((c) => c.nodeType === "Hash");
    expect(hash?.actual).toBeNull();
  });

  it("reads parallel workers with their own figures", () => {
    const plan = loadPlan("pg18", "parallel-aggregate-verbose", "txt");
    const gather = plan.root.children[0];
    expect(gather?.nodeType).toBe("Gather Merge");
    expect(gather?.props["Workers Planned"]).toBe(2);
    expect(gather?.props["Workers Launched"]).toBe(2);
    const scan = [...walkPlan(plan.root)].map(([n]) => n).find((n) => n.nodeType === "Seq Scan");
    expect(scan?.parallelAware).toBe(true);
    expect(scan?.schema).toBe("public");
    expect(scan?.workers.map((w) => w.worker)).toEqual([0, 1]);
    expect(scan?.workers[0]?.actual?.loops).toBe(1);
    expect(scan?.workers[0]?.buffers?.sharedHit).toBeGreaterThan(0);
    expect(plan.queryIdentifier).toMatch(/^-?\d{10,}$/);
  });

  it("reads fractional rows (18) and integer rows (15)", () => {
    expect(planFixture("pg18", "seq-scan-filter.txt")).toContain("rows=300.00 loops=1");
    expect(loadPlan("pg18", "seq-scan-filter", "txt").root.actual?.rows).toBe(300);
    expect(planFixture("pg15", "seq-scan-filter.txt")).toContain("rows=300 loops=1");
    expect(loadPlan("pg15", "seq-scan-filter", "txt").root.actual?.rows).toBe(300);
    const parallel = parsePlan(
      "Seq Scan on t  (cost=0.00..1.00 rows=125000 width=4) (actual time=0.1..2.0 rows=43670.67 loops=3)",
    );
    expect(parallel.root.actual?.rows).toBe(43670.67);
  });

  it("reads sort spills, hash batches, memoize, incremental sort and lossy bitmaps", () => {
    const sort = loadPlan("pg15", "sort-spill-offset", "txt").root.children[0];
    expect(sort?.props).toMatchObject({ "Sort Method": "external merge", "Sort Space Type": "Disk" });
    const hash = [...walkPlan(loadPlan("pg15", "hash-join-batches", "txt").root)].find(
      ([n]) => n.nodeType === "Hash",
    )?.[0];
    expect(hash?.props["Hash Batches"]).toBe(8);
    const memo = [...walkPlan(loadPlan("pg18", "nested-loop-memoize", "txt").root)].find(
      ([n]) => n.nodeType === "Memoize",
    )?.[0];
    expect(memo?.props).toMatchObject({
      "Cache Hits": 13000,
      "Cache Misses": 2000,
      "Cache Key": "oi.product_id",
    });
    const inc = loadPlan("pg18", "incremental-sort", "txt").root.children[0];
    expect(inc?.nodeType).toBe("Incremental Sort");
    expect(inc?.props["Presorted Key"]).toEqual(["customer_id"]);
    expect(inc?.props["Full-sort Sort Methods"]).toEqual(["quicksort"]);
    const bitmap = loadPlan("pg18", "lossy-bitmap", "txt").root.children[0];
    expect(bitmap?.props["Lossy Heap Blocks"]).toBeGreaterThan(0);
  });

  it("reads triggers, JIT, settings, serialization and WAL", () => {
    const del = loadPlan("pg15", "fk-cascade-delete", "txt");
    expect(del.triggers.map((t) => t.constraintName)).toEqual([
      "orders_customer_id_fkey",
      "order_items_order_id_fkey",
    ]);
    expect(del.triggers[1]?.calls).toBe(120);
    const jit = loadPlan("pg15", "jit", "txt");
    expect(jit.jit?.functions).toBeGreaterThan(0);
    expect(jit.jit?.timingMs?.Total).toBeGreaterThan(0);
    const upd = loadPlan("pg18", "update-trigger-verbose", "txt");
    expect(upd.settings).toEqual({ max_parallel_workers_per_gather: "0", random_page_cost: "1.1" });
    expect(upd.triggers[0]).toMatchObject({ name: "orders_touch", calls: 500 });
    expect(upd.root.props["WAL Records"]).toBeGreaterThan(0);
    expect(upd.root.details.Operation).toBe("Update");
    expect(loadPlan("pg18", "serialize", "txt").serialization).toMatchObject({ format: "text" });
  });

  it("reads I/O timings in the 13-14, 15-16 and 17+ layouts", () => {
    const layouts = [
      "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..2.0 rows=1 loops=1)\n  Buffers: shared read=10\n  I/O Timings: read=1.500 write=0.250",
      "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..2.0 rows=1 loops=1)\n  Buffers: shared read=10\n  I/O Timings: shared/local read=1.500 write=0.250, temp read=0.100",
      "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..2.0 rows=1 loops=1)\n  Buffers: shared read=10\n  I/O Timings: shared read=1.500 write=0.250, local read=0.200, temp read=0.100",
    ];
    const [old, mid, now] = layouts.map((text) => parsePlan(text).root.ioTimings);
    expect(old).toMatchObject({ sharedReadMs: 1.5, sharedWriteMs: 0.25 });
    expect(mid).toMatchObject({ sharedReadMs: 1.5, tempReadMs: 0.1 });
    expect(now).toMatchObject({ sharedReadMs: 1.5, localReadMs: 0.2, tempReadMs: 0.1 });
  });

  it("reads grouping sets the same way from both formats", () => {
    const plan = loadPlan("pg18", "rollup-mixed", "txt");
    expect(plan.root.details.Strategy).toBe("Mixed");
    expect(plan.root.props["Grouping Sets"]).toEqual([
      "Hash Key: country, date_trunc('month'::text, created_at)",
      "Hash Key: country",
      "Group Key: ()",
    ]);
  });

  it("counts every node, InitPlans and SubPlans included", () => {
    expect(countNodes(loadPlan("pg18", "initplan", "txt").root)).toBe(4);
    expect(countNodes(loadPlan("pg18", "hashed-subplan", "txt").root)).toBe(3);
  });
});

describe("pasted plans", () => {
  const plain = planFixture("pg18", "seq-scan-filter.txt");

  it("joins lines a terminal wrapped", () => {
    const wrapped = plain.replace(
      "Filter: (status = 'refunded'::text)",
      "Filter: (status = 're\nfunded'::text)",
    );
    expect(parsePlan(wrapped).root.props.Filter).toBe("(status = 'refunded'::text)");
  });

  it("reads plans quoted line by line by GUI tools", () => {
    const quoted = plain
      .trim()
      .split("\n")
      .map((l) => `"${l}"`)
      .join("\n");
    expect(comparablePlan(parsePlan(quoted), true)).toEqual(comparablePlan(parsePlan(plain), true));
  });

  it("reads an auto_explain entry with its query text and + continuations", () => {
    const logged = `Query Text: select * from orders where status = 'refunded'\n${plain}`
      .split("\n")
      .map((l) => `${l} +`)
      .join("\n");
    expect(parsePlan(logged).root.nodeType).toBe("Seq Scan");
  });

  it("rejects a truncated text plan with the line that broke", () => {
    const lines = planFixture("pg18", "hash-join-batches.txt").split("\n");
    const cut = [...lines.slice(0, 12), lines[12]?.slice(0, 40)].join("\n");
    expect(() => parsePlan(cut)).toThrow(/line 13: cannot read this plan node/);
  });

  it("rejects truncated JSON, empty input and non-plans", () => {
    const json = planFixture("pg18", "seq-scan-filter.json");
    expect(() => parsePlan(json.slice(0, 200))).toThrow(/truncated/);
    expect(() => parsePlan("   \n")).toThrow(/empty/);
    expect(() => parsePlan('{"hello": 1}')).toThrow(/no "Plan" object/);
    expect(() => parsePlan("hello world, this is not a plan")).toThrow(
      /no plan found in the input \(line 1 reads "hello world/,
    );
  });
});
