/**
 * What the MySQL/MariaDB migration advice is worth, measured on a MariaDB table in one run: the same column type
 * change run as written (ALGORITHM=COPY, which dbopt migrate lint reports) and through the
 * pt-online-schema-change command line dbopt prints for it, each with a one-row UPDATE sent 300 ms into the change
 * and timed: how long a write waits under each. Then an ADD COLUMN as dbopt's fix writes it (ALGORITHM=INSTANT)
 * against the same change forced to ALGORITHM=COPY. Needs MariaDB (or MySQL) and pt-online-schema-change:
 * `npx tsx bench/mysql-migrate.ts [mariadb://root@127.0.0.1:3306] [rows]`.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import mysql from "mysql2/promise";
import { MysqlConnector } from "../src/connectors/mysql/mysql-connector.js";
import { resolveMysqlTarget } from "../src/connectors/mysql/mysql-target.js";
import { lintMysqlMigrations } from "../src/pipeline/lint-mysql-migrations.js";

const server = process.argv[2] ?? "mariadb://root@127.0.0.1:3306";
const rows = Number(process.argv[3] ?? 300_000);
const name = `dbopt_bench_${randomBytes(4).toString("hex")}`;
const target = resolveMysqlTarget(`${server}/${name}`);
const connect = () =>
  mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: name,
  });

const admin = await mysql.createConnection({
  host: target.host,
  port: target.port,
  user: target.user,
  password: target.password,
});
await admin.query(`CREATE DATABASE ${name}`);
try {
  const c = await connect();
  await c.query(
    "CREATE TABLE `order items` (id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(100)) ENGINE=InnoDB",
  );
  for (let from = 1; from <= rows; from += 100_000)
    await c.query(
      `INSERT INTO \`order items\` SELECT seq, seq MOD 100, REPEAT('n', 80) FROM seq_${from}_to_${Math.min(from + 99_999, rows)}`,
    );
  await c.query("ANALYZE TABLE `order items`");
  await c.end();

  // dbopt's lint of the change, with the table's size from the server: the finding and its printed command.
  const dir = mkdtempSync(join(tmpdir(), "dbopt-bench-"));
  const file = join(dir, "001.sql");
  writeFileSync(file, "ALTER TABLE `order items` MODIFY COLUMN qty BIGINT NOT NULL;\n");
  const db = await MysqlConnector.connect(target);
  const report = await lintMysqlMigrations([file], {}, db).finally(() => db.close());
  const finding = report.findings.find((f) => f.ruleId === "migration-mysql/copy-algorithm");
  const pt = finding?.fix?.note.split("\n").find((l) => l.startsWith("pt-online-schema-change "));
  if (!pt) throw new Error("dbopt printed no pt-online-schema-change line");

  /** Run the change; 300 ms in, update one row from another session and time how long it waits. */
  async function withWriteProbe(
    change: () => Promise<void>,
  ): Promise<{ changeMs: number; writeWaitMs: number }> {
    const writer = await connect();
    const started = performance.now();
    let writeWaitMs = 0;
    const probe = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      const t = performance.now();
      await writer.query("UPDATE `order items` SET note = 'probe' WHERE id = 7");
      writeWaitMs = performance.now() - t;
    })();
    await change();
    const changeMs = performance.now() - started;
    await probe;
    await writer.end();
    return { changeMs, writeWaitMs };
  }

  const asWritten = await withWriteProbe(async () => {
    const s = await connect();
    await s.query("ALTER TABLE `order items` MODIFY COLUMN qty BIGINT NOT NULL");
    await s.end();
  });
  const back = await connect();
  await back.query("ALTER TABLE `order items` MODIFY COLUMN qty INT NOT NULL");
  await back.end();
  const command = pt.replace(/--dry-run$/, "--execute");
  const viaTool = await withWriteProbe(async () => {
    const run = spawnSync("sh", ["-c", command], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`pt-online-schema-change failed: ${run.stderr || run.stdout}`);
  });

  const s = await connect();
  let t = performance.now();
  await s.query("ALTER TABLE `order items` ADD COLUMN added_at DATETIME NULL, ALGORITHM=INSTANT, LOCK=NONE");
  const instantMs = performance.now() - t;
  t = performance.now();
  await s.query("ALTER TABLE `order items` ADD COLUMN added_by INT NULL, ALGORITHM=COPY");
  const copyMs = performance.now() - t;
  const [[version]] = (await s.query("SELECT VERSION() AS v")) as unknown as [[{ v: string }]];
  await s.end();

  const ms = (n: number) => `${n.toFixed(0).padStart(7)} ms`;
  console.log(
    `${version?.v}: \`order items\`, ${rows.toLocaleString("en-US")} rows; dbopt: ${finding?.severity} ${finding?.ruleId}`,
  );
  console.log(`command: ${command}`);
  console.log("");
  console.log("column type change (qty INT -> BIGINT)      change took   one-row UPDATE waited");
  console.log(
    `  as written (ALGORITHM=COPY)           ${ms(asWritten.changeMs)}   ${ms(asWritten.writeWaitMs)}`,
  );
  console.log(
    `  pt-online-schema-change (dbopt's line) ${ms(viaTool.changeMs)}   ${ms(viaTool.writeWaitMs)}`,
  );
  console.log("");
  console.log("ADD COLUMN                                  change took");
  console.log(`  dbopt's fix (ALGORITHM=INSTANT)       ${ms(instantMs)}`);
  console.log(`  forced ALGORITHM=COPY                 ${ms(copyMs)}`);
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.end();
}
