import { describe, expect, it } from "vitest";
import { captureSnapshot, healthFindings } from "../../../test/support/rule-harness.js";
import { fkWithoutIndex } from "./fk-without-index.js";

describe("health/fk-without-index", () => {
  it.each(["pg15", "pg18"] as const)("finds invoices.account_id and writes its index (%s)", (version) => {
    const [finding] = healthFindings(fkWithoutIndex, version);
    expect(finding?.evidence).toMatchObject({
      constraint: "invoices_account_id_fkey",
      columns: "account_id",
      referencedTable: "accounts",
    });
    expect(Number(finding?.evidence.referencedDeletesAndUpdates)).toBeGreaterThan(0);
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON invoices (account_id);");
  });

  it("accepts a primary key or index whose leading columns are the foreign key", () => {
    // orders.customer_id has its own index; order_items.order_id leads the primary key (order_id, line).
    expect(
      healthFindings(fkWithoutIndex, "pg18", { snapshot: captureSnapshot("pg18") }).map(
        (f) => f.evidence.constraint,
      ),
    ).toEqual(["order_items_product_id_fkey"]);
  });
});
