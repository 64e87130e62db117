/**
 * Passwords and keys in the statements dbopt reads from outside (logs, pg_stat_statements, pg_stat_activity,
 * pg_locks' holders, traces) never reach a report or a snapshot file: each secret literal is shown as '***'.
 * Every secret of these inputs starts with S3cret, so one search finds any that got through.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const dir = mkdtempSync(join(tmpdir(), "dbopt-secrets-"));

const PG_LOG = `2026-12-01 10:00:00.000 UTC [100] app@shop LOG:  duration: 500.123 ms  statement: ALTER ROLE alice PASSWORD 'S3cretAlter!'
2026-12-01 10:00:01.000 UTC [100] app@shop LOG:  duration: 3.100 ms  statement: CREATE USER bob WITH PASSWORD 'S3cretCreate!'
2026-12-01 10:00:02.000 UTC [100] app@shop LOG:  duration: 2.100 ms  statement: CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'x', password 'S3cretMapping!')
2026-12-01 10:00:03.000 UTC [100] app@shop LOG:  duration: 12.100 ms  statement: SELECT pgp_sym_encrypt('card 4111', 'S3cretPgpKey!')
2026-12-01 10:00:04.000 UTC [100] app@shop LOG:  duration: 7.100 ms  statement: SELECT * FROM dblink('host=db user=u password=S3cretDblink dbname=x', 'select 1') AS t(a int)
2026-12-01 10:00:05.000 UTC [100] app@shop ERROR:  syntax error at or near "PASSWORDX"
2026-12-01 10:00:05.000 UTC [100] app@shop STATEMENT:  ALTER ROLE carol PASSWORDX 'S3cretErrStmt!'
2026-12-01 10:00:06.000 UTC [100] app@shop LOG:  duration: 1.100 ms  execute <unnamed>: ALTER ROLE dave PASSWORD $1
2026-12-01 10:00:06.000 UTC [100] app@shop DETAIL:  parameters: $1 = 'S3cretParam!'
2026-12-01 10:00:07.000 UTC [100] app@shop LOG:  statement: ALTER USER erin WITH ENCRYPTED PASSWORD 'S3cretNoDur!'
2026-12-01 10:00:08.000 UTC [100] app@shop LOG:  duration: 1.000 ms  statement: SELECT 'plain value' AS kept
`;

const MARIADB_SLOW_LOG = `/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (Ubuntu). started with:
Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock
Time                Id Command  Argument
# Time: 261201 10:00:00
# User@Host: root[root] @ localhost []
# Thread_id: 31  Schema: shop  QC_hit: No
# Query_time: 2.000000  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0
SET timestamp=1764583200;
SET PASSWORD FOR 'bob'@'%' = PASSWORD('S3cretSetPw!');
# Time: 261201 10:00:01
# User@Host: root[root] @ localhost []
# Thread_id: 31  Schema: shop  QC_hit: No
# Query_time: 1.500000  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0
SET timestamp=1764583201;
CREATE USER 'eve'@'%' IDENTIFIED BY 'S3cretIdentBy!';
# Time: 261201 10:00:02
# User@Host: root[root] @ localhost []
# Thread_id: 31  Schema: shop  QC_hit: No
# Query_time: 1.000000  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0
SET timestamp=1764583202;
SELECT AES_ENCRYPT('pan', 'S3cretAesKey!');
`;

describe("dbopt logs hides the secrets of logged statements", () => {
  it("in every format of a PostgreSQL log, bound parameters and error statements included", async () => {
    const log = join(dir, "pg.log");
    writeFileSync(log, PG_LOG);
    for (const format of ["terminal", "json", "html"]) {
      const r = await runCli(["logs", "--prefix", "%m [%p] %u@%d ", "--format", format, log]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout, format).not.toMatch(/S3cret/);
    }
    const r = await runCli(["logs", "--prefix", "%m [%p] %u@%d ", "--format", "json", log]);
    const out = JSON.parse(r.stdout) as {
      statements: Array<{ example: { sql: string; parameters: string | null } }>;
      events: { errors: Array<{ example: string | null }> };
    };
    const examples = out.statements.map((s) => s.example);
    expect(examples).toContainEqual(expect.objectContaining({ sql: "ALTER ROLE alice PASSWORD '***'" }));
    expect(examples).toContainEqual(expect.objectContaining({ sql: "SELECT pgp_sym_encrypt('***', '***')" }));
    expect(examples).toContainEqual({
      sql: "ALTER ROLE dave PASSWORD $1",
      parameters: "$1 = '***'",
      durationMs: 1.1,
    });
    // A statement without a secret keeps its values.
    expect(examples).toContainEqual(expect.objectContaining({ sql: "SELECT 'plain value' AS kept" }));
    expect(out.events.errors[0]?.example).toBe("ALTER ROLE carol PASSWORDX '***'");
  });

  it("in a MariaDB slow log", async () => {
    const log = join(dir, "slow.log");
    writeFileSync(log, MARIADB_SLOW_LOG);
    for (const format of ["terminal", "json"]) {
      const r = await runCli(["logs", "--format", format, log]);
      expect(r.code).toBe(0);
      expect(r.stdout, format).not.toMatch(/S3cret/);
    }
    const r = await runCli(["logs", "--no-color", log]);
    expect(r.stdout).toContain("SET PASSWORD FOR 'bob'@'%' = PASSWORD('***')");
    expect(r.stdout).toContain("CREATE USER 'eve'@'%' IDENTIFIED BY '***'");
    expect(r.stdout).toContain("SELECT AES_ENCRYPT('***', '***')");
  });
});

describe("dbopt traces hides the keys in its N+1 examples", () => {
  it("keeps the statements' shape", async () => {
    const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const traceId = "a".repeat(32);
    const t0 = 1795722199000000000n;
    const span = (i: number, query: string, start: bigint) => ({
      traceId,
      spanId: (i + 2).toString(16).padStart(16, "0"),
      parentSpanId: "0000000000000001",
      name: "pg.query",
      kind: 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 1_000_000n),
      attributes: [attr("db.system.name", "postgresql"), attr("db.query.text", query)],
    });
    const spans = [
      {
        traceId,
        spanId: "0000000000000001",
        name: "GET /users",
        kind: 2,
        startTimeUnixNano: String(t0),
        endTimeUnixNano: String(t0 + 50_000_000n),
        attributes: [attr("http.route", "/users")],
      },
      span(0, "select id from users order by id limit 10", t0 + 1_000_000n),
      ...Array.from({ length: 10 }, (_, i) =>
        span(
          i + 1,
          `select pgp_sym_decrypt(ssn, 'S3cretTraceKey') from users where id = ${i + 1}`,
          t0 + BigInt(i + 2) * 2_000_000n,
        ),
      ),
      span(20, "ALTER ROLE app PASSWORD 'S3cretTraceAlter'", t0 + 40_000_000n),
    ];
    const file = join(dir, "traces.json");
    writeFileSync(
      file,
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [attr("service.name", "api")] },
            scopeSpans: [{ scope: { name: "x" }, spans }],
          },
        ],
      }),
    );
    for (const format of ["terminal", "json"]) {
      const r = await runCli(["traces", "--format", format, file]);
      expect(r.code).toBe(0);
      expect(r.stdout, format).not.toMatch(/S3cret/);
    }
    const out = JSON.parse((await runCli(["traces", "--format", "json", file])).stdout) as {
      nPlusOne: Array<{ examples: string[] }>;
    };
    expect(out.nPlusOne[0]?.examples[0]).toBe("select pgp_sym_decrypt(ssn, '***') from users where id = 1");
  });
});

describe.each(server("pg15"))("dbopt snapshot on $name hides the secrets of live statement texts", (srv) => {
  let database: TestDatabase;
  const role = `dbopt_secret_${randomBytes(4).toString("hex")}`;
  let holder: pg.Client | null = null;

  beforeAll(async () => {
    database = await createTestDatabase(
      srv,
      `create extension if not exists pg_stat_statements; create table held (id int); create role ${role} login;`,
    );
    // pg_stat_statements keeps a utility statement's text as it ran (PostgreSQL 15).
    await runAsAdmin(database.url, `alter role ${role} password 'S3cretPss!'`);
    // A session left idle in its transaction after an ALTER ROLE, holding a lock on a table of the database:
    // pg_stat_activity and the lock holder both show its last statement.
    holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query("begin");
    await holder.query("lock table held in access exclusive mode");
    await holder.query(`alter role ${role} password 'S3cretLive!'`);
  });

  afterAll(async () => {
    await holder?.query("rollback").catch(() => {});
    await holder?.end();
    await database?.drop();
    await runAsAdmin(srv.adminUrl, `drop role if exists ${role}`);
  });

  it("in pg_stat_statements' texts, other sessions' queries and the lock holder's", async () => {
    const file = join(dir, "snap.json");
    const r = await runCli(["snapshot", "--db", database.url, "--out", file]);
    expect(r.code).toBe(0);
    // The skipped table's line quotes the lock holder's statement.
    expect(r.stderr).toContain(`locked by pid`);
    expect(r.stderr).not.toMatch(/S3cret/);
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/S3cret/);
    const snap = JSON.parse(text) as {
      workload: { statements: Array<{ query: string }> };
      activity: { sessions: Array<{ query: string }> };
      skipped?: Array<{ name: string; lock?: { query: string | null } }>;
    };
    expect(snap.workload.statements.map((s) => s.query)).toContain(`alter role ${role} password '***'`);
    expect(snap.activity.sessions.map((s) => s.query)).toContain(`alter role ${role} password '***'`);
    expect(snap.skipped?.find((s) => s.name === "held")?.lock?.query).toBe(
      `alter role ${role} password '***'`,
    );
  });
});
