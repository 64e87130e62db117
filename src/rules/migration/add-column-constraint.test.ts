import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { addColumnConstraint } from "./add-column-constraint.js";

const DJANGO = readFileSync(
  new URL("../../../test/fixtures/migrations/django-widen-and-link/0002_widen_and_link.sql", import.meta.url),
  "utf8",
);

describe("migration/add-column-constraint", () => {
  it("reports Django's unique field and foreign key, with the bare column, the concurrent index and NOT VALID", async () => {
    const findings = await lintSql(addColumnConstraint, DJANGO);
    expect(findings.map((f) => [f.location?.line, f.severity, f.evidence.lock])).toEqual([
      [5, "error", "AccessExclusiveLock"],
      [9, "error", "AccessExclusiveLock"],
    ]);
    expect(findings[0]?.title).toBe(
      "REFERENCES on the new column shop_product.customer_id blocks writes to shop_customer and is built while shop_product is locked",
    );
    expect(findings[0]?.fix?.sql).toBe(
      [
        'ALTER TABLE "shop_product" ADD COLUMN "customer_id" bigint NULL;',
        'ALTER TABLE shop_product ADD CONSTRAINT shop_product_customer_id_7d3a0e99_fk_shop_customer_id FOREIGN KEY (customer_id) REFERENCES "shop_customer"("id") DEFERRABLE INITIALLY DEFERRED NOT VALID;',
        "ALTER TABLE shop_product VALIDATE CONSTRAINT shop_product_customer_id_7d3a0e99_fk_shop_customer_id;",
      ].join("\n"),
    );
    expect(findings[1]?.fix?.sql).toBe(
      [
        'ALTER TABLE "shop_product" ADD COLUMN "sku" varchar(40) NULL;',
        "CREATE UNIQUE INDEX CONCURRENTLY shop_product_sku_key ON shop_product (sku);",
        "ALTER TABLE shop_product ADD CONSTRAINT shop_product_sku_key UNIQUE USING INDEX shop_product_sku_key;",
      ].join("\n"),
    );
  });

  it("keeps ON DELETE SET DEFAULT with its foreign key and NOT NULL DEFAULT with the column, quoting awkward names", async () => {
    const [fk] = await lintSql(
      addColumnConstraint,
      'alter table "App"."Order Items" add column "Owner" int not null default 0 references "App".users (id) on delete set default check ("Owner" >= 0);',
    );
    expect(fk?.title).toBe(
      "REFERENCES and CHECK on the new column App.Order Items.Owner blocks writes to App.users and is built while App.Order Items is locked",
    );
    expect(fk?.fix?.sql).toBe(
      [
        'alter table "App"."Order Items" add column "Owner" int not null default 0;',
        'ALTER TABLE "App"."Order Items" ADD CONSTRAINT "Order Items_Owner_fkey" FOREIGN KEY ("Owner") references "App".users (id) on delete set default NOT VALID;',
        'ALTER TABLE "App"."Order Items" VALIDATE CONSTRAINT "Order Items_Owner_fkey";',
        'ALTER TABLE "App"."Order Items" ADD CONSTRAINT "Order Items_Owner_check" check ("Owner" >= 0) NOT VALID;',
        'ALTER TABLE "App"."Order Items" VALIDATE CONSTRAINT "Order Items_Owner_check";',
      ].join("\n"),
    );
  });

  it("gives advice without SQL when the ALTER does more than add the column, and is quiet on new tables", async () => {
    const [f] = await lintSql(
      addColumnConstraint,
      "alter table t add column code text unique, add column n int;",
    );
    expect(f?.fix?.sql).toBeUndefined();
    expect(
      await lintSql(
        addColumnConstraint,
        "create table t (id int);\nalter table t add column code text unique;",
      ),
    ).toEqual([]);
    expect(
      await lintSql(addColumnConstraint, "alter table t add column code text not null default '';"),
    ).toEqual([]);
  });
});
