import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { checkFix } from "../../findings/checked-fix.js";
import { defaultOptions } from "../rule.js";
import { mysqlJoinBuffer } from "./mysql-join-buffer.js";

const dir = join(import.meta.dirname, "../../../test/fixtures/plans/mariadb");
const run = (file: string, sql: string | null = null) =>
  mysqlJoinBuffer.check(
    { analyzed: analyzePlan(parsePlan(readFileSync(join(dir, file), "utf8"))), sql },
    defaultOptions(mysqlJoinBuffer),
  );

describe("plan/mysql-join-buffer", () => {
  it("reports the block nested loop join on customers with an index on its join column", () => {
    const sql = readFileSync(join(dir, "block-nl-join.sql"), "utf8");
    const [finding, ...rest] = run("block-nl-join.analyze.json", sql);
    expect(rest).toEqual([]);
    expect(finding?.evidence).toMatchObject({ table: "c", innerRows: 20000, joinBuffer: "flat, BNL" });
    expect(finding?.timeMs).toBeGreaterThan(1000);
    expect(finding?.fix?.sql).toBe(
      "ALTER TABLE `customers` ADD INDEX `customers_region_idx` (`region`), ALGORITHM=INPLACE, LOCK=NONE",
    );
    expect(finding && checkFix(finding)).toBe(finding);
    for (const file of ["block-nl-join.table.txt", "block-nl-join.vertical.txt", "block-nl-join.json"]) {
      expect(run(file)[0]?.evidence.innerRows, file).toBe(20000);
    }
  });

  it("stays quiet when the join uses an index (eq_ref)", () => {
    expect(run("join-no-index.json")).toEqual([]);
    expect(run("good-lookup.analyze.json")).toEqual([]);
  });
});
