/**
 * A real role with only pg_monitor and CONNECT: it reads every statistics view but no table, so EXPLAIN fails
 * for every statement. advise must not conclude "no new index would help" from nothing planned, and analyze
 * must name the missing privilege (SELECT), never the one the role has (pg_monitor). The grant dbopt names is
 * then given, and is enough.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

describe.each(server("pg15"))("a pg_monitor-only role on $name", (srv) => {
  let db: TestDatabase;
  const role = `dbopt_mon_${randomBytes(4).toString("hex")}`;
  let roleUrl = "";

  beforeAll(async () => {
    db = await createTestDatabase(
      srv,
      `create extension pg_stat_statements;
       create extension hypopg;
       create table orders (id int primary key, customer_id int not null, total numeric);
       insert into orders select g, g % 3000, g % 100 from generate_series(1, 60000) g;`,
    );
    await runAsAdmin(db.url, "vacuum analyze orders");
    // The 60,000 rows are the data, not the workload: without this the advisor charges the index for maintaining
    // them on every insert, scaled to pg_stat_statements' period, which depends on when the server was last reset.
    await runAsAdmin(db.url, "select pg_stat_reset_single_table_counters('orders'::regclass)");
    await runAsAdmin(db.url, RESET_THIS_DATABASE_STATEMENTS);
    for (let i = 0; i < 30; i++) await runAsAdmin(db.url, "select * from orders where customer_id = $1", [i]);
    await runAsAdmin(db.url, `create role ${role} login`);
    await runAsAdmin(db.url, `grant pg_monitor to ${role}`);
    await runAsAdmin(db.url, `grant connect on database ${db.name} to ${role}`);
    roleUrl = db.url.replace(/\/\/[^@/]+@/, `//${role}@`);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    await runAsAdmin(srv.adminUrl, `drop role if exists ${role}`).catch(() => {});
  });

  it("advise says it could plan none of the statements, why, and the grant that fixes it", {
    timeout: 60_000,
  }, async () => {
    const r = await runCli(["advise", "--db", roleUrl]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^dbopt: error: could (plan none of the \d+ statements|not plan the workload's one statement), so there is no index advice: permission denied for table orders/,
    );
    expect(lines[0]).toContain(`GRANT SELECT ON orders TO ${role};`);
    expect(lines[0]).not.toMatch(/pg_monitor|No new index/);
  });

  it("analyze says no plan was checked and names SELECT, not pg_monitor", { timeout: 60_000 }, async () => {
    const r = await runCli(["analyze", "--db", roleUrl, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      notes: string[];
      statements: Array<{ query: string; skipped: string | null }>;
      workload: { statementsExplained: number };
      advice: unknown;
    };
    expect(report.workload.statementsExplained).toBe(0);
    const notes = report.notes.join("\n");
    expect(notes).toMatch(
      /could (explain none of the \d+ statements, so no plan was checked|not explain \d+ of \d+ statements): permission denied for table orders/,
    );
    expect(notes).toContain(`GRANT SELECT ON orders TO ${role};`);
    expect(notes).toMatch(
      /index advice: could (plan none of the \d+ statements|not plan the workload's one statement), so there is no index advice/,
    );
    expect(report.advice).toBeNull();
    expect(`${notes}\n${report.statements.map((s) => s.skipped).join("\n")}`).not.toMatch(/pg_monitor/);
    const onOrders = report.statements.find((s) => /customer_id/.test(s.query));
    expect(onOrders?.skipped).toMatch(/^EXPLAIN failed: permission denied for table orders \(EXPLAIN needs/);
  });

  it("with the grant it named, advise plans the workload", { timeout: 60_000 }, async () => {
    await runAsAdmin(db.url, `grant select on orders to ${role}`);
    const r = await runCli(["advise", "--db", roleUrl, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const advice = JSON.parse(r.stdout) as {
      recommendations: Array<{ ddl: string }>;
      workload: { statements: number };
    };
    expect(advice.workload.statements).toBeGreaterThan(0);
    expect(advice.recommendations.map((x) => x.ddl)).toContain(
      "CREATE INDEX CONCURRENTLY ON orders (customer_id);",
    );
  });
});
