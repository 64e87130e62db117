/**
 * dbopt advise partitioning on PostgreSQL 15, with the situation planted: an append-only events table (a serial
 * key, an awkward name on purpose) read by time ranges and trimmed by a retention DELETE. The test database is
 * the sandbox: the layout is built, the statements timed before and after, and the table put back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table "Event Log" (id bigserial primary key, at timestamptz not null, kind int not null, payload text not null);
insert into "Event Log" (at, kind, payload)
  select timestamptz '2026-01-01' + g * interval '40 seconds', g % 9, repeat('x', 60) from generate_series(1, 200000) g;
create index on "Event Log" (kind);
analyze;`;

interface Finding {
  ruleId: string;
  severity: string;
  evidence: Record<string, number | string | boolean | null>;
}
interface Report {
  findings: Finding[];
  advice: Array<{
    table: string;
    migration: { steps: Array<{ title: string; statements: string[] }>; notes: string[] };
    lint: { errors: number; findings: Array<{ ruleId: string }> };
    proof: Array<{ beforeMs: number; afterMs: number; partitionsRead: number; partitions: number }> | null;
  }>;
}

describe.each(server("pg15"))("dbopt advise partitioning ($name)", (srv) => {
  let db: TestDatabase;
  let report: Report;

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(
      db.url,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
    for (let d = 1; d <= 20; d++)
      await runAsAdmin(
        db.url,
        `select count(*), max(kind) from "Event Log" where at >= '2026-02-${String(d).padStart(2, "0")}' and at < '2026-02-${String(d + 1).padStart(2, "0")}'`,
      );
    await runAsAdmin(
      db.url,
      `delete from "Event Log" where at < timestamptz '2026-01-02' - interval '90 days'`,
    );
    const r = await runCli([
      "advise",
      "partitioning",
      "--db",
      db.url,
      "--sandbox",
      // pg_stat_statements keeps the DELETE's interval as a parameter: the retention is given.
      "--retention",
      "90d",
      "--set",
      "architecture/partition-table.minRows=100000",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
  });

  it("partitions the events by time, four or more partitions in the retention, and widens the key", () => {
    const f = report.findings.find((x) => x.ruleId === "architecture/partition-table");
    expect(f?.evidence).toMatchObject({
      key: "at",
      strategy: "range",
      retentionDays: 90,
      interval: "week",
      uniqueKeysWithoutPartitionKey: 1,
    });
    const [advice] = report.advice;
    const sql = advice?.migration.steps.flatMap((s) => s.statements).join("\n") ?? "";
    expect(sql).toMatch(/ALTER TABLE "Event Log_partitioned" ADD PRIMARY KEY \(id, at\);/);
    expect(sql).toMatch(/PARTITION OF "Event Log_partitioned" DEFAULT;/);
    expect(sql).toMatch(/ALTER SEQUENCE .*"Event Log_id_seq".* OWNED BY "Event Log"\.id;/);
  });

  it("passes dbopt's migration linter", () => {
    expect(report.advice[0]?.lint.errors).toBe(0);
  });

  it("measures the statements on the sandbox, reading few partitions, and puts the table back", async () => {
    const proof = report.advice[0]?.proof ?? [];
    expect(proof.length).toBeGreaterThan(0);
    for (const p of proof) expect(p.partitionsRead).toBeLessThan(p.partitions);
    const left = await runAsAdmin(
      db.url,
      `select relname, relkind from pg_class where relname like 'Event Log%' and relkind in ('r', 'p') order by 1`,
    );
    expect(left.rows).toEqual([{ relname: "Event Log", relkind: "r" }]);
    const rows = await runAsAdmin(db.url, `select count(*)::int as n from "Event Log"`);
    expect(rows.rows[0].n).toBe(200000);
  });

  it("builds on a server as printed: the migration runs and leaves a partitioned table with every row", async () => {
    const statements = report.advice[0]?.migration.steps.flatMap((s) => s.statements) ?? [];
    await runAsAdmin(db.url, statements.join("\n"));
    const kind = await runAsAdmin(db.url, `select relkind from pg_class where oid = '"Event Log"'::regclass`);
    expect(kind.rows[0].relkind).toBe("p");
    const rows = await runAsAdmin(db.url, `select count(*)::int as n from "Event Log"`);
    expect(rows.rows[0].n).toBe(200000);
    // The old table no longer owns the sequence: it can be dropped without touching the new table's default.
    await runAsAdmin(db.url, `drop table "Event Log_unpartitioned"`);
    await runAsAdmin(db.url, `insert into "Event Log" (at, kind, payload) values (now(), 1, 'after')`);
  });
});
