import { describe, expect, it } from "vitest";
import { mysqlMigration, runMysqlMigrationRule } from "../../../test/support/mysql-migration-harness.js";
import { unknownOperation } from "./unknown-operation.js";

describe("migration-mysql/unknown-operation", () => {
  it("names an operation it has no table for, and points at migrate trace", () => {
    const [f] = runMysqlMigrationRule(unknownOperation, mysqlMigration("ALTER TABLE logs SECONDARY_LOAD;"));
    expect(f?.title).toBe("algorithm and lock not known for: SECONDARY_LOAD");
    expect(f?.fix?.note).toMatch(/dbopt migrate trace/);
  });

  it("says nothing of an operation in the tables, partition clauses included", () => {
    expect(runMysqlMigrationRule(unknownOperation, mysqlMigration("ALTER TABLE t ADD INDEX i (a);"))).toEqual(
      [],
    );
    expect(
      runMysqlMigrationRule(unknownOperation, mysqlMigration("ALTER TABLE logs DROP PARTITION p2019;")),
    ).toEqual([]);
    for (const clause of [
      "DISCARD TABLESPACE",
      "IMPORT TABLESPACE",
      "DISCARD PARTITION p2019 TABLESPACE",
      "IMPORT PARTITION p2019, p2020 TABLESPACE",
      "ANALYZE PARTITION ALL",
      "CHECK PARTITION p2019",
      "OPTIMIZE PARTITION p2019",
      "REPAIR PARTITION p2019",
    ])
      expect(
        runMysqlMigrationRule(unknownOperation, mysqlMigration(`ALTER TABLE logs ${clause};`)),
        clause,
      ).toEqual([]);
  });
});
