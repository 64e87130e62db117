import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { cteMaterialized } from "./cte-materialized.js";

const orders = table("orders", [
  ["id", "integer", true],
  ["customer_id", "integer"],
  ["total", "numeric"],
]);

describe("rewrite/cte-materialized", () => {
  beforeAll(loadSqlParser);

  it("inlines a CTE referenced twice when every reference filters it", () => {
    const [rewrite] = rewritesOf(
      cteMaterialized,
      "with per_customer as (select customer_id, sum(total) as spent from orders group by customer_id) select a.spent, b.spent from per_customer a, per_customer b where a.customer_id = 1 and b.customer_id = $1",
      [orders],
    );
    expect(rewrite?.sql).toBe(
      "WITH per_customer AS NOT MATERIALIZED (SELECT customer_id, sum(total) AS spent FROM orders GROUP BY customer_id) SELECT a.spent, b.spent FROM per_customer AS a, per_customer AS b WHERE a.customer_id = 1 AND b.customer_id = $1",
    );
    expect(cteMaterialized.minServerVersion).toBe(120000);
  });

  it("drops MATERIALIZED from a CTE referenced once and filtered, also in a nested SELECT", () => {
    expect(
      rewrittenSql(
        cteMaterialized,
        `with "Big Sums" as materialized (select customer_id, sum(total) s from orders group by 1) select * from "Big Sums" where customer_id in (1, 2)`,
        [orders],
      ),
    ).toBe(
      `WITH "Big Sums" AS (SELECT customer_id, sum(total) AS s FROM orders GROUP BY 1) SELECT * FROM "Big Sums" WHERE customer_id IN (1, 2)`,
    );
  });

  it("declines where inlining could change rows or has nothing to push", () => {
    for (const sql of [
      // volatile: each evaluation would draw other numbers
      "with r as (select id, random() as x from orders) select * from r a join r b on a.id = b.id where a.id = 1 and b.id = 1",
      // one reference is not filtered
      "with s as (select customer_id, sum(total) t from orders group by 1) select * from s a, s b where a.customer_id = 1",
      // referenced once, not MATERIALIZED: PostgreSQL inlines it already
      "with s as (select customer_id from orders) select * from s where customer_id = 1",
      // FOR UPDATE
      "with s as (select customer_id from orders for update) select * from s a, s b where a.customer_id = 1 and b.customer_id = 2",
      "with recursive s as (select 1 as n union all select n + 1 from s where n < 5) select * from s where n = 1",
      // MATERIALIZED and referenced twice: the writer asked for one computation
      "with s as materialized (select customer_id from orders) select * from s a, s b where a.customer_id = 1 and b.customer_id = 1",
    ])
      expect(rewrittenSql(cteMaterialized, sql, [orders]), sql).toBe(null);
    expect(
      rewrittenSql(
        cteMaterialized,
        "with s as materialized (select customer_id from orders) select * from s where customer_id = 1",
        [orders],
        110000,
      ),
    ).toBe(null);
  });
});

describe("deparse of names the deparser leaves unquoted", () => {
  beforeAll(loadSqlParser);
  it("quotes CTE and window names", () => {
    expect(
      rewrittenSql(
        cteMaterialized,
        `with "Big Sums" as materialized (select customer_id, sum(total) over "W w" s from orders window "W w" as (partition by customer_id)) select * from "Big Sums" where customer_id = 1`,
        [orders],
      ),
    ).toBe(
      `WITH "Big Sums" AS (SELECT customer_id, sum(total) OVER "W w" AS s FROM orders WINDOW "W w" AS (PARTITION BY customer_id)) SELECT * FROM "Big Sums" WHERE customer_id = 1`,
    );
  });
});
