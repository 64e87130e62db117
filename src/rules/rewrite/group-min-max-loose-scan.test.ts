import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { groupMinMaxLooseScan } from "./group-min-max-loose-scan.js";

const orders = table(
  "orders",
  [
    ["id", "integer", true],
    ["customer_id", "integer", true],
    ["total", "numeric"],
    ["status", "integer"],
    ["kind", "integer", true],
  ],
  {
    uniqueKeys: [["id"]],
    indexes: [
      ["customer_id", "total"],
      ["customer_id", "id"],
      ["status", "total"],
    ],
  },
);
const odd = table(
  "Odd Table",
  [
    ["Group Col", "text", true],
    ["v", "integer"],
  ],
  { indexes: [["Group Col", "v"]], schema: "public" },
);

describe("rewrite/group-min-max-loose-scan", () => {
  beforeAll(loadSqlParser);

  it("reads each group's min and max from the index", () => {
    const [rewrite] = rewritesOf(
      groupMinMaxLooseScan,
      "select customer_id, max(total), min(id) as first_id from orders group by customer_id order by customer_id",
      [orders],
    );
    expect(rewrite?.sql).toBe(
      "WITH RECURSIVE loose AS ((SELECT customer_id AS value FROM orders ORDER BY customer_id LIMIT 1) UNION ALL SELECT (SELECT customer_id FROM orders WHERE customer_id > loose.value ORDER BY customer_id LIMIT 1) FROM loose WHERE loose.value IS NOT NULL) SELECT loose.value AS customer_id, (SELECT max(total) FROM orders WHERE customer_id = loose.value) AS max, (SELECT min(id) FROM orders WHERE customer_id = loose.value) AS first_id FROM loose WHERE loose.value IS NOT NULL ORDER BY customer_id",
    );
    expect(rewrite?.assumptions[1]).toBe(
      "B-tree orders_idx_0, orders_idx_1 lead with customer_id (then the aggregated column)",
    );
  });

  it("keeps the schema the statement wrote, and awkward names", () => {
    expect(
      rewrittenSql(
        groupMinMaxLooseScan,
        `select max(t.v) as "Top V", t."Group Col" from public."Odd Table" t group by t."Group Col"`,
        [odd],
      ),
    ).toBe(
      `WITH RECURSIVE loose AS ((SELECT "Group Col" AS value FROM public."Odd Table" ORDER BY "Group Col" LIMIT 1) UNION ALL SELECT (SELECT "Group Col" FROM public."Odd Table" WHERE "Group Col" > loose.value ORDER BY "Group Col" LIMIT 1) FROM loose WHERE loose.value IS NOT NULL) SELECT (SELECT max(v) FROM public."Odd Table" WHERE "Group Col" = loose.value) AS "Top V", loose.value AS "Group Col" FROM loose WHERE loose.value IS NOT NULL`,
    );
  });

  it("declines a nullable group, other aggregates, filters and missing indexes", () => {
    for (const sql of [
      // status has NULLs: GROUP BY makes a NULL group the recursion never reaches
      "select status, max(total) from orders group by status",
      "select customer_id, count(*) from orders group by customer_id",
      "select customer_id, sum(total) from orders group by customer_id",
      "select customer_id, max(kind) from orders group by customer_id", // no (customer_id, kind) index
      "select customer_id, max(total) from orders where kind = 1 group by customer_id",
      "select customer_id, max(total) from orders group by customer_id having max(total) > 1",
      "select customer_id, max(total) from orders group by customer_id limit 3",
      "select customer_id, max(distinct total) from orders group by customer_id",
      "select customer_id, max(total) from only orders group by customer_id",
      "select customer_id as c, max(total) as customer_id from orders group by customer_id order by customer_id",
      "select kind, max(total) from orders group by kind",
    ])
      expect(rewrittenSql(groupMinMaxLooseScan, sql, [orders]), sql).toBe(null);
  });

  it("declines a group or aggregated column with a nondeterministic collation", () => {
    const tags = table(
      "tags",
      [
        ["name", "text", true],
        ["label", "text"],
      ],
      { indexes: [["name", "label"]] },
    );
    const sql = "select name, max(label) as top from tags group by name";
    expect(rewrittenSql(groupMinMaxLooseScan, sql, [tags])).not.toBe(null);
    for (const column of tags.columns) {
      const copy = structuredClone(tags);
      const target = copy.columns.find((c) => c.name === column.name) as {
        nondeterministicCollation?: string;
      };
      target.nondeterministicCollation = "ci";
      expect(rewrittenSql(groupMinMaxLooseScan, sql, [copy]), column.name).toBe(null);
    }
  });

  it("declines when FROM holds a function beside the table (it repeats or drops the table's rows)", () => {
    for (const sql of [
      "select customer_id, max(total) as mx from orders cross join lateral unnest(array[orders.kind]) group by customer_id",
      "select customer_id, max(total) from orders, generate_series(1, 2) group by customer_id",
      "select customer_id, max(total) from orders join (values (1)) v(x) on true group by customer_id",
    ])
      expect(rewrittenSql(groupMinMaxLooseScan, sql, [orders]), sql).toBe(null);
  });
});
