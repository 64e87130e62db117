import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { checkFix } from "../../findings/checked-fix.js";
import { defaultOptions } from "../rule.js";
import { mysqlFilterEstimate } from "./mysql-filter-estimate.js";

const dir = join(import.meta.dirname, "../../../test/fixtures/plans/mariadb");
const run = (file: string) =>
  mysqlFilterEstimate.check(
    {
      analyzed: analyzePlan(parsePlan(readFileSync(join(dir, file), "utf8"))),
      sql: readFileSync(join(dir, file.replace(/\..*$/, ".sql")), "utf8"),
    },
    defaultOptions(mysqlFilterEstimate),
  );

describe("plan/mysql-filter-estimate", () => {
  it("reports the condition MariaDB guessed at 99% that kept 0.1%, with column statistics as the fix", () => {
    const [finding, ...rest] = run("full-scan.analyze.json");
    expect(rest).toEqual([]);
    expect(finding?.evidence).toMatchObject({ table: "orders", estimatedRows: 300000, actualRows: 300000 });
    expect(finding?.evidence.factor).toBeGreaterThan(900);
    expect(finding?.fix?.sql).toBe("ANALYZE TABLE `orders` PERSISTENT FOR COLUMNS (`note`) INDEXES ()");
    expect(finding && checkFix(finding)).toBe(finding);
  });

  it("ranks by the table's own time in milliseconds, not by the factor", () => {
    const [finding] = run("full-scan.analyze.json");
    const analyzed = analyzePlan(parsePlan(readFileSync(join(dir, "full-scan.analyze.json"), "utf8")));
    expect(finding?.impact).toBeGreaterThan(0);
    expect(finding?.impact).toBeLessThanOrEqual(analyzed.totalMs ?? 0);
  });

  it("stays quiet when the estimate held, and without ANALYZE", () => {
    expect(run("low-filtered.analyze.json")).toEqual([]);
    expect(run("temporary.analyze.json")).toEqual([]);
    expect(run("full-scan.json")).toEqual([]);
  });
});
