/**
 * Partition clauses in MySQL/MariaDB migrate lint against MariaDB 10.11's real answer. MariaDB takes no ALGORITHM
 * or LOCK with partition management clauses (a syntax error), so the server is asked what it does: the rows a
 * clause copies ("rows affected") against the rebuild lint predicts, and, for each clause run on a table large
 * enough to take a while, whether an INSERT from another session waited for it (lock SHARED) while a SELECT did
 * not (then writes one after another until it ends: REPAIR holds writes for its second half only). ANALYZE,
 * CHECK, OPTIMIZE and REPAIR PARTITION answer with a result set: a partition whose InnoDB table id changed was
 * rebuilt. PARTITION BY and REMOVE PARTITIONING do take the clauses: the algorithms and locks the server refuses
 * and accepts are compared with the prediction, as the 37 operations of mysql-migrate.test.ts are; the management
 * clauses given ALGORITHM/LOCK, and DISCARD/IMPORT PARTITION, are refused (a syntax error) as predicted.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMysqlMigrationSet } from "../../src/facts/migration-mysql/mysql-migration-set.js";
import type { StatementPlan } from "../../src/facts/migration-mysql/statement-plan.js";
import {
  createMariadbDatabase,
  MARIADB_HOST,
  MARIADB_PORT,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../support/mariadb.js";

const available = await mariadbAvailable();
const ROWS = 120_000;
/** Rows the tests insert have ids from here (above every table's generated rows). */
const NEW_IDS = 10_000_000;

const RANGE = (
  name: string,
  rows = ROWS,
) => `CREATE TABLE \`${name}\` (id INT, y INT, pad CHAR(100) NOT NULL DEFAULT 'x',
  PRIMARY KEY (id, y)) ENGINE=InnoDB PARTITION BY RANGE (y) (PARTITION p1 VALUES LESS THAN (1000),
  PARTITION p2 VALUES LESS THAN (2000), PARTITION p3 VALUES LESS THAN (3000));
INSERT INTO \`${name}\` (id, y) SELECT seq, seq MOD 3000 FROM seq_1_to_${rows};`;
const HASH = (
  name: string,
  rows = ROWS,
) => `CREATE TABLE \`${name}\` (id INT PRIMARY KEY, y INT, pad CHAR(100) NOT NULL
  DEFAULT 'x') ENGINE=InnoDB PARTITION BY HASH (id) PARTITIONS 4;
INSERT INTO \`${name}\` (id, y) SELECT seq, seq FROM seq_1_to_${rows};`;
const PLAIN = (
  name: string,
  rows = ROWS,
) => `CREATE TABLE \`${name}\` (id INT PRIMARY KEY, y INT, pad CHAR(100) NOT NULL
  DEFAULT 'x') ENGINE=InnoDB;
INSERT INTO \`${name}\` (id, y) SELECT seq, seq FROM seq_1_to_${rows};`;

/** Each clause on a table of its own, with the statement that builds that table. */
const CLAUSES: Array<{
  table: string;
  setup: string;
  clause: string;
  /** Changes no row or partition, so it can be run again to see whether writes wait for it. */
  repeatable?: boolean;
}> = [
  {
    table: "add_range",
    setup: RANGE("add_range"),
    clause: "ADD PARTITION (PARTITION p4 VALUES LESS THAN (4000))",
  },
  { table: "add_hash", setup: HASH("add_hash"), clause: "ADD PARTITION PARTITIONS 2" },
  { table: "drop_range", setup: RANGE("drop_range"), clause: "DROP PARTITION p1" },
  { table: "truncate_range", setup: RANGE("truncate_range"), clause: "TRUNCATE PARTITION p1" },
  { table: "coalesce_hash", setup: HASH("coalesce_hash"), clause: "COALESCE PARTITION 2" },
  {
    table: "reorganize_range",
    // Three times the rows: on a quiet machine two partitions of 40,000 were copied in 224 ms, and the write sent
    // 150 ms in waited 74 ms, under the 100 ms a wait is judged by.
    setup: RANGE("reorganize_range", 3 * ROWS),
    clause: "REORGANIZE PARTITION p2, p3 INTO (PARTITION p23 VALUES LESS THAN (3000))",
  },
  {
    table: "exchange_range",
    setup: `${RANGE("exchange_range")}\nCREATE TABLE exchange_with (id INT, y INT, pad CHAR(100) NOT NULL DEFAULT 'x', PRIMARY KEY (id, y)) ENGINE=InnoDB;`,
    clause: "EXCHANGE PARTITION p1 WITH TABLE exchange_with",
  },
  { table: "rebuild_range", setup: RANGE("rebuild_range"), clause: "REBUILD PARTITION p1, p2, p3" },
  { table: "partition_by", setup: PLAIN("partition_by"), clause: "PARTITION BY HASH (id) PARTITIONS 4" },
  { table: "remove_partitioning", setup: HASH("remove_partitioning"), clause: "REMOVE PARTITIONING" },
  { table: "analyze_range", setup: RANGE("analyze_range"), clause: "ANALYZE PARTITION p1" },
  { table: "check_range", setup: RANGE("check_range"), clause: "CHECK PARTITION p1, p2, p3" },
  { table: "optimize_range", setup: RANGE("optimize_range"), clause: "OPTIMIZE PARTITION p1" },
  {
    table: "repair_range",
    // Three times the rows: REPAIR holds writes for its second half, longer the more rows it reads.
    setup: RANGE("repair_range", 3 * ROWS),
    clause: "REPAIR PARTITION p1, p2, p3",
    repeatable: true,
  },
];

describe.skipIf(!available)("partition clauses in MySQL/MariaDB migrate lint, against MariaDB 10.11", () => {
  let db: MariadbTestDatabase;
  let dir: string;
  let plans: Map<string, StatementPlan>;
  const connect = () =>
    mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: "root", database: db.name });
  /** Each partition's InnoDB table id ("db/table#P#p1"): a rebuilt partition gets a new one. */
  const tableIds = async (table: string) =>
    (
      (await db.run(
        `SELECT NAME AS name, TABLE_ID AS id FROM information_schema.INNODB_SYS_TABLES WHERE NAME LIKE '${db.name}/${table}#%'`,
      )) as Array<{ name: string; id: number }>
    ).map((r) => [r.name, r.id] as const);

  /**
   * Run `alter` up to eight times while `writer` inserts one row after another and a third session watches the
   * writer's InnoDB transaction: whether it was ever seen in LOCK WAIT, or its write in flight at the end waited.
   */
  const writesSeenWaiting = async (
    alter: mysql.Connection,
    writer: mysql.Connection,
    statement: string,
    table: string,
  ): Promise<boolean> => {
    const watcher = await connect();
    try {
      // A write's own time here and now (the median of five), against which a wait is judged: on a quiet machine
      // REPAIR's hold is shorter than the 100 ms the first run judges by.
      const own: number[] = [];
      for (let k = 0; k < 5; k++) {
        const start = performance.now();
        await writer.query(`INSERT INTO ${table} (id, y) VALUES (?, 5)`, [NEW_IDS + 900_000 + k]);
        own.push(performance.now() - start);
      }
      const waitMs = Math.max(20, 5 * (own.sort((a, b) => a - b)[2] ?? 0));
      for (let attempt = 0; attempt < 8; attempt++) {
        const ended = { at: 0 };
        const running = alter.query(statement).finally(() => {
          ended.at = performance.now();
        });
        let seen = false;
        const watching = (async () => {
          while (ended.at === 0 && !seen) {
            const [states] = await watcher.query(
              "SELECT trx_state AS state FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ?",
              [writer.threadId],
            );
            seen = (states as Array<{ state: string }>).some((r) => r.state === "LOCK WAIT");
          }
        })();
        let last = { start: 0, ms: 0 };
        for (let k = 0; ended.at === 0; k++) {
          const start = performance.now();
          await writer.query(`INSERT INTO ${table} (id, y) VALUES (?, 5)`, [
            NEW_IDS + 1_000_000 + 10_000 * attempt + k,
          ]);
          last = { start, ms: performance.now() - start };
        }
        await Promise.all([running, watching]);
        // Or the clock: the write in flight at the end took five times a write's own time and ended with it.
        if (seen || (last.ms > waitMs && last.start + last.ms >= ended.at - 50)) {
          console.log(
            `${table}: writes seen waiting on run ${attempt + 2} (${seen ? "LOCK WAIT" : `${last.ms.toFixed(0)} ms`})`,
          );
          return true;
        }
      }
      return false;
    } finally {
      await watcher.end();
    }
  };

  beforeAll(async () => {
    db = await createMariadbDatabase(CLAUSES.map((c) => c.setup).join("\n"));
    dir = mkdtempSync(join(tmpdir(), "dbopt-mysql-partitions-"));
    const file = join(dir, "partitions.sql");
    writeFileSync(file, CLAUSES.map((c) => `ALTER TABLE ${c.table} ${c.clause};`).join("\n"));
    const facts = readMysqlMigrationSet(
      [{ file, applied: false }],
      { flavour: "mariadb", version: [10, 11, 0] },
      null,
    );
    plans = new Map(facts.statements.map((st, i) => [CLAUSES[i]?.table as string, st.plan as StatementPlan]));
  }, 180_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("knows every clause: none is left to unknown-operation", () => {
    expect([...plans.values()].map((p) => p.unknown)).toEqual(CLAUSES.map(() => []));
  });

  it("predicts which clauses copy rows and which make writes wait, as the server does them", async () => {
    const alter = await connect();
    const writer = await connect();
    const reader = await connect();
    try {
      const rows: Array<{ table: string; predicted: string; server: string; ms: string; waitSeen: boolean }> =
        [];
      for (const [i, c] of CLAUSES.entries()) {
        const plan = plans.get(c.table) as StatementPlan;
        const predicted = `${plan.rebuild ? "copies rows" : "copies nothing"}, writes ${plan.usedLock === "NONE" ? "go on" : "wait"}`;
        const idsBefore = new Map(await tableIds(c.table));
        const started = performance.now();
        // When the ALTER's answer came (its time is not stretched by the writes and the read awaited before it).
        const ended = { at: 0 };
        const running = alter.query(`ALTER TABLE ${c.table} ${c.clause}`).then((r) => {
          ended.at = performance.now();
          return r;
        });
        // Let the ALTER take its locks before the other sessions try the table.
        await new Promise((r) => setTimeout(r, 150));
        const writeStart = performance.now();
        await writer.query(`INSERT INTO ${c.table} (id, y) VALUES (?, 5)`, [NEW_IDS + 1 + i]);
        const writeMs = performance.now() - writeStart;
        const readStart = performance.now();
        await reader.query(`SELECT id FROM ${c.table} WHERE id = 7 AND y = 7`);
        const readMs = performance.now() - readStart;
        // Then one write after another until the ALTER ends: a clause that holds writes for part of its run
        // only (REPAIR) makes the write in flight at its end wait.
        let last = { start: writeStart, ms: writeMs };
        for (let k = 1; ended.at === 0; k++) {
          const start = performance.now();
          await writer.query(`INSERT INTO ${c.table} (id, y) VALUES (?, 5)`, [NEW_IDS + 1000 * (i + 1) + k]);
          last = { start, ms: performance.now() - start };
        }
        const [result] = await running;
        const alterMs = ended.at - started;
        // ANALYZE/CHECK/OPTIMIZE/REPAIR answer with a result set, not rows affected: a partition rebuilt gets a
        // new InnoDB table id, so a partition whose id changed had its rows copied.
        const copied = Array.isArray(result)
          ? (await tableIds(c.table)).filter(([name, id]) => idsBefore.get(name) !== id).length
          : (result as { affectedRows: number }).affectedRows;
        // A write that waited was sent while the ALTER still ran and finished with it; one that did not was done
        // long before it. A metadata-only clause is over before the write is sent (150 ms in), so however slow a
        // loaded machine makes that write, it did not wait.
        const sentDuring = writeStart < started + alterMs - 20;
        const waited = sentDuring && writeMs > 100 && writeStart + writeMs >= started + alterMs - 50;
        // A metadata-only clause still takes an exclusive metadata lock for its moment: when the server is slow
        // to finish it (a busy disk made DROP PARTITION take 1 s once), the write waits that moment. Only a copy
        // tells a lock held for the whole operation from that, so the wait is judged for copying clauses only.
        const lastWaited = last.ms > 100 && last.start + last.ms >= started + alterMs - 50;
        const judged =
          copied > 0 ? waited : !plan.rebuild && plan.usedLock === "NONE" ? false : waited || lastWaited;
        // A clause that ends less than 100 ms after the first write is sent (150 ms in: REPAIR of 120,000 rows on a
        // quiet machine took 121-209 ms) shows whether it copies, not whether it holds writes: a wait shorter than
        // the 100 ms a wait is judged by cannot be told from a write's own time, so its wait is not judged then.
        let waitSeen =
          copied > 0 || (!plan.rebuild && plan.usedLock === "NONE") || writeStart < started + alterMs - 100;
        let writesWait = judged;
        // REPAIR holds writes for its second half only, on a quiet machine shorter than that 100 ms (and that half
        // may begin just after a write). The server says it without a clock: the writer's InnoDB transaction in
        // LOCK WAIT. The clause changes nothing, so when this run did not show a wait it is run again until one is
        // seen (a clause that lets writes go on is never seen waiting).
        if ((!waitSeen || !judged) && c.repeatable) {
          waitSeen = true;
          writesWait = await writesSeenWaiting(alter, writer, `ALTER TABLE ${c.table} ${c.clause}`, c.table);
        }
        rows.push({
          table: c.table,
          predicted,
          waitSeen,
          server: `${copied > 0 ? "copies rows" : "copies nothing"}, writes ${writesWait ? "wait" : waitSeen ? "go on" : "not seen"}`,
          ms: `alter ${alterMs.toFixed(0)} ms, write ${writeMs.toFixed(0)} ms, read ${readMs.toFixed(0)} ms, last write ${last.ms.toFixed(0)} ms`,
        });
        if (waited) expect(readMs, `${c.table}: reads go on during the copy`).toBeLessThan(alterMs / 2);
        console.log(`${c.table}: ${rows.at(-1)?.server} (${rows.at(-1)?.ms})`);
      }
      expect(
        rows
          .filter((r) =>
            r.waitSeen ? r.predicted !== r.server : r.predicted.split(",")[0] !== r.server.split(",")[0],
          )
          .map((r) => `${r.table}: predicted ${r.predicted}; server ${r.server} (${r.ms})`),
      ).toEqual([]);
      expect(rows.filter((r) => r.server.startsWith("copies rows")).map((r) => r.table)).toEqual([
        "add_hash",
        "coalesce_hash",
        "reorganize_range",
        "rebuild_range",
        "partition_by",
        "remove_partitioning",
        "optimize_range",
      ]);
    } finally {
      await Promise.all([alter.end(), writer.end(), reader.end()]);
    }
  }, 300_000);

  it("PARTITION BY and REMOVE PARTITIONING: the ALGORITHM and LOCK the server refuses and accepts, as predicted", async () => {
    const variants = [
      "ALGORITHM=INPLACE, LOCK=SHARED",
      "ALGORITHM=COPY, LOCK=NONE",
      "ALGORITHM=INSTANT, LOCK=NONE",
      "ALGORITHM=COPY, LOCK=SHARED",
      // MariaDB takes these and copies all the same.
      "ALGORITHM=INSTANT, LOCK=SHARED",
      "ALGORITHM=NOCOPY",
    ];
    const cases = variants.flatMap((v, i) => [
      {
        table: `repartition_${i}`,
        setup: PLAIN(`repartition_${i}`, 300),
        sql: `${v} PARTITION BY HASH (id) PARTITIONS 4`,
      },
      { table: `unpartition_${i}`, setup: HASH(`unpartition_${i}`, 300), sql: `${v} REMOVE PARTITIONING` },
    ]);
    await db.run(cases.map((c) => c.setup).join("\n"));
    // The clauses go before a partitioning clause, without a comma after them.
    const file = join(dir, "repartition.sql");
    writeFileSync(file, cases.map((c) => `ALTER TABLE ${c.table} ${c.sql};`).join("\n"));
    const facts = readMysqlMigrationSet(
      [{ file, applied: false }],
      { flavour: "mariadb", version: [10, 11, 0] },
      null,
    );
    const c = await connect();
    try {
      const rows = [];
      for (const [i, st] of facts.statements.entries()) {
        const plan = st.plan as StatementPlan;
        let server = "accepted";
        try {
          await c.query(`ALTER TABLE ${cases[i]?.table} ${cases[i]?.sql}`);
        } catch (error) {
          server = `refused: ${(error as Error).message}`;
        }
        rows.push({ sql: cases[i]?.sql, predicted: plan.refused ? "refused" : "accepted", server });
      }
      expect(rows.filter((r) => !r.server.startsWith(r.predicted))).toEqual([]);
      expect(rows.filter((r) => r.server === "accepted")).toHaveLength(6);
      expect(rows[0]?.server).toMatch(
        /ALGORITHM=INPLACE is not supported for this operation. Try ALGORITHM=COPY/,
      );
      expect(rows[2]?.server).toMatch(/LOCK=NONE is not supported. Reason: COPY algorithm requires a lock/);
    } finally {
      await c.end();
    }
  }, 180_000);

  it("partition management with ALGORITHM/LOCK, and DISCARD/IMPORT PARTITION: refused as predicted (a syntax error)", async () => {
    const statements = [
      { sql: "ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION p1", refused: true },
      { sql: "LOCK=SHARED, TRUNCATE PARTITION p1", refused: true },
      { sql: "ALGORITHM=INPLACE ANALYZE PARTITION p1", refused: true },
      { sql: "ALGORITHM=DEFAULT, CHECK PARTITION p1", refused: true },
      { sql: "ALGORITHM=NOCOPY, OPTIMIZE PARTITION p1", refused: true },
      { sql: "LOCK=NONE, REPAIR PARTITION p1", refused: true },
      { sql: "DISCARD PARTITION p1 TABLESPACE", refused: true },
      { sql: "IMPORT PARTITION p1, p2 TABLESPACE", refused: true },
      { sql: "ANALYZE PARTITION p1", refused: false },
      { sql: "CHECK PARTITION ALL", refused: false },
      { sql: "REPAIR PARTITION p1", refused: false },
      { sql: "OPTIMIZE PARTITION p2", refused: false },
    ].map((s, i) => ({ ...s, table: `refuse_${i}` }));
    await db.run(
      statements
        .map(
          (s) => `CREATE TABLE ${s.table} (id INT, y INT, PRIMARY KEY (id, y)) PARTITION BY RANGE (y)
  (PARTITION p1 VALUES LESS THAN (10), PARTITION p2 VALUES LESS THAN (20));
INSERT INTO ${s.table} SELECT seq, seq MOD 20 FROM seq_1_to_300;`,
        )
        .join("\n"),
    );
    const file = join(dir, "refused.sql");
    writeFileSync(file, statements.map((s) => `ALTER TABLE ${s.table} ${s.sql};`).join("\n"));
    const facts = readMysqlMigrationSet(
      [{ file, applied: false }],
      { flavour: "mariadb", version: [10, 11, 0] },
      null,
    );
    expect(facts.statements.map((st) => st.plan?.refused !== null)).toEqual(statements.map((s) => s.refused));
    expect(facts.statements.map((st) => st.plan?.unknown)).toEqual(statements.map(() => []));
    const c = await connect();
    try {
      const answers: string[] = [];
      for (const s of statements) {
        try {
          await c.query(`ALTER TABLE ${s.table} ${s.sql}`);
          answers.push("accepted");
        } catch (error) {
          answers.push(`ERROR ${(error as { errno?: number }).errno}`);
        }
      }
      expect(answers).toEqual(statements.map((s) => (s.refused ? "ERROR 1064" : "accepted")));
    } finally {
      await c.end();
    }
  }, 180_000);
});
