/**
 * architecture/distribution-column on PostgreSQL 15's own pg_stat_statements: a multi-tenant schema (one table
 * with an awkward name) driven with tenant-filtered joins, a lookup of a small dimension, a scan over every
 * tenant and a lookup of an unrelated log; the facts are read from the real snapshot.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distributionFacts } from "../../src/advisors/partitioning/distribution-facts.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSnapshot } from "../../src/facts/collect/collect-snapshot.js";
import type { Finding } from "../../src/findings/finding.js";
import { SHARDING_RULES } from "../../src/rules/registry.js";
import { runRules } from "../../src/rules/run-rules.js";
import { loadSqlParser, tryParseSql } from "../../src/util/sql-parser.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table countries (id int primary key, name text not null);
create table tenants (id int primary key, name text not null);
create table customers (tenant_id int not null, id int not null, country_id int not null, name text, primary key (tenant_id, id));
create table "Order Items" (tenant_id int not null, order_id int not null, line int not null, qty int not null, primary key (tenant_id, order_id, line));
create table orders (tenant_id int not null, id int not null, customer_id int not null, total numeric not null, primary key (tenant_id, id));
create table audit_log (id bigserial primary key, at timestamptz not null default now(), payload text);
insert into countries select g, 'c' || g from generate_series(1, 50) g;
insert into tenants select g, 't' || g from generate_series(1, 100) g;
insert into customers select g % 100 + 1, g, g % 50 + 1, 'n' || g from generate_series(1, 20000) g;
insert into orders select (g % 20000 + 1) % 100 + 1, g, g % 20000 + 1, g % 997 from generate_series(1, 60000) g;
insert into "Order Items" select (g % 20000 + 1) % 100 + 1, g, l, l from generate_series(1, 60000) g, generate_series(1, 2) l;
insert into audit_log (payload) select 'x' from generate_series(1, 120000);
alter table orders add foreign key (tenant_id, customer_id) references customers;
alter table "Order Items" add foreign key (tenant_id, order_id) references orders;
alter table customers add foreign key (country_id) references countries;
analyze;`;

describe.each(server("pg15"))("architecture/distribution-column on pg_stat_statements ($name)", (srv) => {
  let db: TestDatabase;
  let finding: Finding | undefined;

  beforeAll(async () => {
    await loadSqlParser();
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(db.url, RESET_THIS_DATABASE_STATEMENTS);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (let t = 1; t <= 40; t++) {
        await client.query(
          "select o.id, o.total, c.name from orders o join customers c on c.tenant_id = o.tenant_id and c.id = o.customer_id where o.tenant_id = $1 and o.total > $2",
          [t, 500],
        );
        await client.query(
          `select sum(i.qty) from "Order Items" i join orders o on o.tenant_id = i.tenant_id and o.id = i.order_id where o.tenant_id = $1`,
          [t],
        );
        await client.query(
          "select k.name, count(*) from customers c join countries k on k.id = c.country_id where c.tenant_id = $1 group by k.name",
          [t],
        );
        await client.query("select name from tenants where id = $1", [t]);
      }
      for (let i = 0; i < 3; i++)
        await client.query("select count(*), sum(total) from orders where total > $1", [10]);
      for (let i = 1; i <= 20; i++) await client.query("select payload from audit_log where id = $1", [i]);
    } finally {
      await client.end();
    }
    const conn = await PostgresConnector.connect(resolveTarget({ db: db.url }));
    try {
      const snapshot = await collectSnapshot(conn);
      finding = runRules(SHARDING_RULES, distributionFacts(snapshot), {
        "architecture/distribution-column": { minDistributedRows: 50_000 },
      })[0];
    } finally {
      await conn.close();
    }
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
  });

  it("distributes on tenant_id, colocating the tables joined on it and making the small dimensions reference tables", () => {
    expect(finding?.ruleId).toBe("architecture/distribution-column");
    expect(finding?.evidence).toMatchObject({
      column: "tenant_id",
      distributedTables: 3,
      referenceTables: 2,
    });
    const share = Number(finding?.evidence.singleShardTimeShare);
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(1);
    expect(finding?.detail).toMatch(/no equality filter on public\.orders\.tenant_id/);
    expect(finding?.detail).toMatch(/reads public\.audit_log, which has no column joined/);
    expect(finding?.objects).toEqual(
      expect.arrayContaining([
        "public.Order Items",
        "public.orders",
        "public.customers",
        "public.countries",
        "public.tenants",
      ]),
    );
  });

  it("writes the Citus calls, quoted, which parse back", () => {
    const text = String(finding?.fix?.sql);
    // Referenced tables first: customers ← orders ← "Order Items" (foreign keys).
    expect(text.split("\n")).toEqual([
      "SELECT create_reference_table('countries');",
      "SELECT create_reference_table('tenants');",
      "SELECT create_distributed_table('customers', 'tenant_id');",
      "SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'customers');",
      `SELECT create_distributed_table('"Order Items"', 'tenant_id', colocate_with => 'customers');`,
    ]);
    expect(finding?.evidence.refusedForeignKeys).toBe(0);
    expect(tryParseSql(text)?.stmts).toHaveLength(5);
    expect(text).not.toContain("audit_log");
  });
});
