import { describe, expect, it } from "vitest";
import { column, mysqlFacts } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlFkTypeMismatch } from "./fk-type-mismatch.js";

const fk = {
  schema: "shop",
  table: "orders",
  name: "orders_customer",
  columns: ["customer_id"],
  refSchema: "shop",
  refTable: "customers",
  refColumns: ["id"],
  onDelete: "CASCADE",
  onUpdate: "RESTRICT",
};
const run = (childType: string, parentType: string) =>
  mysqlFkTypeMismatch.check(
    {
      mysql: mysqlFacts({
        columns: [column("orders", "customer_id", childType), column("customers", "id", parentType)],
        foreignKeys: [fk],
      }),
    },
    defaultOptions(mysqlFkTypeMismatch),
  );

describe("mysql/fk-type-mismatch", () => {
  it("ignores integer display widths and reports real differences", () => {
    expect(run("int(11)", "int")).toEqual([]);
    const [f] = run("int(11)", "bigint(20) unsigned");
    expect(f?.evidence).toMatchObject({ columnType: "int(11)", referencedType: "bigint(20) unsigned" });
  });

  it("drops the key, changes the column and adds the key back with its rules", () => {
    const sql = String(run("varchar(50)", "varchar(100)")[0]?.fix?.sql);
    checkMysqlSql(sql, 2);
    expect(sql).toBe(
      "ALTER TABLE `shop`.`orders` DROP FOREIGN KEY `orders_customer`;\nALTER TABLE `shop`.`orders` MODIFY COLUMN `customer_id` varchar(100) NOT NULL, ADD CONSTRAINT `orders_customer` FOREIGN KEY (`customer_id`) REFERENCES `shop`.`customers` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT;",
    );
  });
});
