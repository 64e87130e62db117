import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { distinctLooseIndexScan } from "./distinct-loose-index-scan.js";

const orders = table(
  "orders",
  [
    ["id", "integer", true],
    ["customer_id", "integer", true],
    ["status", "integer"],
    ["kind", "integer", true],
  ],
  { uniqueKeys: [["id"]], indexes: [["customer_id"], ["status"]] },
);
const odd = table("Odd Table", [["Odd Col", "text", true]], { indexes: [["Odd Col"]], schema: "My Schema" });

describe("rewrite/distinct-loose-index-scan", () => {
  beforeAll(loadSqlParser);

  it("turns DISTINCT on an indexed NOT NULL column into the recursive loose index scan", () => {
    const [rewrite] = rewritesOf(distinctLooseIndexScan, "select distinct customer_id from orders", [orders]);
    expect(rewrite?.sql).toBe(
      "WITH RECURSIVE loose AS ((SELECT customer_id AS value FROM orders ORDER BY customer_id LIMIT 1) UNION ALL SELECT (SELECT customer_id FROM orders WHERE customer_id > loose.value ORDER BY customer_id LIMIT 1) FROM loose WHERE loose.value IS NOT NULL) SELECT value AS customer_id FROM loose WHERE value IS NOT NULL",
    );
    expect(rewrite?.assumptions).toEqual([
      "orders.customer_id is NOT NULL (the recursion skips NULL)",
      "the B-tree orders_idx_0 leads with customer_id",
    ]);
  });

  it("reads GROUP BY, ORDER BY, an alias and awkward names", () => {
    expect(
      rewrittenSql(
        distinctLooseIndexScan,
        "select o.customer_id as c from orders o group by o.customer_id order by c desc",
        [orders],
      ),
    ).toBe(
      "WITH RECURSIVE loose AS ((SELECT customer_id AS value FROM orders ORDER BY customer_id LIMIT 1) UNION ALL SELECT (SELECT customer_id FROM orders WHERE customer_id > loose.value ORDER BY customer_id LIMIT 1) FROM loose WHERE loose.value IS NOT NULL) SELECT value AS c FROM loose WHERE value IS NOT NULL ORDER BY 1 DESC",
    );
    expect(
      rewrittenSql(distinctLooseIndexScan, `select distinct "Odd Col" from "My Schema"."Odd Table"`, [odd]),
    ).toBe(
      `WITH RECURSIVE loose AS ((SELECT "Odd Col" AS value FROM "My Schema"."Odd Table" ORDER BY "Odd Col" LIMIT 1) UNION ALL SELECT (SELECT "Odd Col" FROM "My Schema"."Odd Table" WHERE "Odd Col" > loose.value ORDER BY "Odd Col" LIMIT 1) FROM loose WHERE loose.value IS NOT NULL) SELECT value AS "Odd Col" FROM loose WHERE value IS NOT NULL`,
    );
  });

  it("declines a nullable or unindexed column, filters, limits and other shapes", () => {
    for (const sql of [
      // status has NULLs: DISTINCT returns a NULL row the recursion skips
      "select distinct status from orders",
      "select distinct kind from orders", // no index
      "select distinct customer_id from orders where kind = 1",
      "select distinct customer_id from orders limit 5",
      "select distinct customer_id, kind from orders",
      "select distinct on (customer_id) customer_id from orders",
      "select distinct customer_id from only orders",
      "select customer_id from orders group by customer_id having count(*) > 1",
      "select distinct customer_id from orders order by customer_id nulls first",
      "select distinct customer_id from missing",
    ])
      expect(rewrittenSql(distinctLooseIndexScan, sql, [orders]), sql).toBe(null);
  });

  it("declines a column with a nondeterministic collation: DISTINCT and the recursion may keep other spellings", () => {
    const tags = table("tags", [["name", "text", true]], { indexes: [["name"]] });
    expect(rewrittenSql(distinctLooseIndexScan, "select distinct name from tags", [tags])).not.toBe(null);
    (tags.columns[0] as { nondeterministicCollation?: string }).nondeterministicCollation = "ci";
    expect(rewrittenSql(distinctLooseIndexScan, "select distinct name from tags", [tags])).toBe(null);
  });

  it("declines when FROM holds a function beside the table (it repeats or drops the table's rows)", () => {
    for (const sql of [
      "select distinct customer_id from orders cross join lateral unnest(array[orders.kind])",
      "select distinct customer_id from orders, generate_series(1, 0)",
      "select distinct customer_id from orders join rows from (generate_series(1, 2)) on true",
    ])
      expect(rewrittenSql(distinctLooseIndexScan, sql, [orders]), sql).toBe(null);
  });
});
