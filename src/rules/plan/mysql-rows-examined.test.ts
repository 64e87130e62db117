import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { defaultOptions } from "../rule.js";
import { mysqlRowsExamined } from "./mysql-rows-examined.js";

const fixtures = join(import.meta.dirname, "../../../test/fixtures/plans");
const run = (file: string) =>
  mysqlRowsExamined.check(
    { analyzed: analyzePlan(parsePlan(readFileSync(join(fixtures, file), "utf8"))) },
    defaultOptions(mysqlRowsExamined),
  );

describe("plan/mysql-rows-examined", () => {
  it("reports 300,000 rows examined to send about 300", () => {
    const [finding] = run("mariadb/full-scan.analyze.json");
    expect(finding?.evidence).toMatchObject({ rowsExamined: 300000, rowsSent: 308, table: "orders" });
  });

  it("ranks by the most-read table's own time, in milliseconds, not by the row count", () => {
    const analyzed = analyzePlan(
      parsePlan(readFileSync(join(fixtures, "mariadb/full-scan.analyze.json"), "utf8")),
    );
    const [finding] = mysqlRowsExamined.check({ analyzed }, defaultOptions(mysqlRowsExamined));
    expect(finding?.impact).toBeGreaterThan(0);
    expect(finding?.impact).toBeLessThanOrEqual(analyzed.totalMs ?? 0);
  });

  it("reads the rows sent from the sort's output", () => {
    const [finding] = run("mariadb/filesort.analyze.json");
    expect(finding?.evidence.rowsSent).toBe(11);
  });

  it("stays quiet when the rows read are the rows returned, and without ANALYZE", () => {
    expect(run("mariadb/full-index-scan.analyze.json")).toEqual([]);
    expect(run("mysql8/hash-join.analyze.txt")).toEqual([]);
    expect(run("mariadb/full-scan.json")).toEqual([]);
  });
});
