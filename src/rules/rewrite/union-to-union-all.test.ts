import { beforeAll, describe, expect, it } from "vitest";
import { userFunction } from "../../../test/support/pg-catalog-functions.js";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { unionToUnionAll } from "./union-to-union-all.js";

const events = table(
  "events",
  [
    ["id", "bigint", true],
    ["kind", "integer"],
    ["label", "text"],
    ["code", "character(2)"],
    ["alt", "integer"],
  ],
  { uniqueKeys: [["id"], ["alt"]] },
);
const archive = table("Events Archive", [
  ["id", "bigint", true],
  ["kind", "integer"],
]);
archive.uniqueKeys = [["id"]];

describe("rewrite/union-to-union-all", () => {
  beforeAll(loadSqlParser);

  it("rewrites branches of one table with non-overlapping constants and ranges on one column", () => {
    const [rewrite] = rewritesOf(
      unionToUnionAll,
      "select id, label from events where kind = 1 union select id, label from events where kind in (2, 3) union select id, label from events where kind > 3 order by id",
      [events],
    );
    expect(rewrite?.sql).toBe(
      "(SELECT id, label FROM events WHERE kind = 1 UNION ALL SELECT id, label FROM events WHERE kind IN (2, 3)) UNION ALL SELECT id, label FROM events WHERE kind > 3 ORDER BY id",
    );
    expect(rewrite?.assumptions).toContain("events rows are unique by (id), NOT NULL, selected");
  });

  it("reads ranges split at a bound, a discriminating constant column, and awkward names", () => {
    expect(
      rewrittenSql(
        unionToUnionAll,
        "select * from events where kind < 10 and kind >= 0 union select * from events where kind between 10 and 20",
        [events],
      ),
    ).toBe(
      "SELECT * FROM events WHERE kind < 10 AND kind >= 0 UNION ALL SELECT * FROM events WHERE kind BETWEEN 10 AND 20",
    );
    expect(
      rewrittenSql(
        unionToUnionAll,
        `select 'live' as src, id from events union select 'old', id from "Events Archive"`,
        [events, archive],
      ),
    ).toBe(`SELECT 'live' AS src, id FROM events UNION ALL SELECT 'old', id FROM "Events Archive"`);
  });

  it("declines when branches can overlap", () => {
    for (const sql of [
      "select id from events where kind <= 10 union select id from events where kind >= 10",
      "select id from events where kind in (1, 2) union select id from events where kind = 2",
      "select id from events where kind = 1 union select id from events where kind = $1",
      "select id from events where label = 'a' union select id from events where kind = 2",
      "select 'x' as src, id from events union select 'x', id from \"Events Archive\"",
      "select 1 as src, id from events union select '2', id from \"Events Archive\"",
      // bpchar pads: 'a' and 'a ' are equal
      "select id, code from events where code = 'a' union select id, code from events where code = 'a '",
    ])
      expect(rewrittenSql(unionToUnionAll, sql, [events, archive]), sql).toBe(null);
  });

  it("declines when a branch can return a row twice (duplicates UNION removes)", () => {
    for (const sql of [
      "select kind from events where kind = 1 union select kind from events where kind = 2",
      // alt is unique but nullable: two NULL rows are duplicates
      "select alt, kind from events where kind = 1 union select alt, kind from events where kind = 2",
      "select e.id from events e join events f on f.kind = e.kind where e.kind = 1 union select id from events where kind = 2",
      "select distinct kind from events where kind = 1 union select kind from events where kind = 2",
      "select id from events where kind = 1 union all select id from events where kind = 1 union select id from events where kind = 2",
    ])
      expect(rewrittenSql(unionToUnionAll, sql, [events]), sql).toBe(null);
  });

  it("declines strings on a column with a nondeterministic collation: 'eu' and 'EU' can be the same value", () => {
    const regions = table(
      "regions",
      [
        ["id", "bigint", true],
        ["name", "text"],
      ],
      { uniqueKeys: [["id"]] },
    );
    const sql = "select id from regions where name = 'eu' union select id from regions where name = 'EU'";
    expect(rewrittenSql(unionToUnionAll, sql, [regions])).toBe(
      "SELECT id FROM regions WHERE name = 'eu' UNION ALL SELECT id FROM regions WHERE name = 'EU'",
    );
    (regions.columns[1] as { nondeterministicCollation?: string }).nondeterministicCollation = "ci";
    expect(rewrittenSql(unionToUnionAll, sql, [regions])).toBe(null);
  });

  it("declines a branch whose select list calls a set-returning function (it repeats a row)", () => {
    const tagged = table(
      "tagged",
      [
        ["id", "bigint", true],
        ["kind", "integer"],
        ["tags", "text[]"],
      ],
      {
        uniqueKeys: [["id"]],
      },
    );
    const functions = [userFunction("tags_of", 1, { returnsSet: true, volatile: false })];
    for (const sql of [
      "select id, unnest(tags) as tag from tagged where kind = 1 union select id, unnest(tags) from tagged where kind = 2",
      "select id, 'a' as src from tagged where kind = 1 union select id, tags_of(id) from tagged where kind = 2",
      "select id, tags_of(id) from tagged where kind = 1 union select id, tags_of(id) from tagged where kind = 2",
      "select id from tagged, unnest(tags) where kind = 1 union select id from tagged where kind = 2",
      "(select id from tagged where kind = 1 order by generate_series(1, 2)) union select id from tagged where kind = 2",
    ])
      expect(rewrittenSql(unionToUnionAll, sql, [tagged], 150000, functions), sql).toBe(null);
  });

  it("declines a table name a WITH binds: the CTE has no key", () => {
    const sql =
      "with events as (select id, label, kind from events union all select id, label, kind from events) select id, label from events where kind = 1 union select id, label from events where kind = 2";
    expect(rewrittenSql(unionToUnionAll, sql, [events])).toBe(null);
  });
});
