import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { type PlanNode, walkPlan } from "../../facts/plan/plan-model.js";
import { reportOnPlan } from "../../pipeline/plan-report.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { planPictureSvg } from "./plan-picture-svg.js";
import { layOutTree } from "./tree-layout.js";

const plan = (name: string) => parsePlan(readFileSync(join(FIXTURES, "plans", "pg15", name), "utf8"), {});

/** The boxes of a picture: node id, severity, share, and the rect's size. */
function boxes(svg: string) {
  return [
    ...svg.matchAll(
      /<g class="plan-node" data-node="(\d+)" data-severity="(\w+)"(?: data-share="([\d.]+)")?><title>[^<]*<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g,
    ),
  ].map((m) => ({
    id: Number(m[1]),
    severity: m[2],
    share: m[3] === undefined ? null : Number(m[3]),
    x: Number(m[4]),
    y: Number(m[5]),
    w: Number(m[6]),
    h: Number(m[7]),
  }));
}

describe("plan picture", () => {
  beforeAll(() => loadSqlParser());

  it("draws every node, sized by its own time, coloured by the worst finding on it", () => {
    const p = plan("hash-join-batches.json");
    const report = reportOnPlan(p, { source: "hash-join-batches.json" });
    const svg = planPictureSvg(p, report.findings, { title: "hash join" });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain("box size: own time");
    const drawn = boxes(svg);
    expect(drawn.map((b) => b.id).sort((a, b) => a - b)).toEqual([...walkPlan(p.root)].map(([n]) => n.id));
    // The node with the biggest share of the time is the biggest box, and a bigger share is never a smaller box.
    const byShare = [...drawn].sort((a, b) => (a.share ?? 0) - (b.share ?? 0));
    for (let i = 1; i < byShare.length; i++) {
      expect((byShare[i] as { w: number }).w).toBeGreaterThanOrEqual((byShare[i - 1] as { w: number }).w);
    }
    expect((byShare.at(-1) as { w: number }).w).toBeGreaterThan((byShare[0] as { w: number }).w);
    // Each node with a finding takes the colour of its worst one; the others none.
    expect(report.findings.some((f) => f.nodeId !== undefined)).toBe(true);
    for (const b of drawn) {
      const on = report.findings.filter((f) => f.nodeId === b.id).map((f) => f.severity);
      const worst = on.includes("error") ? "error" : on.includes("warning") ? "warning" : (on[0] ?? "none");
      expect(b.severity, `node ${b.id}`).toBe(worst);
    }
    // No two boxes overlap.
    for (const a of drawn)
      for (const b of drawn)
        if (a !== b)
          expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
  });

  it("outlines the nodes it is asked to mark, with the reason under them", () => {
    const p = plan("hash-join-batches.json");
    const svg = planPictureSvg(p, [], { marked: new Map([[1, "diverges here"]]) });
    const marked = [...svg.matchAll(/<g class="plan-node" data-node="(\d+)"[^>]* data-marked="true">/g)].map(
      (m) => m[1],
    );
    expect(marked).toEqual(["1"]);
    expect(svg).toContain(">diverges here</text>");
  });

  it("a plan that was not run is sized by its own estimated cost", () => {
    const p = plan("estimate-only.json");
    const svg = planPictureSvg(p, []);
    expect(svg).toContain("box size: own estimated cost (the plan was not run)");
    expect(svg).not.toContain('data-severity="warning"');
    expect(svg).toMatch(/cost \d/);
  });

  it("escapes names from the plan, so a relation name cannot end the markup", () => {
    const p = plan("estimate-only.json");
    for (const [node] of walkPlan(p.root)) if (node.relationName) node.relationName = `</svg><script>x("'&`;
    const svg = planPictureSvg(p, []);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;/svg&gt;&lt;script&gt;");
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
  });

  it("lays out a plan 20,000 levels deep without recursion, children centred under their parent", () => {
    const model = plan("estimate-only.json").root;
    const leaf = (): PlanNode => ({ ...model, children: [] });
    const root = leaf();
    let node = root;
    for (let i = 1; i < 20_000; i++) {
      const child = { ...leaf(), id: i };
      node.children = [child];
      node = child;
    }
    const layout = layOutTree(root);
    expect(layout.rows).toBe(20_000);
    expect(layout.columns).toBe(1);
    const wide: PlanNode = { ...leaf(), children: [leaf(), leaf(), leaf()] };
    const places = layOutTree(wide).places;
    expect(places.map((p) => p.column)).toEqual([1, 0, 1, 2]);
  });
});
