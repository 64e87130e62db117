import { describe, expect, it } from "vitest";
import { index, mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { mysqlIndexEndsWithPrimaryKey } from "./index-ends-with-primary-key.js";

const facts = mysqlFacts({
  tables: [table("customers"), table("orders")],
  indexes: [
    index("customers", "PRIMARY", ["id"]),
    index("customers", "customers_email", ["email"]),
    index("customers", "customers_email_id", ["email", "id"]),
    index("orders", "PRIMARY", ["id"]),
    index("orders", "orders_total_id", ["total", "id"]),
    index("orders", "orders_code_unique_id", ["code", "id"], { unique: true }),
  ],
});

describe("mysql/index-ends-with-primary-key", () => {
  it("shortens a secondary index ending in the primary key, unless a twin exists (reported as duplicate)", () => {
    const findings = mysqlIndexEndsWithPrimaryKey.check({ mysql: facts }, {});
    expect(findings.map((f) => f.evidence.index)).toEqual(["orders_total_id"]);
    expect(String(findings[0]?.fix?.sql)).toBe(
      "ALTER TABLE `shop`.`orders` DROP INDEX `orders_total_id`, ADD INDEX `orders_total_id` (`total`), ALGORITHM=INPLACE, LOCK=NONE",
    );
  });

  it("leaves MyISAM tables alone: they do not append the key", () => {
    const myisam = { ...facts, tables: [table("orders", { engine: "MyISAM" })] };
    expect(mysqlIndexEndsWithPrimaryKey.check({ mysql: myisam }, {})).toEqual([]);
  });
});
