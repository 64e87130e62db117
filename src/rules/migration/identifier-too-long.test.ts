import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { identifierTooLong } from "./identifier-too-long.js";

describe("migration/identifier-too-long", () => {
  it("reports names over 63 bytes with the name PostgreSQL will really use", async () => {
    const long = "index_on_customer_orders_by_created_at_and_status_for_the_dashboard";
    const [f] = await lintSql(identifierTooLong, `create index ${long} on orders (created_at, status);`);
    expect(f?.severity).toBe("warning");
    // PostgreSQL 15 printed: identifier "index_on_..." will be truncated to "index_on_customer_orders_by_created_at_and_status_for_the_dashb"
    expect(f?.detail).toBe(
      `"${long}" (67 bytes) becomes "index_on_customer_orders_by_created_at_and_status_for_the_dashb"`,
    );
  });

  it("counts bytes, not characters, and cuts at a character boundary", async () => {
    const name = "é".repeat(32); // 64 bytes
    const [f] = await lintSql(identifierTooLong, `alter table t add column "${name}" int;`);
    expect(f?.detail).toBe(`"${name}" (64 bytes) becomes "${"é".repeat(31)}"`);
  });

  it("is quiet for names of 63 bytes and for long string literals", async () => {
    expect(
      await lintSql(
        identifierTooLong,
        `create table ${"a".repeat(63)} (note text default '${"x".repeat(100)}');`,
      ),
    ).toEqual([]);
  });
});
