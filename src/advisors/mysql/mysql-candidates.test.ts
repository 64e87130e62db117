import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../../facts/plan/plan-input.js";
import { candidatesFromPlan, planTables } from "./mysql-candidates.js";

/** Plans captured from MariaDB 10.11 (test/fixtures/plans/mariadb/capture-mariadb-plans.ts), with their statements. */
const dir = join(import.meta.dirname, "../../../test/fixtures/plans/mariadb");
const read = (name: string) => {
  const sql = readFileSync(join(dir, `${name}.sql`), "utf8");
  return { sql, plan: parsePlan(readFileSync(join(dir, `${name}.json`), "utf8")) };
};

describe("candidatesFromPlan", () => {
  it("indexes a scanned table's condition, equalities before the range", () => {
    const { sql, plan } = read("full-scan");
    expect(candidatesFromPlan(plan, sql)).toEqual([{ table: "orders", columns: ["note"] }]);
    const low = read("low-filtered");
    expect(candidatesFromPlan(low.plan, low.sql)).toEqual([
      { table: "orders", columns: ["status", "total"] },
    ]);
  });

  it("adds the ORDER BY columns a filesort of one table needs", () => {
    const { sql, plan } = read("filesort");
    expect(candidatesFromPlan(plan, sql)).toEqual([
      { table: "orders", columns: ["created_at"] },
      { table: "orders", columns: ["total"] },
    ]);
  });

  it("reads join columns through aliases: a lookup's ref and a block nested loop's condition", () => {
    const join = read("join-no-index");
    expect(candidatesFromPlan(join.plan, join.sql)).toEqual([{ table: "payments", columns: ["order_ref"] }]);
    expect(planTables(join.plan, join.sql).sort()).toEqual(["orders", "payments"]);
    const bnl = read("block-nl-join");
    expect(candidatesFromPlan(bnl.plan, bnl.sql)).toEqual([
      { table: "payments", columns: ["amount"] },
      { table: "customers", columns: ["region"] },
    ]);
  });

  it("proposes nothing for a statement served by unique lookups", () => {
    const { sql, plan } = read("good-lookup");
    expect(candidatesFromPlan(plan, sql)).toEqual([]);
  });
});
