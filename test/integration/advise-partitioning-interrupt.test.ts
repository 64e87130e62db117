/**
 * Ctrl-C while `advise partitioning --sandbox` proves a layout: the migration has built the partitioned table and
 * is copying rows when the signal comes. The running statement is cancelled, the sandbox is put back (the original
 * table under its own name, with its rows, nothing dbopt built left), and one line says so. Before, the default
 * handler ended the process 200 ms after cancelling, which could fall between the migration and its undo.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table events (id bigserial primary key, at timestamptz not null, kind int not null);
insert into events (at, kind) select timestamptz '2026-01-01' + g * interval '8 seconds', g % 9
  from generate_series(1, 1000000) g;
analyze events;
`;

describe.each(server("pg15"))("advise partitioning --sandbox interrupted on $name", (pg15) => {
  let db: TestDatabase;
  const one = async <T>(sql: string) => (await runAsAdmin(db.url, sql)).rows[0] as T;
  beforeAll(async () => {
    db = await createTestDatabase(pg15, SETUP);
    await runAsAdmin(
      pg15.adminUrl,
      "select pg_stat_statements_reset(0, (select oid from pg_database where datname = $1), 0)",
      [db.name],
    );
    for (let d = 1; d <= 10; d++)
      await runAsAdmin(
        db.url,
        `select count(*) from events where at >= '2026-02-${String(d).padStart(2, "0")}' and at < '2026-02-${String(d).padStart(2, "0")} 12:00'`,
      );
  }, 180_000);
  afterAll(async () => {
    await db?.drop();
  });

  it("cancels the copy, puts the sandbox back and says so in one line", async () => {
    const original = await one<{ oid: string }>("select 'events'::regclass::oid::text as oid");
    const child = spawn(
      process.execPath,
      [
        process.env.DBOPT_TEST_BIN ?? BIN,
        ...["advise", "partitioning", "--db", db.url, "--sandbox"],
        ...["--set", "architecture/partition-table.minRows=100000"],
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
      // The migration's first step builds the partitioned table and its partitions; the copy follows.
      const deadline = Date.now() + 90_000;
      let built = false;
      while (!built && Date.now() < deadline) {
        const { n } = await one<{ n: number }>(
          "select count(*)::int as n from pg_class where relname like 'events_p2%' and relispartition",
        );
        built = n > 5;
        if (!built) await new Promise((r) => setTimeout(r, 100));
      }
      expect(built, stderr).toBe(true);
      child.kill("SIGINT");
      const code = await exited;
      expect(code, stderr).not.toBe(0);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(
        /^dbopt: error: interrupted \(SIGINT\) while proving the layout of public\.events on the sandbox: the sandbox was put back as it was/,
      );
    } finally {
      child.kill("SIGKILL");
    }
    const after = await one<{ oid: string; kind: string; rows: number }>(
      "select 'events'::regclass::oid::text as oid, (select relkind::text from pg_class where oid = 'events'::regclass) as kind, (select count(*)::int from events) as rows",
    );
    expect(after).toEqual({ oid: original.oid, kind: "r", rows: 1000000 });
    const left = await runAsAdmin(
      db.url,
      "select relname from pg_class where relname like 'events%' and relkind in ('r', 'p') and relname <> 'events'",
    );
    expect(left.rows).toEqual([]);
  }, 240_000);
});
