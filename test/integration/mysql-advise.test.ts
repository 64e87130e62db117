import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MysqlConnector } from "../../src/connectors/mysql/mysql-connector.js";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import { adviseMysqlDatabase } from "../../src/pipeline/advise-mysql.js";
import {
  createMariadbDatabase,
  holdPerformanceSchemaLock,
  MARIADB_HOST,
  MARIADB_PORT,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../support/mariadb.js";
import { runCli } from "../support/run-cli.js";

const available = await mariadbAvailable();

/** 60,000 orders; `note` has no index, and orders_customer_total's (customer_id) lead makes orders_customer redundant. */
const SCHEMA = `
CREATE TABLE orders (
  id INT PRIMARY KEY, customer_id INT NOT NULL, note VARCHAR(40) NOT NULL, total INT NOT NULL,
  created_at DATETIME NOT NULL,
  KEY orders_customer (customer_id), KEY orders_customer_total (customer_id, total)
) ENGINE=InnoDB;
INSERT INTO orders SELECT seq, seq % 2000, CONCAT('note ', seq % 1999), seq % 1000, '2024-01-01' + INTERVAL (seq % 500) DAY
  FROM seq_1_to_60000;
ANALYZE TABLE orders PERSISTENT FOR ALL;`;

const WORKLOAD = `-- weight: 50
SELECT id, total FROM orders WHERE note = 'note 17';
# a lookup by key: nothing to add
-- weight: 10
SELECT * FROM orders WHERE id = 7;
-- weight: 10
SELECT id, total FROM orders WHERE customer_id = 42 AND total > 100;
-- weight: 5
UPDATE orders SET note = CONCAT(note, '') WHERE id = 9;
`;

const baseOptions = {
  minImprovement: 0.05,
  maxIndexes: null,
  budgetBytes: null,
  tables: [],
  exclude: [],
};

describe.skipIf(!available)("dbopt advise on MariaDB, real indexes on a sandbox", () => {
  let db: MariadbTestDatabase;
  let connector: MysqlConnector;
  let workloadFile: string;
  beforeAll(async () => {
    db = await createMariadbDatabase(SCHEMA);
    connector = await MysqlConnector.connect(resolveMysqlTarget(db.url));
    workloadFile = join(tmpdir(), `dbopt-mysql-advise-${process.pid}.sql`);
    writeFileSync(workloadFile, WORKLOAD);
  });
  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  const indexes = async () =>
    (await db.run(
      `SELECT INDEX_NAME AS name, IGNORED AS ignored FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = '${db.name}' AND SEQ_IN_INDEX = 1 ORDER BY INDEX_NAME`,
    )) as Array<{ name: string; ignored: string }>;

  it("--sandbox (the database is a copy): the index on note, measured before and after, the redundant index to drop, and the sandbox left as it was", async () => {
    const before = await indexes();
    const { parseMysqlWorkloadFile } = await import("../../src/advisors/mysql/mysql-workload-file.js");
    const report = await adviseMysqlDatabase(connector, {
      ...baseOptions,
      workload: parseMysqlWorkloadFile(WORKLOAD, "w.sql"),
      sandbox: "self",
      samplePercent: null,
    });
    expect(report.whatIf).toBe("sandbox");
    const [rec] = report.recommendations;
    expect(rec?.ddl).toBe(
      "ALTER TABLE `orders` ADD INDEX `orders_note_idx` (`note`), ALGORITHM=INPLACE, LOCK=NONE",
    );
    expect(rec?.queries[0]?.costAfter).toBeLessThan((rec?.queries[0]?.costBefore ?? 0) / 10);
    const measured = rec?.measured?.[0];
    expect(measured?.query).toMatch(/note = 'note 17'/);
    expect(measured?.afterMs).toBeLessThan(measured?.beforeMs ?? 0);
    expect(rec?.sizeBytes).toBeGreaterThan(0);
    // The UPDATE of note maintains the new index: measured, in milliseconds over its 5 calls.
    expect(rec?.writeChargeMs).toBeGreaterThanOrEqual(0);
    expect(rec?.writeChargeMs).toBeLessThan(rec?.benefitMs ?? 0);
    expect(report.workload.improvement).toBeGreaterThan(0.5);
    // (customer_id, total) serves what (customer_id) did: switched off, no statement costs more.
    expect(report.drops.map((d) => d.index)).toContain("orders.orders_customer");
    expect(report.drops.find((d) => d.index === "orders.orders_customer")?.ddl).toBe(
      "ALTER TABLE `orders` DROP INDEX `orders_customer`, ALGORITHM=INPLACE, LOCK=NONE",
    );
    expect(report.drops.map((d) => d.index)).not.toContain("orders.orders_customer_total");
    // Built candidates dropped, switched-off indexes switched on again.
    expect(await indexes()).toEqual(before);
    // The DDL runs on the server as printed.
    await db.run(rec?.ddl as string);
    await db.run("ALTER TABLE orders DROP INDEX orders_note_idx");
  });

  it("never advises dropping the only index a foreign key leans on (InnoDB refuses: ERROR 1553)", async () => {
    await db.run(
      "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;" +
        "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, status VARCHAR(10) NOT NULL," +
        " created_at DATETIME NOT NULL, KEY child_parent (parent_id)," +
        " CONSTRAINT child_fk FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB;" +
        "INSERT INTO parent SELECT seq FROM seq_1_to_2000;" +
        "INSERT INTO child SELECT seq, 1 + seq % 2000, IF(seq % 50 = 0, 'open', 'done'), '2024-01-01' + INTERVAL seq MINUTE" +
        " FROM seq_1_to_40000;" +
        "ANALYZE TABLE parent, child PERSISTENT FOR ALL;",
    );
    try {
      const report = await adviseMysqlDatabase(connector, {
        ...baseOptions,
        tables: ["child"],
        workload: [
          {
            id: "w:1",
            sql: "SELECT id FROM child WHERE status = 'open' ORDER BY created_at DESC LIMIT 10",
            weight: 1000,
            calls: 1000,
            weightIs: "calls",
          },
        ],
        sandbox: "self",
        samplePercent: null,
      });
      // Switched off, child_parent costs the workload nothing: only the foreign key keeps it.
      expect(report.drops.map((d) => d.index)).not.toContain("child.child_parent");
    } finally {
      await db.run("DROP TABLE child; DROP TABLE parent");
    }
  });

  it("--sample 20% through the CLI: a scratch copy, the same advice as JSON, the scratch database dropped", async () => {
    const r = await runCli([
      "advise",
      "--db",
      db.url,
      "--workload",
      workloadFile,
      "--sample",
      "20%",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.recommendations.map((x: { ddl: string }) => x.ddl)).toEqual([
      "ALTER TABLE `orders` ADD INDEX `orders_note_idx` (`note`), ALGORITHM=INPLACE, LOCK=NONE",
    ]);
    expect(report.notes.join("\n")).toMatch(/scratch copy with 20% of the rows \(orders: 1[12],\d{3}\)/);
    const scratch = (await db.run(
      "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbopt\\_scratch\\_%'",
    )) as Array<{ s: string }>;
    // Other suites may hold a scratch database of their own at this moment; none holds a copy of this one's orders.
    for (const { s } of scratch) {
      const rows = (await db.run(
        `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${s}' AND TABLE_NAME = 'orders'`,
      )) as Array<{ n: number }>;
      expect(Number(rows[0]?.n)).toBe(0);
    }
    expect(await indexes()).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "orders_customer", ignored: "NO" })]),
    );
  });

  it("quotes awkward names (a backtick, spaces, upper case) in the scratch copy, the candidates and the printed DDL", async () => {
    await db.run(
      "CREATE TABLE `We``ird Orders` (id INT PRIMARY KEY, `Odd Note` VARCHAR(20) NOT NULL, `n` INT NOT NULL) ENGINE=InnoDB;" +
        "INSERT INTO `We``ird Orders` SELECT seq, CONCAT('v', seq % 997), seq FROM seq_1_to_20000;" +
        "ANALYZE TABLE `We``ird Orders` PERSISTENT FOR ALL;",
    );
    const report = await adviseMysqlDatabase(connector, {
      ...baseOptions,
      workload: [
        {
          id: "w:1",
          sql: "SELECT n FROM `We``ird Orders` w WHERE w.`Odd Note` = 'v5'",
          weight: 10,
          calls: 10,
          weightIs: "calls",
        },
      ],
      sandbox: null,
      samplePercent: 50,
      tables: ["We`ird Orders"],
    });
    const ddl = report.recommendations[0]?.ddl;
    expect(ddl).toBe(
      "ALTER TABLE `We``ird Orders` ADD INDEX `We``ird Orders_Odd Note_idx` (`Odd Note`), ALGORITHM=INPLACE, LOCK=NONE",
    );
    await db.run(ddl as string);
    const added = (await db.run(
      `SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '${db.name}' AND TABLE_NAME = 'We\`ird Orders' AND INDEX_NAME <> 'PRIMARY'`,
    )) as Array<{ c: string }>;
    expect(added.map((r) => r.c)).toEqual(["Odd Note"]);
  });

  it("without --workload: the digests' sample texts from the statement history, weighted by their time", async () => {
    const CONSUMERS =
      "('events_statements_current', 'events_statements_history', 'events_statements_history_long')";
    // Other files turn the statement history off: hold the lock while this test turns it on and reads it.
    const releaseLock = await holdPerformanceSchemaLock();
    const before = (await db.run(
      `SELECT NAME, ENABLED FROM performance_schema.setup_consumers WHERE NAME IN ${CONSUMERS}`,
    )) as Array<{ NAME: string; ENABLED: string }>;
    await db.run(`UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ${CONSUMERS}`);
    try {
      const app = await mysql.createConnection({
        host: MARIADB_HOST,
        port: MARIADB_PORT,
        user: "root",
        database: db.name,
      });
      for (let i = 0; i < 5; i++) await app.query(`SELECT id, total FROM orders WHERE note = 'note ${i}'`);
      await app.end();
      const report = await adviseMysqlDatabase(connector, {
        ...baseOptions,
        sandbox: "self",
        samplePercent: null,
      });
      const rec = report.recommendations.find((r) => r.table === "orders");
      expect(rec?.ddl).toBe(
        "ALTER TABLE `orders` ADD INDEX `orders_note_idx` (`note`), ALGORITHM=INPLACE, LOCK=NONE",
      );
      // The digest's own time is the statement's weight.
      expect(rec?.queries[0]?.query).toMatch(/^SELECT id, total FROM orders WHERE note = 'note \d'$/);
      expect(rec?.queries[0]?.weightMs).toBeGreaterThan(0);
    } finally {
      for (const c of before)
        await db.run(
          `UPDATE performance_schema.setup_consumers SET ENABLED = '${c.ENABLED}' WHERE NAME = '${c.NAME}'`,
        );
      await releaseLock();
    }
  });

  it("refuses without a sandbox, in one line, and leaves the database alone", async () => {
    const r = await runCli(["advise", "--db", db.url, "--workload", workloadFile]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^dbopt: error: MySQL and MariaDB have no hypothetical indexes/);
    expect(r.stderr).toMatch(/--sample 5%/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
