/**
 * MariaDB's statement history keeps statements as they ran: the sample text dbopt analyze explains and prints
 * has its encryption key hidden ('***'), and the statement is still explained.
 */
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

const available = await mariadbAvailable();

const CONSUMERS =
  "('events_statements_current', 'events_statements_history', 'events_statements_history_long')";

describe.skipIf(!available)("dbopt analyze on MariaDB hides the keys of sample texts", () => {
  let db: MariadbTestDatabase;
  let connector: MysqlConnector;
  let admin: mysql.Connection;
  let consumersBefore: Array<{ NAME: string; ENABLED: string }> = [];
  let releaseLock: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // The statement history is turned on here: no other file may change it meanwhile.
    releaseLock = await holdPerformanceSchemaLock();
    admin = await mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: "root" });
    const [rows] = await admin.query(
      `SELECT NAME, ENABLED FROM performance_schema.setup_consumers WHERE NAME IN ${CONSUMERS}`,
    );
    consumersBefore = rows as typeof consumersBefore;
    db = await createMariadbDatabase(
      "CREATE TABLE cards (id INT PRIMARY KEY, pan VARBINARY(64)); INSERT INTO cards SELECT seq, AES_ENCRYPT(seq, 'k') FROM seq_1_to_2000;",
    );
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

  it("explains the statement from its sample with the key as '***'", async () => {
    await admin.query(
      `UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ${CONSUMERS}`,
    );
    const app = await mysql.createConnection({
      host: MARIADB_HOST,
      port: MARIADB_PORT,
      user: "root",
      database: db.name,
    });
    for (let i = 0; i < 5; i++)
      await app.query(
        `SELECT id, AES_DECRYPT(pan, 'S3cretMyKey') FROM cards WHERE pan IS NOT NULL AND id > ${i}`,
      );
    await app.end();
    const { report } = await analyzeMysqlDatabase(connector, { top: 5 });
    expect(JSON.stringify(report)).not.toMatch(/S3cret/);
    const decrypt = report.statements.find((s) => /AES_DECRYPT/i.test(s.query));
    expect(decrypt?.query).toMatch(
      /^SELECT id, AES_DECRYPT\(pan, '\*\*\*'\) FROM cards WHERE pan IS NOT NULL AND id > \d$/,
    );
    expect(decrypt?.plan).not.toBeNull();
  });
});
