/**
 * The MySQL plan rules' fixes, built from plans MariaDB prints for tables and columns with awkward names
 * (a backtick, spaces), run on the local MariaDB: each ALTER TABLE must be accepted and add the index it says.
 */
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePlan } from "../../src/facts/plan/plan-input.js";
import { analyzePlan } from "../../src/facts/plan/plan-metrics.js";
import { checkFix } from "../../src/findings/checked-fix.js";
import { mysqlDependentSubquery } from "../../src/rules/plan/mysql-dependent-subquery.js";
import { mysqlFilterEstimate } from "../../src/rules/plan/mysql-filter-estimate.js";
import { mysqlFullScan } from "../../src/rules/plan/mysql-full-scan.js";
import { mysqlJoinBuffer } from "../../src/rules/plan/mysql-join-buffer.js";
import type { PlanFacts } from "../../src/rules/plan/plan-facts.js";
import type { Rule } from "../../src/rules/rule.js";

const database = `dbopt_m2_${randomBytes(4).toString("hex")}`;
let conn: mysql.Connection;

beforeAll(async () => {
  conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
  await conn.query(`CREATE DATABASE ${database}`);
  await conn.query(`USE ${database}`);
  await conn.query("CREATE TABLE `we``ird t` (id INT PRIMARY KEY, `odd col` VARCHAR(20), `ref col` INT)");
  await conn.query("INSERT INTO `we``ird t` SELECT seq, CONCAT('v', seq), seq % 50 FROM seq_1_to_2000");
  await conn.query("CREATE TABLE `ot her` (id INT PRIMARY KEY, `k``ey` INT)");
  await conn.query("INSERT INTO `ot her` SELECT seq, seq % 70 FROM seq_1_to_2000");
});

afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS ${database}`);
  await conn?.end();
});

async function fixOf(
  rule: Rule<PlanFacts, Record<string, number>>,
  statement: string,
  options: Record<string, number>,
  explain = "EXPLAIN FORMAT=JSON",
) {
  const [rows] = await conn.query(`${explain} ${statement}`);
  const text = Object.values(
    (rows as Array<Record<string, string>>)[0] as Record<string, string>,
  )[0] as string;
  const [finding] = rule.check({ analyzed: analyzePlan(parsePlan(text)), sql: statement }, options);
  expect(finding, rule.id).toBeDefined();
  expect(finding && checkFix(finding)).toBe(finding);
  return finding?.fix?.sql as string;
}

async function indexColumns(table: string): Promise<string[]> {
  const [rows] = await conn.query(`SHOW INDEX FROM ${table} WHERE Key_name <> 'PRIMARY'`);
  return (rows as Array<{ Column_name: string }>).map((r) => r.Column_name);
}

describe("MySQL plan fixes on awkward names, run on MariaDB", () => {
  it("plan/mysql-full-scan", async () => {
    const fix = await fixOf(mysqlFullScan, "SELECT * FROM `we``ird t` w WHERE w.`odd col` = 'v3'", {
      minRows: 1,
    });
    expect(fix).toContain("ALTER TABLE `we``ird t` ADD INDEX");
    await conn.query(fix);
    expect(await indexColumns("`we``ird t`")).toEqual(["odd col"]);
  });

  it("plan/mysql-join-buffer", async () => {
    const fix = await fixOf(
      mysqlJoinBuffer,
      "SELECT * FROM `we``ird t` w JOIN `ot her` o ON o.`k``ey` = w.`ref col` WHERE w.`odd col` LIKE 'v1%'",
      { minRows: 1 },
    );
    await conn.query(fix);
    expect(await indexColumns("`ot her`")).toEqual(["k`ey"]);
  });

  it("plan/mysql-dependent-subquery", async () => {
    await conn.query("ALTER TABLE `ot her` DROP INDEX `ot her_k``ey_idx`");
    const fix = await fixOf(
      mysqlDependentSubquery,
      "SELECT w.id, (SELECT MAX(o.id) FROM `ot her` o WHERE o.`k``ey` = w.id) AS m FROM `we``ird t` w",
      { minExecutions: 1 },
    );
    await conn.query(fix);
    expect(await indexColumns("`ot her`")).toEqual(["k`ey"]);
  });

  it("plan/mysql-filter-estimate", async () => {
    const fix = await fixOf(
      mysqlFilterEstimate,
      "SELECT * FROM `we``ird t` w WHERE w.`ref col` = 7",
      { minFactor: 2, minRows: 1 },
      "ANALYZE FORMAT=JSON",
    );
    expect(fix).toContain("ANALYZE TABLE `we``ird t` PERSISTENT FOR COLUMNS (`ref col`) INDEXES ()");
    const [result] = await conn.query(fix);
    const statuses = (result as Array<{ Msg_text: string }>).map((r) => r.Msg_text);
    expect(statuses).toContain("OK");
  });
});
