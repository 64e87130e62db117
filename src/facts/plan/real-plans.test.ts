/**
 * Plans as people really paste them: the same plans through psql in every output style (captured here, see
 * test/fixtures/plans/real/psql/README.md), pev2's collection of pasted plans, and PostgreSQL 19's regression
 * output (see the PROVENANCE/README files next to them).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import { comparablePlan } from "../../../test/support/plan-equality.js";
import { parsePlan, parsePlans } from "./plan-input.js";
import { countNodes, type PlanNode, walkPlan } from "./plan-model.js";

const REAL = join(FIXTURES, "plans", "real");
const read = (...parts: string[]) => readFileSync(join(REAL, ...parts), "utf8");
const nodes = (root: PlanNode) => [...walkPlan(root)].map(([n]) => n);

const PSQL_CAPTURES = [
  { server: "PostgreSQL 15", dir: "psql", cost: 506.71, initPlan: "InitPlan 1 (returns $0)" },
  { server: "PostgreSQL 18", dir: "psql/pg18", cost: 505.27, initPlan: "InitPlan 1" },
];

describe.each(PSQL_CAPTURES)("psql output styles (captured from $server through psql 15)", (capture) => {
  const files = readdirSync(join(REAL, capture.dir)).filter((f) => f.endsWith(".txt"));

  it("has every style for both statements", () => {
    expect(files.filter((f) => f.startsWith("query.")).length).toBe(18);
    expect(files.filter((f) => f.startsWith("update.")).length).toBe(18);
  });

  const select = files.filter((f) => f.startsWith("query."));
  it.each(select)("%s reads as the plain aligned output does", (file) => {
    const baseline = parsePlan(read(capture.dir, "query.aligned-border1.txt"));
    const plan = parsePlan(read(capture.dir, file));
    expect(plan.notes).toEqual([]);
    expect(countNodes(plan.root)).toBe(8);
    expect(plan.root.cost?.total).toBe(capture.cost);
    expect(plan.executionMs).toBeGreaterThan(0);
    expect(plan.planningMs).toBeGreaterThan(0);
    expect(plan.queryIdentifier).toMatch(/^-?\d{6,}$/);
    expect(comparablePlan(plan, false)).toEqual(comparablePlan(baseline, false));
  });

  const update = files.filter((f) => f.startsWith("update."));
  it.each(update)("%s: partition target lines do not take the ModifyTable's cost and time", (file) => {
    const plan = parsePlan(read(capture.dir, file));
    expect(plan.notes).toEqual([]);
    expect(countNodes(plan.root)).toBe(4);
    expect(plan.root.nodeType).toBe("ModifyTable");
    expect(plan.root.relationName).toBe("events");
    expect(plan.root.alias).toBe("e");
    expect(plan.root.cost?.total).toBeGreaterThan(100);
    expect(plan.root.actual?.totalMs).toBeGreaterThan(0);
    expect(plan.root.props["Target Tables"]).toEqual(["events_2025", "events_2026"]);
    expect(plan.root.children.map((c) => c.nodeType)).toEqual(["Append"]);
    expect(plan.executionMs).toBeGreaterThan(0);
  });

  it("keeps the schema and quoted names VERBOSE shows", () => {
    const plan = parsePlan(read(capture.dir, "query.unicode-double-border2.txt"));
    const scan = nodes(plan.root).find((n) => n.relationName === "line item");
    expect(scan).toMatchObject({ schema: "sales", relationName: "line item", alias: "li" });
    expect(
      nodes(plan.root)
        .filter((n) => n.relationName === "orders")
        .map((n) => n.schema),
    ).toEqual(["sales", "sales", "sales"]);
    const subplan = nodes(plan.root).find((n) => n.role === "subplan");
    expect(subplan?.subplanName).toBe("SubPlan 2");
    expect(nodes(plan.root).find((n) => n.role === "initplan")?.subplanName).toBe(capture.initPlan);
  });
});

describe("pasted plans from pev2's test suite", () => {
  const countJson = (node: Record<string, unknown>): number => {
    let n = 0;
    const stack = [node];
    for (let current = stack.pop(); current; current = stack.pop()) {
      n++;
      for (const child of (current.Plans as Array<Record<string, unknown>> | undefined) ?? [])
        stack.push(child);
    }
    return n;
  };
  // pev2's expect files are partial objects; for these two they list fewer nodes than the plan has.
  const FULL_COUNT: Record<string, number> = { "46-buckets": 5, "48-memoize": 4 };

  const cases = ["from-text", "12-line-wrapped-plans"].flatMap((dir) =>
    readdirSync(join(REAL, "pev2", dir))
      .filter((f) => f.endsWith("-plan"))
      .map((f) => [dir, f.slice(0, -5)] as const),
  );
  it("has the collection", () => expect(cases.length).toBeGreaterThan(55));

  it.each(cases)(
    "%s/%s: nodes, root cost and execution time as pev2 reads them, nothing skipped",
    (dir, name) => {
      const plan = parsePlan(read("pev2", dir, `${name}-plan`));
      let expected = JSON.parse(read("pev2", dir, `${name}-expect`));
      if (Array.isArray(expected)) expected = expected[0];
      expect(countNodes(plan.root)).toBe(FULL_COUNT[name] ?? countJson(expected.Plan));
      if (expected.Plan["Total Cost"] !== undefined)
        expect(plan.root.cost?.total).toBe(expected.Plan["Total Cost"]);
      if (expected.Plan["Actual Total Time"] !== undefined)
        expect(plan.root.actual?.totalMs).toBe(expected.Plan["Actual Total Time"]);
      if (expected["Execution Time"] !== undefined) expect(plan.executionMs).toBe(expected["Execution Time"]);
      expect(plan.notes).toEqual([]);
    },
  );

  const frames = readdirSync(join(REAL, "pev2", "11-psql-frames")).filter((f) => f.endsWith(".plan"));
  it.each(frames)("11-psql-frames/%s reads as the unframed plan", (file) => {
    const plan = parsePlan(read("pev2", "11-psql-frames", file));
    expect(plan.notes).toEqual([]);
    if (file.includes("dbeaver")) {
      expect(countNodes(plan.root)).toBe(2);
      expect(plan.root.cost).not.toBeNull();
      expect(plan.executionMs).not.toBeNull();
      return;
    }
    // Each file is its own run: times differ, the shape and the estimates do not.
    const format = file.startsWith("json") ? "json" : "text";
    const baseline = parsePlan(
      read("pev2", "11-psql-frames", `${format}-1-aligned-ascii-double-double-double.plan`),
    );
    expect(countNodes(plan.root)).toBe(3);
    expect(comparablePlan(plan, false)).toEqual(comparablePlan(baseline, false));
  });

  const io = readdirSync(join(REAL, "pev2", "21-io-timings")).filter((f) => f.endsWith(".plan"));
  it.each(io)("21-io-timings/%s: I/O read and write times of every scope", (file) => {
    const plan = parsePlan(read("pev2", "21-io-timings", file));
    const expected = JSON.parse(read("pev2", "21-io-timings", file.replace(/\.plan$/, ".expect")));
    const t = plan.root.ioTimings;
    const readMs = (t?.sharedReadMs ?? 0) + (t?.localReadMs ?? 0) + (t?.tempReadMs ?? 0);
    const writeMs = (t?.sharedWriteMs ?? 0) + (t?.localWriteMs ?? 0) + (t?.tempWriteMs ?? 0);
    expect(readMs).toBeCloseTo(expected["*I/O Read Time (all scopes)"] ?? 0, 3);
    expect(writeMs).toBeCloseTo(expected["*I/O Write Time (all scopes)"] ?? 0, 3);
  });
});

describe("PostgreSQL 19 (regression output of the development branch)", () => {
  const transcript = read("postgres-regress", "subselect-pg19.out");

  it("reads every plan of a psql transcript, and says there are several", () => {
    const plans = parsePlans(transcript);
    expect(plans.map((p) => countNodes(p.root))).toEqual([2, 2, 4, 3]);
    const first = parsePlan(transcript);
    expect(first.notes?.[0]).toMatch(
      /^the input holds 4 plans \(starting at lines 6, 30, 42, 59\); read plan 1/,
    );
    expect(first.notes).toHaveLength(1); // the statements and the result table are a session's usual company
    expect(countNodes(parsePlan(transcript, { index: 3 }).root)).toBe(4);
    expect(() => parsePlan(transcript, { index: 5 })).toThrow(
      /plan index 5 is out of range: the input holds 4 plans/,
    );
  });

  it("reads the version 19 subplan names", () => {
    const [rowSub, rowInit, all, exists] = parsePlans(transcript);
    expect(rowSub?.root.children[0]).toMatchObject({ role: "subplan", subplanName: "SubPlan rowcompare_1" });
    expect(rowInit?.root.children[0]).toMatchObject({
      role: "initplan",
      subplanName: "InitPlan rowcompare_1",
    });
    const materialize = all?.root.children[0];
    expect(materialize).toMatchObject({
      nodeType: "Materialize",
      role: "subplan",
      subplanName: "SubPlan all_1",
    });
    expect(materialize?.children.map((c) => [c.role, c.subplanName])).toEqual([
      ["initplan", "InitPlan expr_1"],
      ["child", null],
    ]);
    expect(exists?.root.props.Filter).toBe("EXISTS(SubPlan exists_1)");
    expect(exists?.root.children[0]?.children[0]).toMatchObject({ nodeType: "Seq Scan", alias: "i" });
  });
});
