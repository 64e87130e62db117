import { beforeAll, describe, expect, it } from "vitest";
import { rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { deparseStatement } from "./rewrite-tree-shape.js";
import { sargableArithmetic } from "./sargable-arithmetic.js";

beforeAll(loadSqlParser);

const t = table(
  "t",
  [
    ["id", "integer", true],
    ["small", "smallint"],
    ["amount", "numeric(12,2)"],
    ["ratio", "double precision"],
    ["plain", "integer"],
  ],
  { indexes: [["id"], ["small"], ["amount"], ["ratio"]] },
);
const same = (sql: string) => deparseStatement(parseSql(sql));
const rewrite = (sql: string) => rewrittenSql(sargableArithmetic, sql, [t]);

describe("rewrite/sargable-arithmetic", () => {
  it("moves + and - to the constant, either side, keeping the operator", () => {
    expect(rewrite("select * from t where id + 1 = 5")).toBe(same("select * from t where id = 4"));
    expect(rewrite("select * from t where 10 + id >= 15")).toBe(same("select * from t where id >= 5"));
    expect(rewrite("select * from t where id - 3 < 7")).toBe(same("select * from t where id < 10"));
    expect(rewrite("select * from t where 7 > id - 3")).toBe(same("select * from t where id < 10"));
    expect(rewrite("select * from t where amount + 100 > 250")).toBe(
      same("select * from t where amount > 150"),
    );
  });

  it("declines floats, k - col, parameters, unindexed columns and constants beyond the column's type", () => {
    for (const sql of [
      "select * from t where ratio + 1 = 2",
      "select * from t where 10 - id = 3",
      "select * from t where id + 1 = $1",
      "select * from t where plain + 1 = 3",
      "select * from t where small + 1 = 40000",
      "select * from t where id + 1.5 = 3",
    ])
      expect(rewrite(sql), sql).toBeNull();
  });
});
