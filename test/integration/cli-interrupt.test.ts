import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMariadbDatabase, type MariadbTestDatabase, mariadbAvailable } from "../support/mariadb.js";
import { BIN } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

// Ctrl-C in the middle of a command: one line that says what became of the work, exit 130, nothing left running.

async function until(condition: () => Promise<boolean>, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Run dbopt, send SIGINT once `running` says the work is under way, and wait for the exit. */
async function interrupted(
  args: string[],
  running: () => Promise<boolean>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [process.env.DBOPT_TEST_BIN ?? BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  try {
    expect(await until(running, 60)).toBe(true);
    child.kill("SIGINT");
    return { code: await exited, stdout, stderr };
  } finally {
    child.kill("SIGKILL");
  }
}

const CANCELLED =
  "dbopt: error: interrupted (SIGINT): the statements it was running on the server were cancelled.";

describe.each(server("pg15"))("Ctrl-C on $name", (pg15) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(
      pg15,
      "create table t (id int primary key); insert into t select generate_series(1, 1000);",
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  const sessions = async (where = "true") =>
    Number(
      (
        await runAsAdmin(
          db.url,
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and ${where}`,
        )
      ).rows[0]?.n ?? 0,
    );
  const explaining = () => sessions("state = 'active' and query like 'EXPLAIN (ANALYZE%'");

  it("explain --analyze: the statement is cancelled on the server, not left to run to its timeout", async () => {
    // The server would run it for two minutes after the client left: it never sends a row before then.
    const r = await interrupted(
      [
        "explain",
        "--analyze",
        "--sql",
        "select pg_sleep(120)",
        "--db",
        db.url,
        "--statement-timeout",
        "150s",
      ],
      async () => (await explaining()) === 1,
    );
    expect(r.code).toBe(130);
    expect(r.stderr.trim().split("\n")).toEqual([CANCELLED]);
    expect(await until(async () => (await explaining()) === 0, 20)).toBe(true);
  }, 120_000);

  it("bench: prints what it measured, then one line that says it was cut short", async () => {
    const workload = join(mkdtempSync(join(tmpdir(), "dbopt-interrupt-")), "w.sql");
    writeFileSync(workload, "select count(*) from t where id < 500;\n");
    const r = await interrupted(
      [
        "bench",
        "--db",
        db.url,
        "--workload",
        workload,
        "--read-only-ok",
        "--clients",
        "2",
        "--threads",
        "1",
      ].concat(["--duration", "120s", "--warmup", "0"]),
      async () => (await sessions()) >= 2,
    );
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/measured/);
    expect(r.stderr.trim().split("\n")).toEqual([
      "dbopt: error: interrupted (SIGINT): the report covers only what was measured before it; its sessions are closed.",
    ]);
    expect(await until(async () => (await sessions()) === 0, 20)).toBe(true);
  }, 120_000);
});

const mariadbUp = await mariadbAvailable();

describe.runIf(mariadbUp)("Ctrl-C on MariaDB", () => {
  let db: MariadbTestDatabase;
  beforeAll(async () => {
    db = await createMariadbDatabase("create table t (id int primary key); insert into t values (1);");
  });
  afterAll(async () => {
    await db?.drop();
  });

  const analyzing = async () =>
    Number(
      (
        (await db.run(
          `select count(*) as n from information_schema.processlist where db = '${db.name}' and info like 'ANALYZE FORMAT=JSON%'`,
        )) as Array<{ n: number }>
      )[0]?.n ?? 0,
    );

  it("explain --analyze: KILL QUERY, not left to run to its timeout", async () => {
    const r = await interrupted(
      [
        "explain",
        "--analyze",
        "--sql",
        "select sleep(120) from t",
        "--db",
        db.url,
        "--statement-timeout",
        "150s",
      ],
      async () => (await analyzing()) === 1,
    );
    expect(r.code).toBe(130);
    expect(r.stderr.trim().split("\n")).toEqual([CANCELLED]);
    expect(await until(async () => (await analyzing()) === 0, 20)).toBe(true);
  }, 120_000);
});
