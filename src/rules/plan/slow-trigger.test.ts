import { describe, expect, it } from "vitest";
import { captureSnapshot, planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { slowTrigger } from "./slow-trigger.js";

describe("plan/slow-trigger", () => {
  it("finds the foreign-key checks of a bulk insert", () => {
    const findings = planRuleFindings(slowTrigger, "pg18", "insert-fk-check", { snapshot: true });
    expect(findings.map((f) => f.evidence.constraint).sort()).toEqual([
      "order_items_order_id_fkey",
      "order_items_product_id_fkey",
    ]);
    // order_items (order_id, line) is the primary key, so the referencing column is indexed.
    expect(
      findings.find((f) => f.evidence.constraint === "order_items_order_id_fkey")?.fix?.sql,
    ).toBeUndefined();
  });

  it("writes the missing index of a cascading foreign key", () => {
    const text = `Delete on customers  (cost=0.29..8.66 rows=0 width=0) (actual time=0.02..0.02 rows=0 loops=1)
  ->  Index Scan using customers_pkey on customers  (cost=0.29..8.66 rows=21 width=6) (actual time=0.003..0.005 rows=20 loops=1)
        Index Cond: (id <= 20)
Trigger for constraint orders_customer_id_fkey: time=950.000 calls=20
Execution Time: 1000.000 ms`;
    const snapshot = captureSnapshot("pg18");
    snapshot.indexes = snapshot.indexes.filter((i) => i.name !== "orders_customer_id_idx");
    const [finding] = planTextFindings(slowTrigger, text, snapshot);
    expect(finding?.severity).toBe("error");
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON orders (customer_id);");
  });

  it("points at the function of a user trigger", () => {
    const [finding] = planRuleFindings(slowTrigger, "pg18", "update-trigger-verbose", {
      options: { minMs: 0.1, minShare: 0.05 },
    });
    expect(finding?.evidence.trigger).toBe("orders_touch");
  });
});
