import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { countDistinctSubquery } from "./count-distinct-subquery.js";

const orders = table("orders", [
  ["id", "integer", true],
  ["customer_id", "integer", true],
  ["status", "integer"],
  ["kind", "integer", true],
]);

describe("rewrite/count-distinct-subquery", () => {
  beforeAll(loadSqlParser);

  it("counts over a DISTINCT subquery, per group", () => {
    const [rewrite] = rewritesOf(
      countDistinctSubquery,
      "select kind, count(distinct status) as statuses from orders where id > 10 group by kind order by kind",
      [orders],
    );
    expect(rewrite?.sql).toBe(
      "SELECT d.g1 AS kind, count(d.v) AS statuses FROM ( SELECT DISTINCT kind AS g1, status AS v FROM orders WHERE id > 10 ) AS d GROUP BY d.g1 ORDER BY kind",
    );
  });

  it("without GROUP BY, with awkward names", () => {
    expect(
      rewrittenSql(countDistinctSubquery, `select count(distinct "Odd Col") from "Odd Table" d`, []),
    ).toBe(
      `SELECT count(d_2.v) AS count FROM ( SELECT DISTINCT "Odd Col" AS v FROM "Odd Table" AS d ) AS d_2`,
    );
  });

  it("declines where the subquery would change another aggregate or the groups", () => {
    for (const sql of [
      // sum would add each distinct status once
      "select kind, count(distinct status), sum(id) from orders group by kind",
      "select count(distinct status), count(distinct kind) from orders",
      "select kind, count(distinct status) from orders group by kind having count(*) > 1",
      "select count(distinct status) filter (where kind = 1) from orders",
      "select count(distinct status + random()) from orders",
      // the select list reads a column that is not a group key (an error in the original anyway)
      "select customer_id, count(distinct status) from orders group by kind",
      "select kind, count(distinct status) from orders group by rollup (kind)",
      "select kind, count(distinct status) from orders group by 1",
      "select o.kind, count(distinct status) from orders o group by o.kind order by o.kind",
      "select count(status) from orders",
    ])
      expect(rewrittenSql(countDistinctSubquery, sql, [orders]), sql).toBe(null);
  });
});
