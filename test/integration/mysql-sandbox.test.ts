import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MysqlSandbox, SCRATCH_PREFIX } from "../../src/connectors/mysql/mysql-sandbox.js";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import {
  createMariadbDatabase,
  MARIADB_HOST,
  MARIADB_PORT,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../support/mariadb.js";

const available = await mariadbAvailable();

async function databaseExists(name: string): Promise<boolean> {
  const c = await mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: "root" });
  try {
    const [rows] = await c.query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [name]);
    return (rows as unknown[]).length === 1;
  } finally {
    await c.end();
  }
}

describe.skipIf(!available)("MySQL/MariaDB sandbox session", () => {
  let db: MariadbTestDatabase;
  beforeAll(async () => {
    db = await createMariadbDatabase("CREATE TABLE t (id INT PRIMARY KEY, a INT, KEY t_a (a)) ENGINE=InnoDB");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("writes in a database the user marked, with a statement time limit, and leaves the database there", async () => {
    const sandbox = await MysqlSandbox.open(resolveMysqlTarget(db.url), { statementTimeoutMs: 1000 });
    try {
      expect(sandbox.scratch).toBe(false);
      await sandbox.execute("INSERT INTO t VALUES (1, 1), (2, 2)");
      const [row] = await sandbox.query<{ n: number }>("SELECT COUNT(*) AS n FROM t");
      expect(Number(row?.n)).toBe(2);
      const [limit] = await sandbox.query<{ v: string }>("SELECT @@max_statement_time AS v");
      expect(Number(limit?.v)).toBe(1);
      await expect(sandbox.query("SELECT SLEEP(3) FROM t")).rejects.toThrow(/time|interrupted/i);
      // A longer limit for one DDL statement, then back to the session's.
      await sandbox.execute("ALTER TABLE t ADD INDEX t_id_a (id, a)", { timeLimitMs: 60_000 });
      const [after] = await sandbox.query<{ v: string }>("SELECT @@max_statement_time AS v");
      expect(Number(after?.v)).toBe(1);
      const hide = await sandbox.indexVisibilitySql("t", "t_a", false);
      expect(hide).toBe(`ALTER TABLE \`${db.name}\`.\`t\` ALTER INDEX \`t_a\` IGNORED`);
      await sandbox.execute(hide as string);
      const [ignored] = await sandbox.query<{ IGNORED: string }>(
        "SELECT IGNORED FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 't_a'",
      );
      expect(ignored?.IGNORED).toBe("YES");
    } finally {
      await sandbox.close();
    }
    expect(await databaseExists(db.name)).toBe(true);
  });

  it("creates a scratch database and drops it on close", async () => {
    const sandbox = await MysqlSandbox.createScratch(resolveMysqlTarget(db.url));
    expect(sandbox.scratch).toBe(true);
    expect(sandbox.database.startsWith(SCRATCH_PREFIX)).toBe(true);
    expect(sandbox.target.display).toContain(sandbox.database);
    await sandbox.execute(`CREATE TABLE copy LIKE \`${db.name}\`.t`);
    expect(await databaseExists(sandbox.database)).toBe(true);
    await sandbox.close();
    await sandbox.close();
    expect(await databaseExists(sandbox.database)).toBe(false);
  });

  it("drops the scratch database when the process gets SIGTERM in the middle of a statement", async () => {
    const script = join(tmpdir(), `dbopt-sandbox-signal-${process.pid}.mts`);
    const module = new URL("../../src/connectors/mysql/mysql-sandbox.ts", import.meta.url).pathname;
    writeFileSync(
      script,
      `import { MysqlSandbox } from ${JSON.stringify(module)};
       const s = await MysqlSandbox.createScratch({ host: ${JSON.stringify(MARIADB_HOST)}, port: ${MARIADB_PORT}, user: "root", password: undefined, database: "mysql", scheme: "mariadb", display: "x" });
       console.log(s.database);
       await s.query("SELECT SLEEP(60)");`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] });
    let name = "";
    for await (const chunk of child.stdout) {
      name += String(chunk);
      if (name.includes("\n")) break;
    }
    name = name.trim();
    expect(name.startsWith(SCRATCH_PREFIX)).toBe(true);
    expect(await databaseExists(name)).toBe(true);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(143);
    expect(await databaseExists(name)).toBe(false);
    rmSync(script, { force: true });
  });
});
