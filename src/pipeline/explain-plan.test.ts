import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../../test/support/fixtures.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { explainPlanText } from "./explain-plan.js";

const pev2 = (file: string) => readFileSync(join(FIXTURES, "plans", "real", "pev2", "specs", file), "utf8");

describe("explainPlanText on plans cut short", () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it("refuses a text plan cut off mid-tree in one line, instead of giving its last node the missing nodes' time", () => {
    // pev2's CTE plan, its first 8 lines: the Recursive Union has its first term only, which has lost its input.
    const cut = pev2("cte-exclusive-time-cte-03.plan").split("\n").slice(0, 8).join("\n");
    expect(() => explainPlanText(cut, { source: "cut.plan" })).toThrow(
      /^the plan looks cut off: Recursive Union \(node 2\) has 1 of its 2 inputs under it$/,
    );
    // A Recursive Union has its two terms.
    const oneTerm = pev2("cte-exclusive-time-cte-03.plan").split("\n").slice(0, 7).join("\n");
    expect(() => explainPlanText(oneTerm, { source: "cut.plan" })).toThrow(
      /Recursive Union \(node 2\) has no input/,
    );
  });

  it("reads the whole plan", () => {
    const report = explainPlanText(pev2("cte-exclusive-time-cte-03.plan"), { source: "whole.plan" });
    expect(report.findings.length).toBeGreaterThan(0);
  });
});
