import { describe, expect, it } from "vitest";
import {
  knownTable,
  MARIADB_10_11,
  MYSQL_8_0_20,
  mysqlMigration,
  runMysqlMigrationRule,
} from "../../../test/support/mysql-migration-harness.js";
import { tableRebuild } from "./table-rebuild.js";

describe("migration-mysql/table-rebuild", () => {
  it("NULL to NOT NULL rebuilds in place with LOCK=NONE: a note, an error on a table over largeTableBytes", () => {
    const facts = mysqlMigration("ALTER TABLE t MODIFY v INT NOT NULL;", MARIADB_10_11, [
      knownTable("t", 50 * 1024 ** 2, { v: { type: "int" } }),
    ]);
    const [f] = runMysqlMigrationRule(tableRebuild, facts);
    expect(f?.severity).toBe("info");
    expect(f?.evidence).toMatchObject({ algorithm: "INPLACE", lock: "NONE", rewrite: true });
    expect(runMysqlMigrationRule(tableRebuild, facts, { largeTableBytes: 10 * 1024 ** 2 })[0]?.severity).toBe(
      "error",
    );
  });

  it("on MySQL, ALGORITHM=INPLACE rebuilds where INSTANT would not: the fix asks for INSTANT", () => {
    const facts = mysqlMigration("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INPLACE, LOCK=NONE;");
    const [f] = runMysqlMigrationRule(tableRebuild, facts);
    expect(f?.title).toMatch(/ALGORITHM=INPLACE rebuilds the table where ALGORITHM=INSTANT would not/);
    expect(String(f?.fix?.sql)).toBe("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT");
  });

  it("before MySQL 8.0.29 a column added in the middle rebuilds; as the last column it is instant", () => {
    expect(
      runMysqlMigrationRule(
        tableRebuild,
        mysqlMigration("ALTER TABLE t ADD COLUMN c INT FIRST;", MYSQL_8_0_20),
      ),
    ).toHaveLength(1);
    expect(
      runMysqlMigrationRule(tableRebuild, mysqlMigration("ALTER TABLE t ADD COLUMN c INT;", MYSQL_8_0_20)),
    ).toEqual([]);
  });
});
