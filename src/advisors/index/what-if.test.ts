import { beforeAll, describe, expect, it } from "vitest";
import { queryShape } from "../../facts/sql/query-shape.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { ident } from "../../util/sql-text.js";
import { makeCandidate } from "./index-candidate.js";
import { CostCache, canServe, isRelevant, joinsKeysOf, relevantConfig } from "./what-if.js";
import type { WorkloadQuery } from "./workload-query.js";

/** A statement that reads orders.a, orders.b, orders.c and customers.c (and not orders.unread). */
const read = (table: string, columns: string[]) => ({ schema: null, name: table, refName: table, columns });
const shape = {
  blocks: [read("orders", ["a", "b", "c"]), read("customers", ["c"])].map((t) => ({
    tables: [t],
    referenced: new Map([[t.refName, new Set(t.columns)]]),
  })),
};
const q = {
  id: "q1",
  tables: new Set(["public.orders", "public.customers"]),
  shape,
} as unknown as WorkloadQuery;
const ix = (column: string, table = "orders") => {
  const c = makeCandidate({ schema: "public", name: table }, "btree", [ident(column)], {
    reason: "",
    query: "",
  });
  return { ...c, key: column };
};
const a = ix("a");
const b = ix("b");
const c = ix("c", "customers");
const elsewhere = ix("z", "invoices");
const unread = ix("unread");

describe("CostCache", () => {
  it("answers a set between a plan's used indexes and the set it was chosen from", () => {
    const cache = new CostCache();
    cache.set(q, [a, b, c], { cost: 10, used: ["a"] });
    expect(cache.get(q, [a, c])).toEqual({ cost: 10, used: ["a"] });
    expect(cache.get(q, [a])).toEqual({ cost: 10, used: ["a"] });
    // Indexes on tables the statement does not touch change nothing.
    expect(cache.get(q, [a, elsewhere])).toEqual({ cost: 10, used: ["a"] });
    expect(cache.derivedHits).toBe(2);
    expect(cache.exactHits).toBe(1);
  });

  it("does not guess without the used index, or with one the known plan could not choose", () => {
    const cache = new CostCache();
    cache.set(q, [a, b], { cost: 10, used: ["a"] });
    expect(cache.get(q, [b])).toBeUndefined();
    expect(cache.get(q, [a, c])).toBeUndefined();
    expect(cache.get({ ...q, id: "q2" } as WorkloadQuery, [a])).toBeUndefined();
  });

  it("leaves out an index on a column the statement does not read: it cannot change the plan", () => {
    expect(relevantConfig(q, [a, unread, c, elsewhere]).map((x) => x.key)).toEqual(["a", "c"]);
    const cache = new CostCache();
    cache.set(q, [a], { cost: 10, used: ["a"] });
    expect(cache.get(q, [a, unread])).toEqual({ cost: 10, used: ["a"] });
  });
});

describe("canServe", () => {
  beforeAll(loadSqlParser);
  const statement = (text: string) =>
    ({
      id: text,
      tables: new Set(["public.orders"]),
      shape: queryShape(text, (_column, tables) => tables[0] ?? null),
    }) as unknown as WorkloadQuery;
  const on = (columns: string[], include: string[] = []) =>
    makeCandidate({ schema: "public", name: "orders" }, "btree", columns.map(ident), {
      include: include.map(ident),
      reason: "",
      query: "",
    });

  it("takes a key column the statement filters, groups or joins on, or an index holding all it reads", () => {
    const grouped = statement(`select status, sum(total) from orders where created_at > $1 group by status`);
    expect(canServe(grouped, on(["created_at"]))).toBe(true);
    expect(canServe(grouped, on(["status"]))).toBe(true);
    // A later key column serves through PostgreSQL 18's skip scan.
    expect(canServe(grouped, on(["total", "created_at"]))).toBe(true);
    expect(canServe(grouped, on(["total"], ["status", "created_at"]))).toBe(true);
    // total is only summed: an index on it holds no rows to seek, sort or read in place of the table's.
    expect(isRelevant(grouped, on(["total"]))).toBe(true);
    expect(canServe(grouped, on(["total"]))).toBe(false);
    expect(canServe(grouped, on(["total"], ["status"]))).toBe(false);
  });

  it("keeps the returned columns of a block without GROUP BY (max(x) reads an index on x) and awkward names", () => {
    expect(canServe(statement(`select max(total) from orders where region = $1`), on(["total"]))).toBe(true);
    const quoted = statement(`select count(*) from orders where "Mixed ""Case""" = $1 group by note`);
    expect(canServe(quoted, on(['Mixed "Case"']))).toBe(true);
    expect(canServe(quoted, on(["t; DROP TABLE canary"]))).toBe(false);
  });
});

describe("joinsKeysOf", () => {
  beforeAll(loadSqlParser);
  const joined = () =>
    ({
      id: "join",
      tables: new Set(["public.customers", 'public.Order "Lines"']),
      shape: queryShape(
        `select c.name, sum(o.total) from customers c join "Order ""Lines""" o on o."Cust Id" = c.id
       where c.region = $1 group by c.name`,
        (_column, tables) => tables[0] ?? null,
      ),
    }) as unknown as WorkloadQuery;
  const key = (table: string, columns: string[]) =>
    makeCandidate({ schema: "public", name: table }, "btree", columns.map(ident), { reason: "", query: "" });

  it("pairs two indexes whose key columns the statement joins, on either side and at any key position", () => {
    const lines = key('Order "Lines"', ["Cust Id"]);
    expect(joinsKeysOf(joined(), lines, key("customers", ["id"]))).toBe(true);
    expect(joinsKeysOf(joined(), key("customers", ["region", "id"]), lines)).toBe(true);
  });

  it("does not pair a filter column with a join key, two indexes on one table, or an expression key", () => {
    const lines = key('Order "Lines"', ["Cust Id"]);
    expect(joinsKeysOf(joined(), lines, key("customers", ["region"]))).toBe(false);
    expect(joinsKeysOf(joined(), key("customers", ["id"]), key("customers", ["region"]))).toBe(false);
    const expression = makeCandidate(
      { schema: "public", name: "customers" },
      "btree",
      [ident("id"), "(lower(name))" as never],
      {
        reason: "",
        query: "",
      },
    );
    expect(joinsKeysOf(joined(), lines, expression)).toBe(false);
  });
});
