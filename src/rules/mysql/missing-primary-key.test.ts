import { describe, expect, it } from "vitest";
import { column, index, mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlMissingPrimaryKey } from "./missing-primary-key.js";

describe("mysql/missing-primary-key", () => {
  it("reports tables without one, promoting a unique index on NOT NULL columns when there is one", () => {
    const facts = mysqlFacts({
      tables: [table("has_pk"), table("log"), table("users")],
      columns: [column("users", "email", "varchar(100)")],
      indexes: [
        index("has_pk", "PRIMARY", ["id"]),
        index("users", "users_email", ["email"], { unique: true }),
      ],
    });
    const findings = mysqlMissingPrimaryKey.check({ mysql: facts }, defaultOptions(mysqlMissingPrimaryKey));
    expect(findings.map((f) => f.evidence.table)).toEqual(["log", "users"]);
    expect(findings[0]?.fix?.sql).toBeUndefined();
    expect(String(checkMysqlSql(String(findings[1]?.fix?.sql), 1))).toBe(
      "ALTER TABLE `shop`.`users` ADD PRIMARY KEY (`email`)",
    );
  });
});
