import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { scalarSubqueryToLateral } from "./scalar-subquery-to-lateral.js";

const customers = table(
  "customers",
  [
    ["id", "integer", true],
    ["name", "text"],
    ["country_id", "integer"],
  ],
  { uniqueKeys: [["id"]] },
);
const orders = table("orders", [
  ["id", "integer", true],
  ["customer_id", "integer"],
  ["total", "numeric"],
  ["status", "text"],
]);
orders.uniqueKeys = [["id"]];
const countries = table(
  "Country List",
  [
    ["Id", "integer", true],
    ["name", "text"],
  ],
  { uniqueKeys: [["Id"]] },
);
const tables = [customers, orders, countries];

describe("rewrite/scalar-subquery-to-lateral", () => {
  beforeAll(loadSqlParser);

  it("joins an aggregate subquery as a grouped derived table, keeping its column name", () => {
    const [rewrite] = rewritesOf(
      scalarSubqueryToLateral,
      "select c.id, (select max(o.total) from orders o where o.customer_id = c.id and o.status = 'paid') from customers c where c.id < 100",
      tables,
    );
    expect(rewrite?.sql).toBe(
      "SELECT c.id, sq.value AS max FROM customers AS c LEFT JOIN ( SELECT o.customer_id AS k1, max(o.total) AS value FROM orders AS o WHERE o.status = 'paid' GROUP BY o.customer_id ) AS sq ON sq.k1 = c.id WHERE c.id < 100",
    );
    expect(rewrite?.assumptions).toContain("max(…) over no rows is NULL; orders grouped by (customer_id)");
  });

  it("keeps count's 0 on no rows, and joins a unique-key lookup without grouping", () => {
    expect(
      rewrittenSql(
        scalarSubqueryToLateral,
        "select c.id, (select count(*) from orders where orders.customer_id = c.id) as n from customers c",
        tables,
      ),
    ).toBe(
      "SELECT c.id, COALESCE(sq.value, 0) AS n FROM customers AS c LEFT JOIN ( SELECT orders.customer_id AS k1, count(*) AS value FROM orders GROUP BY orders.customer_id ) AS sq ON sq.k1 = c.id",
    );
    expect(
      rewrittenSql(
        scalarSubqueryToLateral,
        `select c.name, (select k.name from "Country List" k where k."Id" = c.country_id) as country from customers c`,
        tables,
      ),
    ).toBe(
      `SELECT c.name, sq.value AS country FROM customers AS c LEFT JOIN ( SELECT k."Id" AS k1, k.name AS value FROM "Country List" AS k ) AS sq ON sq.k1 = c.country_id`,
    );
  });

  it("declines a lookup that could return several rows, and other shapes it cannot join", () => {
    for (const sql of [
      // customer_id is not unique: the original raises an error on two rows
      "select c.id, (select o.total from orders o where o.customer_id = c.id) from customers c",
      // coalesce(max(…), 0) is 0 on no rows, the join gives NULL
      "select c.id, (select coalesce(max(o.total), 0) from orders o where o.customer_id = c.id) from customers c",
      "select c.id, (select max(o.total) from orders o where o.customer_id > c.id) from customers c",
      "select c.id, (select max(o.total) from orders o where o.customer_id = c.id limit 1) from customers c",
      "select c.id, (select max(o.total) + random() from orders o where o.customer_id = c.id) from customers c",
      "select count(*), (select max(o.total) from orders o where o.customer_id = 1) from customers c",
      "select c.id, (select max(o.total) from orders o where o.customer_id = c.id) from customers c, orders x",
      // unqualified outer column: dbopt cannot tell it from an inner one
      "select c.id, (select max(o.total) from orders o where o.customer_id = country_id) from customers c",
      "select c.id, (select max(o.total) from orders o where o.customer_id = c.id) from customers c group by c.id",
      "select c.id, (select max(m.total) from missing m where m.customer_id = c.id) from customers c",
    ])
      expect(rewrittenSql(scalarSubqueryToLateral, sql, tables), sql).toBe(null);
  });

  it("declines a lookup that a set-returning value or a function in its FROM makes return several rows", () => {
    for (const sql of [
      // The subquery fails on the second row; a LEFT JOIN would repeat the customer.
      'select o.id, (select unnest(array[c."Id", c."Id"]) from "Country List" c where c."Id" = o.customer_id) from orders o',
      'select o.id, (select c.name from "Country List" c join generate_series(1, 2) on true where c."Id" = o.customer_id) from orders o',
      'select o.id, (select c.name from "Country List" c cross join lateral unnest(array[1, 2]) where c."Id" = o.customer_id) from orders o',
    ])
      expect(rewrittenSql(scalarSubqueryToLateral, sql, tables), sql).toBe(null);
  });

  it("declines a lookup in a CTE named like a table (the table's unique key says nothing of the CTE's rows)", () => {
    const sql =
      'with "Country List" as (select * from "Country List" union all select * from "Country List") select o.id, (select c.name from "Country List" c where c."Id" = o.customer_id) from orders o';
    expect(rewrittenSql(scalarSubqueryToLateral, sql, tables)).toBe(null);
  });
});
