import { beforeAll, describe, expect, it } from "vitest";
import { rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { countToExists } from "./count-to-exists.js";
import { deparseStatement } from "./rewrite-tree-shape.js";

beforeAll(loadSqlParser);

const tables = [table("customers", [["id", "bigint", true]]), table("orders", [["customer_id", "bigint"]])];
const same = (sql: string) => deparseStatement(parseSql(sql));

describe("rewrite/count-to-exists", () => {
  it("turns > 0, >= 1, <> 0 and 0 < into EXISTS", () => {
    for (const test of ["> 0", ">= 1", "<> 0"])
      expect(
        rewrittenSql(
          countToExists,
          `select id from customers c where (select count(*) from orders o where o.customer_id = c.id) ${test}`,
          tables,
        ),
      ).toBe(
        same("select id from customers c where exists (select 1 from orders o where o.customer_id = c.id)"),
      );
    expect(
      rewrittenSql(countToExists, "select 0 < (select count(*) from orders) as any_orders", tables),
    ).toBe(same("select exists (select 1 from orders) as any_orders"));
  });

  it("turns = 0 and < 1 into NOT EXISTS", () => {
    expect(
      rewrittenSql(
        countToExists,
        "select id from customers c where (select count(*) from orders) = 0",
        tables,
      ),
    ).toBe(same("select id from customers c where not exists (select 1 from orders)"));
    expect(
      rewrittenSql(
        countToExists,
        "select id from customers c where (select count(*) from orders) < 1",
        tables,
      ),
    ).toBe(same("select id from customers c where not exists (select 1 from orders)"));
  });

  it("leaves counts compared with other numbers, count(col), and grouped counts", () => {
    for (const sql of [
      "select 1 from customers where (select count(*) from orders) > 1",
      "select 1 from customers where (select count(customer_id) from orders) > 0",
      "select 1 from customers where (select count(*) from orders group by customer_id limit 1) > 0",
      "select 1 from customers where (select count(*) from orders having count(*) > 3) > 0",
    ])
      expect(rewrittenSql(countToExists, sql, tables), sql).toBeNull();
  });

  it("declines a subquery calling a volatile function (count calls it for every row, EXISTS until a match)", () => {
    for (const sql of [
      "select id from customers c where (select count(*) from orders o where o.customer_id = c.id and random() < 0.5) > 0",
      "select id from customers c where (select count(*) from orders o where nextval('s') > o.customer_id) > 0",
    ])
      expect(rewrittenSql(countToExists, sql, tables), sql).toBe(null);
  });
});
