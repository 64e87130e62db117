import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { analyzePlan } from "../../facts/plan/plan-metrics.js";
import { conditionColumns, conditionOf, tableNodes } from "./mysql-plan-facts.js";

const mysql8 = join(import.meta.dirname, "../../../test/fixtures/plans/mysql8");

/** Each table node of a fixture with the columns its condition compares. */
function columnsByTable(file: string): Record<string, string[]> {
  const facts = { analyzed: analyzePlan(parsePlan(readFileSync(join(mysql8, file), "utf8"))), sql: null };
  const out: Record<string, string[]> = {};
  for (const node of tableNodes(facts)) {
    const condition = conditionOf(facts, node);
    if (node.relationName && condition)
      out[node.relationName] = conditionColumns(condition, node.relationName);
  }
  return out;
}

describe("conditionColumns on MySQL 8's db.table.column conditions", () => {
  it("reads `world`.`country`.`Continent` for the table MySQL names Country (lower_case_table_names)", () => {
    expect(columnsByTable("country-asia.json")).toEqual({ Country: ["Continent", "Population"] });
  });

  it("reads the correlated column on the right of <cache>(`test`.`t1`.`i`) = `test`.`t2`.`i`", () => {
    expect(columnsByTable("dependent-subquery.json")).toEqual({ t1: ["i"], t2: ["i"] });
  });

  it("keeps equalities first, one range column, and leaves other tables, text and markers out", () => {
    const condition =
      "((`shop`.`o`.`created_at` > '2025-01-01') and (`shop`.`o`.`customer_id` = `shop`.`c`.`id`) and (`shop`.`o`.`note` = 'a.b = c.d') and (5 < `shop`.`o`.`total`))";
    expect(conditionColumns(condition, "o")).toEqual(["customer_id", "note", "created_at"]);
    expect(conditionColumns(condition, "c")).toEqual(["id"]);
    expect(conditionColumns(condition, "shop")).toEqual([]);
  });

  it("reads awkward quoted names and MariaDB's unquoted ones alike", () => {
    expect(conditionColumns("(`my db`.`Order Items`.`a``b` = 1)", "order items")).toEqual(["a`b"]);
    expect(conditionColumns("p.order_ref = o.`id`", "o")).toEqual(["id"]);
    expect(conditionColumns("xt1.a = 5", "t1")).toEqual([]);
    expect(conditionColumns("t1.a <> 5 and t1.b != 3", "t1")).toEqual([]);
  });
});
