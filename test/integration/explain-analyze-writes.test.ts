/**
 * `explain --analyze` of a data-changing statement runs it in a transaction that is rolled back, and says what
 * the rollback leaves: dead row versions, advanced sequences, WAL, triggers. Large changes and changes that
 * fire triggers are refused without --sandbox or --allow-writes. Checked on the real servers: the dead rows and
 * the sequence really are there afterwards, so the note is true.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

async function tableStats(url: string): Promise<{ dead: number; seq: number; rows: number }> {
  // A new session reads the statistics the CLI's session flushed when it ended.
  const { rows } = await runAsAdmin(
    url,
    `select (select n_dead_tup from pg_stat_user_tables where relname = 'stock') as dead,
            (select last_value from stock_id_seq) as seq,
            (select count(*) from stock) as rows`,
  );
  return { dead: Number(rows[0].dead), seq: Number(rows[0].seq), rows: Number(rows[0].rows) };
}

/** pg_stat_user_tables lags a finished session by a moment: wait until it shows `dead` or give up. */
async function deadRowsReach(url: string, dead: number): Promise<number> {
  let seen = 0;
  for (let i = 0; i < 50; i++) {
    seen = (await tableStats(url)).dead;
    if (seen >= dead) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

describe.each(availableServers())("explain --analyze of a write on $name", (server) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(
      server,
      // autovacuum off for this table: the embedded PG18 runs autovacuum, and after the 12,000 dead rows of the
      // INSERT test it may vacuum the table between two tests, so the dead-row counts the tests compare drop.
      `create table stock (id serial primary key, sku text not null, qty int not null) with (autovacuum_enabled = false);
       insert into stock (sku, qty) select 'sku-' || g, g % 50 from generate_series(1, 30000) g;
       create table audited (id int primary key, qty int not null);
       insert into audited select g, 0 from generate_series(1, 10) g;
       create function audit_row() returns trigger language plpgsql as $$ begin return new; end $$;
       create trigger audited_change before update on audited for each row execute function audit_row();
       analyze;`,
    );
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("refuses a large change without --sandbox or --allow-writes, and runs nothing", async () => {
    const before = await tableStats(database.url);
    const r = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "update stock set qty = qty + 1",
      "--analyze",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^dbopt: error: --analyze would run this UPDATE on about 30,000 rows of stock \(over 10,000\); a rollback still leaves dead rows, WAL/,
    );
    expect(lines[0]).toMatch(/--sandbox, or pass --allow-writes/);
    expect((await tableStats(database.url)).dead).toBe(before.dead);
  });

  it("refuses a change that fires a trigger, however small", async () => {
    const r = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "update audited set qty = 1 where id = 1",
      "--analyze",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/fire a trigger \(audited_change on audited\)/);
  });

  it("with --allow-writes, runs it, rolls it back and lists what remains, which is true", async () => {
    const before = await tableStats(database.url);
    const r = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "insert into stock (sku, qty) select 'new-' || g, 1 from generate_series(1, 12000) g",
      "--analyze",
      "--allow-writes",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.source).toMatch(/EXPLAIN ANALYZE, rolled back/);
    const notes: string[] = out.notes;
    expect(notes[0]).toMatch(/^INSERT ran for real on stock \(the planner expected about 12,000 rows\)/);
    expect(notes.join("\n")).toMatch(/dead row version until VACUUM; sequences .* advanced/);
    expect(notes.join("\n")).toMatch(/written to WAL/);
    // The rows are gone, but the sequence moved on and the inserted rows are dead row versions.
    const after = await tableStats(database.url);
    expect(after.rows).toBe(before.rows);
    expect(after.seq).toBeGreaterThanOrEqual(before.seq + 12000);
    expect(await deadRowsReach(database.url, before.dead + 12000)).toBeGreaterThanOrEqual(
      before.dead + 12000,
    );
  });

  it("a small UPDATE runs with the note on the terminal, and leaves dead rows", async () => {
    const before = await tableStats(database.url);
    const r = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "update stock set qty = 0 where id <= 100",
      "--analyze",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/note: UPDATE ran for real on stock/);
    expect(r.stdout).toMatch(/note: each updated or deleted row left a dead row version until VACUUM/);
    expect(r.stdout).toMatch(/note: no user triggers on the changed tables/);
    expect(await deadRowsReach(database.url, before.dead + 100)).toBeGreaterThanOrEqual(before.dead + 100);
  });

  it("SELECT ... FOR UPDATE: the lock is the effect, and a large one is refused", async () => {
    const small = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "select * from stock where id <= 10 for update",
      "--analyze",
      "--format",
      "json",
    ]);
    expect(small.code, small.stderr).toBe(0);
    expect(JSON.parse(small.stdout).notes).toEqual([
      expect.stringMatching(
        /^the statement locked the rows it returned \(the planner expected about \d+ rows\)/,
      ),
    ]);
    const large = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "select * from stock for share",
      "--analyze",
    ]);
    expect(large.code).toBe(2);
    expect(large.stderr).toMatch(
      /--analyze would lock about [\d,]+ rows \(SELECT ... FOR UPDATE\/SHARE, over 10,000\)/,
    );
  });

  it("--sandbox lets a large change run, and means nothing without --analyze", async () => {
    const r = await runCli([
      "explain",
      "--db",
      database.url,
      "--sql",
      "delete from stock where qty < 40",
      "--analyze",
      "--sandbox",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).notes[0]).toMatch(/^DELETE ran for real on stock/);
    const plain = await runCli(["explain", "--db", database.url, "--sql", "select 1", "--sandbox"]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--sandbox only matters with --analyze/);
  });
});
