import { beforeAll, describe, expect, it } from "vitest";
import { distributionSnapshot, type TableSpec } from "../../../test/support/distribution-harness.js";
import { distributionFacts } from "../../advisors/partitioning/distribution-facts.js";
import { loadSqlParser, tryParseSql } from "../../util/sql-parser.js";
import { defaultOptions } from "../rule.js";
import { runRules } from "../run-rules.js";
import { distributionColumn } from "./distribution-column.js";

beforeAll(loadSqlParser);

const SAAS: Record<string, TableSpec> = {
  tenants: { rows: 5_000, columns: ["id", "name"], primaryKey: ["id"] },
  customers: { rows: 2_000_000, columns: ["id", "tenant_id", "country_id", "name"], primaryKey: ["id"] },
  orders: {
    rows: 20_000_000,
    columns: ["id", "tenant_id", "customer_id", "total"],
    primaryKey: ["tenant_id", "id"],
  },
  order_items: { rows: 60_000_000, columns: ["order_id", "tenant_id", "product_id", "qty"] },
  products: { rows: 500_000, columns: ["id", "tenant_id", "name"], primaryKey: ["tenant_id", "id"] },
  countries: { rows: 250, columns: ["id", "name"], primaryKey: ["id"] },
  audit_log: { rows: 50_000_000, columns: ["id", "at", "payload"], primaryKey: ["id"] },
};

const SAAS_WORKLOAD: Array<[string, number, number]> = [
  [
    "select * from orders o join customers c on c.id = o.customer_id and c.tenant_id = o.tenant_id where o.tenant_id = $1 and o.id = $2",
    1000,
    4000,
  ],
  [
    "select i.* from order_items i join orders o on o.tenant_id = i.tenant_id and o.id = i.order_id where o.tenant_id = $1 and o.id = $2",
    900,
    3000,
  ],
  [
    "select c.name, k.name from customers c join countries k on k.id = c.country_id where c.tenant_id = $1",
    800,
    2000,
  ],
  ["insert into orders (tenant_id, customer_id, total) values ($1, $2, $3)", 5000, 1000],
  ["select * from products where tenant_id = $1 and id = $2", 700, 300],
  ["select name from countries where id = $1", 400, 100],
  ["select * from tenants where id = $1", 300, 50],
  ["select count(*) from orders where total > $1", 10, 1500],
  [
    "select p.name, sum(i.qty) from order_items i join products p on p.id = i.product_id where i.tenant_id = $1 group by p.name",
    50,
    500,
  ],
  ["select * from audit_log where id = $1", 100, 200],
];

const run = (tables: Record<string, TableSpec>, statements: Array<[string, number, number]>, options = {}) =>
  runRules([distributionColumn], distributionFacts(distributionSnapshot(tables, statements)), {
    "architecture/distribution-column": options,
  });

describe("architecture/distribution-column", () => {
  it("picks tenant_id: colocates the tables joined on it, makes the small dimensions reference tables", () => {
    const [f] = run(SAAS, SAAS_WORKLOAD);
    expect(f?.ruleId).toBe("architecture/distribution-column");
    expect(f?.evidence).toMatchObject({
      table: "public.order_items",
      column: "tenant_id",
      distributedTables: 4,
      referenceTables: 2,
      multiShardStatements: 3,
      multiShardMs: 2200,
    });
    // 4000 + 3000 + 2000 + 1000 + 300 + 100 + 50 of 12 650 ms route to one shard.
    expect(f?.evidence.singleShardTimeShare).toBeCloseTo(10_450 / 12_650, 3);
    expect(f?.evidence.singleShardCallShare).toBeCloseTo(9_100 / 9_260, 3);
    expect(f?.evidence.runnerUp).toBe("public.order_items.order_id");
    expect(Number(f?.evidence.runnerUpTimeShare)).toBeLessThan(Number(f?.evidence.singleShardTimeShare));
    expect(f?.detail).toMatch(/no equality filter on public\.orders\.tenant_id/);
    expect(f?.detail).toMatch(
      /joins public\.products\.id = public\.order_items\.product_id, not on the distribution column/,
    );
    expect(f?.detail).toMatch(/reads public\.audit_log, which has no column joined/);
    // customers' primary key (id) lacks tenant_id: Citus refuses it.
    expect(f?.detail).toMatch(/public\.customers customers_pkey \(id\)/);
    expect(String(f?.fix?.sql).split("\n")).toEqual([
      "SELECT create_reference_table('countries');",
      "SELECT create_reference_table('tenants');",
      "SELECT create_distributed_table('order_items', 'tenant_id');",
      "SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'order_items');",
      "SELECT create_distributed_table('customers', 'tenant_id', colocate_with => 'order_items');",
      "SELECT create_distributed_table('products', 'tenant_id', colocate_with => 'order_items');",
    ]);
  });

  it("routes by the join on the column: one filtered table pins the ones joined to it on the column", () => {
    const facts = distributionFacts(distributionSnapshot(SAAS, SAAS_WORKLOAD.slice(0, 2)));
    const [f] = distributionColumn.check(facts, defaultOptions(distributionColumn));
    expect(f?.evidence.singleShardTimeShare).toBe(1);
    expect(f?.evidence.multiShardStatements).toBe(0);
  });

  it("an INSERT routes only when it sets the column; a write to a reference table goes to every node", () => {
    const [f] = run(SAAS, [
      ["select * from orders where tenant_id = $1", 100, 1000],
      ["insert into orders (customer_id, total) values ($1, $2)", 100, 300],
      ["insert into orders values ($1, $2, $3, $4)", 100, 200],
      ["select * from orders o join countries k on k.id = o.customer_id where o.tenant_id = $1", 100, 50],
      ["update countries set name = $1 where id = $2", 1, 5],
    ]);
    expect(f?.evidence.multiShardStatements).toBe(2);
    expect(f?.detail).toMatch(/insert into orders \(customer_id, total\)[^;]*: no equality filter/);
    expect(f?.detail).toMatch(/writes reference table public\.countries/);
    expect(f?.evidence.singleShardTimeShare).toBeCloseTo(1250 / 1555, 3);
    expect(f?.evidence.singleShardCallShare).toBeCloseTo(300 / 401, 3);
  });

  it("distributes the tables foreign keys point at first, and names the foreign keys Citus refuses", () => {
    const tables: Record<string, TableSpec> = {
      ...SAAS,
      customers: {
        ...(SAAS.customers as TableSpec),
        foreignKeys: [{ columns: ["country_id"], references: "countries" }],
      },
      orders: {
        ...(SAAS.orders as TableSpec),
        foreignKeys: [{ columns: ["tenant_id", "customer_id"], references: "customers" }],
      },
      order_items: {
        ...(SAAS.order_items as TableSpec),
        foreignKeys: [{ columns: ["order_id"], references: "orders" }],
      },
      countries: {
        ...(SAAS.countries as TableSpec),
        foreignKeys: [{ columns: ["id"], references: "audit_log" }],
      },
    };
    const [f] = run(tables, SAAS_WORKLOAD);
    expect(String(f?.fix?.sql).split("\n").slice(2)).toEqual([
      "SELECT create_distributed_table('customers', 'tenant_id');",
      "SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'customers');",
      "SELECT create_distributed_table('order_items', 'tenant_id', colocate_with => 'customers');",
      "SELECT create_distributed_table('products', 'tenant_id', colocate_with => 'customers');",
    ]);
    expect(f?.evidence.refusedForeignKeys).toBe(2);
    expect(f?.detail).toMatch(/public\.order_items order_items_fk1 \(order_id\) → public\.orders/);
    expect(f?.detail).toMatch(/public\.countries countries_fk1 \(id\) → public\.audit_log/);
    expect(f?.detail).not.toMatch(/orders_fk1/);
  });

  it("a table written often is not a reference table", () => {
    const [f] = run(SAAS, [
      ["select * from orders o join countries k on k.id = o.customer_id where o.tenant_id = $1", 100, 1000],
      ["update countries set name = $1 where id = $2", 100, 10],
    ]);
    expect(f?.evidence.referenceTables).toBe(0);
  });

  it("says nothing when no table on a candidate column is large enough to shard", () => {
    const small = Object.fromEntries(
      Object.entries(SAAS).map(([k, t]) => [k, { ...t, rows: Math.min(t.rows, 50_000) }]),
    );
    expect(run(small, SAAS_WORKLOAD)).toEqual([]);
    expect(run(small, SAAS_WORKLOAD, { minDistributedRows: 10_000 })).toHaveLength(1);
  });

  it("quotes awkward names in the Citus calls, which parse back", () => {
    const schema = "t; DROP TABLE canary";
    const [f] = run(
      {
        "Line Item": { schema, rows: 5_000_000, columns: ['Tenant "Id"', "x'); DROP TABLE canary; --"] },
        select: { schema, rows: 100, columns: ["id", "name"] },
      },
      [
        [
          `select * from "${schema}"."Line Item" li join "${schema}"."select" s on s.id = li."x'); DROP TABLE canary; --" where li."Tenant ""Id""" = $1`,
          10,
          100,
        ],
      ],
    );
    expect(f?.evidence.column).toBe('Tenant "Id"');
    const text = String(f?.fix?.sql);
    expect(text).toContain(`create_reference_table('"t; DROP TABLE canary"."select"')`);
    expect(text).toContain(`create_distributed_table('"t; DROP TABLE canary"."Line Item"', 'Tenant "Id"')`);
    expect(tryParseSql(text)?.stmts).toHaveLength(2);
  });
});
