import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { duplicateColumn } from "./duplicate-column.js";

// Each statement below was checked on PostgreSQL 15: the first set is refused, the second accepted.
describe("migration/duplicate-column", () => {
  it("reports a column taken twice wherever PostgreSQL refuses it", async () => {
    const refused: Array<[string, string]> = [
      ["update k set a = 1, b = 2, a = 3;", "UPDATE ... SET"],
      ["update k set (a, b) = (1, 2), a = 3;", "UPDATE ... SET"],
      ["update k set a = row(1, 2), a.x = 1;", "UPDATE ... SET"],
      ["insert into t (a, a) values (1, 2);", "INSERT's column list"],
      ["insert into k values (1) on conflict (id) do update set a = 1, a = 2;", "ON CONFLICT DO UPDATE SET"],
      [
        "merge into k using j on k.id = j.id when matched then update set a = 1, a = 2;",
        "MERGE's UPDATE SET",
      ],
      [
        "merge into t using s on t.id = s.id when not matched then insert (a, a) values (1, 2);",
        "MERGE's INSERT column list",
      ],
      ['create table t ("A" int, "A" text);', "CREATE TABLE t"],
      ["create foreign table t (a int, a text) server s;", "CREATE TABLE t"],
      ["create view v (a, a) as select 1, 2;", "the view's columns"],
      ["create view v as select 1, 2;", "the view's columns"],
      ["select 1 a, 2 a into z;", "SELECT INTO's columns"],
      ["create table z as select k.a, j.a from k, j;", "CREATE TABLE AS's columns"],
      ["create table z (x, x) as select k.a, j.b from k, j;", "CREATE TABLE AS's columns"],
      ["create materialized view z (x, x) as select k.a, j.b from k, j;", "CREATE TABLE AS's columns"],
    ];
    for (const [sql, where] of refused) {
      const [f] = await lintSql(duplicateColumn, sql);
      expect(f?.title, sql).toMatch(new RegExp(`is named twice in ${where.replace(/[.()]/g, "\\$&")}:`));
      expect(f?.severity).toBe("error");
    }
  });

  it("is quiet for fields and elements of one column, names that differ in case, and views whose aliases differ", async () => {
    for (const sql of [
      "update k set a.x = 1, a.y = 2;",
      "update k set a.x = 1, a.x = 2;",
      "update k set c[1] = 1, c[2] = 2;",
      'update k set "A" = 1, A = 2;',
      "insert into k (a.x, a.y) values (1, 2);",
      "create view v (a, b) as select 1 a, 2 a;",
      "create table t1 (x, y) as select a.id, b.id from a join b on a.v = b.v;",
      "create materialized view mv1 (x, y) as select a.id, b.id from a join b on a.v = b.v;",
      "select 1 a, 2 b into z;",
      "create view w as select *, t.* from t;",
    ])
      expect(await lintSql(duplicateColumn, sql), sql).toEqual([]);
  });
});
