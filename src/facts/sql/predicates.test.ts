import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { predicatesOfCondition, predicatesOfStatement } from "./predicates.js";

beforeAll(loadSqlParser);

describe("predicatesOfCondition", () => {
  it("reads casts, constants and ranges as EXPLAIN prints them", () => {
    const preds = predicatesOfCondition("(((status)::text = 'refunded'::text) AND (total > 100.0))");
    expect(preds.map((p) => [p.column, p.kind, p.constant])).toEqual([
      ["status", "eq", "refunded"],
      ["total", "range", "100.0"],
    ]);
  });

  it("reads join conditions and qualifiers", () => {
    const preds = predicatesOfCondition("(o.customer_id = c.id)");
    expect(preds.map((p) => `${p.qualifier}.${p.column}:${p.kind}`)).toEqual(["o.customer_id:eq", "c.id:eq"]);
  });

  it("reads InitPlan references of 13-16 and 17+", () => {
    expect(predicatesOfCondition("(total > $0)")[0]).toMatchObject({ column: "total", kind: "range" });
    expect(predicatesOfCondition("(total > (InitPlan 1).col1)")[0]).toMatchObject({
      column: "total",
      kind: "range",
    });
  });

  it("reads expressions, IS NULL, IN and OR", () => {
    const preds = predicatesOfCondition(
      "((lower(email) = 'a@b.c'::text) AND (deleted_at IS NULL) AND ((a = 1) OR (b = 2)))",
    );
    expect(preds.map((p) => [p.column, p.kind, p.isExpression, p.underOr])).toEqual([
      ["lower(email)", "eq", true, false],
      ["deleted_at", "null", false, false],
      ["a", "eq", false, true],
      ["b", "eq", false, true],
    ]);
    expect(predicatesOfCondition("(id = ANY ('{1,2,3}'::integer[]))")[0]).toMatchObject({
      column: "id",
      kind: "in",
    });
  });

  it("returns nothing for text that is not an expression", () => {
    expect(predicatesOfCondition("this is ((( not sql")).toEqual([]);
  });
});

describe("predicatesOfStatement", () => {
  it("collects WHERE and JOIN conditions of every query block", () => {
    const preds = predicatesOfStatement(
      "select * from orders o join customers c on c.id = o.customer_id where o.status = $1 and c.country in ('de','fr')",
    );
    expect(preds.map((p) => `${p.qualifier}.${p.column}:${p.kind}`)).toEqual([
      "o.status:eq",
      "c.country:in",
      "c.id:eq",
      "o.customer_id:eq",
    ]);
  });
});
