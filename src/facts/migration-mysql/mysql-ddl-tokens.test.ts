import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMariadbDatabase,
  type MariadbTestDatabase,
  mariadbAvailable,
} from "../../../test/support/mariadb.js";
import { MARIADB_10_11, MYSQL_8_0_35 } from "../../../test/support/mysql-migration-harness.js";
import { codeText, splitStatements } from "./mysql-ddl-tokens.js";

const texts = (sql: string, ...server: Parameters<typeof splitStatements>[1][]) =>
  splitStatements(sql, server[0]).map((s) => sql.slice(s.start, s.end));
const words = (sql: string, server: Parameters<typeof splitStatements>[1]) =>
  splitStatements(sql, server).map((s) => s.tokens.map((t) => t.value).join(" "));

// What mysqldump writes: statements that begin, end or stand wholly inside executable comments.
const DUMP = [
  "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
  "CREATE TABLE `or ders` (id int primary key, v int) /*!50100 PARTITION BY HASH (id) PARTITIONS 2 */;",
  "ALTER TABLE `or ders` ADD COLUMN w INT /*!100301 AFTER v */;",
  "/*!40101 SET CHARACTER_SET_CLIENT = @OLD_CHARACTER_SET_CLIENT */;",
].join("\n");

describe("splitStatements", () => {
  it("a statement begun or ended in an executable comment keeps the whole comment", () => {
    expect(texts(DUMP)).toEqual(DUMP.split(";\n").map((s) => s.replace(/;$/, "")));
  });

  it("reads an executable comment as code only on a server that runs it", () => {
    const sql =
      "ALTER TABLE t ADD COLUMN w INT /*!100301 AFTER v */ /*M!100400 FIRST */ /*!90000 LOCK=NONE */";
    // MariaDB 10.11 runs all three; MySQL 8.0.35 reads five digits (10030, then "1 AFTER v"), skips M! and 9.0;
    // MySQL 8.4 reads six (10.3.1: not yet).
    expect(words(sql, MARIADB_10_11)).toEqual(["ALTER TABLE T ADD COLUMN W INT AFTER V FIRST LOCK = NONE"]);
    expect(words(sql, MYSQL_8_0_35)).toEqual(["ALTER TABLE T ADD COLUMN W INT 1 AFTER V"]);
    expect(words(sql, { flavour: "mysql", version: [8, 4, 0] })).toEqual(["ALTER TABLE T ADD COLUMN W INT"]);
    // 10.3.0 is before 10.3.1 and 10.4.0, after 9.0.0.
    expect(words(sql, { flavour: "mariadb", version: [10, 3, 0] })).toEqual([
      "ALTER TABLE T ADD COLUMN W INT LOCK = NONE",
    ]);
  });

  it("a part of a statement cut inside a comment is given as the code the server runs", () => {
    const sql = "ALTER TABLE t ADD COLUMN w INT /*!100301 AFTER v */";
    const [st] = splitStatements(sql, MARIADB_10_11);
    expect(codeText(sql, st?.tokens.slice(3) ?? [])).toBe("ADD COLUMN w INT AFTER v");
  });
});

const available = await mariadbAvailable();

describe.skipIf(!available)("splitStatements on MariaDB 10.11", () => {
  let db: MariadbTestDatabase;
  beforeAll(async () => {
    db = await createMariadbDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("every statement of a dump, as split, runs", async () => {
    for (const text of texts(DUMP, MARIADB_10_11)) await db.run(text);
    const rows = (await db.run("SHOW CREATE TABLE `or ders`")) as Array<Record<string, string>>;
    const create = rows[0]?.["Create Table"] ?? "";
    expect(create).toMatch(/`v` int\(11\) DEFAULT NULL,\s+`w` int/);
    expect(create).toContain("PARTITION BY HASH");
  });
});
