/**
 * The user's types a table uses, read from PostgreSQL 15 and recreated on another database as the sampled copy of
 * advise partitioning --sample does: an enum (labels in order, one with a quote), a domain (default, NOT NULL, a
 * named check), a composite built on the domain, a range with its subtype_diff, and an array of the enum, in a
 * schema whose name holds a quote. Each type comes after the types it is built on, or its CREATE would fail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userTypeDefinitions } from "../../src/advisors/partitioning/user-types.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";
import { checkSql } from "../../src/util/sql-text.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SETUP = `
create schema "Types ""X""";
create type "Types ""X"""."Click Kind" as enum ('view', 'it''s', 'Buy Now');
create domain "Pos Int" as int default 1 not null constraint "positive!" check (value > 0);
create type "Types ""X""".pair as (x int, "Y y" "Pos Int");
create type "Types ""X"""."Float Span" as range (subtype = float8, subtype_diff = float8mi);
create table "Odd ""T""" (
  id int primary key, k "Types ""X"""."Click Kind", w "Pos Int", p "Types ""X""".pair,
  s "Types ""X"""."Float Span", tags "Types ""X"""."Click Kind"[]);`;

describe.each(server("pg15"))("user types for the sampled copy ($name)", (srv) => {
  let source: TestDatabase;
  let copy: TestDatabase;

  beforeAll(async () => {
    await loadSqlParser();
    source = await createTestDatabase(srv, SETUP);
    copy = await createTestDatabase(srv);
  }, 60_000);

  afterAll(async () => {
    await source?.drop();
    await copy?.drop();
  });

  it("recreates each type after those it is built on, and the table's columns take them", async () => {
    const reader = await PostgresConnector.connect(resolveTarget({ db: source.url }));
    let definitions: Awaited<ReturnType<typeof userTypeDefinitions>>;
    try {
      definitions = await userTypeDefinitions(reader, "public", 'Odd "T"');
    } finally {
      await reader.close();
    }
    const keys = definitions.map((d) => d.key);
    expect([...keys].sort()).toEqual([
      'Types "X".Click Kind',
      'Types "X".Float Span',
      'Types "X".pair',
      "public.Pos Int",
    ]);
    expect(keys.indexOf("public.Pos Int")).toBeLessThan(keys.indexOf('Types "X".pair'));
    for (const d of definitions)
      for (const s of d.statements) await runAsAdmin(copy.url, String(checkSql(s, 1)));
    await runAsAdmin(
      copy.url,
      `create table "Odd ""T""" (id int primary key, k "Types ""X"""."Click Kind", w "Pos Int", p "Types ""X""".pair,
        s "Types ""X"""."Float Span", tags "Types ""X"""."Click Kind"[])`,
    );
    const labels = await runAsAdmin(
      copy.url,
      `select enum_range(null::"Types ""X"""."Click Kind")::text as r`,
    );
    expect(labels.rows[0].r).toBe(`{view,it's,"Buy Now"}`);
    await runAsAdmin(
      copy.url,
      `insert into "Odd ""T""" (id, k, p, s) values (1, 'it''s', row(2, 3), '[1.5,2.5)')`,
    );
    const row = await runAsAdmin(copy.url, `select w, (p)."Y y" as y, upper(s) as u from "Odd ""T"""`);
    expect(row.rows[0]).toEqual({ w: 1, y: 3, u: 2.5 });
    await expect(runAsAdmin(copy.url, `select 0::"Pos Int"`)).rejects.toThrow(/positive!/);
    await expect(runAsAdmin(copy.url, `select row(1, null)::"Types ""X""".pair`)).rejects.toThrow(/null/);
    const diff = await runAsAdmin(
      copy.url,
      `select p.proname from pg_range r join pg_proc p on p.oid = r.rngsubdiff
        where r.rngtypid = '"Types ""X"""."Float Span"'::regtype`,
    );
    expect(diff.rows[0].proname).toBe("float8mi");
  });
});
