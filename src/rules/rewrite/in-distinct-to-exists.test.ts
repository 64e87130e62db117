import { beforeAll, describe, expect, it } from "vitest";
import { rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { inDistinctToExists } from "./in-distinct-to-exists.js";
import { deparseStatement } from "./rewrite-tree-shape.js";

beforeAll(loadSqlParser);

const customers = table(
  "customers",
  [
    ["id", "bigint", true],
    ["region", "text"],
  ],
  { uniqueKeys: [["id"]] },
);
const orders = table(
  "orders",
  [
    ["id", "bigint", true],
    ["customer_id", "bigint"],
  ],
  { indexes: [["customer_id"]] },
);

describe("rewrite/in-distinct-to-exists", () => {
  it("turns IN (SELECT DISTINCT) into a correlated EXISTS with both sides qualified", () => {
    expect(
      rewrittenSql(
        inDistinctToExists,
        "select * from customers where region = 'eu' and id in (select distinct customer_id from orders o where o.id > 10)",
        [customers, orders],
      ),
    ).toBe(
      deparseStatement(
        parseSql(
          "select * from customers where region = 'eu' and exists (select 1 from orders o where o.id > 10 and o.customer_id = customers.id)",
        ),
      ),
    );
  });

  it("leaves IN without DISTINCT (PostgreSQL makes it a semi-join already), DISTINCT ON, and IN under OR", () => {
    for (const sql of [
      "select * from customers where id in (select customer_id from orders)",
      "select * from customers where id in (select distinct on (customer_id) customer_id from orders)",
      "select * from customers where region = 'x' or id in (select distinct customer_id from orders)",
      "select * from customers where id in (select distinct customer_id from orders limit 5)",
    ])
      expect(rewrittenSql(inDistinctToExists, sql, [customers, orders]), sql).toBeNull();
  });
});
