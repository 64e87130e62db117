import { describe, expect, it } from "vitest";
import type { Finding } from "../../findings/finding.js";
import { rankFindings } from "../../findings/ranking.js";
import { sqlFrom } from "../../util/sql-text.js";
import { foldedFindings, summaryLines } from "./findings-markdown.js";

const finding = (over: Partial<Finding> & Pick<Finding, "ruleId" | "severity" | "title">): Finding => ({
  detail: "why",
  evidence: {},
  docsUrl: "https://example.org",
  impact: 0,
  ...over,
});

describe("Markdown findings", () => {
  const many = rankFindings([
    ...Array.from({ length: 30 }, (_, i) =>
      finding({ ruleId: "health/fk-without-index", severity: "warning", title: `fk ${i}` }),
    ),
    ...Array.from({ length: 8 }, (_, i) =>
      finding({
        ruleId: "plan/seq-scan-filter",
        severity: "info",
        title: `scan ${i}`,
        timeMs: 1000 * (i + 1),
        timeShare: 0.01 * (i + 1),
        fix: { sql: sqlFrom("dbopt", `CREATE INDEX ON t${i} (a);\nANALYZE t${i};`), note: "An index." },
      }),
    ),
    finding({ ruleId: "health/xid-wraparound", severity: "error", title: "wraparound near" }),
  ]);

  it("names risks and the costliest first, with their time, and counts the rest", () => {
    const lines = summaryLines(many);
    expect(lines.length).toBeLessThanOrEqual(12);
    const rows = lines.filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toEqual([
      "| 1 | risk, error | wraparound near |  |",
      "| 2 | 8.00 s (8.0%) | scan 7 | `CREATE INDEX ON t7 (a);` (+1 more) |",
      "| 3 | 7.00 s (7.0%) | scan 6 | `CREATE INDEX ON t6 (a);` (+1 more) |",
      "| 4 | 6.00 s (6.0%) | scan 5 | `CREATE INDEX ON t5 (a);` (+1 more) |",
      "| 5 | 5.00 s (5.0%) | scan 4 | `CREATE INDEX ON t4 (a);` (+1 more) |",
    ]);
    expect(lines).toContain(
      "Also 4 more findings costing time (10.00 s in all), 30 hygiene findings: details below.",
    );
  });

  it("folds every finding in its section's <details>", () => {
    const lines = foldedFindings(many);
    expect(lines.filter((l) => l.startsWith("<details>"))).toEqual([
      "<details><summary>Risks (1)</summary>",
      "<details><summary>Costing time (8)</summary>",
      "<details><summary>Hygiene (30)</summary>",
    ]);
    expect(lines.filter((l) => l.startsWith("#### "))).toHaveLength(39);
    expect(lines).toContain("info · [plan/seq-scan-filter](https://example.org) · costs 8.00 s (8.0%)");
  });

  it("falls back to hygiene when nothing costs time or is a risk", () => {
    const rows = summaryLines(many.filter((f) => f.section === "hygiene")).filter((l) =>
      /^\| \d+ \|/.test(l),
    );
    expect(rows).toHaveLength(5);
    expect(rows[0]).toBe("| 1 | untimed, warning | fk 0 |  |");
  });
});
