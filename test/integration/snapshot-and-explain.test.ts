import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSnapshot } from "../../src/facts/collect/collect-snapshot.js";
import { SnapshotSchema } from "../../src/facts/snapshot.js";
import { analyzeDatabase } from "../../src/pipeline/analyze-database.js";
import { explainOnDatabase } from "../../src/pipeline/explain-on-database.js";
import { reportOnPlan } from "../../src/pipeline/plan-report.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";
import {
  availableServers,
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  type TestDatabase,
} from "../support/servers.js";

const SETUP = `
create extension pg_stat_statements;
create table accounts (id int primary key, email text not null, plan text not null, score int);
create table invoices (
  id bigint primary key, account_id int not null references accounts(id), state text not null,
  amount numeric(10,2) not null, issued_at timestamptz not null);
create unique index accounts_email_idx on accounts (email);
insert into accounts select g, 'a' || g || '@x.test', (array['free','pro'])[1 + g % 2], g % 100 from generate_series(1, 20000) g;
insert into invoices select g, 1 + g % 20000, case when g % 500 = 0 then 'disputed' else 'paid' end, g % 997,
  timestamptz '2026-01-01' + g * interval '1 minute' from generate_series(1, 200000) g;
analyze;
`;

beforeAll(loadSqlParser);

describe.each(availableServers())("facts and plans on $name", (server) => {
  let database: TestDatabase;
  let db: PostgresConnector;

  beforeAll(async () => {
    database = await createTestDatabase(server, SETUP);
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }));
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("collects a snapshot that validates against its schema", async () => {
    const snapshot = await collectSnapshot(db);
    expect(SnapshotSchema.safeParse(snapshot).success).toBe(true);
    const invoices = snapshot.tables.find((t) => t.name === "invoices");
    expect(invoices?.rowsEstimate).toBe(200000);
    expect(invoices?.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      "id:bigint",
      "account_id:integer",
      "state:text",
      "amount:numeric(10,2)",
      "issued_at:timestamp with time zone",
    ]);
    const fk = snapshot.constraints.find((c) => c.type === "foreign");
    expect(fk).toMatchObject({
      table: "invoices",
      columns: ["account_id"],
      refTable: "accounts",
      refColumns: ["id"],
      validated: true,
    });
    const email = snapshot.indexes.find((i) => i.name === "accounts_email_idx");
    expect(email).toMatchObject({
      isUnique: true,
      isValid: true,
      columns: ["email"],
      method: "btree",
      constraint: null,
    });
    expect(snapshot.indexes.find((i) => i.name === "accounts_pkey")?.constraint).toBe("accounts_pkey");
    expect(snapshot.settings.find((s) => s.name === "work_mem")?.unit).toBe("kB");
    expect(snapshot.columnStats.some((c) => c.table === "accounts" && c.column === "email")).toBe(true);
    expect(snapshot.workload.source).toBe("pg_stat_statements");
  });

  it("runs EXPLAIN ANALYZE of an UPDATE and leaves the data unchanged", async () => {
    const run = await explainOnDatabase(db, "update accounts set score = score + 1 where plan = 'pro'", {
      analyze: true,
    });
    expect(run).toMatchObject({ method: "analyze", rolledBack: true });
    expect(run.plan.root.nodeType).toBe("ModifyTable");
    expect(run.plan.executionMs).toBeGreaterThan(0);
    const { rows } = await runAsAdmin(database.url, "select sum(score)::int as s from accounts");
    expect(rows[0].s).toBe(990000);
  });

  it("finds the missing index of a selective filter, with the exact DDL", async () => {
    const sql = "select * from invoices where state = 'disputed'";
    const run = await explainOnDatabase(db, sql, { analyze: true });
    const report = reportOnPlan(run.plan, { source: "test", sql, snapshot: await collectSnapshot(db) });
    const finding = report.findings.find((f) => f.ruleId === "plan/seq-scan-filter");
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON invoices (state);");
    expect(finding?.evidence).toMatchObject({ rowsKept: 400, rowsRemoved: 199600 });
  });

  it("makes a generic plan for a parameterised statement", async () => {
    const run = await explainOnDatabase(db, "select * from invoices where account_id = $1 and state = $2", {
      analyze: false,
    });
    expect(run.method).toBe(server.name === "pg15" ? "prepared-generic" : "generic");
    expect(run.plan.analyzed).toBe(false);
    expect(JSON.stringify(run.plan.root)).toContain("$1");
  });

  it("analyses the workload from pg_stat_statements", async () => {
    await runAsAdmin(database.url, RESET_THIS_DATABASE_STATEMENTS);
    for (let i = 0; i < 15; i++) {
      await runAsAdmin(
        database.url,
        "select id, amount from invoices where account_id = $1 order by issued_at desc limit 5",
        [i + 1],
      );
    }
    const { report } = await analyzeDatabase(db, { top: 5 });
    const statement = report.statements.find((s) => s.query.includes("from invoices where account_id"));
    expect(statement?.calls).toBe(15);
    expect(statement?.plan?.nodes).toBeGreaterThan(0);
    const fix = report.findings.find(
      (f) => f.query === statement?.query && f.fix?.sql?.includes("account_id"),
    );
    expect(fix?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON invoices (account_id, issued_at);");
    // dbopt's own statements never show up as workload.
    expect(report.statements.some((s) => s.query.includes("dbopt"))).toBe(false);
  });
});
