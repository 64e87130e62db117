import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { notDistinctToEquality } from "./not-distinct-to-equality.js";

const orders = table(
  "orders",
  [
    ["id", "bigint", true],
    ["status", "integer"],
    ["note", "text"],
    ["kind", "integer"],
  ],
  { uniqueKeys: [["id"]], indexes: [["id"], ["status"], ["note"]] },
);

describe("rewrite/not-distinct-to-equality", () => {
  beforeAll(loadSqlParser);

  it("turns IS NOT DISTINCT FROM a constant into = in WHERE's ANDed terms, either side, in subqueries too", () => {
    const [rewrite] = rewritesOf(
      notDistinctToEquality,
      "select id from orders where status is not distinct from 3 and id > 10",
      [orders],
    );
    expect(rewrite?.sql).toBe("SELECT id FROM orders WHERE status = 3 AND id > 10");
    expect(rewrite?.assumptions[0]).toBe(
      "3 is not NULL, and the B-tree orders_idx_1 leads with orders.status",
    );
    expect(
      rewrittenSql(
        notDistinctToEquality,
        "select id from orders o where 'x'::text is not distinct from o.note",
        [orders],
      ),
    ).toBe("SELECT id FROM orders AS o WHERE o.note = 'x'::text");
    expect(
      rewrittenSql(
        notDistinctToEquality,
        "select 1 where exists (select 1 from orders where status is not distinct from 4)",
        [orders],
      ),
    ).toBe("SELECT 1 WHERE EXISTS (SELECT 1 FROM orders WHERE status = 4)");
  });

  it("declines where a NULL column or value tells them apart, and where no index is there to use", () => {
    for (const sql of [
      // under NOT, OR, in a select list: false (NULL column) and NULL differ there
      "select id from orders where not (status is not distinct from 3)",
      "select id from orders where status is not distinct from 3 or id = 1",
      "select status is not distinct from 3 from orders",
      // NULL or a parameter that may be NULL: IS NOT DISTINCT FROM matches the NULL rows, = none
      "select id from orders where status is not distinct from null",
      "select id from orders where status is not distinct from $1",
      "select id from orders where status is not distinct from kind",
      // no index leads with kind; IS DISTINCT FROM is another thing
      "select id from orders where kind is not distinct from 3",
      "select id from orders where status is distinct from 3",
      "select id from missing where status is not distinct from 3",
    ])
      expect(rewrittenSql(notDistinctToEquality, sql, [orders]), sql).toBe(null);
  });
});
