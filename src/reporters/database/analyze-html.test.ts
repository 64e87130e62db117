import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import type { AnalyzeReport, StatementReport } from "../../pipeline/analyze-report.js";
import { explainPlanText } from "../../pipeline/explain-plan.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { renderAnalyzeHtml } from "./analyze-html.js";

const AWKWARD = `<script>alert("x")</script> & 'q'`;

beforeAll(async () => {
  await loadSqlParser();
});

describe("analyze HTML report", () => {
  it("draws each explained statement's plan, every node once, coloured by the statement's findings", () => {
    // A captured plan whose table is named like markup, with the findings explain makes of it.
    const text = readFileSync(join(FIXTURES, "plans", "pg15", "hash-join-batches.txt"), "utf8").replace(
      "Seq Scan on orders o",
      `Seq Scan on "${AWKWARD.replaceAll('"', '""')}" o`,
    );
    const explained = explainPlanText(text, { source: "plan.txt" });
    expect(explained.findings.some((f) => f.nodeId !== undefined)).toBe(true);
    const statement = (over: Partial<StatementReport>): StatementReport => ({
      queryId: "1",
      query: `select * from "${AWKWARD}" o join customers c on c.id = o.customer_id`,
      calls: 10,
      totalMs: 900,
      meanMs: 90,
      share: 0.9,
      planMethod: "generic",
      plan: explained.summary,
      planTree: explained.analyzed.plan,
      findings: explained.findings,
      skipped: null,
      ...over,
    });
    const report: AnalyzeReport = {
      kind: "analyze",
      target: "postgres@localhost/shop",
      server: { version: "15.10", database: "shop" },
      capturedAt: "2026-12-02T07:00:00Z",
      workload: {
        source: "pg_stat_statements",
        statementsSeen: 2,
        statementsExplained: 1,
        totalMs: 1000,
        statsResetAt: null,
      },
      statements: [
        statement({}),
        statement({
          queryId: "2",
          query: "vacuum",
          planTree: null,
          plan: null,
          findings: [],
          skipped: "not a plannable statement",
        }),
      ],
      findings: explained.findings,
      notes: [],
      advice: null,
    };
    const page = renderAnalyzeHtml(report, new Date("2026-12-02T08:00:00Z"));
    const plans = page.slice(page.indexOf('<section id="plans">'));
    expect(plans.match(/<figure class="picture" id="plan-\d+"/g)).toEqual([
      '<figure class="picture" id="plan-1"',
    ]);
    expect(plans.match(/<g class="plan-node"/g)).toHaveLength(explained.analyzed.nodes.length);
    // The nodes that carry a finding are coloured by its severity, not drawn plain.
    expect(plans).not.toContain("<script>");
    expect(plans).toContain("&lt;script&gt;");
    for (const f of explained.findings.filter((x) => x.nodeId !== undefined))
      expect(plans).toMatch(new RegExp(`data-node="${f.nodeId}" data-severity="(error|warning|info)"`));
  });
});
