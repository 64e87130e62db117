import { beforeAll, describe, expect, it } from "vitest";
import { predicatesOfCondition } from "../facts/sql/predicates.js";
import { loadSqlParser } from "../util/sql-parser.js";
import { ident } from "../util/sql-text.js";
import { btreeKey, distinctValues, keyItem, keyParts, orderItems } from "./btree-key-order.js";

beforeAll(loadSqlParser);

const key = (condition: string, topN?: Parameters<typeof orderItems>[0], distinct?: (c: string) => number) =>
  btreeKey(keyParts(predicatesOfCondition(condition), topN ? orderItems(topN) : undefined, distinct));
const desc = (column: string, isDesc = true) => ({ column, isExpression: false, desc: isDesc });

describe("the B-tree key-order policy", () => {
  it("puts the equality columns (=, IN, IS NULL) first, = before IN, then one range column", () => {
    expect(key("((created_at > now()) AND (priority = ANY ('{1,2}')) AND (tenant_id = 7))")).toEqual([
      "tenant_id",
      "priority",
      "created_at",
    ]);
    expect(key("((deleted_at IS NULL) AND (a > 1) AND (b < 2))")).toEqual(["deleted_at", "a"]);
  });

  it("ranks equality columns by their distinct values when statistics give them", () => {
    const distinct = (column: string) => ({ status: 5, customer_id: 100_000 })[column] ?? 0;
    const condition = "((status = 'open') AND (customer_id = 3))";
    expect(key(condition, undefined, distinct)).toEqual(["customer_id", "status"]);
    expect(key(condition)).toEqual(["status", "customer_id"]);
  });

  it("takes a comparison before a LIKE prefix, and no pattern a B-tree cannot seek to", () => {
    expect(key("((name ~~ 'ab%'::text) AND (tenant_id = 1) AND (score > 3))")).toEqual([
      "tenant_id",
      "score",
    ]);
    expect(key("((name ~~ 'ab%'::text) AND (tenant_id = 1))")).toEqual(["tenant_id", "name"]);
    expect(key("((name ~~ '%ab'::text) AND (tenant_id = 1))")).toEqual(["tenant_id"]);
    expect(key("((name ~~* 'ab%'::text) AND (tenant_id = 1))")).toEqual(["tenant_id"]);
  });

  it("leaves out conditions under an OR", () => {
    expect(key("((tenant_id = 1) AND ((a = 1) OR (b > 2)))")).toEqual(["tenant_id"]);
  });

  it("follows the equalities with a top-N's ORDER BY instead of a range, an IN list leading too", () => {
    expect(
      key("((tenant_id = 1) AND (priority = ANY ('{1,2}')) AND (created_at > now()))", [desc("created_at")]),
    ).toEqual(["tenant_id", "priority", "created_at"]);
  });

  it("leaves an ORDER BY column that is already an equality column where it is", () => {
    expect(key("((a = 1) AND (b = 2))", [desc("a", false), desc("c", false)])).toEqual(["a", "b", "c"]);
  });

  it("writes DESC only when the ORDER BY mixes directions", () => {
    expect(key("(a = 1)", [desc("b"), desc("c")])).toEqual(["a", "b", "c"]);
    expect(key("(a = 1)", [desc("b"), desc("c", false)])).toEqual(["a", "b DESC", "c"]);
  });

  it("falls back to the range when the top-N's ORDER BY cannot be an index key", () => {
    const parts = keyParts(
      predicatesOfCondition("((a = 1) AND (b > 2))"),
      orderItems([{ column: "random()", isExpression: true, desc: false }]),
    );
    expect(parts.topN).toBe(true);
    expect(parts.order).toBeNull();
    expect(btreeKey(parts)).toEqual(["a", "b"]);
  });

  it("quotes awkward names and writes expressions without table qualifiers", () => {
    expect(key(`(("Tenant Id" = 1) AND (lower(o."E""mail") = 'x'::text))`)).toEqual([
      '"Tenant Id"',
      '(lower("E""mail"))',
    ]);
    expect(keyItem('We"ird', false, true)).toBe(`${ident('We"ird')} DESC`);
  });

  it("reads distinct values from pg_stats, a negative n_distinct as a share of the rows", () => {
    const table = { schema: "s", name: "t", rowsEstimate: 1000 };
    const stat = (column: string, nDistinct: number) => ({ schema: "s", table: "t", column, nDistinct });
    const snapshot = { columnStats: [stat("a", 12), stat("b", -0.5)] } as unknown as Parameters<
      typeof distinctValues
    >[0];
    const distinct = distinctValues(snapshot, table);
    expect([distinct("a"), distinct("b"), distinct("c")]).toEqual([12, 500, 0]);
    expect(distinctValues(null, table)("a")).toBe(0);
  });
});
