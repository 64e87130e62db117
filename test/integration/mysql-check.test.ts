import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MysqlConnector } from "../../src/connectors/mysql/mysql-connector.js";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import type { Finding } from "../../src/findings/finding.js";
import {
  createMariadbDatabase,
  holdPerformanceSchemaLock,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../support/mariadb.js";
import { runCli } from "../support/run-cli.js";

const CONDITIONS = readFileSync(new URL("../fixtures/mysql/check-conditions.sql", import.meta.url), "utf8");
const available = await mariadbAvailable();

describe.skipIf(!available)("dbopt check on MariaDB", () => {
  let db: MariadbTestDatabase;
  let findings: Finding[];
  let report: { notes: string[]; statsAgeSeconds: number; server: { version: string } };
  let releaseLock: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // The digests this file counts on are server-wide state that other files change.
    releaseLock = await holdPerformanceSchemaLock();
    db = await createMariadbDatabase(CONDITIONS);
    await db.run(`
      INSERT INTO customers (code, email, country) SELECT CONCAT('c', seq), CONCAT('e', seq, '@x'), 'FR' FROM seq_1_to_3000;
      INSERT INTO orders (customer_code, note, total) SELECT CONCAT('c', seq), NULL, seq FROM seq_1_to_3000;
      INSERT INTO audit_log SELECT NOW(), CONCAT('m', seq) FROM seq_1_to_3000;
      INSERT INTO legacy_counts VALUES (1, 1);`);
    // Statements the digests see: two full scans of audit_log (no index at all), and one read by primary key.
    for (const m of ["m5", "m7"]) await db.run(`SELECT * FROM audit_log WHERE message = '${m}'`);
    await db.run("SELECT * FROM customers WHERE id = 3");
    const result = await runCli([
      "check",
      "--db",
      db.url,
      "--format",
      "json",
      "--set",
      "mysql/unused-index.minUptimeSeconds=0",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    report = JSON.parse(result.stdout);
    findings = (report as unknown as { findings: Finding[] }).findings;
  });

  afterAll(async () => {
    await db?.drop();
    await releaseLock?.();
  });

  const titles = (ruleId: string) => findings.filter((f) => f.ruleId === ruleId).map((f) => f.title);

  it("reads the server with performance_schema", () => {
    expect(report.server.version).toMatch(/MariaDB/);
    expect(report.statsAgeSeconds).toBeGreaterThan(0);
    expect(report.notes.join("\n")).not.toMatch(/performance_schema is off/);
  });

  it("finds duplicate, redundant and clustered-duplicate indexes", () => {
    expect(titles("mysql/duplicate-index").sort()).toEqual([
      "duplicate index customers_email_again on customers",
      "duplicate index customers_email_id on customers",
      "redundant index customers_country on customers",
    ]);
    const clustered = findings.find((f) => f.ruleId === "mysql/index-ends-with-primary-key");
    expect(clustered?.evidence).toMatchObject({ index: "orders_total_id", primaryKey: "id" });
  });

  it("finds tables without a primary key, on MyISAM, near the AUTO_INCREMENT limit, with a mistyped FK", () => {
    expect(titles("mysql/missing-primary-key")).toEqual(["table audit_log has no primary key"]);
    expect(titles("mysql/non-innodb-table")).toEqual(["table legacy_counts uses MyISAM"]);
    const auto = findings.find((f) => f.ruleId === "mysql/auto-increment-near-limit");
    expect(auto?.evidence).toMatchObject({ table: "tiny_codes", nextValue: 120, maxValue: 127 });
    expect(auto?.severity).toBe("error");
    const fk = findings.find((f) => f.ruleId === "mysql/fk-type-mismatch");
    expect(fk?.evidence).toMatchObject({
      column: "customer_code",
      columnType: "varchar(50)",
      referencedType: "varchar(100)",
    });
  });

  it("finds unused indexes from performance_schema, and the full scans in the digests", () => {
    const unused = findings.filter((f) => f.ruleId === "mysql/unused-index").map((f) => f.evidence.index);
    expect(unused).toContain("customers_country_email");
    expect(unused).not.toContain("PRIMARY");
    const scan = findings.find(
      (f) =>
        f.ruleId === "mysql/full-scan-statement" &&
        /FROM `audit_log` WHERE `message` = \?/.test(f.query ?? ""),
    );
    expect(scan?.evidence).toMatchObject({ calls: 2, rowsExamined: 6000, noIndexUsed: 2 });
  });

  it("prints fixes the server accepts", async () => {
    const fixes = findings.flatMap((f) =>
      f.fix?.sql && !/^SET GLOBAL/.test(f.fix.sql) ? [[f.ruleId, f.fix.sql]] : [],
    );
    expect(fixes.length).toBeGreaterThanOrEqual(7);
    for (const [ruleId, fix] of fixes) {
      await expect(db.run(fix as string), `${ruleId}: ${fix}`).resolves.toBeDefined();
    }
    const after = await runCli(["check", "--db", db.url, "--format", "json"]);
    const left = (JSON.parse(after.stdout).findings as Finding[]).map((f) => f.ruleId);
    for (const fixed of ["mysql/duplicate-index", "mysql/non-innodb-table", "mysql/fk-type-mismatch"]) {
      expect(left).not.toContain(fixed);
    }
  });

  it("tunes with MySQLTuner's formulas, each setting with its evidence, and prints SET GLOBAL lines, not ALTER SYSTEM", async () => {
    // The pool is the server's: it is sized for every database's InnoDB data, measured before and after dbopt
    // reads it (tests running beside this one create and drop databases).
    const serverInnodb = async () =>
      Number(
        (
          (await db.run(
            "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS b FROM information_schema.TABLES WHERE ENGINE = 'InnoDB' AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')",
          )) as Array<{ b: string }>
        )[0]?.b,
      );
    const before = await serverInnodb();
    const json = await runCli(["tune", "--db", db.url, "--ram", "1GB", "--format", "json"]);
    const after = await serverInnodb();
    expect(json.code).toBe(0);
    const tune = JSON.parse(json.stdout) as {
      recommendations: {
        name: string;
        recommended: string;
        reason: string;
        evidence: Record<string, number>;
      }[];
    };
    const pool = tune.recommendations.find((r) => r.name === "innodb_buffer_pool_size");
    expect(pool?.evidence.innodbDataBytes).toBeGreaterThanOrEqual(Math.min(before, after));
    expect(pool?.evidence.innodbDataBytes).toBeLessThanOrEqual(Math.max(before, after));
    const byName = new Map(tune.recommendations.map((r) => [r.name, r]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        "innodb_buffer_pool_size",
        "max_connections",
        "tmp_table_size",
        "max_heap_table_size",
      ]),
    );
    expect(byName.get("innodb_buffer_pool_size")?.evidence).toHaveProperty("innodbDataBytes");
    // 1 GB cannot hold the default 151 connections' buffers beside the pool: fewer are recommended.
    expect(Number(byName.get("max_connections")?.recommended)).toBeLessThan(151);
    const text = await runCli(["tune", "--db", db.url, "--ram", "1GB"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/SET GLOBAL `max_connections` = \d+;/);
    expect(text.stdout).not.toContain("ALTER SYSTEM");
  });

  it("runs every session read-only with a time limit, and names a wrong target in one line", async () => {
    const conn = await MysqlConnector.connect(resolveMysqlTarget(db.url), { statementTimeoutMs: 1500 });
    try {
      expect(await conn.query("SELECT @@max_statement_time AS t, @@tx_read_only AS ro")).toEqual([
        { t: 1.5, ro: 1 },
      ]);
      await expect(conn.query("CREATE TABLE t_should_fail (a INT)")).rejects.toThrow(/READ ONLY/);
      await expect(conn.query("SELECT SLEEP(3) FROM DUAL WHERE 1")).rejects.toMatchObject({
        code: "statement-timeout",
      });
    } finally {
      await conn.close();
    }
    const missing = await runCli(["check", "--db", "mariadb://root@127.0.0.1:3306/dbopt_no_such_db_x"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split("\n")[0]).toMatch(/database dbopt_no_such_db_x does not exist/);
    const secret = await runCli(["check", "--db", "mariadb://root:s3cretpw@127.0.0.1:3306/x"]);
    expect(secret.code).toBe(3);
    expect(secret.stderr).not.toContain("s3cretpw");
  });
});
