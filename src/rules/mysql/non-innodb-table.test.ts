import { describe, expect, it } from "vitest";
import { mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlNonInnodbTable } from "./non-innodb-table.js";

describe("mysql/non-innodb-table", () => {
  it("reports MyISAM and Aria tables, not InnoDB ones or views", () => {
    const facts = mysqlFacts({
      tables: [
        table("a", { engine: "MyISAM" }),
        table("b"),
        table("c", { engine: "Aria" }),
        table("v", { engine: null }),
      ],
    });
    const findings = mysqlNonInnodbTable.check({ mysql: facts }, defaultOptions(mysqlNonInnodbTable));
    expect(findings.map((f) => f.evidence.table)).toEqual(["a", "c"]);
    expect(checkMysqlSql(String(findings[0]?.fix?.sql), 1)).toBe("ALTER TABLE `shop`.`a` ENGINE=InnoDB");
  });
});
