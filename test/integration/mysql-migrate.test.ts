/**
 * dbopt migrate lint and trace on the local MariaDB 10.11: lint's prediction from the online DDL tables is set
 * against what the server accepts for every operation the tables cover (one table each, so the operations do
 * not interfere), and the CLI's formats, exit codes, sizes from --db and fix SQL are checked on real tables,
 * with names that need quoting.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import type { Finding } from "../../src/findings/finding.js";
import { traceMysqlMigrations } from "../../src/pipeline/trace-mysql-migrations.js";
import { createMariadbDatabase, type MariadbTestDatabase, mariadbAvailable } from "../support/mariadb.js";
import { runCli } from "../support/run-cli.js";

const available = await mariadbAvailable();

const TABLE = (name: string) => `CREATE TABLE \`${name}\` (
  id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(20), c VARCHAR(100) CHARACTER SET utf8mb4, e ENUM('x','y'),
  n INT NULL, t TEXT, g POINT NOT NULL, l VARCHAR(20) CHARACTER SET latin1,
  m VARCHAR(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci, ki VARCHAR(20), KEY ka (a), KEY kki (ki))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO \`${name}\` SELECT seq, seq, 'b', 'c', 'x', seq, 'text', POINT(seq, seq), 'l', 'm', 'k' FROM seq_1_to_200;`;

/** Every operation the tables cover that can be tried on its own table, as MariaDB 10.11 documents it. */
const OPERATIONS = [
  "ADD COLUMN z INT",
  "ADD COLUMN z INT FIRST",
  "ADD COLUMN z INT AFTER a",
  "ADD COLUMN z INT AUTO_INCREMENT UNIQUE",
  "ADD COLUMN z INT AS (a + 1) VIRTUAL",
  "ADD COLUMN z INT AS (a + 1) STORED",
  "DROP COLUMN n",
  "RENAME COLUMN n TO n2",
  "CHANGE COLUMN n n2 INT NULL",
  "MODIFY COLUMN n INT NULL FIRST",
  "MODIFY COLUMN n BIGINT NULL",
  "MODIFY COLUMN n INT NOT NULL",
  "MODIFY COLUMN a INT NULL",
  "MODIFY COLUMN b VARCHAR(60)",
  "MODIFY COLUMN c VARCHAR(200) CHARACTER SET utf8mb4",
  "MODIFY COLUMN e ENUM('x','y','z')",
  // Character sets and collations: the definition's, else the table's default (a latin1 column becomes utf8mb4).
  "MODIFY COLUMN m VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
  "MODIFY COLUMN l VARCHAR(20) CHARACTER SET utf8mb4",
  "MODIFY COLUMN l VARCHAR(30)",
  "MODIFY COLUMN l VARCHAR(30) CHARACTER SET latin1",
  "MODIFY COLUMN b VARCHAR(20) COLLATE utf8mb4_bin",
  "MODIFY COLUMN ki VARCHAR(20) COLLATE utf8mb4_bin",
  "ALTER COLUMN n SET DEFAULT 5",
  "ALTER COLUMN n DROP DEFAULT",
  "ADD INDEX kb (b)",
  "ADD UNIQUE INDEX kn (n)",
  "ADD FULLTEXT INDEX ft (t)",
  "ADD SPATIAL INDEX sg (g)",
  "DROP INDEX ka",
  "RENAME INDEX ka TO kb",
  "ALTER INDEX ka IGNORED",
  "DROP PRIMARY KEY",
  "DROP PRIMARY KEY, ADD PRIMARY KEY (id, a)",
  "ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES parent (id)",
  "ADD CONSTRAINT ck CHECK (a > 0)",
  "CONVERT TO CHARACTER SET utf8mb4",
  "CONVERT TO CHARACTER SET latin1",
  "DEFAULT CHARACTER SET utf8mb4",
  "ROW_FORMAT=COMPRESSED",
  "AUTO_INCREMENT=100",
  "ENGINE=InnoDB",
  "FORCE",
  "COMMENT='x'",
  // Forms migrations generate (Rails, Laravel, Django): several changes at once, the strictest decides.
  "ADD COLUMN z INT, ADD INDEX kz (z)",
  "ADD COLUMN z INT, DROP COLUMN n",
  "ADD COLUMN z INT, DROP INDEX ka",
  "DROP INDEX ka, ADD INDEX ka (a, n)",
  "ADD COLUMN z INT NOT NULL DEFAULT 0, ALTER COLUMN n SET DEFAULT 1",
  "ADD COLUMN z DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)",
  "MODIFY COLUMN b VARCHAR(20) NOT NULL DEFAULT 'x'",
  "ADD COLUMN z INT AS (a + 1) VIRTUAL, ADD INDEX kz (z)",
  "CHANGE COLUMN b b2 VARCHAR(40)",
  "ALTER INDEX ka NOT IGNORED",
  "ADD CONSTRAINT uq UNIQUE (n)",
  "MODIFY COLUMN t MEDIUMTEXT",
  "MODIFY COLUMN a BIGINT NOT NULL",
  "MODIFY COLUMN e ENUM('y','x')",
  "MODIFY COLUMN n INT UNSIGNED NULL",
  "ALTER COLUMN n SET DEFAULT (1 + 1)",
  "MODIFY COLUMN b VARCHAR(20) DEFAULT NULL COMMENT 'x'",
  "ADD COLUMN z INT FIRST, ADD COLUMN y INT AFTER a",
  "DROP COLUMN n, DROP COLUMN b",
  "ENGINE=InnoDB ROW_FORMAT=DYNAMIC",
  "MODIFY COLUMN c VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL",
  "CHANGE COLUMN n n INT(11) NULL DEFAULT NULL",
  "MODIFY COLUMN id INT NOT NULL AUTO_INCREMENT",
  "ADD COLUMN z INT UNIQUE",
  "ADD COLUMN z TEXT NOT NULL DEFAULT ''",
  "DROP COLUMN n, ADD COLUMN n BIGINT",
  "ADD COLUMN z INT DEFAULT (a + 1)",
  "MODIFY COLUMN n INT NULL DEFAULT 5",
];

describe.skipIf(!available)("dbopt migrate on MariaDB", () => {
  let db: MariadbTestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createMariadbDatabase(
      [
        "CREATE TABLE parent (id INT PRIMARY KEY); INSERT INTO parent SELECT seq FROM seq_1_to_200;",
        ...OPERATIONS.map((_, i) => TABLE(`op_${i}`)),
      ].join("\n"),
    );
    dir = mkdtempSync(join(tmpdir(), "dbopt-mysql-migrate-"));
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it("predicts for each operation the algorithm MariaDB accepts with LOCK=NONE, or that it accepts none", async () => {
    const file = join(dir, "operations.sql");
    writeFileSync(file, OPERATIONS.map((op, i) => `ALTER TABLE op_${i} ${op};`).join("\n"));
    const report = await traceMysqlMigrations([file], resolveMysqlTarget(db.url));
    expect(report.server).toMatch(/^MariaDB 10\.11/);
    const rows = report.statements.map((t) => ({
      op: OPERATIONS[t.line - 1],
      predicted: t.predictedOnline ? t.predicted : "blocking",
      server: t.accepted ?? "blocking",
      error: t.error,
    }));
    expect(rows.filter((r) => r.error)).toEqual([]);
    expect(rows.filter((r) => r.predicted !== r.server)).toEqual([]);
    expect(rows).toHaveLength(OPERATIONS.length);
    // The refusals carry the server's words.
    const typeChange = report.statements.find((t) => t.sql.includes("BIGINT"));
    expect(typeChange?.attempts[0]?.error).toMatch(
      /ALGORITHM=INSTANT is not supported. Reason: Cannot change column type/,
    );
    expect(typeChange?.ranAsWritten).toBe(true);
  }, 300_000);

  it("runs a partition clause as written (MariaDB takes no ALGORITHM/LOCK with it), with nothing to report for metadata-only ones", async () => {
    await db.run(`CREATE TABLE logs (id INT, y INT, PRIMARY KEY (id, y)) PARTITION BY RANGE (y)
      (PARTITION p1 VALUES LESS THAN (2020), PARTITION p2 VALUES LESS THAN (2021))`);
    const file = join(dir, "partitions.sql");
    writeFileSync(
      file,
      "ALTER TABLE logs ADD PARTITION (PARTITION p3 VALUES LESS THAN (2022));\nALTER TABLE logs DROP PARTITION p1;\n",
    );
    const report = await traceMysqlMigrations([file], resolveMysqlTarget(db.url));
    expect(report.statements.map((t) => ({ error: t.error, attempts: t.attempts.length }))).toEqual([
      { error: null, attempts: 0 },
      { error: null, attempts: 0 },
    ]);
    // ADD and DROP of RANGE partitions copy no row and let writes go on (mysql-partition-ddl.test.ts measures it).
    expect(report.findings.map((f) => [f.ruleId, f.evidence.trace])).toEqual([]);
  }, 120_000);

  it("refuses ALGORITHM/LOCK after a partition clause as the server does, and its fix runs; DISCARD TABLESPACE takes the table offline", async () => {
    await db.run(`CREATE TABLE \`old logs\` (id INT, y INT, PRIMARY KEY (id, y)) PARTITION BY RANGE (y)
      (PARTITION p1 VALUES LESS THAN (2020), PARTITION p2 VALUES LESS THAN (2021));
      CREATE TABLE detached (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO detached VALUES (1), (2);
      CREATE TABLE plain (id INT PRIMARY KEY, a INT); INSERT INTO plain SELECT seq, seq FROM seq_1_to_100;`);
    const file = join(dir, "placement.sql");
    writeFileSync(
      file,
      [
        "ALTER TABLE `old logs` PARTITION BY HASH (id) PARTITIONS 2, ALGORITHM=COPY;",
        "ALTER TABLE `old logs` REMOVE PARTITIONING LOCK=EXCLUSIVE;",
        "ALTER TABLE plain ADD COLUMN c INT PARTITION BY HASH (id) PARTITIONS 2;",
        "ALTER TABLE detached DISCARD TABLESPACE;",
      ].join("\n"),
    );
    const lint = await runCli(["migrate", "lint", "--db", db.url, "--format", "json", file]);
    const findings = JSON.parse(lint.stdout).findings as Array<Finding & { line: number }>;
    const refused = findings.filter((f) => f.ruleId === "migration-mysql/refused-algorithm");
    expect(refused.map((f) => f.line)).toEqual([1, 2]);
    expect(refused[0]?.title).toContain("ALGORITHM=COPY is written after PARTITION BY");
    // The fixes are what MariaDB 10.11 runs: the clauses before PARTITION BY / REMOVE PARTITIONING, no comma.
    expect(refused.map((f) => f.fix?.sql)).toEqual([
      "ALTER TABLE `old logs` ALGORITHM=COPY PARTITION BY HASH (id) PARTITIONS 2",
      "ALTER TABLE `old logs` LOCK=EXCLUSIVE REMOVE PARTITIONING",
    ]);
    for (const f of refused) await db.run(String(f.fix?.sql));
    // ADD COLUMN ... PARTITION BY with no comma is a repartitioning: a copy of the table.
    expect(findings.find((f) => f.line === 3 && f.ruleId === "migration-mysql/copy-algorithm")).toBeDefined();
    expect(findings.find((f) => f.line === 4)?.ruleId).toBe("migration-mysql/transport-tablespace");

    await db.run(
      "ALTER TABLE `old logs` PARTITION BY RANGE (y) (PARTITION p1 VALUES LESS THAN (2020), PARTITION p2 VALUES LESS THAN (2021))",
    );
    // The trace stops at the first statement the server refuses: one file each.
    const one = join(dir, "placement-trace.sql");
    writeFileSync(one, "ALTER TABLE `old logs` PARTITION BY HASH (id) PARTITIONS 2, ALGORITHM=COPY;\n");
    const report = await traceMysqlMigrations([one], resolveMysqlTarget(db.url));
    expect(report.statements.map((t) => [t.refusedAsWritten, t.error?.slice(0, 34)])).toEqual([
      [true, "You have an error in your SQL synt"],
    ]);
    const traced = report.findings.filter((f) => f.ruleId === "migration-mysql/refused-algorithm");
    expect(traced.map((f) => f.evidence.trace)).toEqual(["confirmed"]);
    // DISCARD runs as written (no online attempt), and the table is unusable after it: ERROR 1814.
    const discard = join(dir, "discard-trace.sql");
    writeFileSync(discard, "ALTER TABLE detached DISCARD TABLESPACE;\nINSERT INTO detached VALUES (3);\n");
    const discarded = await traceMysqlMigrations([discard], resolveMysqlTarget(db.url));
    expect(discarded.statements.map((t) => [t.attempts.length, t.error])).toEqual([
      [0, null],
      [0, "Tablespace has been discarded for table `detached`"],
    ]);
  }, 180_000);

  describe("the CLI on a table whose name needs quoting", () => {
    const table = "Order `Items`";
    let file: string;
    beforeAll(async () => {
      await db.run(`CREATE TABLE \`Order \`\`Items\`\`\` (id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(20), body TEXT) ENGINE=InnoDB;
        INSERT INTO \`Order \`\`Items\`\`\` SELECT seq, seq MOD 10, 'n', REPEAT('x', 200) FROM seq_1_to_20000;
        ANALYZE TABLE \`Order \`\`Items\`\`\`;`);
      file = join(dir, "001_orders.sql");
      writeFileSync(
        file,
        [
          "-- add a column; change a type; an index; one with clauses the server refuses",
          "ALTER TABLE `Order ``Items``` ADD COLUMN added_at DATETIME NULL;",
          "ALTER TABLE `Order ``Items``` MODIFY COLUMN qty BIGINT NOT NULL;",
          "CREATE INDEX `idx qty` ON `Order ``Items``` (qty);",
          "ALTER TABLE `Order ``Items``` ADD FULLTEXT INDEX ft_body (body), ALGORITHM=INPLACE, LOCK=NONE;",
          "CREATE TABLE fresh (id INT PRIMARY KEY, v INT);",
          "ALTER TABLE fresh MODIFY v BIGINT;",
        ].join("\n"),
      );
    });

    it("lints with the table's size from --db: a copy of a table over largeTableBytes is an error, with the tools' command lines", async () => {
      const result = await runCli([
        "migrate",
        "lint",
        file,
        "--db",
        db.url,
        "--format",
        "json",
        "--set",
        "migration-mysql/copy-algorithm.largeTableBytes=100000",
      ]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        dialect: string;
        serverVersion: string;
        findings: Array<Finding & { line: number; algorithm: string; tableBytes: number; table: string }>;
      };
      expect(report.dialect).toBe("mariadb");
      expect(report.serverVersion).toMatch(/^10\.11\./);
      const at = (line: number) => report.findings.filter((f) => f.line === line).map((f) => f.ruleId);
      expect(at(2)).toEqual(["migration-mysql/missing-algorithm-lock"]);
      expect(at(3)).toEqual(["migration-mysql/copy-algorithm"]);
      expect(at(4)).toEqual(["migration-mysql/missing-algorithm-lock"]);
      expect(at(5)).toEqual(["migration-mysql/refused-algorithm"]);
      // The table created in the set is new: never reported.
      expect(at(7)).toEqual([]);
      const copy = report.findings.find((f) => f.line === 3);
      expect(copy?.severity).toBe("error");
      expect(copy?.table).toBe(table);
      expect(copy?.tableBytes).toBeGreaterThan(100_000);
      expect(copy?.fix?.note).toContain(
        `pt-online-schema-change --alter 'MODIFY COLUMN qty BIGINT NOT NULL' 'h=127.0.0.1,P=3306,u=root,D=${db.name},t=${table}' --dry-run`,
      );
      expect(copy?.fix?.note).toContain(`--table='${table}'`);
      // The printed pt-online-schema-change line runs as it is (a dry run: it builds and drops the new table).
      const pt = copy?.fix?.note.split("\n").find((l) => l.startsWith("pt-online-schema-change "));
      if (pt && spawnSync("pt-online-schema-change", ["--version"]).status === 0) {
        const run = spawnSync("sh", ["-c", pt], { encoding: "utf8", timeout: 120_000 });
        expect(run.stderr).toBe("");
        expect(run.stdout).toContain(
          `Dry run complete.  \`${db.name}\`.\`Order \`\`Items\`\`\` was not altered.`,
        );
      }
    }, 180_000);

    it("prints fixes MariaDB runs as they are, names quoted", async () => {
      const result = await runCli(["migrate", "lint", "--db", db.url, "--format", "json", file]);
      const fixes = (JSON.parse(result.stdout).findings as Array<{ fix: { sql?: string } | null }>)
        .map((f) => f.fix?.sql)
        .filter((s): s is string => Boolean(s));
      expect(fixes).toHaveLength(2);
      expect(fixes).toEqual(
        expect.arrayContaining([
          "ALTER TABLE `Order ``Items``` ADD COLUMN added_at DATETIME NULL, ALGORITHM=INSTANT, LOCK=NONE",
          "CREATE INDEX `idx qty` ON `Order ``Items``` (qty) ALGORITHM=NOCOPY LOCK=NONE",
        ]),
      );
      for (const sql of fixes) await db.run(sql);
      await db.run("ALTER TABLE `Order ``Items``` DROP COLUMN added_at, DROP INDEX `idx qty`");
    }, 120_000);

    it("writes GitHub annotations and SARIF, and exits 0 under --fail-on error when only warnings remain", async () => {
      const github = await runCli([
        "migrate",
        "lint",
        "--dialect",
        "mariadb",
        "--server-version",
        "10.11",
        "--format",
        "github",
        file,
      ]);
      expect(github.code).toBe(1);
      expect(github.stdout).toMatch(
        /^::error file=.*001_orders\.sql,line=5,col=1,title=migration-mysql\/refused-algorithm::/m,
      );
      const sarif = await runCli(["migrate", "lint", "--dialect", "mariadb", "--format", "sarif", file]);
      const run = JSON.parse(sarif.stdout).runs[0];
      expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toContain(
        "migration-mysql/copy-algorithm",
      );
      expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toContain(
        "migration-mysql/refused-algorithm",
      );
      const warningsOnly = join(dir, "002_warnings.sql");
      writeFileSync(warningsOnly, "ALTER TABLE t ADD COLUMN x INT;\n");
      const ok = await runCli([
        "migrate",
        "lint",
        "--dialect",
        "mysql",
        "--server-version",
        "8.0.35",
        warningsOnly,
      ]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("MySQL 8.0.35 online DDL rules");
      expect(ok.stdout).toContain("ALTER TABLE t ADD COLUMN x INT, ALGORITHM=INSTANT");
    }, 120_000);

    it("refuses a version it has no tables for, in one line", async () => {
      const result = await runCli(["migrate", "lint", "--dialect", "mysql", "--server-version", "5.7", file]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/^dbopt: error: MySQL 5\.7 is not covered by dbopt's online DDL tables/);
    });

    it("refuses PostgreSQL's options in one line instead of ignoring them", async () => {
      for (const extra of [["--pg-version", "15"], ["--assume-in-transaction"]]) {
        const result = await runCli(["migrate", "lint", "--dialect", "mariadb", ...extra, file]);
        expect(result.code, extra[0]).toBe(2);
        expect(result.stderr.trim().split("\n"), extra[0]).toHaveLength(1);
        expect(result.stderr).toContain(`${extra[0]} is for PostgreSQL migrations`);
      }
    });

    it("traces on the sandbox: the server's answer for each ALTER, timed, and the lint findings confirmed", async () => {
      const result = await runCli([
        "migrate",
        "trace",
        "--db",
        db.url,
        "--sandbox",
        "--format",
        "json",
        file,
      ]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        statements: Array<{
          line: number;
          accepted: string | null;
          ranAsWritten: boolean;
          durationMs: number;
          error: string | null;
        }>;
        findings: Finding[];
      };
      const at = (line: number) => report.statements.find((t) => t.line === line);
      expect(at(2)).toMatchObject({ accepted: "INSTANT", error: null });
      expect(at(3)).toMatchObject({ accepted: null, ranAsWritten: true, error: null });
      expect(at(3)?.durationMs).toBeGreaterThan(0);
      expect(at(4)).toMatchObject({ accepted: "NOCOPY" });
      // The statement's own LOCK=NONE is refused, as lint said; the run stops there as a migration would.
      expect(at(5)?.error).toMatch(/LOCK=NONE is not supported/);
      expect(report.findings.map((f) => f.evidence.trace)).not.toContain("contradicted");
      expect(report.findings.filter((f) => f.evidence.trace === "confirmed")).toHaveLength(4);
      const [column] = (await db.run(
        `SELECT DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db.name}' AND TABLE_NAME = 'Order \`Items\`' AND COLUMN_NAME = 'qty'`,
      )) as Array<{ type: string }>;
      expect(column?.type).toBe("bigint");
    }, 180_000);

    it("asks for --sandbox before it changes a MySQL database", async () => {
      const result = await runCli(["migrate", "trace", "--db", db.url, file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^dbopt: error: migrate trace applies the migrations to --db/);
    });
  });
});
