/**
 * migrate trace --sandbox on MariaDB stays in the sandbox database: a schema dump's USE, a DROP DATABASE, a name
 * qualified with another database of the same server (production's, here with a name that needs quoting) are
 * refused before anything runs, and production's table keeps its rows and columns. Qualifying with the sandbox's
 * own name, aliases and a trigger's NEW.col still run.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import { traceMysqlMigrations } from "../../src/pipeline/trace-mysql-migrations.js";
import { InputError } from "../../src/util/input-error.js";
import { MARIADB_HOST, MARIADB_PORT, mariadbAvailable } from "../support/mariadb.js";
import { runCli } from "../support/run-cli.js";

const available = await mariadbAvailable();

describe.skipIf(!available)("migrate trace --sandbox on MariaDB touches only the sandbox database", () => {
  const suffix = randomBytes(4).toString("hex");
  const prod = `Prod "shop ${suffix}`;
  const sandbox = `dbopt_test_${suffix}_copy`;
  const q = (name: string) => `\`${name.replaceAll("`", "``")}\``;
  const dir = mkdtempSync(join(tmpdir(), "dbopt-confine-"));
  let admin: mysql.Connection;
  const target = () => resolveMysqlTarget(`mysql://root@${MARIADB_HOST}:${MARIADB_PORT}/${sandbox}`);
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const prodState = async () => {
    const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM ${q(prod)}.orders`);
    const [columns] = await admin.query(
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY ORDINAL_POSITION",
      [prod],
    );
    const [tables] = await admin.query(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1",
      [prod],
    );
    return {
      rows: Number((rows as Array<{ n: number }>)[0]?.n),
      columns: (columns as Array<{ c: string }>).map((c) => c.c),
      tables: (tables as Array<{ t: string }>).map((t) => t.t),
    };
  };
  const sandboxTables = async () => {
    const [tables] = await admin.query(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1",
      [sandbox],
    );
    return (tables as Array<{ t: string }>).map((t) => t.t);
  };
  const SCHEMA = "CREATE TABLE orders (id INT PRIMARY KEY, v INT);\nINSERT INTO orders VALUES (1, 1);\n";
  const PROD = { rows: 2, columns: ["id", "v"], tables: ["orders"] };

  beforeAll(async () => {
    admin = await mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: "root" });
    await admin.query(`CREATE DATABASE ${q(prod)}`);
    await admin.query(`CREATE DATABASE ${q(sandbox)}`);
    await admin.query(`CREATE TABLE ${q(prod)}.orders (id INT PRIMARY KEY, v INT)`);
    await admin.query(`INSERT INTO ${q(prod)}.orders VALUES (1, 1), (2, 2)`);
  });

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${q(prod)}`);
    await admin?.query(`DROP DATABASE IF EXISTS ${q(sandbox)}`);
    await admin?.end();
  });

  it("refuses a schema dump that switches to production's database (mysqldump --databases), running nothing", async () => {
    const schema = write(
      "dump.sql",
      `CREATE DATABASE /*!32312 IF NOT EXISTS*/ ${q(prod)};\nUSE ${q(prod)};\nDROP TABLE IF EXISTS orders;\n${SCHEMA}`,
    );
    const migration = write("m1.sql", "ALTER TABLE orders ADD COLUMN note VARCHAR(20);\n");
    const error = await traceMysqlMigrations([migration], target(), { schemaFile: schema }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/dump\.sql:1: CREATE DATABASE/);
    expect((error as InputError).hint).toMatch(/without --databases/);
    const useOnly = write("use.sql", `USE ${q(prod)};\nDROP TABLE IF EXISTS orders;\n${SCHEMA}`);
    const again = await traceMysqlMigrations([migration], target(), { schemaFile: useOnly }).catch((e) => e);
    expect((again as InputError).message).toMatch(/use\.sql:1: USE Prod "shop \w+ would switch/);
    expect(await prodState()).toEqual(PROD);
    expect(await sandboxTables()).toEqual([]);
  });

  const ESCAPES: Array<[string, RegExp]> = [
    [`ALTER TABLE ${q(prod)}.orders ADD COLUMN hacked INT`, /names a table of database Prod "shop/],
    [`USE ${q(prod)};\nDROP TABLE orders`, /USE Prod "shop \w+ would switch/],
    [`DROP DATABASE ${q(prod)}`, /DROP DATABASE acts on a whole database/],
    ["CREATE SCHEMA elsewhere", /CREATE SCHEMA acts on a whole database/],
    [`RENAME TABLE orders TO ${q(prod)}.moved`, /names a table of database/],
    [`INSERT INTO ${q(prod)}.orders VALUES (3, 3)`, /names a table of database/],
    [`CREATE TABLE copied LIKE ${q(prod)}.orders`, /names a table of database/],
    [`INSERT INTO orders SELECT id + 10, v FROM ${q(prod)}.orders`, /names a table of database/],
    [`CREATE VIEW peek AS SELECT * FROM ${q(prod)}.orders`, /names a table of database/],
    [
      `CREATE TRIGGER t AFTER INSERT ON orders FOR EACH ROW DELETE FROM ${q(prod)}.orders WHERE id = NEW.id`,
      /names a table of database/,
    ],
    ["UPDATE mysql.user SET Host = 'x' WHERE 1 = 0", /names a table of database mysql/],
    ["GRANT ALL ON *.* TO nobody", /GRANT acts on the whole server/],
    ["SET GLOBAL max_connections = 1", /SET GLOBAL acts on the whole server/],
    ["PREPARE s FROM 'DROP TABLE x'", /dynamic SQL/],
    [
      "CREATE TABLE remote (id INT) ENGINE=FEDERATED CONNECTION='mysql://root@127.0.0.1:3306/prod/orders'",
      /FEDERATED, CONNECT or SPIDER/,
    ],
  ];

  it.each(ESCAPES)("refuses a migration that reaches outside the sandbox: %s", async (statement, reason) => {
    const schema = write("schema.sql", SCHEMA);
    const migration = write(
      `m-${randomBytes(3).toString("hex")}.sql`,
      `ALTER TABLE orders ADD COLUMN a INT;\n${statement};\n`,
    );
    const error = await traceMysqlMigrations([migration], target(), { schemaFile: schema }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(reason);
    expect((error as InputError).message).toMatch(/:2: .*nothing was run$/);
    // A migration's USE is not a dump's: the hint says to remove it, not to dump again.
    if (statement.startsWith("USE"))
      expect((error as InputError).hint).toMatch(/^remove the line: the trace/);
    expect(await prodState()).toEqual(PROD);
    // Checked before the first statement ran: not even the starting schema was loaded.
    expect(await sandboxTables()).toEqual([]);
  });

  it("runs statements qualified with the sandbox's own name, with aliases and a trigger's NEW", async () => {
    const schema = write("own-schema.sql", `USE ${q(sandbox)};\n${SCHEMA}`);
    const migration = write(
      "own.sql",
      [
        `ALTER TABLE ${q(sandbox)}.orders ADD COLUMN note VARCHAR(20)`,
        "CREATE TABLE audit (id INT)",
        // A column named like a keyword the check looks for is no remote table.
        "ALTER TABLE audit ADD COLUMN connection INT, ADD COLUMN engine VARCHAR(9)",
        "CREATE TRIGGER keep AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (id) VALUES (NEW.id)",
        "INSERT INTO orders (id, v) SELECT o.id + 10, o.v FROM orders o",
        "",
      ].join(";\n"),
    );
    try {
      const report = await traceMysqlMigrations([migration], target(), { schemaFile: schema });
      expect(report.statements.map((s) => s.error)).toEqual([null, null, null, null, null]);
      const [audit] = await admin.query(`SELECT COUNT(*) AS n FROM ${q(sandbox)}.audit`);
      expect(Number((audit as Array<{ n: number }>)[0]?.n)).toBe(1);
      expect(await prodState()).toEqual(PROD);
    } finally {
      for (const t of ["audit", "orders"]) await admin.query(`DROP TABLE IF EXISTS ${q(sandbox)}.${t}`);
    }
  }, 60_000);

  it("refuses a sandbox copy whose own trigger writes to production's database", async () => {
    await admin.query(`CREATE TABLE ${q(sandbox)}.orders (id INT PRIMARY KEY, v INT)`);
    await admin.query(
      `CREATE TRIGGER ${q(sandbox)}.mirror AFTER INSERT ON ${q(sandbox)}.orders FOR EACH ROW INSERT INTO ${q(prod)}.orders VALUES (NEW.id, NEW.v)`,
    );
    try {
      const migration = write("fires.sql", "INSERT INTO orders VALUES (9, 9);\n");
      const error = await traceMysqlMigrations([migration], target()).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(
        /^the sandbox's trigger mirror reaches outside it \(Prod "shop \w+\.orders names a table of database/,
      );
      expect(await prodState()).toEqual(PROD);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${q(sandbox)}.orders`);
    }
  });

  it("says so in one line and exits 2 on the command line", async () => {
    const schema = write("cli-dump.sql", `USE ${q(prod)};\nDROP TABLE IF EXISTS orders;\n${SCHEMA}`);
    const migration = write("cli.sql", "ALTER TABLE orders ADD COLUMN note VARCHAR(20);\n");
    const result = await runCli([
      "migrate",
      "trace",
      "--db",
      `mysql://root@${MARIADB_HOST}:${MARIADB_PORT}/${sandbox}`,
      "--sandbox",
      "--schema",
      schema,
      migration,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/cli-dump\.sql:1: USE .* nothing was run\. Dump the schema/);
    expect(await prodState()).toEqual(PROD);
  });
});
