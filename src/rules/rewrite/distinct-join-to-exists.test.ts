import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { distinctJoinToExists } from "./distinct-join-to-exists.js";

const customers = table(
  "customers",
  [
    ["id", "integer", true],
    ["name", "text"],
    ["email", "text"],
  ],
  { uniqueKeys: [["id"], ["email"]] },
);
const orders = table("orders", [
  ["id", "integer", true],
  ["customer_id", "integer"],
  ["total", "numeric"],
]);
orders.uniqueKeys = [["id"]];
const odd = table("Odd Name", [["Id", "integer", true]], { uniqueKeys: [["Id"]] });

describe("rewrite/distinct-join-to-exists", () => {
  beforeAll(loadSqlParser);

  it("turns a join whose duplicates DISTINCT removes into EXISTS", () => {
    const [rewrite] = rewritesOf(
      distinctJoinToExists,
      "select distinct c.id, c.name from customers c join orders o on o.customer_id = c.id where o.total > 100 and c.name like 'A%' order by c.id limit 10",
      [customers, orders],
    );
    expect(rewrite?.sql).toBe(
      "SELECT c.id, c.name FROM customers AS c WHERE c.name LIKE 'A%' AND EXISTS (SELECT 1 FROM orders AS o WHERE (o.customer_id = c.id AND o.total > 100)) ORDER BY c.id LIMIT 10",
    );
    expect(rewrite?.assumptions[0]).toBe(
      "customers rows are unique by (id), all NOT NULL, and the select list includes them",
    );
  });

  it("reads whole rows, the comma form, the kept table on the right, awkward names and LEFT JOIN", () => {
    expect(
      rewrittenSql(
        distinctJoinToExists,
        "select distinct c.* from orders o, customers c where o.customer_id = c.id",
        [customers, orders],
      ),
    ).toBe(
      "SELECT c.* FROM customers AS c WHERE EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = c.id)",
    );
    expect(
      rewrittenSql(
        distinctJoinToExists,
        `select distinct x."Id" from "Odd Name" x join orders on orders.customer_id = x."Id"`,
        [odd, orders],
      ),
    ).toBe(
      `SELECT x."Id" FROM "Odd Name" AS x WHERE EXISTS (SELECT 1 FROM orders WHERE orders.customer_id = x."Id")`,
    );
    expect(
      rewrittenSql(
        distinctJoinToExists,
        "select distinct c.id from customers c left join orders o on o.customer_id = c.id where c.id > 5",
        [customers, orders],
      ),
    ).toBe("SELECT c.id FROM customers AS c WHERE c.id > 5");
  });

  it("declines when DISTINCT removes more than the join's copies", () => {
    for (const sql of [
      // no unique key selected: two customers with one name are one row
      "select distinct c.name from customers c join orders o on o.customer_id = c.id",
      // email is unique but nullable: customers without email and the same name are one row
      "select distinct c.email, c.name from customers c join orders o on o.customer_id = c.id",
      // reads the other table
      "select distinct c.id, o.total from customers c join orders o on o.customer_id = c.id",
      "select distinct * from customers c join orders o on o.customer_id = c.id",
      "select distinct on (c.id) c.id from customers c join orders o on o.customer_id = c.id",
      "select distinct c.id, random() from customers c join orders o on o.customer_id = c.id",
      "select distinct c.id, count(*) over () from customers c join orders o on o.customer_id = c.id",
      // ambiguous unqualified column (id is in both)
      "select distinct c.id from customers c join orders o on o.customer_id = c.id where id > 3",
      "select distinct c.id from customers c join missing m on m.customer_id = c.id",
      "select distinct c.id from customers c right join orders o on o.customer_id = c.id",
      "select distinct c.id from customers c left join orders o on o.customer_id = c.id where o.total > 1",
    ])
      expect(rewrittenSql(distinctJoinToExists, sql, [customers, orders]), sql).toBe(null);
  });
});
