import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { constraintValidatedInPlace } from "./constraint-validated-in-place.js";

describe("migration/constraint-validated-in-place", () => {
  it("reports a foreign key and a check validated in place, and UNIQUE without USING INDEX", async () => {
    const findings = await lintSql(
      constraintValidatedInPlace,
      `alter table orders add constraint orders_customer_fk foreign key (customer_id) references customers (id);
       alter table orders add constraint positive check (total > 0);
       alter table orders add constraint orders_ref_key unique (ref);`,
    );
    expect(findings.map((f) => f.evidence.lock)).toEqual([
      "ShareRowExclusiveLock",
      "AccessExclusiveLock",
      "AccessExclusiveLock",
    ]);
    expect(findings[0]?.fix?.sql).toContain(
      "NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;",
    );
    expect(findings[2]?.fix?.sql).toContain(
      "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key ON orders (ref);",
    );
  });

  it("is quiet for NOT VALID, USING INDEX, and new tables", async () => {
    expect(
      await lintSql(
        constraintValidatedInPlace,
        `alter table orders add constraint fk foreign key (customer_id) references customers (id) not valid;
         alter table orders add constraint orders_ref_key unique using index orders_ref_key;
         create table t (a int);
         alter table t add constraint c check (a > 0);`,
      ),
    ).toEqual([]);
  });
});
