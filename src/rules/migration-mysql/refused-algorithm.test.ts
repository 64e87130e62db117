import { describe, expect, it } from "vitest";
import { createMariadbDatabase, mariadbAvailable } from "../../../test/support/mariadb.js";
import {
  MARIADB_10_11,
  mariadbFailedFixes,
  mysqlMigration,
  runMysqlMigrationRule,
} from "../../../test/support/mysql-migration-harness.js";
import { refusedAlgorithm } from "./refused-algorithm.js";

const available = await mariadbAvailable();

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

  it("MariaDB: a partition clause with ALGORITHM/LOCK is a syntax error; the fix drops the clauses, awkward name kept", () => {
    const [f] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration(
        "ALTER TABLE `lo``gs <x>` ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION p1, p2;",
        MARIADB_10_11,
      ),
    );
    expect(f?.title).toContain("DROP PARTITION takes no ALGORITHM or LOCK clause on this server (ERROR 1064");
    expect(String(f?.fix?.sql)).toBe("ALTER TABLE `lo``gs <x>` DROP PARTITION p1, p2");
    // Without the clauses nothing is refused; MySQL takes them before a partition clause.
    const plain = "ALTER TABLE logs DROP PARTITION p1;";
    expect(runMysqlMigrationRule(refusedAlgorithm, mysqlMigration(plain, MARIADB_10_11))).toEqual([]);
    expect(
      runMysqlMigrationRule(
        refusedAlgorithm,
        mysqlMigration("ALTER TABLE logs ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION p1;"),
      ),
    ).toEqual([]);
  });

  it("MariaDB has no DISCARD/IMPORT PARTITION: refused whatever its clauses, the fix goes through EXCHANGE PARTITION", () => {
    for (const sql of [
      "ALTER TABLE logs DISCARD PARTITION p1 TABLESPACE;",
      "ALTER TABLE logs IMPORT PARTITION ALL TABLESPACE;",
    ]) {
      const [f] = runMysqlMigrationRule(refusedAlgorithm, mysqlMigration(sql, MARIADB_10_11));
      expect(f?.title, sql).toContain("MariaDB has no DISCARD/IMPORT PARTITION ... TABLESPACE (ERROR 1064");
      expect(f?.fix?.sql).toBeUndefined();
      expect(f?.fix?.note).toContain("EXCHANGE PARTITION");
    }
  });

  it("MySQL: DISCARD/IMPORT PARTITION take only ALGORITHM=DEFAULT and LOCK=DEFAULT; OPTIMIZE PARTITION ignores them", () => {
    const [f] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE `lo``gs` ALGORITHM=INPLACE, DISCARD PARTITION p1 TABLESPACE;"),
    );
    expect(f?.title).toContain(
      "DISCARD PARTITION ... TABLESPACE takes only ALGORITHM=DEFAULT and LOCK=DEFAULT (asked: ALGORITHM=INPLACE)",
    );
    expect(String(f?.fix?.sql)).toBe("ALTER TABLE `lo``gs` DISCARD PARTITION p1 TABLESPACE");
    for (const sql of [
      "ALTER TABLE logs ALGORITHM=DEFAULT, LOCK=DEFAULT, IMPORT PARTITION p1 TABLESPACE;",
      "ALTER TABLE logs ALGORITHM=INPLACE, LOCK=NONE, OPTIMIZE PARTITION p1;",
    ])
      expect(runMysqlMigrationRule(refusedAlgorithm, mysqlMigration(sql)), sql).toEqual([]);
  });

  it("ALGORITHM/LOCK after a partition clause: a syntax error; the fix puts them where ALTER TABLE reads them", () => {
    const [copy] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE `my logs` PARTITION BY HASH (id) PARTITIONS 4, ALGORITHM=COPY;"),
    );
    expect(copy?.title).toContain(
      "cannot parse this statement: ALGORITHM=COPY is written after PARTITION BY",
    );
    expect(copy?.detail).toContain("ALGORITHM=COPY is never applied");
    expect(String(copy?.fix?.sql)).toBe(
      "ALTER TABLE `my logs` ALGORITHM=COPY PARTITION BY HASH (id) PARTITIONS 4",
    );
    // MySQL 8: the clause goes before the standalone clause, then a comma.
    const [drop] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE logs DROP PARTITION p1, p2 LOCK=EXCLUSIVE;"),
    );
    expect(String(drop?.fix?.sql)).toBe("ALTER TABLE logs LOCK=EXCLUSIVE, DROP PARTITION p1, p2");
    // MariaDB takes no clause with partition management: the fix drops it.
    const [maria] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE logs DROP PARTITION p1, ALGORITHM=INPLACE;", MARIADB_10_11),
    );
    expect(String(maria?.fix?.sql)).toBe("ALTER TABLE logs DROP PARTITION p1");
    // A clause the server would refuse in its place too is dropped, with the reason.
    const [hash] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration("ALTER TABLE logs ADD PARTITION PARTITIONS 2, LOCK=NONE;"),
    );
    expect(String(hash?.fix?.sql)).toBe("ALTER TABLE logs ADD PARTITION PARTITIONS 2");
    expect(hash?.fix?.note).toContain("LOCK=NONE is not supported");
  });

  it("DISCARD TABLESPACE with a clause: MySQL takes only DEFAULT, MariaDB none", () => {
    for (const server of [undefined, MARIADB_10_11]) {
      const [f] = runMysqlMigrationRule(
        refusedAlgorithm,
        mysqlMigration("ALTER TABLE t ALGORITHM=INPLACE, DISCARD TABLESPACE;", server),
      );
      expect(f?.severity).toBe("error");
      expect(String(f?.fix?.sql)).toBe("ALTER TABLE t DISCARD TABLESPACE");
    }
  });

  it("MariaDB: clauses and a comma before REMOVE PARTITIONING; the fix drops both and runs", async () => {
    const [f] = runMysqlMigrationRule(
      refusedAlgorithm,
      mysqlMigration(
        "ALTER TABLE `pa rt` ADD COLUMN q INT, ALGORITHM=INPLACE, LOCK=NONE, REMOVE PARTITIONING;",
        MARIADB_10_11,
      ),
    );
    expect(f?.title).toContain("a comma stands before REMOVE PARTITIONING");
    expect(String(f?.fix?.sql)).toBe("ALTER TABLE `pa rt` ADD COLUMN q INT REMOVE PARTITIONING");
    if (!available) return;
    const db = await createMariadbDatabase(
      "CREATE TABLE `pa rt` (id INT PRIMARY KEY, v INT) PARTITION BY HASH (id) PARTITIONS 4",
    );
    try {
      await db.run(String(f?.fix?.sql));
      const rows = (await db.run("SHOW CREATE TABLE `pa rt`")) as Array<Record<string, string>>;
      expect(rows[0]?.["Create Table"]).toContain("`q` int");
      expect(rows[0]?.["Create Table"]).not.toContain("PARTITION");
    } finally {
      await db.drop();
    }
  });

  // Last in the file: every MariaDB fix the tests above printed, run on MariaDB 10.11.
  it.skipIf(!available)("every MariaDB fix printed above runs on MariaDB 10.11", async () => {
    expect(await mariadbFailedFixes()).toEqual([]);
  });
});
