import { describe, expect, it } from "vitest";
import { checkMysqlSql } from "./mysql-sql-check.js";
import { mysqlIdent, mysqlQname, sql } from "./sql-text.js";

describe("checkMysqlSql", () => {
  it("counts statements outside quotes and comments", () => {
    const text = sql`ALTER TABLE ${mysqlQname("shop", "a;b`c")} DROP INDEX ${mysqlIdent("x'); DROP TABLE y; --")};
-- a comment; with a semicolon
SELECT 'it''s; fine', "a\\"; b" /* ; */`;
    expect(checkMysqlSql(text, 2)).toBe(text);
  });

  it("quotes a backtick in a name by doubling it", () => {
    expect(mysqlQname("s", "a`b")).toBe("`s`.`a``b`");
    expect(checkMysqlSql(`DROP INDEX ${mysqlIdent("i`; DROP TABLE t; `")} ON t`, 1)).toBeTruthy();
  });

  it("refuses a name that escaped its quotes, placeholders and unbalanced text", () => {
    expect(() => checkMysqlSql("DROP INDEX `i`; DROP TABLE t` ON t", 1)).toThrow(/unclosed/);
    expect(() => checkMysqlSql("ALTER TABLE t DROP INDEX i; DROP TABLE t", 1)).toThrow(/2 statements/);
    expect(() => checkMysqlSql("ALTER TABLE … ENGINE=InnoDB")).toThrow(/placeholder/);
    expect(() => checkMysqlSql("ALTER TABLE t ADD INDEX (a")).toThrow(/parentheses/);
    expect(() => checkMysqlSql("  -- only a comment")).toThrow(/no statement/);
  });
});
