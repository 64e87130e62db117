import { beforeAll, describe, expect, it } from "vitest";
import { rewritesOf, rewrittenSql, table } from "../../../test/support/rewrite-rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { coalesceEquality } from "./coalesce-equality.js";

const orders = table(
  "orders",
  [
    ["id", "bigint", true],
    ["status", "integer"],
    ["note", "text"],
    ["code", "character(3)"],
    ["flag", "boolean"],
  ],
  { uniqueKeys: [["id"]], indexes: [["status"]] },
);
const awkward = table("Odd Table", [["My Col", "integer"]]);

describe("rewrite/coalesce-equality", () => {
  beforeAll(loadSqlParser);

  it("drops the coalesce when the default cannot equal the value", () => {
    const rewrites = rewritesOf(
      coalesceEquality,
      "select id from orders where coalesce(status, 0) = 3 and id > 10",
      [orders],
    );
    expect(rewrites.map((r) => r.sql)).toEqual(["SELECT id FROM orders WHERE status = 3 AND id > 10"]);
    expect(rewrites[0]?.assumptions.join("\n")).toContain("orders.status is integer");
  });

  it("reads reversed sides, ranges, text and boolean forms", () => {
    expect(
      rewrittenSql(coalesceEquality, "select id from orders o where 5 < coalesce(o.status, 0)", [orders]),
    ).toBe("SELECT id FROM orders AS o WHERE o.status > 5");
    expect(
      rewrittenSql(coalesceEquality, "select id from orders where coalesce(note, '') = 'urgent'", [orders]),
    ).toBe("SELECT id FROM orders WHERE note = 'urgent'");
    expect(
      rewrittenSql(coalesceEquality, "select id from orders where coalesce(flag, false)", [orders]),
    ).toBe("SELECT id FROM orders WHERE flag");
  });

  it("quotes awkward names", () => {
    expect(
      rewrittenSql(coalesceEquality, `select 1 from "Odd Table" where coalesce("My Col", -1) = 7`, [awkward]),
    ).toBe(`SELECT 1 FROM "Odd Table" WHERE "My Col" = 7`);
  });

  it("declines when the default satisfies the comparison (NULL rows would be lost)", () => {
    expect(
      rewrittenSql(coalesceEquality, "select id from orders where coalesce(status, 0) = 0", [orders]),
    ).toBe(null);
    expect(
      rewrittenSql(coalesceEquality, "select id from orders where coalesce(status, 0) < 5", [orders]),
    ).toBe(null);
  });

  it("declines where false and NULL differ: under NOT, under OR, in the select list", () => {
    for (const sql of [
      "select id from orders where not (coalesce(status, 0) = 3)",
      "select id from orders where coalesce(status, 0) = 3 or id = 1",
      "select coalesce(status, 0) = 3 from orders",
    ])
      expect(rewrittenSql(coalesceEquality, sql, [orders]), sql).toBe(null);
  });

  it("declines on types where different constants can be equal, parameters, and unknown columns", () => {
    for (const sql of [
      "select id from orders where coalesce(code, 'ab') = 'ab '",
      "select id from orders where coalesce(note, 'a') < 'b'",
      "select id from orders where coalesce(status, 0) = $1",
      "select id from orders, other where coalesce(status, 0) = 3",
      "select id from missing where coalesce(status, 0) = 3",
    ])
      expect(rewrittenSql(coalesceEquality, sql, [orders]), sql).toBe(null);
  });

  it("declines a string comparison on a column with a nondeterministic collation, where 'x' = 'X' can hold", () => {
    const ci = table("people", [
      ["id", "bigint", true],
      ["nick", "text"],
    ]);
    const sql = "select id from people where coalesce(nick, 'anon') = 'ANON'";
    // Under a deterministic collation 'anon' = 'ANON' is false and the coalesce can go.
    expect(rewrittenSql(coalesceEquality, sql, [ci])).toBe("SELECT id FROM people WHERE nick = 'ANON'");
    (ci.columns[1] as { nondeterministicCollation?: string }).nondeterministicCollation = "case_insensitive";
    expect(rewrittenSql(coalesceEquality, sql, [ci])).toBe(null);
    // Numbers on the same table are unaffected.
    expect(rewrittenSql(coalesceEquality, "select nick from people where coalesce(id, 0) = 4", [ci])).toBe(
      "SELECT nick FROM people WHERE id = 4",
    );
  });
});
