import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { notInToNotExists } from "./not-in-to-not-exists.js";
import { deparseStatement } from "./rewrite-tree-shape.js";

beforeAll(loadSqlParser);

const customers = table(
  "customers",
  [
    ["id", "bigint", true],
    ["email", "text"],
    ["region", "text"],
  ],
  {
    uniqueKeys: [["id"]],
  },
);
const orders = table(
  "orders",
  [
    ["id", "bigint", true],
    ["customer_id", "bigint", true],
    ["coupon_id", "bigint"],
  ],
  {
    uniqueKeys: [["id"]],
  },
);
const normalised = (sql: string) => deparseStatement(parseSql(sql));

describe("rewrite/not-in-to-not-exists", () => {
  it("rewrites NOT IN when both columns are NOT NULL, qualifying both sides", () => {
    expect(
      rewrittenSql(
        notInToNotExists,
        "select id from customers c where region = 'eu' and id not in (select customer_id from orders)",
        [customers, orders],
      ),
    ).toBe(
      normalised(
        "select id from customers c where region = 'eu' and not exists (select 1 from orders where orders.customer_id = c.id)",
      ),
    );
  });

  it("says what it relies on", () => {
    const [rewrite] = rewritesOf(
      notInToNotExists,
      "select id from customers where id not in (select customer_id from orders)",
      [customers, orders],
    );
    expect(rewrite?.assumptions.join()).toMatch(/customers\.id and orders\.customer_id are NOT NULL/);
  });

  it("keeps NOT IN's answer when the subquery's column may be NULL (one NULL makes NOT IN keep no row)", () => {
    const coupons = table("coupons", [["id", "bigint", true]], { uniqueKeys: [["id"]] });
    const [rewrite] = rewritesOf(
      notInToNotExists,
      "select id from coupons where id not in (select coupon_id from orders where id > 5)",
      [coupons, orders],
    );
    expect(rewrite?.sql).toBe(
      normalised(
        "select id from coupons where not exists (select 1 from orders where id > 5 and orders.coupon_id = coupons.id) and not exists (select 1 from orders where id > 5 and orders.coupon_id is null)",
      ),
    );
    expect(rewrite?.assumptions.join()).toMatch(/orders\.coupon_id may be NULL/);
  });

  it("keeps NOT IN's answer for an outer column on the nullable side of a LEFT JOIN", () => {
    expect(
      rewrittenSql(
        notInToNotExists,
        "select 1 from orders o left join customers c on c.id = o.customer_id where c.id not in (select customer_id from orders)",
        [customers, orders],
      ),
    ).toBe(
      normalised(
        "select 1 from orders o left join customers c on c.id = o.customer_id where not exists (select 1 from orders where orders.customer_id = c.id) and (c.id is not null or not exists (select 1 from orders))",
      ),
    );
  });

  it("declines when the subquery binds the outer table's name (it would capture the reference)", () => {
    expect(
      rewrittenSql(
        notInToNotExists,
        "select id from orders where id not in (select customer_id from orders)",
        [orders],
      ),
    ).toBeNull();
  });

  it("declines NOT IN under OR (NULL and false differ there)", () => {
    expect(
      rewrittenSql(
        notInToNotExists,
        "select id from customers where region = 'x' or id not in (select customer_id from orders)",
        [customers, orders],
      ),
    ).toBeNull();
  });

  it("keeps awkward names quoted", () => {
    const odd = table('Odd "T"', [["Key Col", "bigint", true]], { uniqueKeys: [["Key Col"]] });
    const other = table("t; DROP TABLE canary", [["ref", "bigint", true]]);
    expect(
      rewrittenSql(
        notInToNotExists,
        `select "Key Col" from "Odd ""T""" where "Key Col" not in (select ref from "t; DROP TABLE canary")`,
        [odd, other],
      ),
    ).toContain(`"t; DROP TABLE canary".ref = "Odd ""T"""."Key Col"`);
  });

  it("declines a subquery calling a volatile function (run once for IN, once per outer row for EXISTS)", () => {
    const sql =
      "select id from customers where id not in (select customer_id from orders where random() < 0.5)";
    expect(rewrittenSql(notInToNotExists, sql, [customers, orders])).toBe(null);
  });

  it("reads a CTE named like a table as unknown (its column may be NULL where the table's is NOT NULL)", () => {
    const sql =
      "with orders as (select null::bigint as customer_id) select id from customers where id not in (select o.customer_id from orders o)";
    expect(rewrittenSql(notInToNotExists, sql, [customers, orders])).toBe(null);
  });
});
