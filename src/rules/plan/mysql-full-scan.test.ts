import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { checkFix } from "../../findings/checked-fix.js";
import { defaultOptions } from "../rule.js";
import { mysqlFullScan } from "./mysql-full-scan.js";

const dir = join(import.meta.dirname, "../../../test/fixtures/plans/mariadb");
const run = (file: string, sql: string | null = null) =>
  mysqlFullScan.check(
    { analyzed: analyzePlan(parsePlan(readFileSync(join(dir, file), "utf8"))), sql },
    defaultOptions(mysqlFullScan),
  );

describe("plan/mysql-full-scan", () => {
  it("reports the full scan of orders with an index on the compared column", () => {
    for (const file of ["full-scan.json", "full-scan.analyze.json"]) {
      const [finding, ...rest] = run(file);
      expect(rest, file).toEqual([]);
      expect(finding?.evidence.rowsExamined, file).toBe(300000);
      expect(finding?.fix?.sql, file).toBe(
        "ALTER TABLE `orders` ADD INDEX `orders_note_idx` (`note`), ALGORITHM=INPLACE, LOCK=NONE",
      );
      expect(finding && checkFix(finding)).toBe(finding);
    }
    expect(run("full-scan.analyze.json")[0]?.timeMs).toBeGreaterThan(10);
    // The tabular EXPLAIN shows no condition: the finding stands, its fix is advice without DDL.
    for (const file of ["full-scan.table.txt", "full-scan.vertical.txt", "full-scan.tsv.txt"]) {
      const [finding] = run(file);
      expect(finding?.evidence.rowsExamined, file).toBe(300000);
      expect(finding?.fix?.sql, file).toBeUndefined();
    }
  });

  it("weighs a plan that was not run by its share of the estimated cost: MariaDB prints none, MySQL 8 does", () => {
    // MariaDB's EXPLAIN FORMAT=JSON has rows but no cost: the finding weighs nothing (the 300,000 rows were once
    // read as a share and printed as 30000000% of the plan's cost).
    expect(run("full-scan.json")[0]?.impact).toBe(0);
    const mysql8 = join(import.meta.dirname, "../../../test/fixtures/plans/mysql8/country-asia.json");
    const findings = mysqlFullScan.check(
      { analyzed: analyzePlan(parsePlan(readFileSync(mysql8, "utf8"))), sql: null },
      { ...defaultOptions(mysqlFullScan), minRows: 1 },
    );
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.impact).toBeGreaterThan(0);
      expect(f.impact).toBeLessThanOrEqual(1);
    }
  });

  it("names the table behind an alias when the statement is known", () => {
    const sql = readFileSync(join(dir, "block-nl-join.sql"), "utf8");
    const findings = run("block-nl-join.json", sql);
    const c = findings.find((f) => f.evidence.table === "c");
    expect(c?.fix?.sql).toBe(
      "ALTER TABLE `customers` ADD INDEX `customers_region_idx` (`region`), ALGORITHM=INPLACE, LOCK=NONE",
    );
  });

  it("reports a full index scan at info", () => {
    const [finding] = run("full-index-scan.json");
    expect(finding?.severity).toBe("info");
    expect(finding?.evidence.accessType).toBe("index");
  });

  it("stays quiet on a primary key lookup", () => {
    expect(run("good-lookup.json")).toEqual([]);
    expect(run("good-lookup.analyze.json")).toEqual([]);
  });
});
