import { describe, expect, it } from "vitest";
import { mysqlStatementKind } from "./mysql-statement-kind.js";

describe("mysqlStatementKind", () => {
  it("reads the verb past comments, parentheses and CTEs", () => {
    expect(mysqlStatementKind("/* x */ select 1").verb).toBe("select");
    expect(mysqlStatementKind("(SELECT a FROM t) UNION (SELECT b FROM u)").verb).toBe("select");
    expect(
      mysqlStatementKind("WITH d AS (SELECT id FROM t) DELETE FROM t WHERE id IN (SELECT id FROM d)"),
    ).toMatchObject({ verb: "delete", writes: true, explainable: true });
    expect(mysqlStatementKind("with c as (select 1) select * from c")).toMatchObject({
      verb: "select",
      writes: false,
    });
  });

  it("knows what writes and what EXPLAIN takes", () => {
    expect(mysqlStatementKind("UPDATE t SET a = 'select' WHERE id = 1")).toMatchObject({
      verb: "update",
      writes: true,
    });
    expect(mysqlStatementKind("select * from t where id = 1 for update").writes).toBe(true);
    expect(mysqlStatementKind("select * from t lock in share mode").writes).toBe(true);
    expect(mysqlStatementKind("select 'for update' from t").writes).toBe(false);
    expect(mysqlStatementKind("DROP TABLE t").explainable).toBe(false);
  });

  it("counts statements, ignoring semicolons in strings and a trailing one", () => {
    expect(mysqlStatementKind("select ';' from t;").statements).toBe(1);
    expect(mysqlStatementKind("select 1; drop table t").statements).toBe(2);
  });
});
