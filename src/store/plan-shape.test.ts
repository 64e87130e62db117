import { describe, expect, it } from "vitest";
import { planFixture } from "../../test/support/fixtures.js";
import { parseExplainJson } from "../facts/plan/explain-json-parser.js";
import { planShape, planShapeHash } from "./plan-shape.js";

type Node = Record<string, unknown> & { Plans?: Node[] };

/** A captured plan's JSON, changed by `edit` on every node. */
function edited(name: string, edit: (node: Node) => void): string {
  const json = JSON.parse(planFixture("pg15", `${name}.json`)) as Array<{ Plan: Node }>;
  const stack: Node[] = [json[0]?.Plan as Node];
  for (let node = stack.pop(); node; node = stack.pop()) {
    edit(node);
    stack.push(...(node.Plans ?? []));
  }
  return JSON.stringify(json);
}

const original = (name: string) => parseExplainJson(planFixture("pg15", `${name}.json`));

describe("plan-shape hash", () => {
  it("is the same when only costs, row estimates and timings differ", () => {
    const other = edited("hash-join-batches", (node) => {
      node["Total Cost"] = Number(node["Total Cost"] ?? 0) * 3;
      node["Startup Cost"] = 1;
      node["Plan Rows"] = 42;
      node["Actual Total Time"] = 999;
      node["Actual Rows"] = 7;
    });
    expect(planShapeHash(parseExplainJson(other))).toBe(planShapeHash(original("hash-join-batches")));
  });

  it("changes when a node type, a join type or the index used changes", () => {
    const base = planShapeHash(original("hash-join-batches"));
    const mergeJoin = edited("hash-join-batches", (node) => {
      if (node["Node Type"] === "Hash Join") node["Node Type"] = "Merge Join";
    });
    expect(planShapeHash(parseExplainJson(mergeJoin))).not.toBe(base);
    const leftJoin = edited("hash-join-batches", (node) => {
      if (node["Join Type"] === "Inner") node["Join Type"] = "Left";
    });
    expect(planShapeHash(parseExplainJson(leftJoin))).not.toBe(base);

    const indexed = original("bitmap-or");
    expect(planShape(indexed).some((line) => line.includes("using "))).toBe(true);
    const otherIndex = edited("bitmap-or", (node) => {
      if (typeof node["Index Name"] === "string") node["Index Name"] = `${node["Index Name"]}_v2`;
    });
    expect(planShapeHash(parseExplainJson(otherIndex))).not.toBe(planShapeHash(indexed));
  });

  it("changes when the join order changes (the inputs of a join swapped)", () => {
    const swapped = edited("hash-join-batches", (node) => {
      if (node["Node Type"] === "Hash Join" && node.Plans?.length === 2) node.Plans.reverse();
    });
    expect(planShapeHash(parseExplainJson(swapped))).not.toBe(planShapeHash(original("hash-join-batches")));
  });

  it("writes one indented line per node, relation and index named", () => {
    const lines = planShape(original("hash-join-batches"));
    expect(lines[0]).toMatch(/^Aggregate/);
    expect(lines.some((l) => /^ {2,}(Seq Scan|Hash)/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/\d+\.\d+/);
  });
});
