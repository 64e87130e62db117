import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

/** The EXPLAIN ANALYZE statements dbopt runs on the database that are still active. */
async function runningExplains(db: TestDatabase): Promise<number> {
  const r = await runAsAdmin(
    db.url,
    "select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query like 'EXPLAIN (ANALYZE%'",
  );
  return Number(r.rows[0]?.n ?? 0);
}

async function until(condition: () => Promise<boolean>, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe.each(server("pg15"))("Ctrl-C during explain --analyze on $name", (pg15) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(pg15);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("cancels the statement on the server and says so in one line", async () => {
    // The server would run it for two minutes (--statement-timeout) after the client left: it never sends a row.
    const child = spawn(
      process.execPath,
      [
        process.env.DBOPT_TEST_BIN ?? BIN,
        "explain",
        "--analyze",
        "--sql",
        "select pg_sleep(120)",
        "--db",
        db.url,
        "--statement-timeout",
        "150s",
      ],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      expect(await until(async () => (await runningExplains(db)) === 1, 60)).toBe(true);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(stderr.trim().split("\n")).toEqual([
        "dbopt: error: interrupted (SIGINT): the statements it was running on the server were cancelled.",
      ]);
      // Gone well before the two minutes the timeout would have taken.
      expect(await until(async () => (await runningExplains(db)) === 0, 20)).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});

describe.each(server("pg15"))("Ctrl-C during bench on $name", (pg15) => {
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

  it("prints what it measured, then one line that says it was cut short, and exits 130", async () => {
    const workload = join(mkdtempSync(join(tmpdir(), "dbopt-interrupt-")), "w.sql");
    writeFileSync(workload, "select count(*) from t where id < 500;\n");
    const child = spawn(
      process.execPath,
      [
        process.env.DBOPT_TEST_BIN ?? BIN,
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
        "--duration",
        "120s",
        "--warmup",
        "0",
      ],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
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
      const clients = async () =>
        Number(
          (
            await runAsAdmin(
              db.url,
              "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
            )
          ).rows[0]?.n ?? 0,
        );
      expect(await until(async () => (await clients()) >= 2, 60)).toBe(true);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(stdout).toMatch(/measured/);
      expect(stderr.trim().split("\n")).toEqual([
        "dbopt: error: interrupted (SIGINT): the report covers only what was measured before it; its sessions are closed.",
      ]);
      expect(await until(async () => (await clients()) === 0, 20)).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
