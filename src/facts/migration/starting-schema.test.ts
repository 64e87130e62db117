import { describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { schemaFromDump } from "./starting-schema.js";

const DUMP = new URL("../../../test/fixtures/migrations/django-widen-and-link/schema.sql", import.meta.url)
  .pathname;

describe("schemaFromDump", () => {
  it("reads tables, index owners and column types from a real pg_dump --schema-only file", async () => {
    await loadSqlParser();
    const schema = schemaFromDump(DUMP);
    expect([...schema.existing.keys()].sort()).toEqual([
      "django_migrations",
      "shop_customer",
      "shop_product",
    ]);
    expect(schema.columnTypes.get("shop_product")?.get("name")).toEqual({
      name: "varchar",
      mods: [255],
      array: false,
    });
    expect(schema.columnTypes.get("shop_product")?.get("price")).toEqual({
      name: "numeric",
      mods: [10, 2],
      array: false,
    });
    expect(schema.columnTypes.get("django_migrations")?.get("applied")?.name).toBe("timestamptz");
  });
});
