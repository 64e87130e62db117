import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import type { CheckReport } from "../../pipeline/check-report.js";
import { explainPlanText } from "../../pipeline/explain-plan.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { sql } from "../../util/sql-text.js";
import { renderHtml } from "./database-html.js";

const AWKWARD = `<script>alert("x")</script> & 'q'`;
const NOW = new Date("2026-12-02T08:00:00Z");

/** Every tag the page opens, by name: no script may come from the report's text. */
const tags = (page: string) =>
  [...page.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => (m[1] as string).toLowerCase());

beforeAll(async () => {
  await loadSqlParser();
});

describe("HTML report pages", () => {
  it("a plan whose table is named like markup shows the name as text, in the tree and in the findings", () => {
    // The captured plan, its orders table renamed as psql would print such a name (quoted).
    const text = readFileSync(join(FIXTURES, "plans", "pg15", "hash-join-batches.txt"), "utf8").replace(
      "Seq Scan on orders o",
      `Seq Scan on "${AWKWARD.replaceAll('"', '""')}" o`,
    );
    const report = explainPlanText(text, { source: `plan ${AWKWARD}.txt` });
    expect(report.analyzed.nodes.some((n) => n.relationName === AWKWARD)).toBe(true);
    const page = renderHtml(report, NOW);
    expect(tags(page)).not.toContain("script");
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(page).toContain("<title>dbopt explain: plan from plan &lt;script&gt;");
    expect(page).toContain('id="plan-tree"');
    // The picture draws every node once; the tree lists each once.
    expect(page.match(/<g class="plan-node"/g)).toHaveLength(report.analyzed.nodes.length);
    expect(page.match(/<tr data-node=/g)).toHaveLength(report.analyzed.nodes.length);
    expect(page).toContain("written 2026-12-02 08:00:00 UTC by dbopt ");
    // Nothing to fetch: no src or href but the findings' documentation links.
    expect(
      [...page.matchAll(/\s(?:src|href)="([^"]*)"/g)].every((m) => /^https:\/\//.test(m[1] as string)),
    ).toBe(true);
  });

  it("a check report's titles, details, evidence and fix SQL are escaped", () => {
    const report: CheckReport = {
      kind: "check",
      target: `postgres@localhost/${AWKWARD}`,
      server: { version: "15.10", database: AWKWARD },
      capturedAt: "2026-12-02T07:00:00Z",
      statsAgeSeconds: 86_400,
      notes: [`note about ${AWKWARD}`],
      findings: [
        {
          ruleId: "health/unused-index",
          severity: "warning",
          title: `Index ${AWKWARD} is never used`,
          detail: `detail ${AWKWARD}`,
          evidence: { [AWKWARD]: AWKWARD, sizeBytes: 8192 },
          fix: { sql: sql`DROP INDEX CONCURRENTLY "a&b<c>";`, note: `note ${AWKWARD}` },
          docsUrl: "javascript:alert(1)",
          impact: 1,
        },
      ],
    };
    const page = renderHtml(report, NOW);
    expect(tags(page)).not.toContain("script");
    expect(page).not.toContain("javascript:");
    expect(page).toContain('<pre class="sql">DROP INDEX CONCURRENTLY &quot;a&amp;b&lt;c&gt;&quot;;</pre>');
    expect(page.match(/&lt;script&gt;/g)?.length).toBeGreaterThanOrEqual(8);
    expect(page).toContain("Hygiene");
  });
});
