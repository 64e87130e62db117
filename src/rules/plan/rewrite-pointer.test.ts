import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { sargableRewriteFor } from "./rewrite-pointer.js";

describe("sargableRewriteFor", () => {
  beforeAll(loadSqlParser);

  it("names the rewrite rule for each filter shape EXPLAIN prints", () => {
    const cases: Array<[string, string, string]> = [
      ["(date(created_at) = '2024-02-01'::date)", "rewrite/sargable-date-function", "date(created_at)"],
      ["((created_at)::date = '2024-02-01'::date)", "rewrite/sargable-date-function", "created_at::date"],
      [
        "(date_trunc('month'::text, created_at) = '2024-02-01 00:00:00'::timestamp without time zone)",
        "rewrite/sargable-date-function",
        "date_trunc('month', created_at)",
      ],
      ["(EXTRACT(year FROM created_at) = '2024'::numeric)", "rewrite/sargable-date-function", "extract"],
      [
        "(to_char(created_at, 'YYYY-MM-DD'::text) = '2024-02-01'::text)",
        "rewrite/sargable-date-function",
        "to_char(created_at, 'YYYY-MM-DD')",
      ],
      ["((qty + 1) = 500)", "rewrite/sargable-arithmetic", "qty + 1"],
      ["(500 > (qty - 3))", "rewrite/sargable-arithmetic", "qty - 3"],
      ["((id)::text = '42'::text)", "rewrite/sargable-cast", "id::text"],
      ["((id)::numeric = 42.0)", "rewrite/sargable-cast", "id::numeric"],
      ["(COALESCE(status, 0) = 3)", "rewrite/coalesce-equality", "COALESCE(status, 0)"],
      ["(COALESCE(flag, false) AND (id > 10))", "rewrite/coalesce-equality", "COALESCE(flag, false)"],
      [`(("Odd Col" + 1) = 5)`, "rewrite/sargable-arithmetic", `"Odd Col" + 1`],
    ];
    for (const [filter, ruleId, shape] of cases) {
      const found = sargableRewriteFor(filter);
      expect(found?.ruleId, filter).toBe(ruleId);
      expect(found?.shape, filter).toContain(shape);
      expect(found?.note).toContain(`rule ${ruleId}`);
    }
  });

  it("asks for the literal value when the rule computes with it and the plan compares with a $n", () => {
    expect(sargableRewriteFor("((qty + 1) = $1)")?.note).toMatch(/statement with the value written in/);
    expect(sargableRewriteFor("(COALESCE(status, 0) = $2)")?.note).toMatch(/value written in/);
    // The date rule reads a $n as a date bound itself.
    expect(sargableRewriteFor("(date(created_at) = $1)")?.note).not.toMatch(/value written in/);
    expect(sargableRewriteFor("((qty + 1) = 500)")?.note).not.toMatch(/value written in/);
  });

  it("points nowhere for plain comparisons, other functions, and subqueries' own filters", () => {
    for (const filter of [
      "(status = 3)",
      "((ref)::text = 'x'::text AND (qty > 5))".replace("(ref)::text", "ref"),
      "(lower(email) = 'a@b'::text)",
      "((qty * 2) = 500)",
      "(10 - qty = 3)",
      "(NOT (hashed SubPlan 1))",
      "((id = 1) OR (qty > 500))",
    ])
      expect(sargableRewriteFor(filter), filter).toBe(null);
  });
});
