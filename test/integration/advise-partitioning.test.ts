/**
 * dbopt advise partitioning on PostgreSQL 15, with the situation planted: an append-only events table (a serial
 * key, an awkward name on purpose) read by time ranges and trimmed by a retention DELETE. The test database is
 * the sandbox: the layout is built, the statements timed before and after, and the table put back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSamples } from "../../src/pipeline/collect-samples.js";
import { StoreConnection } from "../../src/store/store-connection.js";
import { PartitionKeeper } from "../../src/store/store-partitions.js";
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
    expect(sql).toMatch(/ALTER TABLE public\."Event Log_partitioned" ADD PRIMARY KEY \(id, at\);/);
    expect(sql).toMatch(/PARTITION OF public\."Event Log_partitioned" DEFAULT;/);
    expect(sql).toMatch(/ALTER SEQUENCE public\."Event Log_id_seq" OWNED BY public\."Event Log"\.id;/);
  });

  it("passes dbopt's migration linter", () => {
    expect(report.advice[0]?.lint.errors).toBe(0);
    // The swap's renames keep the application's table name: no rename warning for them.
    expect(report.advice[0]?.lint.findings.map((f) => f.ruleId)).not.toContain("migration/rename");
  });

  it("measures the statements on the sandbox, reading few partitions, and puts the table back", async () => {
    const proof = report.advice[0]?.proof ?? [];
    expect(proof.length).toBeGreaterThan(0);
    // The range's bounds are drawn together, one histogram bucket (1% of 92 days) apart: one or two partitions.
    for (const p of proof) expect(p.partitionsRead).toBeLessThanOrEqual(2);
    // The new table was analysed before the after-timings (the migration's INSERT ... SELECT leaves no statistics).
    const analysed = await runAsAdmin(
      db.url,
      `select sum(calls)::int as n from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and query ~ '^ANALYZE "Event Log"'`,
    );
    expect(analysed.rows[0]?.n).toBe(1);
    const left = await runAsAdmin(
      db.url,
      `select relname, relkind from pg_class where relname like 'Event Log%' and relkind in ('r', 'p') order by 1`,
    );
    expect(left.rows).toEqual([{ relname: "Event Log", relkind: "r" }]);
    const rows = await runAsAdmin(db.url, `select count(*)::int as n from "Event Log"`);
    expect(rows.rows[0].n).toBe(200000);
  });

  it("never takes a name the user's tables have: tables named like its own are left with their rows", async () => {
    await runAsAdmin(
      db.url,
      `create table "Event Log_partitioned" (note text); insert into "Event Log_partitioned" values ('mine'), ('mine too');
       create table "Event Log_unpartitioned" (id bigint, note text); insert into "Event Log_unpartitioned" values (1, 'kept');`,
    );
    try {
      const r = await runCli([
        "advise",
        "partitioning",
        "--db",
        db.url,
        "--sandbox",
        "--retention",
        "90d",
        "--set",
        "architecture/partition-table.minRows=100000",
        "--format",
        "json",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const again = JSON.parse(r.stdout) as typeof report;
      const sql = again.advice[0]?.migration.steps.flatMap((s) => s.statements).join("\n") ?? "";
      expect(sql).not.toMatch(/"Event Log_partitioned" /);
      expect(sql).not.toMatch(/"Event Log_unpartitioned"[ ;]/);
      expect(again.advice[0]?.proof?.length).toBeGreaterThan(0);
      const mine = await runAsAdmin(db.url, `select count(*)::int as n from "Event Log_partitioned"`);
      expect(mine.rows[0].n).toBe(2);
      const kept = await runAsAdmin(db.url, `select note from "Event Log_unpartitioned"`);
      expect(kept.rows).toEqual([{ note: "kept" }]);
      const events = await runAsAdmin(
        db.url,
        `select count(*)::int as n, (select relkind from pg_class where oid = '"Event Log"'::regclass) as kind from "Event Log"`,
      );
      expect(events.rows[0]).toEqual({ n: 200000, kind: "r" });
    } finally {
      await runAsAdmin(
        db.url,
        `drop table if exists "Event Log_partitioned"; drop table if exists "Event Log_unpartitioned"`,
      );
    }
  }, 300_000);

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

/**
 * Without --sandbox: the proof on a sampled copy on the embedded PostgreSQL 18. Awkward names throughout (a quote
 * in the table's name, a space in the key's), columns of an enum, a domain and a composite type (recreated on the
 * copy, in a schema whose name holds a quote), a GENERATED ALWAYS identity and a stored generated column (both
 * refuse INSERT ... SELECT *), a foreign key to a small table the statements join, and `$n` parameters drawn
 * from the copy's statistics. Columns of extension types too: citext, a domain over it, and hstore in a schema
 * with a quote in its name (the copy creates the extensions where the source has them). The database given is only
 * read.
 */
const SAMPLE_SETUP = `
create extension if not exists pg_stat_statements;
create extension if not exists citext;
create schema "Ext ""S""";
create extension if not exists hstore with schema "Ext ""S""";
create domain "E Mail" as citext check (value like '%@%');
create table "Kinds" (id int primary key, "Name" text not null);
insert into "Kinds" select g, 'kind ' || g from generate_series(0, 8) g;
create schema "Types ""X""";
create type "Types ""X"""."Click Kind" as enum ('view', 'it''s', 'Buy Now');
create domain "Pos Int" as int default 1 not null constraint "positive!" check (value > 0);
create type "Types ""X""".pair as (x int, "Y y" "Pos Int");
create table "Click ""Stream""" (
  id bigint generated always as identity primary key,
  "Seen At" timestamptz not null,
  kind int not null references "Kinds",
  payload text not null,
  "Source" "Types ""X"""."Click Kind" not null,
  weight "Pos Int",
  spot "Types ""X""".pair,
  len int generated always as (length(payload)) stored,
  tag citext,
  mail "E Mail",
  attrs "Ext ""S""".hstore);
insert into "Click ""Stream""" ("Seen At", kind, payload, "Source", spot, tag, mail, attrs)
  select timestamptz '2026-01-01' + g * interval '40 seconds', g % 9, repeat('x', 60),
    (array['view', 'it''s', 'Buy Now'])[g % 3 + 1]::"Types ""X"""."Click Kind",
    format('(%s,%s)', g, g % 5 + 1)::"Types ""X""".pair,
    'Tag ' || g % 4, 'U' || g % 10 || '@x', "Ext ""S""".hstore('k', (g % 3)::text)
  from generate_series(1, 200000) g;
create index on "Click ""Stream""" (kind);
analyze;`;

interface SampleReport extends Report {
  advice: Array<
    Report["advice"][number] & {
      proofOn: {
        kind: string;
        percent: number;
        server: string;
        tables: Array<{ table: string; percent: number | null; rows: number; ms: number }>;
        copyMs: number;
        notes: string[];
      } | null;
    }
  >;
  notes: string[];
}

const relations = async (url: string) =>
  (
    await runAsAdmin(
      url,
      `select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' order by 1`,
    )
  ).rows;

describe.each(server("pg15"))("dbopt advise partitioning --sample ($name)", (srv) => {
  let db: TestDatabase;
  let report: SampleReport;
  let before: unknown[];
  let home: string;

  beforeAll(async () => {
    db = await createTestDatabase(srv, SAMPLE_SETUP);
    home = mkdtempSync(join(tmpdir(), "dbopt-partition-home-"));
    await runAsAdmin(
      db.url,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (let d = 1; d <= 20; d++)
        await client.query(
          `select k."Name", count(*) from "Click ""Stream""" c join "Kinds" k on k.id = c.kind
            where c."Seen At" >= $1 and c."Seen At" < $2 group by 1`,
          [`2026-02-${String(d).padStart(2, "0")}`, `2026-02-${String(d + 1).padStart(2, "0")}`],
        );
    } finally {
      await client.end();
    }
    before = await relations(db.url);
    const r = await runCli(
      [
        "advise",
        "partitioning",
        "--db",
        db.url,
        "--sample",
        "20%",
        "--retention",
        "90d",
        "--set",
        "architecture/partition-table.minRows=100000",
        "--format",
        "json",
      ],
      { env: { DBOPT_HOME: home } },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("copies the schema and a 20% sample of the table, the small joined table whole, to PostgreSQL 18", () => {
    // The enum, domain, composite and extension-type columns did not stop the copy.
    expect(report.notes.join(" ")).not.toMatch(/not measured/);
    const on = report.advice[0]?.proofOn;
    expect(on).toMatchObject({ kind: "sample", percent: 20 });
    expect(on?.server).toMatch(/^PostgreSQL 18\./);
    const events = on?.tables.find((t) => t.table === 'public.Click "Stream"');
    expect(events?.percent).toBe(20);
    // TABLESAMPLE SYSTEM keeps whole pages: about a fifth of the rows, not exactly.
    expect(events?.rows).toBeGreaterThan(200_000 * 0.1);
    expect(events?.rows).toBeLessThan(200_000 * 0.3);
    expect(on?.tables.find((t) => t.table === "public.Kinds")).toMatchObject({ percent: null, rows: 9 });
    expect(on?.notes.join(" ")).toMatch(/foreign keys not built on the sample \(Click "Stream"_kind_fkey\)/);
    expect(report.notes.join(" ")).toMatch(/Measured on a 20% sample .* not scaled to the full table/);
  });

  it("runs the migration on the copy and times the parameterised statement before and after, pruned", () => {
    const proof = report.advice[0]?.proof ?? [];
    expect(proof.length).toBeGreaterThan(0);
    // GROUP BY: the rows it returns say nothing of the rows it reads, so the range is one histogram bucket wide.
    expect(report.advice[0]?.proofOn?.notes.join(" ")).toMatch(
      /\$1 and \$2 drawn as one range over Seen At holding 1\.0% of the rows \(one pg_stats histogram bucket\)/,
    );
    for (const p of proof) {
      expect(p.partitionsRead).toBeLessThanOrEqual(2);
      expect(p.beforeMs).toBeGreaterThan(0);
      expect(p.afterMs).toBeGreaterThan(0);
    }
  });

  it("copies rows past the generated and GENERATED ALWAYS columns in the printed migration", () => {
    const sql = report.advice[0]?.migration.steps.flatMap((s) => s.statements).join("\n") ?? "";
    expect(sql).toMatch(
      /INSERT INTO public\."Click ""Stream""_partitioned" \(id, "Seen At", kind, payload, "Source", weight, spot, tag, mail, attrs\) OVERRIDING SYSTEM VALUE SELECT id, "Seen At", kind, payload, "Source", weight, spot, tag, mail, attrs FROM public\."Click ""Stream""" WHERE/,
    );
    expect(report.advice[0]?.lint.errors).toBe(0);
  });

  it("leaves the database given as it was", async () => {
    expect(await relations(db.url)).toEqual(before);
    const rows = await runAsAdmin(db.url, `select count(*)::int as n from "Click ""Stream"""`);
    expect(rows.rows[0].n).toBe(200000);
  });
});

/**
 * Growth from the history store: two samples of the target written by dbopt collect, the first moved three days
 * back (as if collected then), 30,000 rows inserted between them. Without a store, the growth comes from the time
 * column's span, and the note says so.
 */
describe.each(server("pg15"))("dbopt advise partitioning growth from the store ($name)", (srv) => {
  let db: TestDatabase;
  let store: TestDatabase;
  let home: string;
  const args = () => [
    "advise",
    "partitioning",
    "--db",
    db.url,
    "--retention",
    "90d",
    "--set",
    "architecture/partition-table.minRows=100000",
    "--format",
    "json",
  ];

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    store = await createTestDatabase(srv);
    home = mkdtempSync(join(tmpdir(), "dbopt-partition-home-"));
    for (let d = 1; d <= 10; d++)
      await runAsAdmin(
        db.url,
        `select count(*) from "Event Log" where at >= '2026-02-${String(d).padStart(2, "0")}' and at < '2026-02-${String(d + 1).padStart(2, "0")}'`,
      );
    const collect = () =>
      collectSamples({
        targets: [resolveTarget({ db: db.url })],
        store: store.url,
        everyMs: 60_000,
        once: true,
      });
    await collect();
    await runAsAdmin(
      db.url,
      `insert into "Event Log" (at, kind, payload)
         select timestamptz '2026-03-24' + g * interval '40 seconds', g % 9, 'y' from generate_series(1, 30000) g;
       analyze "Event Log"`,
    );
    await collect();
    const connection = await StoreConnection.connect(store.url);
    try {
      const [first] = await connection.query<{ at: Date }>(
        "select min(taken_at) as at from dbopt_store.sample",
      );
      const at = first?.at as Date;
      await new PartitionKeeper(connection).ensure(new Date(at.getTime() - 3 * 86_400_000));
      const tables = await connection.query<{ name: string }>(
        `select c.relname as name from pg_class c join pg_attribute a on a.attrelid = c.oid
          where c.relnamespace = 'dbopt_store'::regnamespace and c.relkind = 'p' and a.attname = 'taken_at'`,
      );
      for (const t of tables)
        await connection.query(
          `update dbopt_store.${t.name} set taken_at = taken_at - interval '3 days' where taken_at = $1`,
          [at],
        );
      await connection.query(
        "update dbopt_store.sample set previous_taken_at = previous_taken_at - interval '3 days' where previous_taken_at = $1",
        [at],
      );
    } finally {
      await connection.close();
    }
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
    await store?.drop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("takes the rows arriving per day from the store's samples three days apart", async () => {
    const r = await runCli([...args(), "--store", store.url], { env: { DBOPT_HOME: home } });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Report & { notes: string[] };
    const f = out.findings.find((x) => x.ruleId === "architecture/partition-table");
    expect(f?.evidence).toMatchObject({ growthSource: "store", growthSamples: 2 });
    expect(Number(f?.evidence.growthDays)).toBeGreaterThan(2.99);
    expect(Number(f?.evidence.growthDays)).toBeLessThan(3.01);
    // 30,000 inserted over three days (the first sample's counter already held the setup's 200,000).
    expect(Number(f?.evidence.insertsPerDay)).toBeGreaterThan(9_900);
    expect(Number(f?.evidence.insertsPerDay)).toBeLessThan(10_100);
    expect(out.notes.join(" ")).toMatch(/Growth from the history store .*: 1 table with samples a day apart/);
  });

  it("without a store, takes it from the time column's span and says so", async () => {
    const r = await runCli(args(), { env: { DBOPT_HOME: home } });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Report & { notes: string[] };
    const f = out.findings.find((x) => x.ruleId === "architecture/partition-table");
    expect(f?.evidence).toMatchObject({ growthSource: "time-span", growthSamples: null });
    expect(out.notes.join(" ")).toMatch(/no history store/);
  });
});
