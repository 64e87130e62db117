/**
 * PostgreSQL migrate trace --sandbox URL: the sandbox's cluster may be production's, so a migration or schema file
 * with a statement on the whole cluster (a role here) or a psql \connect is refused before anything runs.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceMigrationSet } from "../../src/pipeline/migration-trace.js";
import { InputError } from "../../src/util/input-error.js";
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
});
