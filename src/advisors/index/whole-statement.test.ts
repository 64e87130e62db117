import { beforeAll, describe, expect, it } from "vitest";
import { captureSnapshot } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { ident, sql } from "../../util/sql-text.js";
import { makeCandidate } from "./index-candidate.js";
import { servesWholeStatement } from "./whole-statement.js";
import { prepareWorkload } from "./workload-query.js";

beforeAll(loadSqlParser);

function shapeOf(text: string) {
  const snapshot = captureSnapshot("pg18");
  const [q] = prepareWorkload([{ id: "q", sql: text, weight: 1, calls: 1 }], snapshot);
  if (!q) throw new Error("no statement");
  return q.shape;
}

const orders = { schema: "public", name: "orders" };
const btree = (columns: string[], where: string | null = null) =>
  makeCandidate(
    orders,
    "btree",
    columns.map((c) => ident(c)),
    {
      reason: "test",
      query: "q",
      where: where === null ? null : sql`${ident("status")} = 'open'`,
    },
  );

describe("servesWholeStatement", () => {
  const topN = () =>
    shapeOf("select id from orders where customer_id = $1 and status = $2 order by created_at desc limit 50");

  it("takes the equality columns in any order, then the ORDER BY column", () => {
    expect(servesWholeStatement(btree(["customer_id", "status", "created_at"]), topN())).toBe(true);
    expect(servesWholeStatement(btree(["status", "customer_id", "created_at"]), topN())).toBe(true);
  });

  it("refuses an index that leaves out an equality column or the ORDER BY", () => {
    expect(servesWholeStatement(btree(["customer_id"]), topN())).toBe(false);
    expect(servesWholeStatement(btree(["customer_id", "created_at"]), topN())).toBe(false);
    expect(servesWholeStatement(btree(["customer_id", "status"]), topN())).toBe(false);
  });

  it("counts a column a partial predicate fixes to the statement's constant as served", () => {
    const open = shapeOf(
      "select id from orders where customer_id = $1 and status = 'open' order by created_at desc limit 50",
    );
    expect(servesWholeStatement(btree(["customer_id", "created_at"], "open"), open)).toBe(true);
    expect(servesWholeStatement(btree(["customer_id", "created_at"]), open)).toBe(false);
  });

  it("needs only the equality columns when there is no top-N", () => {
    const lookup = shapeOf("select count(*) from orders where customer_id = $1 and status = $2");
    expect(servesWholeStatement(btree(["customer_id", "status"]), lookup)).toBe(true);
    expect(servesWholeStatement(btree(["customer_id"]), lookup)).toBe(false);
  });

  it("counts a LIKE prefix as the range after the equality columns", () => {
    const prefix = shapeOf("select id from orders where customer_id = $1 and status like 'op%'");
    expect(servesWholeStatement(btree(["customer_id", "status"]), prefix)).toBe(true);
    expect(servesWholeStatement(btree(["customer_id"]), prefix)).toBe(false);
  });

  it("takes an ORDER BY column that is an equality column where the equalities put it", () => {
    const ordered = shapeOf(
      "select id from orders where customer_id = $1 order by customer_id, created_at limit 10",
    );
    expect(servesWholeStatement(btree(["customer_id", "created_at"]), ordered)).toBe(true);
    expect(servesWholeStatement(btree(["customer_id"]), ordered)).toBe(false);
  });

  it("needs the range column after the equality columns when there is no top-N", () => {
    const range = shapeOf("select id from orders where customer_id = $1 and created_at >= $2");
    expect(servesWholeStatement(btree(["customer_id", "created_at"]), range)).toBe(true);
    expect(servesWholeStatement(btree(["customer_id"]), range)).toBe(false);
  });
});
