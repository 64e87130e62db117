import { describe, expect, it } from "vitest";
import type { Finding } from "../../findings/finding.js";
import { findingsPage, SHOWN_PER_RULE } from "./findings-page.js";

const target = { id: 3, databaseName: "shop", address: "app@db:5432/shop", lastSample: new Date() };

function finding(ruleId: string, severity: Finding["severity"], table: string): Finding {
  return {
    ruleId,
    severity,
    title: `${table} needs attention`,
    detail: `detail of ${table}`,
    evidence: { deadRows: 1000 },
    docsUrl: "https://example.invalid/rule",
    impact: 1,
  };
}

const dead = Array.from({ length: 8 }, (_, i) => finding("health/dead-tuples", "warning", `orders_${i}`));
const health = (findings: Finding[]) => ({
  takenAt: new Date(),
  findings,
  ran: ["health/dead-tuples"],
  notRun: [],
});
const items = (html: string, rule: string) =>
  html.split(`<li class="finding sev-warning" data-rule="${rule}">`).length - 1;

describe("findings page", () => {
  it("groups health findings by rule, worst rule first, a few in full and a link to the rest", () => {
    const html = findingsPage(target, health([...dead, finding("health/xid-age", "error", "big")]), []);
    expect(html.indexOf('data-rule="health/xid-age"')).toBeLessThan(
      html.indexOf('data-rule="health/dead-tuples"'),
    );
    expect(html).toContain('data-count="8"');
    expect(items(html, "health/dead-tuples")).toBe(SHOWN_PER_RULE);
    expect(html).toContain(
      `${8 - SHOWN_PER_RULE} more: <a href="/database/3/findings?rule=health%2Fdead-tuples`,
    );
    expect(html).toContain("orders_0 needs attention");
    expect(html).not.toContain("orders_7 needs attention");
  });

  it("shows every finding of the rule asked for", () => {
    const html = findingsPage(target, health(dead), [], "health/dead-tuples");
    expect(items(html, "health/dead-tuples")).toBe(8);
    expect(html).toContain("orders_7 needs attention");
    expect(html).not.toContain("show all");
  });
});
