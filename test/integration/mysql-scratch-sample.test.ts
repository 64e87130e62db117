/**
 * advise --sample N% on MariaDB copies the live rows without locking them: a writer holding a row lock on the live
 * table does not stop the copy (an INSERT ... SELECT from the live table waited on it and failed with ERROR 1205,
 * and in the other direction its shared locks made the live table's writers wait), the copy reads the committed
 * value, and values of every awkward type come across unchanged, under names that need quoting.
 */
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copySchemaAndSample } from "../../src/advisors/mysql/scratch-sample.js";
import { MysqlSandbox } from "../../src/connectors/mysql/mysql-sandbox.js";
import { resolveMysqlTarget } from "../../src/connectors/mysql/mysql-target.js";
import {
  createMariadbDatabase,
  MARIADB_HOST,
  MARIADB_PORT,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../support/mariadb.js";

const available = await mariadbAvailable();

const TABLE = '`Live "Rows```';

describe.skipIf(!available)("the --sample copy on MariaDB reads the live rows without locks", () => {
  let db: MariadbTestDatabase;
  let writer: mysql.Connection;

  beforeAll(async () => {
    db = await createMariadbDatabase(`
      CREATE TABLE ${TABLE} (id INT PRIMARY KEY, \`V col\` INT, doc JSON, spot POINT, raw BLOB, amount DECIMAL(20,6),
        at DATETIME(6), flags BIT(5), twice INT AS (\`V col\` * 2) VIRTUAL, KEY kv (\`V col\`)) ENGINE=InnoDB;
      INSERT INTO ${TABLE} (id, \`V col\`, doc, spot, raw, amount, at, flags)
        SELECT seq, seq % 10, JSON_OBJECT('k', seq, 'q', 'it''s "x"'), POINT(seq, -seq), UNHEX('00FF0A5C27'),
          seq + 0.123456, '2024-02-29 12:34:56.789012', b'10101' FROM seq_1_to_3000;`);
    writer = await mysql.createConnection({
      host: MARIADB_HOST,
      port: MARIADB_PORT,
      user: "root",
      database: db.name,
    });
  });

  afterAll(async () => {
    await writer?.query("ROLLBACK").catch(() => {});
    await writer?.end();
    await db?.drop();
  });

  it("copies while a writer holds a row lock on the live table, with the committed values, types intact", async () => {
    await writer.query("START TRANSACTION");
    await writer.query(`UPDATE ${TABLE} SET \`V col\` = 999 WHERE id = 7`);
    const sandbox = await MysqlSandbox.createScratch(resolveMysqlTarget(db.url), { lockTimeoutMs: 1_000 });
    try {
      const copy = await copySchemaAndSample(sandbox, db.name, 100, 60_000);
      expect(copy.tables).toEqual([{ table: 'Live "Rows`', rows: 3000 }]);
      const read = async (database: string) => {
        const [rows] = await writer.query(
          `SELECT id, \`V col\` AS v, doc, ST_AsText(spot) AS spot, HEX(raw) AS raw, amount, at, flags + 0 AS flags, twice
             FROM \`${database}\`.${TABLE} ORDER BY id`,
        );
        return rows as Array<Record<string, unknown>>;
      };
      const copied = await read(sandbox.database);
      // The uncommitted 999 is not what the copy saw: it read the snapshot, not through the writer's lock.
      expect(copied.find((r) => r.id === 7)?.v).toBe(7);
      await writer.query("ROLLBACK");
      expect(copied).toEqual(await read(db.name));
      expect(copied[0]).toMatchObject({ spot: "POINT(1 -1)", raw: "00FF0A5C27", flags: 21, twice: 2 });
    } finally {
      await writer.query("ROLLBACK");
      await sandbox.close();
    }
  }, 120_000);

  it("takes the same seeded sample of the rows on every run", async () => {
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const sandbox = await MysqlSandbox.createScratch(resolveMysqlTarget(db.url));
      try {
        const copy = await copySchemaAndSample(sandbox, db.name, 30, 60_000);
        counts.push(copy.tables[0]?.rows ?? -1);
      } finally {
        await sandbox.close();
      }
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeGreaterThan(600);
    expect(counts[0]).toBeLessThan(1200);
  }, 120_000);
});
