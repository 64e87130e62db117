import { beforeAll, describe, expect, it } from "vitest";
import { distributionSnapshot } from "../../../test/support/distribution-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { distributionFacts } from "./distribution-facts.js";

beforeAll(loadSqlParser);

const TABLES = {
  orders: { rows: 1000, columns: ["id", "tenant_id", "parent_id", "total"] },
  "Line Item": { schema: "Sales", rows: 10, columns: ["order_id", "tenant_id"] },
};

const statementOf = (query: string) =>
  distributionFacts(distributionSnapshot(TABLES, [[query, 1, 1]])).statements[0];

describe("distributionFacts", () => {
  it("keeps each side of a self-join as its own reference", () => {
    expect(
      statementOf("select * from orders a join orders b on b.id = a.parent_id where a.tenant_id = $1"),
    ).toMatchObject({
      refs: ["public.orders", "public.orders"],
      equalities: [{ ref: 0, column: "tenant_id" }],
      joins: [
        [
          { ref: 1, column: "id" },
          { ref: 0, column: "parent_id" },
        ],
      ],
      written: null,
    });
  });

  it("counts = and IN with one constant as equality, not IN lists, = ANY or an OR", () => {
    expect(statementOf("select * from orders where tenant_id in (5)")?.equalities).toHaveLength(1);
    expect(statementOf("select * from orders where tenant_id in ($1, $2)")?.equalities).toEqual([]);
    expect(statementOf("select * from orders where tenant_id = any($1)")?.equalities).toEqual([]);
    expect(statementOf("select * from orders where tenant_id = $1 or total > $2")?.equalities).toEqual([]);
  });

  it("reads the written table of a DELETE and the columns of an INSERT … VALUES", () => {
    expect(statementOf(`delete from "Sales"."Line Item" li where li.tenant_id = $1`)).toMatchObject({
      refs: ["Sales.Line Item"],
      equalities: [{ ref: 0, column: "tenant_id" }],
      written: 0,
    });
    expect(
      statementOf(`insert into "Sales"."Line Item" (tenant_id, order_id) values ($1, $2)`),
    ).toMatchObject({
      refs: ["Sales.Line Item"],
      insert: { ref: 0, columns: ["tenant_id", "order_id"] },
      written: 0,
    });
    expect(statementOf("insert into orders values ($1, $2, $3, $4)")?.insert?.columns).toEqual([
      "id",
      "tenant_id",
      "parent_id",
      "total",
    ]);
    expect(statementOf("insert into orders select * from orders where tenant_id = $1")?.insert).toBeNull();
  });

  it("leaves out statements that read no known table", () => {
    expect(statementOf("select 1")).toBeUndefined();
    expect(statementOf("select * from pg_class where oid = $1")).toBeUndefined();
  });
});
