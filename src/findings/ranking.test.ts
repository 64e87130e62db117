import { describe, expect, it } from "vitest";
import type { Finding } from "./finding.js";
import { rankFindings, sectionOf, withTimeShare } from "./ranking.js";

const finding = (over: Partial<Finding> & Pick<Finding, "ruleId" | "severity">): Finding => ({
  title: over.ruleId,
  detail: "",
  evidence: {},
  docsUrl: "https://example.org",
  impact: 0,
  ...over,
});

describe("rankFindings", () => {
  // Issue #16: a seq scan costing 19% of the time ranked 10th, behind foreign-key noise of higher severity.
  const seqScan = finding({ ruleId: "plan/seq-scan-filter", severity: "info", timeMs: 1900, impact: 0.9 });
  const smallScan = finding({ ruleId: "plan/index-filter", severity: "warning", timeMs: 20, impact: 0.5 });
  const fk = finding({ ruleId: "health/fk-without-index", severity: "error", impact: 5e9 });
  const unused = finding({ ruleId: "health/unused-index", severity: "error", impact: 1e10 });
  const wraparound = finding({ ruleId: "health/xid-wraparound", severity: "error", impact: 1.9e9 });
  const sequence = finding({ ruleId: "health/sequence-near-limit", severity: "warning", impact: 0.8 });
  const smell = finding({ ruleId: "health/column-type-smell", severity: "warning", impact: 1 });

  it("puts what costs time before hygiene of any severity, and orders it by ms", () => {
    const ranked = rankFindings([fk, unused, smell, smallScan, seqScan]);
    expect(ranked.map((f) => f.ruleId)).toEqual([
      "plan/seq-scan-filter",
      "plan/index-filter",
      "health/unused-index",
      "health/fk-without-index",
      "health/column-type-smell",
    ]);
    expect(ranked.map((f) => f.section)).toEqual(["time", "time", "hygiene", "hygiene", "hygiene"]);
  });

  it("puts untimed outage risks first, errors before warnings", () => {
    const ranked = rankFindings([seqScan, fk, sequence, wraparound]);
    expect(ranked.map((f) => [f.ruleId, f.section])).toEqual([
      ["health/xid-wraparound", "risk"],
      ["health/sequence-near-limit", "risk"],
      ["plan/seq-scan-filter", "time"],
      ["health/fk-without-index", "hygiene"],
    ]);
  });

  it("breaks equal times by severity, and ranks a plan that was not run by its cost share", () => {
    const a = finding({ ruleId: "plan/a", severity: "info", timeMs: 5 });
    const b = finding({ ruleId: "plan/b", severity: "error", timeMs: 5 });
    expect(rankFindings([a, b]).map((f) => f.ruleId)).toEqual(["plan/b", "plan/a"]);
    const c = finding({ ruleId: "plan/c", severity: "info", costShare: 0.7 });
    const d = finding({ ruleId: "plan/d", severity: "error", costShare: 0.1 });
    expect(rankFindings([d, c]).map((f) => f.ruleId)).toEqual(["plan/c", "plan/d"]);
  });

  it("keeps an informational finding of a risk rule out of the risks", () => {
    expect(sectionOf(finding({ ruleId: "health/connection-usage", severity: "info" }))).toBe("hygiene");
  });

  it("gives timed findings their share of the workload", () => {
    const [timed, untimed] = withTimeShare([seqScan, fk], 10_000);
    expect(timed?.timeShare).toBeCloseTo(0.19);
    expect(untimed?.timeShare).toBeUndefined();
  });
});
