/**
 * PostgreSQL migrate trace --sandbox URL: the sandbox's cluster may be production's, so a migration or schema file
 * with a statement on the whole cluster (a role here) or a psql \connect is refused before anything runs; so is one
 * that reaches another database (dblink, here at a second database of the cluster), and an EXECUTE of text built at
 * run time unless --allow-dynamic-sql says to run it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbError } from "../../src/connectors/db-error.js";
import { traceMigrationSet } from "../../src/pipeline/trace-migrations.js";
import { InputError } from "../../src/util/input-error.js";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const role = `dbopt_test_role_${randomBytes(4).toString("hex")}`;

describe.each(server("pg15"))("migrate trace --sandbox on $name refuses cluster-wide statements", (s) => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-pg-confine-"));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const state = async () => {
    const roles = await runAsAdmin(s.adminUrl, "select count(*)::int as n from pg_roles where rolname = $1", [
      role,
    ]);
    const tables = await runAsAdmin(
      db.url,
      "select count(*)::int as n from pg_tables where schemaname = 'public'",
    );
    return { roles: roles.rows[0]?.n, tables: tables.rows[0]?.n };
  };

  beforeAll(async () => {
    db = await createTestDatabase(s);
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
    await runAsAdmin(s.adminUrl, `drop role if exists ${role}`);
  });

  it("logs in to the sandbox before reading anything: a sandbox it cannot reach is a DbError, not a file problem", async () => {
    const unreachable = new URL(db.url);
    unreachable.pathname = `/dbopt_no_such_db_${randomBytes(4).toString("hex")}`;
    const error = await traceMigrationSet([join(dir, "missing.sql")], {
      sandboxUrl: unreachable.toString(),
      schemaFile: join(dir, "missing-schema.sql"),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe("database-missing");
  }, 60_000);

  it("refuses a migration that creates a role, running nothing, not even the schema", async () => {
    const schema = write("schema.sql", 'create table "Order Items" (id int primary key);\n');
    const migration = write(
      "001.sql",
      `alter table "Order Items" add column note text;\ncreate role ${role};\n`,
    );
    const error = await traceMigrationSet([migration], { sandboxUrl: db.url, schemaFile: schema }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/001\.sql:2: CREATE ROLE\/USER acts on the whole cluster/);
    expect(await state()).toEqual({ roles: 0, tables: 0 });
  }, 60_000);

  it("refuses a schema file with \\connect to another database", async () => {
    const schema = write("dump.sql", "\\connect postgres\ncreate table moved (id int);\n");
    const migration = write("002.sql", "alter table moved add column note text;\n");
    const error = await traceMigrationSet([migration], { sandboxUrl: db.url, schemaFile: schema }).catch(
      (e) => e,
    );
    expect((error as InputError).message).toMatch(/dump\.sql:1: \\connect moves the script/);
    expect(await state()).toEqual({ roles: 0, tables: 0 });
  }, 60_000);

  it("refuses dblink at another database of the cluster, running nothing there or in the sandbox", async () => {
    const other = await createTestDatabase(s);
    try {
      const migration = write(
        "003.sql",
        `create table "Local T" (id int);\ncreate extension if not exists dblink;\nselect dblink_exec('${other.url}', 'create table "Reached" (id int)');\n`,
      );
      const error = await traceMigrationSet([migration], { sandboxUrl: db.url }).catch((e) => e);
      expect((error as InputError).message).toMatch(
        /003\.sql:2: CREATE EXTENSION dblink reaches outside the sandbox database .*; nothing was run$/,
      );
      const reached = await runAsAdmin(
        other.url,
        "select count(*)::int as n from pg_tables where schemaname = 'public'",
      );
      expect(reached.rows[0]?.n).toBe(0);
      const extensions = await runAsAdmin(
        db.url,
        "select count(*)::int as n from pg_extension where extname = 'dblink'",
      );
      expect(extensions.rows[0]?.n).toBe(0);
      expect(await state()).toEqual({ roles: 0, tables: 0 });
    } finally {
      await other.drop();
    }
  }, 60_000);

  it("runs an EXECUTE of text built at run time only with --allow-dynamic-sql, saying why in one line", async () => {
    const migration = write(
      "004.sql",
      "do $$ begin execute format('create table %I (id int)', 'Dyn ' || 'Made'); end $$;\n",
    );
    const cli = await runCli(["migrate", "trace", migration, "--db", db.url, "--sandbox"]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr.trim().split("\n")[0]).toMatch(
      /004\.sql:1: EXECUTE of text built at run time in a DO block cannot be checked to stay inside the sandbox database; nothing was run/,
    );
    expect(cli.stderr).toMatch(/--allow-dynamic-sql/);
    expect(await state()).toEqual({ roles: 0, tables: 0 });

    const report = await traceMigrationSet([migration], { sandboxUrl: db.url, allowDynamicSql: true });
    expect(report.statements.map((t) => t.error ?? null)).toEqual([null]);
    const made = await runAsAdmin(
      db.url,
      "select count(*)::int as n from pg_tables where tablename = 'Dyn Made'",
    );
    expect(made.rows[0]?.n).toBe(1);
  }, 60_000);

  it("refuses a sandbox whose own function or view reaches outside it, or that has a foreign server", async () => {
    const migration = write("005.sql", 'create table "Later" (id int);\n');
    const refusedBy = async () =>
      ((await traceMigrationSet([migration], { sandboxUrl: db.url }).catch((e) => e)) as InputError).message;
    const fn = `create function "Ext S".copy_out() returns void language plpgsql as $$ begin perform dblink_exec('${db.url}', 'select 1'); end $$`;
    await runAsAdmin(db.url, `create schema "Ext S"; ${fn}`);
    expect(await refusedBy()).toMatch(
      /^the sandbox database's function "Ext S"\.copy_out\(\): dblink_exec\(\) in a function body reaches outside the sandbox database .*; nothing was run$/,
    );
    await runAsAdmin(
      db.url,
      `drop function "Ext S".copy_out(); create view "Ext S"."Files" as select pg_ls_dir('.') as f`,
    );
    expect(await refusedBy()).toMatch(
      /^the sandbox database's view "Ext S"\."Files": pg_ls_dir\(\) reaches outside/,
    );
    await runAsAdmin(
      db.url,
      `drop view "Ext S"."Files"; create function "Ext S".run(q text) returns void language plpgsql as $$ begin execute q; end $$`,
    );
    expect(await refusedBy()).toMatch(
      /^the sandbox database's function "Ext S"\.run\(\): EXECUTE of text built at run time/,
    );
    await runAsAdmin(
      db.url,
      `drop function "Ext S".run(text); create extension postgres_fdw; create server "Prod Copy" foreign data wrapper postgres_fdw options (host '127.0.0.1', dbname 'postgres')`,
    );
    expect(await refusedBy()).toMatch(
      /^the sandbox database's foreign server "Prod Copy": its foreign data wrapper postgres_fdw reaches outside/,
    );
    await runAsAdmin(db.url, `drop extension postgres_fdw cascade; drop schema "Ext S" cascade`);
    const later = await runAsAdmin(
      db.url,
      "select count(*)::int as n from pg_tables where tablename = 'Later'",
    );
    expect(later.rows[0]?.n).toBe(0);
    // A sandbox with nothing that reaches outside traces as before (its own static function included).
    await runAsAdmin(db.url, "create function bump(x int) returns int language sql as 'select x + 1'");
    const report = await traceMigrationSet([migration], { sandboxUrl: db.url });
    expect(report.statements.map((t) => t.error)).toEqual([null]);
  }, 60_000);
});
