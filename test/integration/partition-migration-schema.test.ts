/**
 * The printed partition migration run as printed on PostgreSQL 15, in a schema the way real ones are: the database's
 * search_path starts with another schema (app), the id comes from a sequence in a third schema that another table
 * shares, a second column from a sequence owned by nothing, and a view reads the table. The advice is taken with
 * --sandbox first (which must put all of that back), then its migration is run through pg.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create schema app;
create schema ids;
create sequence ids.global_seq;
create sequence free_seq;
create table public.events (id bigint primary key default nextval('ids.global_seq'),
  at timestamptz not null, kind int not null, serial_no bigint not null default nextval('free_seq'));
create table public.other (id bigint primary key default nextval('ids.global_seq'));
insert into public.events (at, kind)
  select timestamptz '2026-01-01' + g * interval '40 seconds', g % 9 from generate_series(1, 120000) g;
create view public.recent_events with (security_barrier = true) as
  select id, at, kind from public.events where at > '2026-02-01';
analyze;`;

/** The objects each sequence is owned by (pg_depend 'a'), or "none". */
const OWNERS = `select s.relname as seq, coalesce((select string_agg(d.refobjid::regclass::text, ',') from pg_depend d
  where d.objid = s.oid and d.refclassid = 'pg_class'::regclass and d.deptype = 'a'), 'none') as owner
  from pg_class s where s.relkind = 'S' order by 1`;

interface Report {
  advice: Array<{
    table: string;
    migration: { steps: Array<{ statements: string[] }>; notes: string[] };
    lint: { errors: number };
    proof: unknown[] | null;
  }>;
}

describe.each(server("pg15"))("partition migration in a real schema ($name)", (srv) => {
  let db: TestDatabase;
  let report: Report;

  beforeAll(async () => {
    db = await createTestDatabase(srv, SETUP);
    await runAsAdmin(db.url, `alter database ${db.name} set search_path = app, public`);
    await runAsAdmin(
      db.url,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)",
    );
    for (let d = 1; d <= 10; d++)
      await runAsAdmin(
        db.url,
        `select count(*) from events where at >= '2026-02-${String(d).padStart(2, "0")}' and at < '2026-02-${String(d).padStart(2, "0")} 12:00'`,
      );
    const r = await runCli([
      "advise",
      "partitioning",
      "--db",
      db.url,
      "--sandbox",
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

  it("proves on the sandbox and puts back the table, its view and the sequences' owners", async () => {
    const advice = report.advice.find((a) => a.table === "public.events");
    expect(advice?.proof?.length).toBeGreaterThan(0);
    expect(advice?.lint.errors).toBe(0);
    const owners = await runAsAdmin(db.url, OWNERS);
    expect(owners.rows).toEqual([
      { seq: "free_seq", owner: "none" },
      { seq: "global_seq", owner: "none" },
    ]);
    const view = await runAsAdmin(
      db.url,
      `select (select relkind from pg_class where oid = 'public.events'::regclass) as kind,
              (select count(*)::int from pg_class where relname like 'events\\_%' and relkind in ('r', 'p')) as left_over,
              (select reloptions from pg_class where oid = 'public.recent_events'::regclass) as options`,
    );
    expect(view.rows[0]).toEqual({ kind: "r", left_over: 0, options: ["security_barrier=true"] });
  });

  it("runs as printed: the table stays in public, the view follows it, the sequences keep their owners", async () => {
    const advice = report.advice.find((a) => a.table === "public.events");
    const statements = advice?.migration.steps.flatMap((s) => s.statements) ?? [];
    const sql = statements.join("\n");
    expect(sql).not.toMatch(/OWNED BY/);
    expect(sql).toMatch(/^CREATE OR REPLACE VIEW public\.recent_events WITH \(security_barrier=true\) AS /m);
    const notes = advice?.migration.notes.join("\n") ?? "";
    expect(notes).toMatch(/ids\.global_seq, which this table does not own/);
    expect(notes).toMatch(/pg_partman/);
    // A new connection takes the database's search_path (app, public), as psql would.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      expect((await client.query("show search_path")).rows[0].search_path).toBe("app, public");
      for (const statement of statements) await client.query(statement);
      const placed = await client.query(
        `select to_regclass('public.events')::oid = (select oid from pg_class where relname = 'events' and relkind = 'p') as partitioned,
                (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'app') as in_app,
                (select count(*)::int from public.events) as n`,
      );
      expect(placed.rows[0]).toEqual({ partitioned: true, in_app: 0, n: 120000 });
      // A row written after the swap is seen through the view, and one nine days past the newest row has a
      // partition of its own (not DEFAULT).
      await client.query(`insert into public.events (at, kind) values (timestamptz '2026-03-06', 1)`);
      const seen = await client.query(
        `select (select count(*)::int from public.recent_events where at = '2026-03-06') as through_view,
                (select tableoid::regclass::text from public.events where at = '2026-03-06') as partition`,
      );
      expect(seen.rows[0].through_view).toBe(1);
      expect(seen.rows[0].partition).not.toMatch(/default/);
      const owners = await client.query(OWNERS);
      expect(owners.rows).toEqual([
        { seq: "free_seq", owner: "none" },
        { seq: "global_seq", owner: "none" },
      ]);
      // The old table can go: nothing (the view, a sequence) still depends on it.
      await client.query("drop table public.events_unpartitioned");
    } finally {
      await client.end();
    }
  });
});
