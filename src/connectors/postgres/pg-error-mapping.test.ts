import { describe, expect, it } from "vitest";
import { availableServers } from "../../../test/support/servers.js";
import { DbError } from "../db-error.js";
import { permissionHint, toDbError } from "./pg-error-mapping.js";
import { PostgresConnector } from "./postgres-connector.js";
import type { PgTarget } from "./target.js";
import { resolveTarget } from "./target.js";

const target: PgTarget = { config: {}, display: "mon@db:5432/app", secret: null };

describe("permission errors", () => {
  it("name the grant for the object the server names, never pg_monitor for a table", () => {
    const e = toDbError({ code: "42501", message: "permission denied for table orders" }, target, "mon");
    expect(e.code).toBe("permission-denied");
    expect(e.message).toBe("permission denied for table orders");
    expect(e.hint).toMatch(
      /^EXPLAIN needs the privileges the statement itself needs .*: GRANT SELECT ON orders TO mon;/,
    );
    expect(e.hint).toMatch(/GRANT pg_read_all_data TO mon;/);
    expect(e.hint).not.toMatch(/pg_monitor/);
  });

  it("a database refused at connection time: the server quotes its name, the grant quotes it once", () => {
    expect(permissionHint('permission denied for database "shop"', "app")).toBe(
      "GRANT CONNECT ON DATABASE shop TO app;",
    );
    expect(permissionHint('permission denied for database "Shop Data"', "app")).toBe(
      'GRANT CONNECT ON DATABASE "Shop Data" TO app;',
    );
  });

  it("cover schemas, sequences, functions and statistics views", () => {
    expect(permissionHint('permission denied for table Order "lines"', "mon")).toContain(
      'GRANT SELECT ON "Order ""lines""" TO mon;',
    );
    expect(permissionHint("permission denied for schema app", "Mon")).toBe(
      'GRANT USAGE ON SCHEMA app TO "Mon";',
    );
    expect(permissionHint("permission denied for sequence s", "mon")).toBe(
      "GRANT SELECT ON SEQUENCE s TO mon;",
    );
    expect(permissionHint("permission denied for function hypopg_create_index", "mon")).toMatch(
      /^GRANT EXECUTE ON FUNCTION hypopg_create_index TO mon;/,
    );
    expect(permissionHint("must be superuser or have privileges of pg_read_all_stats", "mon")).toBe(
      "GRANT pg_monitor TO mon;",
    );
    expect(permissionHint("permission denied to create extension", undefined)).toMatch(/your_role/);
  });
});

describe.each(availableServers())("a login role that does not exist, on $name", (server) => {
  it("is named, with CREATE ROLE or another user as the remedy, not a pg_hba.conf entry (both are 28000)", async () => {
    const role = `No "such" role ${Math.random().toString(36).slice(2, 8)}`;
    const url = new URL(server.adminUrl);
    url.username = encodeURIComponent(role);
    const error = await PostgresConnector.connect(resolveTarget({ db: url.toString() })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DbError);
    const { code, message, hint } = error as DbError;
    expect(code).toBe("auth-failed");
    const quoted = `"${role.replace(/"/g, '""')}"`;
    expect(message).toContain(`role ${quoted} does not exist`);
    expect(hint).toBe(
      `connect as an existing user in --db, or create this one (as a superuser): CREATE ROLE ${quoted} LOGIN;`,
    );
    expect(hint).not.toContain("pg_hba");
  });
});
