import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { type ColumnResolver, queryShape } from "./query-shape.js";

beforeAll(loadSqlParser);

const COLUMNS: Record<string, string[]> = {
  orders: ["id", "tenant_id", "customer_id", "status", "total", "created_at", "payload"],
  customers: ["id", "tenant_id", "email", "created_at"],
};
const resolve: ColumnResolver = (column, tables) =>
  tables.find((t) => COLUMNS[t.name]?.includes(column)) ?? null;

describe("queryShape", () => {
  it("reads predicates, joins, order, limit and returned columns per table", () => {
    const shape = queryShape(
      "select o.id, c.email from orders o join customers c on c.id = o.customer_id where o.tenant_id = $1 and o.status in ('a','b') and c.created_at > $2 order by o.created_at desc limit $3",
      resolve,
    );
    const block = shape?.blocks[0];
    expect(block?.tables.map((t) => `${t.name}:${t.refName}`)).toEqual(["orders:o", "customers:c"]);
    expect(
      block?.predicates.map((p) => `${p.table.name}.${p.column} ${p.kind} ${p.param ?? p.constant ?? ""}`),
    ).toEqual(["orders.tenant_id eq 1", "orders.status in ", "customers.created_at range 2"]);
    expect(block?.joins.map(([a, b]) => `${a.table.name}.${a.column}=${b.table.name}.${b.column}`)).toEqual([
      "customers.id=orders.customer_id",
    ]);
    expect(block?.orderBy).toEqual([
      {
        table: expect.objectContaining({ name: "orders" }),
        column: "created_at",
        isExpression: false,
        desc: true,
      },
    ]);
    expect(block?.hasLimit).toBe(true);
    expect([...(block?.selected.get("o") ?? [])]).toEqual(["id"]);
    expect(block?.predicates[1]?.values).toEqual(["a", "b"]);
    expect(shape?.params.get(3)?.role).toBe("limit");
    expect(shape?.params.get(1)?.use?.column).toBe("tenant_id");
  });

  it("notes every column read from each table, correlated subqueries included", () => {
    const shape = queryShape(
      "select o.status, count(*) from orders o where o.total > 5 and exists (select 1 from customers c where c.id = o.customer_id and c.email like 'a%') group by o.status having max(o.created_at) > now()",
      resolve,
    );
    const outer = shape?.blocks.find((b) => b.tables.some((t) => t.refName === "o"));
    const inner = shape?.blocks.find((b) => b.tables.some((t) => t.refName === "c"));
    expect(outer?.referenced.get("o")).toEqual(new Set(["status", "total", "customer_id", "created_at"]));
    expect(inner?.referenced.get("c")).toEqual(new Set(["id", "email"]));
    expect(
      queryShape("select * from orders where id = 1", resolve)?.blocks[0]?.referenced.get("orders"),
    ).toEqual(new Set(["*", "id"]));
  });

  it("attributes unqualified columns and reads expressions", () => {
    const shape = queryShape("select * from customers where lower(email) = lower($1)", resolve);
    const p = shape?.blocks[0]?.predicates[0];
    expect(p).toMatchObject({ column: "lower(email)", isExpression: true, kind: "eq" });
    expect(shape?.blocks[0]?.selected.get("customers")).toEqual(new Set(["*"]));
  });

  it("reads the columns an UPDATE sets and its WHERE", () => {
    const shape = queryShape("update orders set status = $1, total = total + 1 where id = $2", resolve);
    expect(shape?.kind).toBe("update");
    expect(shape?.updated?.columns).toEqual(["status", "total"]);
    expect(shape?.blocks[0]?.predicates[0]).toMatchObject({ column: "id", kind: "eq", param: 2 });
    expect(shape?.params.get(1)?.role).toBe("value");
    expect(shape?.written).toMatchObject({ name: "orders" });
  });

  it("names the table an INSERT or DELETE writes", () => {
    expect(queryShape("insert into app.orders (id) values ($1)", resolve)?.written).toMatchObject({
      schema: "app",
      name: "orders",
    });
    expect(queryShape("delete from orders where id = 1", resolve)?.written).toMatchObject({ name: "orders" });
    expect(queryShape("select 1 from orders", resolve)?.written).toBeNull();
  });

  it("reads subqueries and CTEs as blocks of their own", () => {
    const shape = queryShape(
      "with recent as (select customer_id from orders where created_at > now() - interval '1 day') select * from customers c where c.id in (select customer_id from recent) and exists (select 1 from orders o where o.customer_id = c.id and o.status = 'late')",
      resolve,
    );
    const predicates = shape?.blocks.flatMap((b) =>
      b.predicates.map((p) => `${p.table.name}.${p.column} ${p.kind}`),
    );
    expect(predicates).toEqual(expect.arrayContaining(["orders.created_at range", "orders.status eq"]));
    expect(
      shape?.blocks
        .flatMap((b) => b.joins)
        .map(([a, b]) => `${a.table.name}.${a.column}=${b.table.name}.${b.column}`),
    ).toContain("orders.customer_id=customers.id");
  });

  it("marks containment operators", () => {
    const shape = queryShape(`select id from orders where payload @> '{"vip": true}'`, resolve);
    expect(shape?.blocks[0]?.predicates[0]).toMatchObject({
      column: "payload",
      kind: "contains",
      operator: "@>",
    });
  });
});
