import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import { comparePlans } from "../../pipeline/compare-plans.js";
import { renderPlanComparisonJson } from "./plan-diff-json.js";
import { renderPlanComparisonMarkdown } from "./plan-diff-markdown.js";
import { renderPlanComparisonTerminal } from "./plan-diff-terminal.js";

const fixture = (name: string, side: string) => ({
  text: readFileSync(join(FIXTURES, "plans", "compare", "pg15", `${name}.${side}.txt`), "utf8"),
  source: `${name}.${side}.txt`,
});

describe("plan comparison renderers", () => {
  const report = comparePlans(fixture("hash-batches", "before"), fixture("hash-batches", "after"));

  it("terminal: the verdict, then the merged tree with the diverging node marked, colour only when asked", () => {
    const plain = renderPlanComparisonTerminal(report, { colour: false });
    expect(plain).not.toContain("\u001b[");
    expect(plain).toMatch(/^Plan comparison: hash-batches\.before\.txt → hash-batches\.after\.txt\n/);
    expect(plain).toContain(
      "Same plan shape; the node that changed most: Hash\n  - the hash table was split into 16 batches (was 1)",
    );
    expect(plain).toMatch(
      /~ {5}Hash {3}◀ changed most\n {10}time .* · {2}temp 0 \(0 B\) → 60 \(480\.0 kB\)\n {10}hash batches 1 → 16/,
    );
    expect(renderPlanComparisonTerminal(report, { colour: true })).toContain("\u001b[");
  });

  it("JSON: the report with each entry's figures, parseable", () => {
    const json = JSON.parse(renderPlanComparisonJson(report));
    expect(json.verdict.divergence.label).toBe("Hash");
    const hash = json.entries[json.verdict.divergence.entry];
    expect(hash.runtimeChanges).toEqual(["hash batches 1 → 16"]);
    expect(hash.figures.find((f: { name: string }) => f.name === "temp")).toEqual({
      name: "temp",
      before: 0,
      after: 60,
      delta: 60,
    });
  });

  it("Markdown: conditions with pipes, stars and angle brackets stay inside their cell", () => {
    const line = (node: string, extra: string) =>
      `${node}  (cost=0.00..10.00 rows=1 width=4) (actual time=0.005..0.090 rows=1 loops=1)\n${extra}`;
    const before = line("Index Scan using t_ab on t", "  Index Cond: ((a || b) = 'x*y')");
    const after = line(
      "Seq Scan on t",
      "  Filter: (((a || b) = 'x*y') AND (c < 3))\n  Rows Removed by Filter: 99",
    );
    const md = renderPlanComparisonMarkdown(
      comparePlans({ text: before, source: "b" }, { text: after, source: "a" }),
    );
    const row = md.split("\n").find((l) => l.startsWith("| `~` |")) ?? "";
    expect(row).toContain("Filter added: (((a \\|\\| b) = 'x\\*y') AND (c &lt; 3))");
    // Four cells: the pipes of the condition do not open new ones.
    expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(6);
    expect(md).toContain("### Where the plans diverge: Index Scan using t\\_ab on t → Seq Scan on t");
  });

  it("a plan thousands of levels deep is drawn with bounded indentation", () => {
    const deep = (leaf: string) => {
      const out: string[] = [];
      const pad = (i: number) => (i === 0 ? "" : `${" ".repeat(2 + 6 * (i - 1))}->  `);
      for (let i = 0; i < 1500; i++) out.push(`${pad(i)}Limit  (cost=0.00..${1600 - i}.00 rows=1 width=4)`);
      out.push(`${pad(1500)}${leaf}`);
      return out.join("\n");
    };
    const r = comparePlans(
      { text: deep("Index Scan using t_pkey on t  (cost=0.29..8.30 rows=1 width=4)"), source: "b" },
      { text: deep("Seq Scan on t  (cost=0.00..10.00 rows=1 width=4)"), source: "a" },
    );
    const lines = [
      ...renderPlanComparisonTerminal(r, { colour: false }).split("\n"),
      ...renderPlanComparisonMarkdown(r).split("\n"),
    ];
    const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), "");
    expect(longest.length, longest).toBeLessThan(600);
    expect(lines.some((l) => l.includes("[depth 1500] Index Scan using t_pkey on t → Seq Scan on t"))).toBe(
      true,
    );
  });
});
