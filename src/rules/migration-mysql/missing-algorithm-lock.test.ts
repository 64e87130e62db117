import { describe, expect, it } from "vitest";
import { mariadbAvailable } from "../../../test/support/mariadb.js";
import {
  MARIADB_10_11,
  mariadbFailedFixes,
  mysqlMigration,
  runMysqlMigrationRule,
} from "../../../test/support/mysql-migration-harness.js";
import { missingAlgorithmLock } from "./missing-algorithm-lock.js";

const available = await mariadbAvailable();

describe("migration-mysql/missing-algorithm-lock", () => {
  it("adds the clauses to the statement as written: after a comma for ALTER, after the key parts for CREATE INDEX", () => {
    const facts = mysqlMigration(
      "ALTER TABLE `we``ird` ADD INDEX i (a);\nCREATE INDEX `i 2` ON t (a, b(10));\nALTER TABLE t ADD COLUMN c INT;",
      MARIADB_10_11,
    );
    const fixes = runMysqlMigrationRule(missingAlgorithmLock, facts).map((f) => String(f.fix?.sql));
    expect(fixes).toEqual([
      "ALTER TABLE `we``ird` ADD INDEX i (a), ALGORITHM=NOCOPY, LOCK=NONE",
      "CREATE INDEX `i 2` ON t (a, b(10)) ALGORITHM=NOCOPY LOCK=NONE",
      "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=NONE",
    ]);
  });

  it("MySQL: INSTANT without a LOCK clause; a statement with ALGORITHM but no LOCK gets its LOCK", () => {
    const facts = mysqlMigration(
      "ALTER TABLE t ADD COLUMN c INT;\nALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE;",
    );
    const found = runMysqlMigrationRule(missingAlgorithmLock, facts);
    expect(found.map((f) => String(f.fix?.sql))).toEqual([
      "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT",
      "ALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE, LOCK=NONE",
    ]);
    expect(found[1]?.title).toMatch(/^no LOCK clause/);
  });

  it("not when both are given, nor for a change that cannot be online, nor a rename", () => {
    const facts = mysqlMigration(
      "ALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE, LOCK=NONE;\nALTER TABLE t CONVERT TO CHARACTER SET latin1;\nALTER TABLE t RENAME TO u;",
    );
    expect(runMysqlMigrationRule(missingAlgorithmLock, facts)).toEqual([]);
  });

  // Last in the file: every MariaDB fix the tests above printed, run on MariaDB 10.11.
  it.skipIf(!available)("every MariaDB fix printed above runs on MariaDB 10.11", async () => {
    expect(await mariadbFailedFixes()).toEqual([]);
  });
});
