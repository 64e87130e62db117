/**
 * Snapshot files into the history store and back (dbopt store import / export), on a real PostgreSQL 15 database
 * and a real store: two snapshots imported become two samples whose deltas are what ran between them; each sample
 * exported again holds the same statement counters, tables, indexes and settings as the file it came from, and
 * dbopt check --snapshot and dbopt diff read the exported files.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/facts/snapshot.js";
import { readSnapshot } from "../../src/facts/snapshot-file.js";
import type { DiffReport } from "../../src/pipeline/diff-snapshots.js";
import { runCli } from "../support/run-cli.js";
import {
  createTestDatabase,
  RESET_THIS_DATABASE_STATEMENTS,
  runAsAdmin,
  server,
  type TestDatabase,
} from "../support/servers.js";

const SETUP = `
create extension if not exists pg_stat_statements;
create table items (id int primary key, kind int not null, label text not null);
insert into items select g, g % 500, 'item ' || g from generate_series(1, 50000) g;
create index items_kind on items (kind);
analyze items;
`;
const LOOKUP = "select count(*) from items where kind = $1";

async function lookups(url: string, calls: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < calls; i++) await client.query(LOOKUP, [i % 500]);
  } finally {
    await client.end();
  }
}

describe.each(server("pg15"))("dbopt store import and export on $name", (srv) => {
  let db: TestDatabase;
  let store: TestDatabase;
  let dir: string;
  let a: Snapshot;
  let b: Snapshot;
  const file = (name: string) => join(dir, name);
  const storeRows = async (sql: string, params: unknown[] = []) =>
    (await runAsAdmin(store.url, sql, params)).rows;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dbopt-store-io-"));
    [db, store] = await Promise.all([createTestDatabase(srv, SETUP), createTestDatabase(srv)]);
    await runAsAdmin(db.url, RESET_THIS_DATABASE_STATEMENTS);
    await lookups(db.url, 40);
    for (const [name, calls] of [
      ["a.json", 25],
      ["b.json", 0],
    ] as const) {
      const r = await runCli(["snapshot", "--db", db.url, "--out", file(name)]);
      expect(r.code, r.stderr).toBe(0);
      await lookups(db.url, calls);
    }
    [a, b] = [await readSnapshot(file("a.json")), await readSnapshot(file("b.json"))];
    // Given newest first: the import orders them by the time they were taken.
    const imported = await runCli(["store", "import", file("b.json"), file("a.json"), "--store", store.url]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/imported 2 snapshot\(s\)/);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([db, store].map((d) => d?.drop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes each snapshot as one sample of its database, with the deltas between them", async () => {
    const targets = await storeRows("select address, database_name from dbopt_store.target");
    expect(targets).toEqual([{ address: `imported/${db.name}`, database_name: db.name }]);
    const samples = await storeRows("select taken_at from dbopt_store.sample order by taken_at");
    expect(samples.map((s) => (s.taken_at as Date).toISOString())).toEqual([a.capturedAt, b.capturedAt]);
    const [delta] = await storeRows(
      `select ss.calls::int as calls from dbopt_store.statement_sample ss
         join dbopt_store.statement s on s.id = ss.statement_id where s.query = $1`,
      [LOOKUP],
    );
    expect(delta?.calls).toBe(25);
  });

  it("exports each sample back as the snapshot it came from, in what the store keeps", async () => {
    for (const [original, name] of [
      [a, "a-out.json"],
      [b, "b-out.json"],
    ] as const) {
      // The same export, as dbopt store export and as dbopt snapshot --from-store.
      const r = await runCli([
        ...(name === "a-out.json" ? ["store", "export"] : ["snapshot", "--from-store"]),
        "--store",
        store.url,
        "--db",
        db.name,
        "--at",
        original.capturedAt,
        "--out",
        file(name),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/the store does not keep columns, constraints/);
      const out = await readSnapshot(file(name));
      expect(out.capturedAt).toBe(original.capturedAt);
      const key = (s: Snapshot["workload"]["statements"][number]) =>
        `${s.queryId}/${s.userName}/${s.toplevel}`;
      const was = new Map(original.workload.statements.map((s) => [key(s), s]));
      expect(out.workload.statements.map(key).sort()).toEqual([...was.keys()].sort());
      for (const s of out.workload.statements) {
        const o = was.get(key(s));
        expect(s.calls).toBe(o?.calls);
        expect(s.rows).toBe(o?.rows);
        expect(s.sharedBlksHit).toBe(o?.sharedBlksHit);
        expect(s.totalMs).toBeCloseTo(o?.totalMs ?? -1, 6);
        expect(s.stddevMs).toBeCloseTo(o?.stddevMs ?? -1, 3);
      }
      const tables = (s: Snapshot) =>
        s.tables.map((t) => [t.name, t.totalBytes, t.stats?.seqScan, t.stats?.nLiveTup]);
      expect(tables(out)).toEqual(tables(original));
      const indexes = (s: Snapshot) =>
        s.indexes.map((i) => [i.name, i.definition, i.sizeBytes, i.stats?.idxScan]).sort();
      expect(indexes(out)).toEqual(indexes(original));
      const setting = (s: Snapshot, n: string) => s.settings.find((x) => x.name === n)?.setting;
      for (const n of ["work_mem", "shared_buffers", "random_page_cost"])
        expect(setting(out, n)).toBe(setting(original, n));
      expect(out.database.xactCommit).toBe(original.database.xactCommit);
    }
  });

  it("gives files dbopt check --snapshot and dbopt diff read", async () => {
    const check = await runCli(["check", "--snapshot", file("b-out.json"), "--format", "json"]);
    expect([0, 1], check.stderr).toContain(check.code);
    const checked = JSON.parse(check.stdout) as { findings: { ruleId: string }[]; notes: string[] };
    // items has a primary key the store does not record: the checks that read constraints do not run.
    expect(checked.findings.map((f) => f.ruleId)).not.toContain("health/missing-primary-key");
    expect(checked.notes.join("\n")).toMatch(
      /exported from the history store, this snapshot holds no columns, constraints/,
    );
    const diff = await runCli(["diff", file("a-out.json"), file("b-out.json"), "--format", "json"]);
    expect(diff.code, diff.stderr).toBe(0);
    const report = JSON.parse(diff.stdout) as DiffReport;
    expect(report.statements.find((s) => s.query === LOOKUP)?.after.calls).toBe(25);
    // The same comparison straight from the store's two samples.
    const fromStore = await runCli([
      "diff",
      "--store",
      store.url,
      "--db",
      db.name,
      "--from",
      a.capturedAt,
      "--to",
      b.capturedAt,
      "--format",
      "json",
    ]);
    expect(fromStore.code, fromStore.stderr).toBe(0);
    const stored = JSON.parse(fromStore.stdout) as DiffReport;
    // The first sample has counters but no deltas: the lookup ran only in the after window there.
    expect(stored.newStatements.find((s) => s.query === LOOKUP)?.figures.calls).toBe(25);
  });

  it("refuses in one line a snapshot older than the target's latest sample", async () => {
    const again = await runCli(["store", "import", file("a.json"), "--store", store.url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^dbopt: error: a\.json was taken at .* before the store's latest sample/);
    expect(again.stderr).not.toMatch(/\n\s+at /);
    const none = await runCli([
      "store",
      "export",
      "--store",
      store.url,
      "--db",
      "nope",
      "--out",
      file("x.json"),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no samples of nope/);
  });
});
