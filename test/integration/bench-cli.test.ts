/**
 * dbopt bench on the local PostgreSQL 15, through the built CLI: 8 clients replay a weighted workload on a
 * sandbox (a write among the reads) with figures that add up; writes are refused without --sandbox, and any
 * load without --read-only-ok, each in one line; an A/B where B has the index A lacks is significant, an A/A
 * is not.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchReport, RunFigures } from "../../src/pipeline/bench-workload.js";
import { measureUntil } from "../support/retried-measurement.js";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

const SCHEMA = `
create table "Bench Items" (id int primary key, "Group Id" int not null, payload text not null);
insert into "Bench Items" select g, g % 5000, 'payload ' || g from generate_series(1, 200000) g;
`;

function ordered(run: RunFigures): void {
  for (const s of [...run.statements, run.overall]) {
    expect(s.minMs).toBeLessThanOrEqual(s.p50Ms);
    expect(s.p50Ms).toBeLessThanOrEqual(s.p95Ms);
    expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms);
    expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
    expect(s.meanMs).toBeGreaterThan(0);
  }
}

describe.each(server("pg15"))("dbopt bench on $name", (s) => {
  let db: TestDatabase;
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dbopt-bench-"));
    db = await createTestDatabase(s, SCHEMA);
    await runAsAdmin(db.url, 'vacuum analyze "Bench Items"');
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs 8 clients on a sandbox, weighted, with figures that add up", { timeout: 120_000 }, async () => {
    const workload = file(
      "w.sql",
      [
        "-- weight: 6",
        'select payload from "Bench Items" where id = $1;',
        "-- weight: 2",
        'select count(*) from "Bench Items" where "Group Id" = $1;',
        "-- weight: 1",
        "update \"Bench Items\" set payload = 'touched' where id = $1;",
      ].join("\n"),
    );
    const r = await runCli([
      "bench",
      "--db",
      db.url,
      "--workload",
      workload,
      "--sandbox",
      "--clients",
      "8",
      "--duration",
      "3s",
      "--warmup",
      "500ms",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    const run = report.run as RunFigures;
    expect(report.settings.clients).toBe(8);
    expect(report.statements.map((x) => x.writes === null)).toEqual([true, true, false]);
    expect(report.statements[0]?.parameters).toEqual([
      { n: 1, column: "public.Bench Items.id", from: "statistics" },
    ]);
    expect(run.overall.errors).toBe(0);
    expect(run.overall.calls).toBe(run.statements.reduce((a, x) => a + x.calls, 0));
    expect(run.statements.every((x) => x.calls > 0)).toBe(true);
    expect(run.throughput).toBeCloseTo(run.overall.calls / (run.elapsedMs / 1000), 3);
    expect(run.elapsedMs).toBeGreaterThan(2900);
    expect(run.elapsedMs).toBeLessThan(6000);
    // 6:1 by weight: the seeded choice of 8 clients over a few thousand calls stays near it.
    const [lookup, , update] = run.statements;
    expect((lookup?.calls ?? 0) / (update?.calls ?? 1)).toBeGreaterThan(4);
    expect((lookup?.calls ?? 0) / (update?.calls ?? 1)).toBeLessThan(9);
    ordered(run);
    const touched = await runAsAdmin(
      db.url,
      `select count(*)::int as n from "Bench Items" where payload = 'touched'`,
    );
    expect(touched.rows[0].n).toBeGreaterThan(0);
  });

  it("refuses writes without --sandbox, and any load without --read-only-ok, in one line", async () => {
    const writes = file("writes.sql", "update \"Bench Items\" set payload = 'x' where id = $1;");
    const w = await runCli([
      "bench",
      "--db",
      db.url,
      "--workload",
      writes,
      "--read-only-ok",
      "--duration",
      "1s",
    ]);
    expect(w.code).toBe(2);
    expect(w.stdout).toBe("");
    expect(w.stderr.trim().split("\n")).toHaveLength(1);
    expect(w.stderr).toMatch(
      /writes \(it changes or locks rows of .*\): dbopt bench replays writes only on a database marked --sandbox/,
    );
    const locking = file("lock.sql", 'select * from "Bench Items" where id = $1 for update;');
    const l = await runCli([
      "bench",
      "--db",
      db.url,
      "--workload",
      locking,
      "--read-only-ok",
      "--duration",
      "1s",
    ]);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/--sandbox/);
    const reads = file("reads.sql", 'select payload from "Bench Items" where id = $1;');
    const n = await runCli(["bench", "--db", db.url, "--workload", reads, "--duration", "1s"]);
    expect(n.code).toBe(2);
    expect(n.stderr.trim().split("\n")).toHaveLength(1);
    expect(n.stderr).toMatch(/Pass --read-only-ok to replay this SELECT-only workload/);
    const ok = await runCli([
      "bench",
      "--db",
      db.url,
      "--workload",
      reads,
      "--read-only-ok",
      "--transactions",
      "400",
      "--warmup",
      "0",
      "--format",
      "json",
    ]);
    expect(ok.stderr).toBe("");
    const run = (JSON.parse(ok.stdout) as BenchReport).run as RunFigures;
    expect(run.overall.calls).toBe(400);
  });

  it("finds B with the index significantly faster than A without", { timeout: 180_000 }, async () => {
    const workload = file("group.sql", 'select count(*) from "Bench Items" where "Group Id" = $1;');
    const setup = file("b-setup.sql", 'create index bench_group on "Bench Items" ("Group Id");');
    const teardown = file("b-teardown.sql", "drop index bench_group;");
    // Judged up to twice: three rounds a side on a loaded machine can swing 5× (once p = 0.011 at a 108× speed-up);
    // B without its index, or A as fast as B, fails both.
    const measured = await measureUntil(
      2,
      async () => {
        const run = await runCli([
          "bench",
          "--db",
          db.url,
          "--workload",
          workload,
          "--sandbox",
          "--variant-b-setup",
          setup,
          "--variant-b-teardown",
          teardown,
          "--rounds",
          "3",
          "--duration",
          "1500ms",
          "--warmup",
          "300ms",
          "--format",
          "json",
        ]);
        expect(run.stderr).toBe("");
        return (JSON.parse(run.stdout) as BenchReport).comparison;
      },
      (c) => c?.overall.significant === true && c.statements[0]?.significant === true,
    );
    const c = measured.result;
    expect(c?.order).toEqual(["A", "B", "B", "A", "A", "B"]);
    const rounds = { a: c?.a.rounds.map((x) => x.throughput), b: c?.b.rounds.map((x) => x.throughput) };
    expect(c?.overall.significant, JSON.stringify({ overall: c?.overall, rounds })).toBe(true);
    expect(c?.overall.speedup).toBeGreaterThan(3);
    expect(c?.overall.text).toMatch(/^B is \d+(\.\d)?× faster \(p [<=] [\d.]+\)$/);
    expect(c?.statements[0]?.significant, JSON.stringify(c?.statements)).toBe(true);
    const left = await runAsAdmin(
      db.url,
      "select count(*)::int as n from pg_indexes where indexname = 'bench_group'",
    );
    expect(left.rows[0].n).toBe(0);
  });

  it("finds no significant difference between a statement and itself", { timeout: 180_000 }, async () => {
    const sql = 'select payload from "Bench Items" where id = $1';
    // At p < 0.01 an A/A comparison is "significant" once in a hundred runs by design: judged up to twice, so a
    // failure is a comparison that keeps finding a difference where there is none.
    const measured = await measureUntil(
      2,
      async () => {
        const run = await runCli([
          "bench",
          "--db",
          db.url,
          "--variant-a-sql",
          sql,
          "--variant-b-sql",
          sql,
          "--read-only-ok",
          "--rounds",
          "3",
          "--duration",
          "1s",
          "--warmup",
          "200ms",
          "--format",
          "json",
        ]);
        expect(run.stderr).toBe("");
        return (JSON.parse(run.stdout) as BenchReport).comparison;
      },
      (c) => c?.overall.significant === false,
    );
    const c = measured.result;
    expect(c?.overall.significant, JSON.stringify(measured.attempts.map((a) => a?.overall))).toBe(false);
    expect(c?.overall.text).toMatch(/^no significant difference \(p = /);
  });
});
