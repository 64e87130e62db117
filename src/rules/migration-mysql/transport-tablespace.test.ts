import { describe, expect, it } from "vitest";
import {
  knownTable,
  MARIADB_10_11,
  mysqlMigration,
  runMysqlMigrationRule,
} from "../../../test/support/mysql-migration-harness.js";
import { noConcurrentDml } from "./no-concurrent-dml.js";
import { transportTablespace } from "./transport-tablespace.js";

describe("migration-mysql/transport-tablespace", () => {
  it("DISCARD TABLESPACE: an error, the table unusable until IMPORT, reads and writes blocked while it runs", () => {
    for (const server of [undefined, MARIADB_10_11]) {
      const facts = mysqlMigration("ALTER TABLE `Order Items` DISCARD TABLESPACE;", server, [
        knownTable("Order Items", 1024 ** 2),
      ]);
      const [f] = runMysqlMigrationRule(transportTablespace, facts);
      expect(f?.severity).toBe("error");
      expect(f?.title).toContain("the table is unusable until IMPORT TABLESPACE");
      expect(f?.detail).toContain("nothing in this migration imports one");
      expect(f?.evidence).toMatchObject({ lock: "EXCLUSIVE", blocks: "reads and writes", rewrite: false });
      // Not also reported as an in-place change that only blocks writes.
      expect(runMysqlMigrationRule(noConcurrentDml, facts)).toEqual([]);
    }
  });

  it("IMPORT TABLESPACE: graded by size; a DISCARD followed by its IMPORT says so", () => {
    const facts = mysqlMigration(
      "ALTER TABLE t DISCARD TABLESPACE;\nALTER TABLE t IMPORT TABLESPACE;",
      undefined,
      [knownTable("t", 2 * 1024 ** 3)],
    );
    const [discard, imported] = runMysqlMigrationRule(transportTablespace, facts);
    expect(discard?.detail).toContain("(later in this migration set)");
    expect(imported?.title).toBe(
      "IMPORT TABLESPACE holds an exclusive lock on t while it reads the whole file",
    );
    expect(imported?.severity).toBe("error");
    const small = mysqlMigration("ALTER TABLE t IMPORT TABLESPACE;", undefined, [knownTable("t", 1024)]);
    expect(runMysqlMigrationRule(transportTablespace, small)[0]?.severity).toBe("info");
  });

  it("says nothing of a partition's tablespace or of other changes", () => {
    expect(
      runMysqlMigrationRule(
        transportTablespace,
        mysqlMigration("ALTER TABLE t DISCARD PARTITION p1 TABLESPACE;"),
      ),
    ).toEqual([]);
    expect(
      runMysqlMigrationRule(transportTablespace, mysqlMigration("ALTER TABLE t ADD INDEX i (a);")),
    ).toEqual([]);
  });
});
