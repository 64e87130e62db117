import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { checkFix } from "../../findings/checked-fix.js";
import { defaultOptions } from "../rule.js";
import { mysqlDependentSubquery } from "./mysql-dependent-subquery.js";

const dir = join(import.meta.dirname, "../../../test/fixtures/plans/mariadb");
const run = (file: string, sql: string | null = null) =>
  mysqlDependentSubquery.check(
    { analyzed: analyzePlan(parsePlan(readFileSync(join(dir, file), "utf8"))), sql },
    defaultOptions(mysqlDependentSubquery),
  );

describe("plan/mysql-dependent-subquery", () => {
  it("reports the measured executions of the correlated subquery and an index on its column", () => {
    const sql = readFileSync(join(dir, "dependent-subquery.sql"), "utf8");
    const [finding, ...rest] = run("dependent-subquery.analyze.json", sql);
    expect(rest).toEqual([]);
    expect(finding?.evidence).toMatchObject({ executions: 1485, measured: true, rowsPerExecution: 100000 });
    expect(finding?.fix?.sql).toBe(
      "ALTER TABLE `payments` ADD INDEX `payments_order_ref_idx` (`order_ref`), ALGORITHM=INPLACE, LOCK=NONE",
    );
    expect(finding && checkFix(finding)).toBe(finding);
  });

  it("estimates executions from the outer rows without ANALYZE, in every format", () => {
    for (const file of [
      "dependent-subquery.json",
      "dependent-subquery.table.txt",
      "dependent-subquery.vertical.txt",
    ]) {
      const [finding] = run(file);
      expect(finding?.evidence.executions, file).toBe(1485);
      expect(finding?.evidence.measured, file).toBe(false);
    }
  });

  it("indexes the correlated column of a MySQL 8 plan, named `test`.`t2`.`i` on the right of =", () => {
    // test/fixtures/plans/mysql8/dependent-subquery.json: mysql/mysql-server's explain_json_all.result.
    const text = readFileSync(join(dir, "../mysql8/dependent-subquery.json"), "utf8");
    const sql =
      "SELECT * FROM t1 WHERE i IN (SELECT i FROM t2 WHERE t1.i = 10 ORDER BY RAND()) OR i IN (SELECT i FROM t4 ORDER BY RAND())";
    const findings = mysqlDependentSubquery.check(
      { analyzed: analyzePlan(parsePlan(text)), sql },
      { minExecutions: 7 },
    );
    const scanned = findings.find((f) => f.fix?.sql);
    expect(scanned?.evidence).toMatchObject({ executions: 7, measured: false });
    expect(scanned?.fix?.sql).toBe(
      "ALTER TABLE `t2` ADD INDEX `t2_i_idx` (`i`), ALGORITHM=INPLACE, LOCK=NONE",
    );
  });

  it("stays quiet on a plan without a subquery", () => {
    expect(run("join-no-index.analyze.json")).toEqual([]);
  });
});
