import { beforeAll, describe, expect, it } from "vitest";
import { userFunction } from "../../../test/support/pg-catalog-functions.js";
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
      "select distinct c.id from customers c join orders o on o.customer_id = c.id and random() < 0.5",
      "select distinct c.id from customers c left join orders o on o.customer_id = c.id and nextval('s') > 0",
    ])
      expect(rewrittenSql(distinctJoinToExists, sql, [customers, orders]), sql).toBe(null);
  });

  it("keeps DISTINCT where a set-returning function in the select list repeats a row (pg_proc says which)", () => {
    const tagged = table(
      "tagged",
      [
        ["id", "integer", true],
        ["tags", "text[]"],
      ],
      { uniqueKeys: [["id"]] },
    );
    const tables = [tagged, orders];
    const functions = [
      userFunction("tags_of", 1, { returnsSet: true, volatile: false }),
      userFunction("label_of", 1, { volatile: false }),
    ];
    const join = "from tagged t join orders o on o.customer_id = t.id";
    for (const sql of [
      `select distinct t.id, unnest(t.tags) as tag ${join}`,
      `select distinct t.id, generate_series(1, 2) ${join}`,
      `select distinct t.id, tags_of(t.id) ${join}`,
      // a function dbopt does not know may return a set
      `select distinct t.id, no_such_function(t.id) ${join}`,
    ])
      expect(rewrittenSql(distinctJoinToExists, sql, tables, 150000, functions), sql).toBe(null);
    // A user's function pg_proc says returns one value, not volatile: the rewrite stands.
    expect(
      rewrittenSql(
        distinctJoinToExists,
        `select distinct t.id, label_of(t.id) ${join}`,
        tables,
        150000,
        functions,
      ),
    ).toBe(
      "SELECT t.id, label_of(t.id) FROM tagged AS t WHERE EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = t.id)",
    );
  });

  it("declines when FROM holds anything beside the two tables, aliased or not", () => {
    const join = "from customers c join orders o on o.customer_id = c.id";
    for (const sql of [
      // The outer join's ON true is not the tables' join condition.
      `select distinct c.id ${join} join generate_series(1, 1) on true`,
      `select distinct c.id ${join} cross join lateral unnest(array[c.id])`,
      `select distinct c.id ${join} join rows from (generate_series(1, 2)) on true`,
      `select distinct c.id ${join} join (values (1), (2)) v(x) on true`,
      `select distinct c.id ${join} join (select 1) s on true`,
      `select distinct c.id ${join} join xmltable('/a' passing '<a/>' columns y int) on true`,
      `select distinct c.id ${join} join orders tablesample system (50) on true`,
      "select distinct c.id from customers c join generate_series(1, 2) on true",
      "select distinct c.id from customers c, orders o, generate_series(1, 2) where o.customer_id = c.id",
    ])
      expect(rewrittenSql(distinctJoinToExists, sql, [customers, orders]), sql).toBe(null);
  });
});
