import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const mariadb = join(import.meta.dirname, "../fixtures/plans/mariadb");
const mysql8 = join(import.meta.dirname, "../fixtures/plans/mysql8");

describe("dbopt explain on MySQL/MariaDB plans", () => {
  it("reports the full scan of a captured MariaDB ANALYZE FORMAT=JSON plan in JSON, exit 0", async () => {
    const r = await runCli(["explain", join(mariadb, "full-scan.analyze.json"), "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const finding = report.findings.find((f: { ruleId: string }) => f.ruleId === "plan/mysql-full-scan");
    expect(finding.evidence.rowsExamined).toBe(300000);
    expect(finding.fix.sql).toContain("ALTER TABLE `orders` ADD INDEX");
    // PostgreSQL's plan rules do not read a MySQL plan.
    expect(report.findings.every((f: { ruleId: string }) => f.ruleId.startsWith("plan/mysql-"))).toBe(true);
  });

  it("prints a MySQL 8 EXPLAIN ANALYZE tree in the terminal and Markdown", async () => {
    for (const format of ["terminal", "markdown"]) {
      const r = await runCli(["explain", join(mysql8, "hash-join.analyze.txt"), "--format", format]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("Full Table Scan");
    }
  });

  it("a truncated MySQL JSON plan is one line on standard error and exit 2", async () => {
    const text = readFileSync(join(mariadb, "block-nl-join.analyze.json"), "utf8");
    const r = await runCli(["explain", "-", "--format", "json"], { input: text.slice(0, 400) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => !/^\s*hint:|^\s*→/.test(l)).length,
    ).toBeLessThanOrEqual(2);
    expect(r.stderr).toMatch(/truncated/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
