/**
 * migrate trace --schema on MariaDB loads a real `mysqldump --routines --triggers --events` dump, made here from a
 * database with a trigger, a procedure, a function, an event and a view: mysqldump writes their bodies between
 * `DELIMITER ;;` and `DELIMITER ;`, which the trace reads as the mysql client does, so the sandbox gets every object
 * and the migration then runs there. The same dump made with --databases (CREATE DATABASE, USE) is still refused
 * before anything runs. migrate lint on MySQL splits a `mysql` client script at its DELIMITER // the same way.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import { lintMysqlMigrations } from "../../src/pipeline/lint-mysql-migrations.js";
import { traceMysqlMigrations } from "../../src/pipeline/trace-mysql-migrations.js";
import { InputError } from "../../src/util/input-error.js";
import { MARIADB_HOST, MARIADB_PORT, mariadbAvailable } from "../support/mariadb.js";

const available = await mariadbAvailable();
const dumpTool = ["mariadb-dump", "mysqldump"].find((tool) => {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});

describe.skipIf(!available || !dumpTool)("migrate trace --schema reads a mysqldump with routines", () => {
  const suffix = randomBytes(4).toString("hex");
  const prod = `dbopt_test_${suffix}_prod`;
  const sandbox = `dbopt_test_${suffix}_copy`;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-dump-"));
  let admin: mysql.Connection;
  const target = () => resolveMysqlTarget(`mysql://root@${MARIADB_HOST}:${MARIADB_PORT}/${sandbox}`);
  const dump = (name: string, extra: string[]) => {
    const path = join(dir, name);
    const args = ["-uroot", `-h${MARIADB_HOST}`, `-P${MARIADB_PORT}`, "--routines", "--triggers", "--events"];
    writeFileSync(path, execFileSync(dumpTool as string, [...args, ...extra, prod]));
    return path;
  };
  const objects = async (database: string) => {
    const [rows] = await admin.query(
      `SELECT 'trigger' AS kind, TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
       UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
       UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?
       UNION ALL SELECT 'view', TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
       ORDER BY 1, 2`,
      [database, database, database, database],
    );
    return (rows as Array<{ kind: string; name: string }>).map((r) => `${r.kind} ${r.name}`);
  };
  const OBJECTS = ["event purge_audit", "function twice", "procedure bump", "trigger t_ai", "view big"];

  beforeAll(async () => {
    admin = await mysql.createConnection({
      host: MARIADB_HOST,
      port: MARIADB_PORT,
      user: "root",
      multipleStatements: true,
    });
    await admin.query(`CREATE DATABASE ${prod}`);
    await admin.query(`CREATE DATABASE ${sandbox}`);
    await admin.query(
      [
        `USE ${prod}`,
        "CREATE TABLE orders (id INT PRIMARY KEY, v INT, note VARCHAR(20))",
        "CREATE TABLE audit (id INT, at DATETIME)",
        "INSERT INTO orders VALUES (1, 1, 'a;b'), (2, 2, 'c')",
        "CREATE VIEW big AS SELECT id, v FROM orders WHERE v > 1",
        "CREATE TRIGGER t_ai AFTER INSERT ON orders FOR EACH ROW BEGIN INSERT INTO audit VALUES (NEW.id, NOW()); END",
        "CREATE PROCEDURE bump(IN n INT) BEGIN UPDATE orders SET v = v + n; SELECT COUNT(*) FROM orders; END",
        "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC BEGIN DECLARE y INT; SET y = x * 2; RETURN y; END",
        "CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY DISABLE DO BEGIN DELETE FROM audit WHERE at < NOW() - INTERVAL 30 DAY; END",
      ]
        .map((s) => `${s};`)
        .join("\n"),
    );
  });

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${prod}`);
    await admin?.query(`DROP DATABASE IF EXISTS ${sandbox}`);
    await admin?.end();
  });

  it("loads the dump's tables, rows, view, trigger, routines and event into the sandbox, then traces", async () => {
    const schema = dump("dump.sql", []);
    const migration = join(dir, "m1.sql");
    writeFileSync(
      migration,
      "ALTER TABLE orders ADD COLUMN extra INT;\nINSERT INTO orders (id, v) VALUES (3, 3);\n",
    );
    const report = await traceMysqlMigrations([migration], target(), { schemaFile: schema });
    expect(report.statements.map((s) => [s.sql, s.error])).toEqual([
      ["ALTER TABLE orders ADD COLUMN extra INT", null],
      ["INSERT INTO orders (id, v) VALUES (3, 3)", null],
    ]);
    expect(await objects(sandbox)).toEqual(OBJECTS);
    // The dumped trigger fired in the sandbox; the routines run there.
    const [audit] = await admin.query(`SELECT id FROM ${sandbox}.audit`);
    expect(audit).toEqual([{ id: 3 }]);
    const [twice] = await admin.query(`SELECT ${sandbox}.twice(21) AS y`);
    expect(twice).toEqual([{ y: 42 }]);
    const [rows] = await admin.query(`SELECT note FROM ${sandbox}.orders ORDER BY id`);
    expect(rows).toEqual([{ note: "a;b" }, { note: "c" }, { note: null }]);
    const [prodRows] = await admin.query(`SELECT COUNT(*) AS n FROM ${prod}.audit`);
    expect(prodRows).toEqual([{ n: 0 }]);
  }, 60_000);

  it("says which line's DEFINER a user without SET USER may not give, and loads the dump without definers", async () => {
    const user = `dbopt_${suffix}`;
    await admin.query(`DROP DATABASE ${sandbox}`);
    await admin.query(`CREATE DATABASE ${sandbox}`);
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw${suffix}'`);
    try {
      await admin.query(`GRANT ALL ON ${sandbox}.* TO '${user}'@'%'`);
      const asUser = () =>
        resolveMysqlTarget(`mysql://${user}:pw${suffix}@${MARIADB_HOST}:${MARIADB_PORT}/${sandbox}`);
      const schema = dump("definers.sql", []);
      const migration = join(dir, "m3.sql");
      writeFileSync(migration, "ALTER TABLE orders ADD COLUMN extra INT;\n");
      const error = await traceMysqlMigrations([migration], asUser(), { schemaFile: schema }).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(
        /^.*definers\.sql:\d+: the dump gives the object DEFINER=`root`@`[^`]+`, another account, which this user may not name \(ERROR 1227\)/,
      );
      // The hint's own command, run on the dump, makes one this user can load.
      const sed = (error as InputError).hint.match(/sed -E '([^']+)'/)?.[1] as string;
      const [, pattern, replacement] = sed.split("/");
      const stripped = join(dir, "stripped.sql");
      writeFileSync(
        stripped,
        execFileSync("sed", ["-E", `s/${pattern}/${replacement}/g`, schema], { encoding: "utf8" }),
      );
      await admin.query(`DROP DATABASE ${sandbox}`);
      await admin.query(`CREATE DATABASE ${sandbox}`);
      const report = await traceMysqlMigrations([migration], asUser(), { schemaFile: stripped });
      expect(report.statements.map((s) => s.error)).toEqual([null]);
      expect(await objects(sandbox)).toEqual(OBJECTS);
    } finally {
      await admin.query(`DROP USER '${user}'@'%'`);
    }
  }, 60_000);

  it("still refuses the dump made with --databases at its CREATE DATABASE, running nothing", async () => {
    await admin.query(`DROP DATABASE ${sandbox}`);
    await admin.query(`CREATE DATABASE ${sandbox}`);
    const schema = dump("databases.sql", ["--databases"]);
    const migration = join(dir, "m2.sql");
    writeFileSync(migration, "ALTER TABLE orders ADD COLUMN extra INT;\n");
    const error = await traceMysqlMigrations([migration], target(), { schemaFile: schema }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /databases\.sql:\d+: CREATE DATABASE acts on a whole database/,
    );
    expect((error as InputError).hint).toMatch(/without --databases/);
    expect(await objects(sandbox)).toEqual([]);
    expect(await objects(prod)).toEqual(OBJECTS);
  }, 60_000);
});

describe("migrate lint on MySQL reads a mysql client script with DELIMITER //", () => {
  it("lints the ALTERs around a procedure, not the statements of its body", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dbopt-delimiter-"));
    const file = join(dir, "001-procedure.sql");
    writeFileSync(
      file,
      [
        "DELIMITER //",
        "CREATE PROCEDURE backfill() BEGIN UPDATE orders SET v = 0; ALTER TABLE orders ADD COLUMN x INT; END//",
        "DELIMITER ;",
        "ALTER TABLE orders ADD COLUMN w TEXT, ALGORITHM=INPLACE, LOCK=NONE;",
        "ALTER TABLE orders MODIFY v BIGINT;",
        "",
      ].join("\n"),
    );
    const report = await lintMysqlMigrations([file], { dialect: "mysql", serverVersion: "8.4" });
    expect(report.statements).toBe(3);
    expect(
      report.findings.map((f) => `${f.location?.line}:${f.location?.column} ${f.ruleId}`).sort(),
    ).toEqual(["4:1 migration-mysql/table-rebuild", "5:1 migration-mysql/copy-algorithm"]);
  });
});
