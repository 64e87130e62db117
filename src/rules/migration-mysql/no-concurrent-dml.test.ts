import { describe, expect, it } from "vitest";
import {
  knownTable,
  MARIADB_10_11,
  mysqlMigration,
  runMysqlMigrationRule,
} from "../../../test/support/mysql-migration-harness.js";
import { noConcurrentDml } from "./no-concurrent-dml.js";

describe("migration-mysql/no-concurrent-dml", () => {
  it("a FULLTEXT index builds in place under LOCK=SHARED", () => {
    const facts = mysqlMigration("ALTER TABLE posts ADD FULLTEXT INDEX ft (body);", MARIADB_10_11, [
      knownTable("posts", 2 * 1024 ** 3),
    ]);
    const [f] = runMysqlMigrationRule(noConcurrentDml, facts);
    expect(f?.severity).toBe("error");
    expect(f?.evidence).toMatchObject({ algorithm: "INPLACE", lock: "SHARED", blocks: "writes" });
    expect(f?.fix?.note).toContain("--alter 'ADD FULLTEXT INDEX ft (body)'");
  });

  it("an AUTO_INCREMENT column on MySQL, a SPATIAL index; not a plain index", () => {
    expect(
      runMysqlMigrationRule(
        noConcurrentDml,
        mysqlMigration("ALTER TABLE t ADD COLUMN n INT AUTO_INCREMENT UNIQUE;"),
      ),
    ).toHaveLength(1);
    const [spatial] = runMysqlMigrationRule(
      noConcurrentDml,
      mysqlMigration("CREATE SPATIAL INDEX `g 1` ON t (geo);"),
    );
    // The tools get the index as an ALTER specification, key parts as written.
    expect(spatial?.fix?.note).toContain("--alter 'ADD SPATIAL INDEX `g 1` (geo)'");
    expect(runMysqlMigrationRule(noConcurrentDml, mysqlMigration("CREATE INDEX i ON t (a);"))).toEqual([]);
  });

  it("MySQL's DISCARD/IMPORT PARTITION: no copy, writes wait, and no online tool for detaching a file", () => {
    const facts = mysqlMigration("ALTER TABLE logs IMPORT PARTITION p1 TABLESPACE;", undefined, [
      knownTable("logs", 2 * 1024 ** 3),
    ]);
    const [f] = runMysqlMigrationRule(noConcurrentDml, facts);
    expect(f?.title).toBe(
      "IMPORT PARTITION ... TABLESPACE runs in place but takes LOCK=SHARED: writes wait until it ends",
    );
    expect(f?.evidence).toMatchObject({ rewrite: false });
    expect(f?.fix?.note).toContain("copies no row");
    expect(f?.fix?.note).not.toContain("gh-ost");
  });
});
