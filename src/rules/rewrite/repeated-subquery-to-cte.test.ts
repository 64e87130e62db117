import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { repeatedSubqueryToCte } from "./repeated-subquery-to-cte.js";

const orders = table("orders", [
  ["id", "integer", true],
  ["customer_id", "integer"],
  ["total", "numeric"],
]);
const vip = table("VIP List", [["customer id", "integer"]]);
const tables = [orders, vip];

describe("rewrite/repeated-subquery-to-cte", () => {
  beforeAll(loadSqlParser);

  it("computes a repeated scalar subquery once, as a materialized CTE", () => {
    const [rewrite] = rewritesOf(
      repeatedSubqueryToCte,
      "select id, total - (select avg(total) from orders) as diff from orders where total > (select avg(total) from orders)",
      tables,
    );
    expect(rewrite?.sql).toBe(
      "WITH shared_subquery AS MATERIALIZED (SELECT avg(total) FROM orders) SELECT id, total - ((SELECT * FROM shared_subquery)) AS diff FROM orders WHERE total > ((SELECT * FROM shared_subquery))",
    );
  });

  it("shares IN lists and FROM subqueries, keeps existing CTEs, leaves out MATERIALIZED before 12", () => {
    expect(
      rewrittenSql(
        repeatedSubqueryToCte,
        `with x as (select 1 as one) select * from orders o where o.customer_id in (select v."customer id" from "VIP List" v) or o.id in (select v."customer id" from "VIP List" v)`,
        tables,
        110000,
      ),
    ).toBe(
      `WITH x AS (SELECT 1 AS one), shared_subquery AS (SELECT v."customer id" FROM "VIP List" AS v) SELECT * FROM orders AS o WHERE o.customer_id IN (SELECT * FROM shared_subquery) OR o.id IN (SELECT * FROM shared_subquery)`,
    );
    expect(
      rewrittenSql(
        repeatedSubqueryToCte,
        "select * from (select customer_id, sum(total) s from orders group by 1) a join (select customer_id, sum(total) s from orders group by 1) b on b.customer_id = a.customer_id + 1",
        tables,
      ),
    ).toBe(
      "WITH shared_subquery AS MATERIALIZED (SELECT customer_id, sum(total) AS s FROM orders GROUP BY 1) SELECT * FROM shared_subquery AS a JOIN shared_subquery AS b ON b.customer_id = (a.customer_id + 1)",
    );
  });

  it("declines correlated or volatile subqueries and single copies", () => {
    for (const sql of [
      // correlated: each copy depends on its outer row
      "select (select max(i.total) from orders i where i.customer_id = o.customer_id), (select max(i.total) from orders i where i.customer_id = o.customer_id) from orders o",
      // an unqualified name no table inside has: it is the outer query's
      `select (select count(*) from "VIP List" v where v."customer id" = customer_id) from orders o where 1 < (select count(*) from "VIP List" v where v."customer id" = customer_id)`,
      // random() once per copy is not random() once
      "select * from orders where total > (select random() * 100) and id < (select random() * 100)",
      "select * from orders where total > (select avg(total) from orders)",
      "select (select max(x) from missing), (select max(x) from missing)",
    ])
      expect(rewrittenSql(repeatedSubqueryToCte, sql, tables), sql).toBe(null);
  });
});
