import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MysqlConnector } from "../../src/connectors/mysql/mysql-connector.js";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import { analyzeMysqlDatabase } from "../../src/pipeline/analyze-mysql.js";
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

const SCHEMA = `
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, note VARCHAR(40) NOT NULL, total INT NOT NULL)
  ENGINE=InnoDB;
INSERT INTO orders SELECT seq, seq % 500, CONCAT('note ', seq % 997), seq % 1000 FROM seq_1_to_30000;
ANALYZE TABLE orders PERSISTENT FOR ALL;`;

const CONSUMERS =
  "('events_statements_current', 'events_statements_history', 'events_statements_history_long')";

describe.skipIf(!available)("dbopt analyze on MariaDB digests", () => {
  let db: MariadbTestDatabase;
  let connector: MysqlConnector;
  let admin: mysql.Connection;
  let consumersBefore: Array<{ NAME: string; ENABLED: string }> = [];
  let releaseLock: (() => Promise<void>) | undefined;

  /** The workload, from a session of its own in the test database (digests are kept per schema). */
  async function runWorkload(): Promise<void> {
    const app = await mysql.createConnection({
      host: MARIADB_HOST,
      port: MARIADB_PORT,
      user: "root",
      database: db.name,
    });
    for (let i = 0; i < 5; i++) await app.query(`SELECT id, total FROM orders WHERE note = 'note ${i}'`);
    for (let i = 0; i < 20; i++) await app.query(`SELECT id FROM orders WHERE id = ${i + 1}`);
    await app.end();
  }

  beforeAll(async () => {
    // This file turns the statement history off and on again: no other file may read it meanwhile.
    releaseLock = await holdPerformanceSchemaLock();
    admin = await mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: "root" });
    const [rows] = await admin.query(
      `SELECT NAME, ENABLED FROM performance_schema.setup_consumers WHERE NAME IN ${CONSUMERS}`,
    );
    consumersBefore = rows as typeof consumersBefore;
    db = await createMariadbDatabase(SCHEMA);
    connector = await MysqlConnector.connect(resolveMysqlTarget(db.url));
  });
  afterAll(async () => {
    for (const c of consumersBefore)
      await admin.query("UPDATE performance_schema.setup_consumers SET ENABLED = ? WHERE NAME = ?", [
        c.ENABLED,
        c.NAME,
      ]);
    await admin?.end();
    await connector?.close();
    await db?.drop();
    await releaseLock?.();
  });

  it("without the statement history: the top statements by time from the digests, and a note saying how to get their plans", async () => {
    await admin.query(
      `UPDATE performance_schema.setup_consumers SET ENABLED = 'NO' WHERE NAME IN ${CONSUMERS}`,
    );
    await runWorkload();
    const { report } = await analyzeMysqlDatabase(connector, { top: 5 });
    expect(report.kind).toBe("analyze");
    expect(report.server.version).toMatch(/^MariaDB 10\./);
    expect(report.workload.source).toBe("performance_schema.events_statements_summary_by_digest");
    const scan = report.statements[0];
    expect(scan?.query).toMatch(/WHERE `note` = \?/);
    expect(scan?.calls).toBe(5);
    expect(scan?.skipped).toMatch(/no sample text/);
    expect(report.notes.join("\n")).toMatch(/UPDATE performance_schema.setup_consumers SET ENABLED = 'YES'/);
    // The digest rule still sees the scan: 30,000 rows examined per call, no index used.
    const digestFinding = report.findings.find((f) => f.ruleId === "mysql/full-scan-statement");
    expect(digestFinding?.evidence.rowsExamined).toBe(150_000);
  });

  it("with the statement history: each top statement explained from a sample text, its full scan and index fix", async () => {
    await admin.query(
      `UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ${CONSUMERS}`,
    );
    await runWorkload();
    const { report } = await analyzeMysqlDatabase(connector, { top: 5 });
    const scan = report.statements.find((s) => /note/.test(s.query));
    expect(scan?.query).toMatch(/^SELECT id, total FROM orders WHERE note = 'note \d'$/);
    expect(scan?.planMethod).toBe("estimate");
    expect(scan?.calls).toBe(10);
    const finding = scan?.findings.find((f) => f.ruleId === "plan/mysql-full-scan");
    expect(finding?.evidence.rowsExaminedPerCall).toBe(30_000);
    expect(finding?.evidence.noIndexUsed).toBe(10);
    expect(finding?.timeMs).toBeCloseTo(scan?.totalMs ?? 0, 3);
    expect(String(finding?.fix?.sql)).toBe(
      "ALTER TABLE `orders` ADD INDEX `orders_note_idx` (`note`), ALGORITHM=INPLACE, LOCK=NONE",
    );
    // The plan finding takes the digest rule's place for that statement.
    expect(
      report.findings.some(
        (f) => f.ruleId === "mysql/full-scan-statement" && f.evidence.digest === scan?.queryId,
      ),
    ).toBe(false);
    expect(report.findings[0]?.ruleId).toBe("plan/mysql-full-scan");
    const lookup = report.statements.find((s) => /id = /.test(s.query));
    expect(lookup?.plan).not.toBeNull();
    expect(lookup?.findings).toEqual([]);
  });

  it("through the CLI: dbopt analyze --db mariadb://... prints the report", async () => {
    const r = await runCli(["analyze", "--db", db.url, "--format", "json", "--top", "3"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.statements.length).toBeGreaterThan(0);
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toContain("plan/mysql-full-scan");
    const terminal = await runCli(["analyze", "--db", db.url, "--top", "3"]);
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toMatch(/orders/);
  });
});
