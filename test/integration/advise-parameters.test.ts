/**
 * Statements with $n outside the WHERE clause (date_trunc($1, ...), SELECT $3 inside EXISTS, LIMIT $2) are
 * planned, not left out with "wrong number of parameters for prepared statement": on PostgreSQL 15 through
 * PREPARE and a generic plan, on 18 through EXPLAIN (GENERIC_PLAN).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

const SCHEMA = `
create table customers (id int primary key, name text not null);
insert into customers select g, 'c' || g from generate_series(1, 5000) g;
create table orders (id bigint primary key, customer_id int not null, created_at timestamptz not null, total numeric not null);
insert into orders select g, g % 5000, timestamptz '2026-01-01' + g * interval '1 minute', g % 100 from generate_series(1, 100000) g;
`;

const WORKLOAD = `-- weight: 100
select date_trunc($1, created_at), count(*) from orders where customer_id = $2 group by 1;
-- weight: 100
select c.name from customers c where c.id < $1 and exists (select $3 from orders o where o.customer_id = c.id and o.total > $2);
-- weight: 100
select id, total from orders where customer_id = $1 order by created_at limit $2;
`;

describe.each(availableServers())("advise with parameters outside WHERE on $name", (server) => {
  const mode = server.name === "pg15" ? [] : ["--sandbox"];
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dbopt-params-"));
    db = await createTestDatabase(server, SCHEMA);
    await runAsAdmin(db.url, "vacuum (freeze, analyze)");
    if (server.name === "pg15") await runAsAdmin(db.url, "create extension hypopg");
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("plans every statement and indexes the column they share", { timeout: 60_000 }, async () => {
    const file = join(dir, "w.sql");
    writeFileSync(file, WORKLOAD);
    const r = await runCli(["advise", "--db", db.url, "--workload", file, "--format", "json", ...mode]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const advice = JSON.parse(r.stdout) as {
      recommendations: Array<{ ddl: string; queries: Array<{ query: string; planning: string }> }>;
      unplanned: unknown[];
      notes: string[];
      workload: { statements: number };
    };
    expect(advice.unplanned).toEqual([]);
    expect(advice.notes.join("\n")).not.toMatch(/could not plan|wrong number|prepared statement/);
    expect(advice.workload.statements).toBe(3);
    expect(advice.recommendations.some((x) => /ON orders \(customer_id/.test(x.ddl))).toBe(true);
    const served = advice.recommendations.flatMap((x) => x.queries.map((q) => q.query));
    expect(
      served.some((q) => /date_trunc\(\$1/.test(q)),
      JSON.stringify(advice, null, 1),
    ).toBe(true);
  });
});
