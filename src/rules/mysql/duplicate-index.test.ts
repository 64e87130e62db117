import { describe, expect, it } from "vitest";
import { index, mysqlFacts, table } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlDuplicateIndex } from "./duplicate-index.js";

/** The indexes of test/fixtures/mysql/check-conditions.sql's customers and orders tables. */
const CONDITIONS_FACTS = mysqlFacts({
  tables: [table("customers"), table("orders")],
  indexes: [
    index("customers", "PRIMARY", ["id"]),
    index("customers", "customers_code", ["code"], { unique: true }),
    index("customers", "customers_email", ["email"]),
    index("customers", "customers_email_again", ["email"]),
    index("customers", "customers_country", ["country"]),
    index("customers", "customers_country_email", ["country", "email"]),
    index("customers", "customers_email_id", ["email", "id"]),
    index("orders", "PRIMARY", ["id"]),
    index("orders", "orders_total_id", ["total", "id"]),
  ],
});

const remaining = (dropped: string[]) =>
  CONDITIONS_FACTS.indexes
    .filter((i) => !dropped.includes(i.name))
    .map((i) => `${i.table}(${i.columns.map((c) => c.name).join(",")})`);

describe("mysql/duplicate-index", () => {
  const findings = mysqlDuplicateIndex.check(
    { mysql: CONDITIONS_FACTS },
    defaultOptions(mysqlDuplicateIndex),
  );

  it("finds twins (InnoDB's appended key counted) and leftmost prefixes, keeping one of each", () => {
    expect(findings.map((f) => f.evidence.index).sort()).toEqual([
      "customers_country",
      "customers_email_again",
      "customers_email_id",
    ]);
    for (const f of findings) checkMysqlSql(String(f.fix?.sql), 1);
  });

  it("leaves the same index entries as pt-duplicate-key-checker's statements (test/fixtures/mysql)", () => {
    // pt-duplicate-key-checker drops customers_email, customers_email_again and customers_country, and
    // shortens customers_email_id to (email): one index on email, one on (country, email), as here.
    const ours = new Set(remaining(findings.map((f) => String(f.evidence.index))));
    const theirs = new Set([
      ...remaining(["customers_email", "customers_email_again", "customers_country", "customers_email_id"]),
      "customers(email)",
    ]);
    expect(ours).toEqual(theirs);
  });

  it("keeps a unique index and the primary key, and a shorter unique index", () => {
    const f = mysqlFacts({
      tables: [table("t")],
      indexes: [
        index("t", "PRIMARY", ["id"]),
        index("t", "t_id", ["id"]),
        index("t", "t_a_unique", ["a"], { unique: true }),
        index("t", "t_a_b", ["a", "b"]),
      ],
    });
    expect(mysqlDuplicateIndex.check({ mysql: f }, {}).map((x) => x.evidence.index)).toEqual(["t_id"]);
  });
});
