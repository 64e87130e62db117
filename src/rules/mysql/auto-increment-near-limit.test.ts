import { describe, expect, it } from "vitest";
import { column, index, mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { integerMax, mysqlAutoIncrementNearLimit } from "./auto-increment-near-limit.js";

const facts = (next: number, type = "tinyint(4)") =>
  mysqlFacts({
    tables: [table("t", { autoIncrement: next })],
    columns: [column("t", "id", type, { extra: "auto_increment" })],
    indexes: [index("t", "PRIMARY", ["id"])],
  });
const run = (next: number, type?: string) =>
  mysqlAutoIncrementNearLimit.check(
    { mysql: facts(next, type) },
    defaultOptions(mysqlAutoIncrementNearLimit),
  );

describe("mysql/auto-increment-near-limit", () => {
  it("knows each integer type's range", () => {
    expect(integerMax("tinyint", false)).toBe(127);
    expect(integerMax("tinyint", true)).toBe(255);
    expect(integerMax("int", true)).toBe(4294967295);
    expect(integerMax("varchar", true)).toBeNull();
  });

  it("warns from 75%, errors from 90%, and widens the type", () => {
    expect(run(90)).toEqual([]);
    expect(run(100)[0]?.severity).toBe("warning");
    const [f] = run(120);
    expect(f?.severity).toBe("error");
    expect(checkMysqlSql(String(f?.fix?.sql), 1)).toBe(
      "ALTER TABLE `shop`.`t` MODIFY COLUMN `id` SMALLINT NOT NULL AUTO_INCREMENT",
    );
    expect(String(run(4_000_000_000, "int(10) unsigned")[0]?.fix?.sql)).toContain("BIGINT UNSIGNED");
  });
});
