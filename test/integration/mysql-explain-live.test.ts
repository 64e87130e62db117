import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MysqlConnector } from "../../src/connectors/mysql/mysql-connector.js";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import { explainStatementOnMysql } from "../../src/pipeline/explain-on-mysql.js";
import { createMariadbDatabase, type MariadbTestDatabase, mariadbAvailable } from "../support/mariadb.js";
import { runCli } from "../support/run-cli.js";

const available = await mariadbAvailable();

const SCHEMA = `
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, note VARCHAR(40) NOT NULL, total INT NOT NULL)
  ENGINE=InnoDB;
INSERT INTO orders SELECT seq, seq % 500, CONCAT('note ', seq % 997), seq % 1000 FROM seq_1_to_30000;
CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=Aria;
INSERT INTO counters VALUES (1, 0);
ANALYZE TABLE orders PERSISTENT FOR ALL;`;

describe.skipIf(!available)("dbopt explain --db mariadb://... --sql", () => {
  let db: MariadbTestDatabase;
  let connector: MysqlConnector;
  beforeAll(async () => {
    db = await createMariadbDatabase(SCHEMA);
    connector = await MysqlConnector.connect(resolveMysqlTarget(db.url));
  });
  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  it("runs EXPLAIN FORMAT=JSON read-only and reports the full scan with its index", async () => {
    const report = await explainStatementOnMysql(connector, "SELECT id FROM orders WHERE note = 'note 17';", {
      analyze: false,
    });
    expect(report.source).toContain("EXPLAIN FORMAT=JSON");
    expect(report.summary.analyzed).toBe(false);
    const scan = report.findings.find((f) => f.ruleId === "plan/mysql-full-scan");
    expect(scan?.evidence.rowsExamined).toBeGreaterThan(20_000);
    expect(String(scan?.fix?.sql)).toBe(
      "ALTER TABLE `orders` ADD INDEX `orders_note_idx` (`note`), ALGORITHM=INPLACE, LOCK=NONE",
    );
    // The fix builds on the server, and the statement then reads by it.
    await db.run(String(scan?.fix?.sql));
    const after = await explainStatementOnMysql(connector, "SELECT id FROM orders WHERE note = 'note 17'", {
      analyze: false,
    });
    expect(after.findings.some((f) => f.ruleId === "plan/mysql-full-scan")).toBe(false);
    await db.run("ALTER TABLE orders DROP INDEX orders_note_idx");
  });

  it("--analyze is MariaDB's ANALYZE FORMAT=JSON with the rows it read", async () => {
    const report = await explainStatementOnMysql(
      connector,
      "SELECT customer_id, COUNT(*) FROM orders WHERE total < 10 GROUP BY customer_id",
      { analyze: true },
    );
    expect(report.source).toContain("ANALYZE FORMAT=JSON");
    expect(report.summary.analyzed).toBe(true);
    const scan = report.findings.find((f) => f.ruleId === "plan/mysql-full-scan");
    expect(scan?.evidence.rowsExamined).toBe(30_000);
    expect(scan?.evidence.timeMs).toBeGreaterThan(0);
  });

  it("explains a data change without running it, and runs a small one rolled back with --analyze", async () => {
    const plain = await explainStatementOnMysql(connector, "UPDATE orders SET total = 0 WHERE id = 5", {
      analyze: false,
    });
    expect(plain.notes ?? []).toEqual([]);
    const run = await explainStatementOnMysql(connector, "UPDATE orders SET total = 0 WHERE id = 5", {
      analyze: true,
    });
    expect(run.source).toContain("rolled back");
    expect(run.notes?.join("\n")).toMatch(/ran for real on orders .* rolled back/);
    const [row] = (await db.run("SELECT total FROM orders WHERE id = 5")) as Array<{ total: number }>;
    expect(row?.total).toBe(5);
  });

  it("refuses --analyze of a large change or a non-transactional table unless allowed", async () => {
    await expect(
      explainStatementOnMysql(connector, "UPDATE orders SET total = total + 1", { analyze: true }),
    ).rejects.toThrow(/would run this UPDATE for real and read about [\d,]+ rows/);
    await expect(
      explainStatementOnMysql(connector, "UPDATE counters SET n = n + 1 WHERE id = 1", { analyze: true }),
    ).rejects.toThrow(/counters \(Aria\), which a rollback does not undo/);
    await expect(explainStatementOnMysql(connector, "DROP TABLE orders", { analyze: false })).rejects.toThrow(
      /EXPLAIN cannot take a DROP/,
    );
    await expect(
      explainStatementOnMysql(connector, "SELECT 1; DROP TABLE orders", { analyze: false }),
    ).rejects.toThrow(/2 statements/);
  });

  it("through the CLI: JSON report, and a refused write is one line with exit 2", async () => {
    const ok = await runCli([
      "explain",
      "--db",
      db.url,
      "--sql",
      "SELECT id FROM orders WHERE note = 'note 3'",
      "--format",
      "json",
    ]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toContain("plan/mysql-full-scan");
    const refused = await runCli(["explain", "--db", db.url, "--sql", "DELETE FROM orders", "--analyze"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^dbopt: error: --analyze would run this DELETE/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const [count] = (await db.run("SELECT COUNT(*) AS n FROM orders")) as Array<{ n: number }>;
    expect(Number(count?.n)).toBe(30_000);
  });
});
