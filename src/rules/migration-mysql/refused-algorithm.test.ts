import { describe, expect, it } from "vitest";
import {
  MARIADB_10_11,
  mysqlMigration,
  runMysqlMigrationRule,
} from "../../../test/support/mysql-migration-harness.js";
import { refusedAlgorithm } from "./refused-algorithm.js";

describe("migration-mysql/refused-algorithm", () => {
  it("ALGORITHM=INSTANT for an index: refused; the fix is the clause this server takes", () => {
    const [f] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE t ADD INDEX i (a), ALGORITHM=INSTANT;"),
    );
    expect(f?.severity).toBe("error");
    expect(f?.title).toContain(
      "ALGORITHM=INSTANT is not supported: Creating or adding a secondary index needs INPLACE",
    );
    expect(String(f?.fix?.sql)).toBe("ALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE, LOCK=NONE");
  });

  it("ALGORITHM=INSTANT before a partition clause (MySQL 8): the fix puts the clauses this server takes before it", () => {
    const [f] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE logs ALGORITHM=INSTANT, DROP PARTITION p1, p2;"),
    );
    expect(f?.title).toContain("ALGORITHM=INSTANT is not supported: DROP PARTITION needs INPLACE");
    expect(String(f?.fix?.sql)).toBe("ALTER TABLE logs ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION p1, p2");
  });

  it("LOCK=NONE for a type change: refused, and no online SQL exists", () => {
    const [f] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE t MODIFY v BIGINT, LOCK=NONE;", MARIADB_10_11),
    );
    expect(f?.title).toContain("LOCK=NONE is not supported");
    expect(f?.fix?.sql).toBeUndefined();
    expect(f?.fix?.note).toContain("gh-ost");
  });

  it("MySQL refuses any LOCK but DEFAULT with ALGORITHM=INSTANT; MariaDB takes LOCK=NONE with it", () => {
    const sql = "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=NONE;";
    const [f] = runMysqlMigrationRule(refusedAlgorithm, mysqlMigration(sql));
    expect(f?.title).toContain("Incorrect usage of ALGORITHM=INSTANT and LOCK=NONE");
    expect(String(f?.fix?.sql)).toBe("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT");
    expect(runMysqlMigrationRule(refusedAlgorithm, mysqlMigration(sql, MARIADB_10_11))).toEqual([]);
  });

  it("MariaDB takes ALGORITHM=INPLACE as 'in place or better'; MySQL has no NOCOPY", () => {
    expect(
      runMysqlMigrationRule(
        refusedAlgorithm,
        mysqlMigration("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INPLACE, LOCK=NONE;", MARIADB_10_11),
      ),
    ).toEqual([]);
    const [f] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE t ADD INDEX i (a), ALGORITHM=NOCOPY;"),
    );
    expect(f?.title).toContain("MySQL has no ALGORITHM=NOCOPY");
  });
});
