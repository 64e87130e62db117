import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { defaultOptions } from "../rule.js";
import { mysqlFilesortTemporary } from "./mysql-filesort-temporary.js";

const dir = join(import.meta.dirname, "../../../test/fixtures/plans/mariadb");
const run = (file: string) =>
  mysqlFilesortTemporary.check(
    { analyzed: analyzePlan(parsePlan(readFileSync(join(dir, file), "utf8"))) },
    defaultOptions(mysqlFilesortTemporary),
  );

describe("plan/mysql-filesort-temporary", () => {
  it("reports GROUP BY through a temporary table and a filesort, once, in every format", () => {
    for (const file of [
      "temporary.json",
      "temporary.analyze.json",
      "temporary.table.txt",
      "temporary.vertical.txt",
    ]) {
      const found = run(file);
      expect(found, file).toHaveLength(1);
      expect(found[0]?.evidence, file).toMatchObject({ rows: 300000, filesort: true, temporaryTable: true });
    }
  });

  it("reports the ORDER BY sort with its key", () => {
    const [finding] = run("filesort.json");
    expect(finding?.evidence).toMatchObject({
      filesort: true,
      temporaryTable: false,
      sortKey: "orders.total desc",
    });
  });

  it("stays quiet on plans without a sort", () => {
    expect(run("full-scan.json")).toEqual([]);
    expect(run("good-lookup.json")).toEqual([]);
  });
});
