import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbError } from "../../src/connectors/db-error.js";
import { startEmbeddedServer } from "../../src/connectors/embedded/embedded-server.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

describe.each(availableServers())("PostgreSQL connector on $name", (server) => {
  let database: TestDatabase;
  let db: PostgresConnector;

  beforeAll(async () => {
    database = await createTestDatabase(
      server,
      "create table t (id int primary key, v text); insert into t values (1, 'a');",
    );
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }), {
      statementTimeoutMs: 1500,
      lockTimeoutMs: 700,
    });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("sets application_name, timeouts and a read-only session", async () => {
    const [row] = await db.query<Record<string, string>>(
      "select current_setting('application_name') as app, current_setting('statement_timeout') as st, current_setting('lock_timeout') as lt, current_setting('transaction_read_only') as ro",
    );
    expect(row).toEqual({ app: "dbopt", st: "1500ms", lt: "700ms", ro: "on" });
  });

  it("refuses to write, and says why", async () => {
    const error = await db.query("insert into t values (2, 'b')").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe("permission-denied");
    expect((error as DbError).message).toMatch(/read-only/);
    const rows = await runAsAdmin(database.url, "select count(*)::int as n from t");
    expect(rows.rows[0].n).toBe(1);
  });

  it("stops a statement at the statement timeout", async () => {
    const error = await db.query("select pg_sleep(5)").catch((e: unknown) => e);
    expect((error as DbError).code).toBe("statement-timeout");
  });

  it("tags every statement it sends", async () => {
    const [row] = await db.query<{ q: string }>(
      "select query as q from pg_stat_activity where pid = pg_backend_pid()",
    );
    expect(row?.q).toMatch(/\/\* dbopt \*\/$/);
  });

  it("rolls back what runs in a rolled-back transaction", async () => {
    await db.inRolledBackTransaction(async () => {
      await db.query("update t set v = 'changed'");
      const [inside] = await db.query<{ v: string }>("select v from t");
      expect(inside?.v).toBe("changed");
    });
    const [after] = await db.query<{ v: string }>("select v from t");
    expect(after?.v).toBe("a");
  });

  it("detects the server's capabilities", async () => {
    const caps = await db.capabilities();
    expect(caps.major).toBe(server.name === "pg15" ? 15 : 18);
    expect(caps.isSuperuser).toBe(true);
    expect(caps.canMonitor).toBe(true);
    expect(caps.pgStatStatements.available).toBe(true);
    expect(caps.pgStatStatements.installedVersion).toBeNull();
    expect(caps.pgStatStatements.problem?.hint).toMatch(/CREATE EXTENSION pg_stat_statements/);
    if (server.name === "pg15") expect(caps.hypopg.available).toBe(true);
    await runAsAdmin(database.url, "create extension pg_stat_statements");
    const fresh = await PostgresConnector.connect(resolveTarget({ db: database.url }));
    const after = await fresh.capabilities();
    await fresh.close();
    expect(after.pgStatStatements.readable).toBe(true);
    expect(after.pgStatStatements.columns).toContain("total_exec_time");
    expect(after.pgStatStatements.columns).toContain(
      server.name === "pg15" ? "blk_read_time" : "shared_blk_read_time",
    );
  });

  it("names a missing database and exits as a connection error", async () => {
    const url = database.url.replace(/\/[^/]+$/, "/no_such_database_here");
    const error = await PostgresConnector.connect(resolveTarget({ db: url })).catch((e: unknown) => e);
    expect((error as DbError).code).toBe("database-missing");
    expect((error as DbError).isConnectionError).toBe(true);
  });
});

describe("connection errors", () => {
  it("reports a refused connection without a stack of details", async () => {
    const error = await PostgresConnector.connect(
      resolveTarget({ db: "postgresql://u:secretpw@127.0.0.1:1/x" }),
    ).catch((e: unknown) => e);
    expect((error as DbError).code).toBe("connection-refused");
    expect((error as DbError).message).not.toContain("secretpw");
    expect((error as DbError).message).toContain("u@127.0.0.1:1/x");
  });

  it("reports a wrong password without revealing it", async () => {
    const guarded = await startEmbeddedServer({ password: "right-password" });
    try {
      const url = `postgresql://postgres:wrong-password-123@127.0.0.1:${guarded.port}/postgres`;
      const error = await PostgresConnector.connect(resolveTarget({ db: url })).catch((e: unknown) => e);
      expect((error as DbError).code).toBe("auth-failed");
      expect(JSON.stringify({ m: (error as DbError).message, h: (error as DbError).hint })).not.toContain(
        "wrong-password-123",
      );
      const ok = await PostgresConnector.connect(
        resolveTarget({ db: `postgresql://postgres:right-password@127.0.0.1:${guarded.port}/postgres` }),
      );
      await ok.close();
    } finally {
      await guarded.stop();
    }
  });

  it("asks for a target when none is given", () => {
    expect(() => resolveTarget({ env: {} })).toThrow(/no database given/);
    expect(resolveTarget({ env: { PGHOST: "db.example", PGUSER: "app", PGDATABASE: "shop" } }).display).toBe(
      "app@db.example:5432/shop",
    );
    expect(resolveTarget({ env: { DATABASE_URL: "postgres://a:b@h:6543/d" } }).display).toBe("a@h:6543/d");
    expect(() => resolveTarget({ db: "mysql://x" })).toThrow(/not a PostgreSQL URL/);
  });
});
