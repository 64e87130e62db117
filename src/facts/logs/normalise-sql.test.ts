import { beforeAll, describe, expect, it } from "vitest";
import { fingerprintSql, loadSqlParser } from "../../util/sql-parser.js";
import { Fingerprinter } from "./fingerprinter.js";
import { normaliseSql } from "./normalise-sql.js";

beforeAll(loadSqlParser);

describe("normaliseSql", () => {
  it.each([
    ["SELECT *\n  FROM Orders WHERE id = 42", "select * from orders where id = $1"],
    ["select 'it''s', E'a\\'b', 1.5e-3, -7 from t", "select $1, $1, $1, -$1 from t"],
    ["select $$body$$, $q$x$q$ from t where a = $3", "select $1, $1 from t where a = $1"],
    ['select "CamelCase".id from "CamelCase" -- trailing\n', 'select "CamelCase".id from "CamelCase"'],
    ["select /* app:checkout */ t1.c2 from t1;", "select t1.c2 from t1"],
    ["select f( a , b ) , c from t", "select f(a, b), c from t"],
    ["select é from tàble where x = 'ü'", "select é from tàble where x = $1"],
  ])("%j → %j", (sql, expected) => {
    expect(normaliseSql(sql)).toBe(expected);
  });
});

/** Statements that must share one fingerprint, as libpg-query decides, and ones that must not. */
const SAME = [
  [
    "select * from t where id in (1, 2, 3)",
    "select * from t where id in (4)",
    "SELECT * FROM t WHERE id IN ($1,$2)",
  ],
  ["select a as total from t where b = 'v'", "select a as sum_total from t where b = 'w'"],
  ["insert into t (a, b) values (1, 'x')", "INSERT INTO t (a, b) VALUES ($1, $2)"],
  ["update t set a = 1 where id = 2 -- one", "update   t set a = 99 where id = 3 /* two */"],
  ["set work_mem = '64kB'", "set work_mem = '1GB'"],
];
const DIFFERENT = [
  ["select a from t where id = 1", "select b from t where id = 1"],
  ["select a from t where id = 1", "select a from t where id > 1"],
  ["select a from t order by a", "select a from t order by a desc"],
  // libpg-query keeps LOAD's file name: one library is not another.
  ["load 'auto_explain'", "load 'pg_stat_statements'"],
];

describe("Fingerprinter", () => {
  it.each(SAME)("groups %j with its variants", (...sqls) => {
    const f = new Fingerprinter();
    const keys = sqls.map((s) => f.of(normaliseSql(s), s));
    expect(new Set(keys).size).toBe(1);
    // The key is libpg-query's own fingerprint of the statement as written.
    expect(keys[0]).toBe(fingerprintSql(sqls[0] as string));
  });

  it.each(DIFFERENT)("keeps %j and %j apart", (a, b) => {
    const f = new Fingerprinter();
    expect(f.of(normaliseSql(a), a)).not.toBe(f.of(normaliseSql(b), b));
  });

  it("parses each normalised text once, and keeps text that does not parse under its own key", () => {
    const f = new Fingerprinter();
    for (let i = 0; i < 1000; i++) {
      const sql = `select * from t where id = ${i}`;
      f.of(normaliseSql(sql), sql);
    }
    expect(f.parsed).toBe(1);
    // A statement the log truncated.
    const cut = "select a, b from t where c = 1 and (d";
    expect(f.of(normaliseSql(cut), cut)).toBe("text:select a, b from t where c = $1 and (d");
  });
});
