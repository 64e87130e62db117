import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { offsetToKeyset } from "./offset-to-keyset.js";
import { deparseStatement } from "./rewrite-tree-shape.js";

beforeAll(loadSqlParser);

const events = table(
  "events",
  [
    ["id", "bigint", true],
    ["kind", "text"],
    ["at", "timestamptz", true],
  ],
  { uniqueKeys: [["id"]], indexes: [["id"], ["at"]] },
);
const same = (sql: string) => deparseStatement(parseSql(sql));

describe("rewrite/offset-to-keyset", () => {
  it("turns OFFSET on a unique NOT NULL key into a keyset predicate with a new parameter", () => {
    const [rewrite] = rewritesOf(
      offsetToKeyset,
      "select id, kind from events where kind = $1 order by id limit 20 offset 4000",
      [events],
    );
    expect(rewrite?.sql).toBe(
      same("select id, kind from events where kind = $1 and events.id > $2 order by id limit 20"),
    );
    expect(rewrite?.addedParameters?.[0]?.number).toBe(2);
    expect(rewrite?.addedParameters?.[0]?.valueSql).toBe(
      same("select events.id from events where kind = $1 order by id limit 1 offset 3999"),
    );
    expect(rewrite?.why).toMatch(/must pass the previous page's last id as \$2/);
  });

  it("uses < for a descending order", () => {
    expect(
      rewrittenSql(offsetToKeyset, "select * from events e order by e.id desc limit 10 offset 10", [events]),
    ).toBe(same("select * from events e where e.id < $1 order by e.id desc limit 10"));
  });

  it("declines a non-unique order (ties), joins, aggregates and OFFSET without LIMIT", () => {
    for (const sql of [
      "select * from events order by at limit 10 offset 100",
      "select * from events order by kind limit 10 offset 100",
      "select * from events join events e2 using (id) order by id limit 10 offset 100",
      "select count(*) over () from events order by id limit 10 offset 100",
      "select * from events order by id offset 100",
      "select * from events order by id limit 10 offset 0",
    ])
      expect(rewrittenSql(offsetToKeyset, sql, [events]), sql).toBeNull();
  });

  it("declines when a set-returning function gives one key several rows (a page can end among them)", () => {
    for (const sql of [
      "select id, unnest(array[kind, kind]) from events order by id limit 20 offset 4000",
      "select id, generate_series(1, 3) as n from events order by id limit 20 offset 4000",
    ])
      expect(rewrittenSql(offsetToKeyset, sql, [events]), sql).toBe(null);
  });
});
