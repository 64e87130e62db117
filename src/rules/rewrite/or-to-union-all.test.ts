import { beforeAll, describe, expect, it } from "vitest";
import { rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { orToUnionAll } from "./or-to-union-all.js";
import { deparseStatement } from "./rewrite-tree-shape.js";

beforeAll(loadSqlParser);

const customers = table(
  "customers",
  [
    ["id", "bigint", true],
    ["email", "text"],
  ],
  {
    uniqueKeys: [["id"]],
    indexes: [["id"], ["email"]],
  },
);
const orders = table(
  "orders",
  [
    ["id", "bigint", true],
    ["customer_id", "bigint"],
    ["ref", "text"],
    ["note", "text"],
  ],
  {
    indexes: [["ref"]],
  },
);
const same = (sql: string) => deparseStatement(parseSql(sql));

describe("rewrite/or-to-union-all", () => {
  it("splits an OR across two joined tables into UNION ALL branches, the later excluding the earlier's rows", () => {
    expect(
      rewrittenSql(
        orToUnionAll,
        "select o.id from orders o join customers c on c.id = o.customer_id where o.id > 0 and (o.ref = 'A-1' or c.email = 'x@y')",
        [customers, orders],
      ),
    ).toBe(
      same(
        "select o.id from orders o join customers c on c.id = o.customer_id where o.id > 0 and o.ref = 'A-1' union all select o.id from orders o join customers c on c.id = o.customer_id where o.id > 0 and c.email = 'x@y' and (o.ref = 'A-1') is not true",
      ),
    );
  });

  it("declines ORs on one column, on a column without an index, with ORDER BY / LIMIT / DISTINCT / aggregates", () => {
    for (const sql of [
      "select * from orders where ref = 'a' or ref = 'b'",
      "select * from orders where ref = 'a' or note = 'b'",
      "select * from orders o join customers c on c.id = o.customer_id where o.ref = 'a' or c.email = 'b' order by o.id",
      "select * from orders o join customers c on c.id = o.customer_id where o.ref = 'a' or c.email = 'b' limit 3",
      "select distinct o.id from orders o join customers c on c.id = o.customer_id where o.ref = 'a' or c.email = 'b'",
      "select count(*) from orders o join customers c on c.id = o.customer_id where o.ref = 'a' or c.email = 'b'",
      "select * from orders o join customers c on c.id = o.customer_id where o.ref = 'a' or c.email = random()::text",
    ])
      expect(rewrittenSql(orToUnionAll, sql, [customers, orders]), sql).toBeNull();
  });
});
