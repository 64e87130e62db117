import { describe, expect, it } from "vitest";
import {
  knownTable,
  MARIADB_10_11,
  mysqlMigration,
  runMysqlMigrationRule,
} from "../../../test/support/mysql-migration-harness.js";
import { copyAlgorithm } from "./copy-algorithm.js";

const GB = 1024 ** 3;

describe("migration-mysql/copy-algorithm", () => {
  it("a column type change on a large table: an error, with pt-online-schema-change and gh-ost lines for it", () => {
    const facts = mysqlMigration("ALTER TABLE `order items` MODIFY qty BIGINT NOT NULL;", undefined, [
      knownTable("order items", 5 * GB, { qty: { type: "int", notNull: true } }),
    ]);
    const [f] = runMysqlMigrationRule(copyAlgorithm, facts);
    expect(f?.severity).toBe("error");
    expect(f?.evidence).toMatchObject({
      algorithm: "COPY",
      lock: "SHARED",
      rewrite: true,
      tableBytes: 5 * GB,
    });
    expect(f?.docsUrl).toBe("https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html");
    // MySQL 9.x reads the 8.4 manual, not 8.0's (9.1's minor version is below 4).
    const [on9] = runMysqlMigrationRule(
      copyAlgorithm,
      mysqlMigration(
        "ALTER TABLE `order items` MODIFY qty BIGINT NOT NULL;",
        { flavour: "mysql", version: [9, 1, 0] },
        [knownTable("order items", 5 * GB, { qty: { type: "int", notNull: true } })],
      ),
    );
    expect(on9?.docsUrl).toBe("https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html");
    expect(f?.fix?.note).toContain(
      "pt-online-schema-change --alter 'MODIFY qty BIGINT NOT NULL' 'h=db.internal,P=3306,u=deploy,D=shop,t=order items' --dry-run",
    );
    expect(f?.fix?.note).toContain(
      "gh-ost --host='db.internal' --port=3306 --user='deploy' --database='shop' --table='order items' --alter='MODIFY qty BIGINT NOT NULL'",
    );
  });

  it("a small table: a note, no tool", () => {
    const facts = mysqlMigration("ALTER TABLE t MODIFY qty BIGINT;", undefined, [
      knownTable("t", 1024, { qty: { type: "int" } }),
    ]);
    const [f] = runMysqlMigrationRule(copyAlgorithm, facts);
    expect(f?.severity).toBe("info");
    expect(f?.fix?.note).not.toContain("gh-ost");
  });

  it("a foreign key with foreign_key_checks on copies; after SET foreign_key_checks = 0 it does not", () => {
    const sql = `ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id);
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT fk2 FOREIGN KEY (customer_id) REFERENCES customers (id);`;
    const found = runMysqlMigrationRule(copyAlgorithm, mysqlMigration(sql, MARIADB_10_11));
    expect(found.map((f) => f.location?.line)).toEqual([1]);
    expect(found[0]?.severity).toBe("warning");
    expect(found[0]?.fix?.note).toMatch(/^SET foreign_key_checks = 0 before the statement/);
  });

  it("says what it assumed when the column's current type is unknown, and never reports a table created in the set", () => {
    const [f] = runMysqlMigrationRule(copyAlgorithm, mysqlMigration("ALTER TABLE t MODIFY v BIGINT;"));
    expect(f?.detail).toContain("the current definition of v is not known");
    const created = mysqlMigration(
      "CREATE TABLE t (id INT PRIMARY KEY, v INT);\nALTER TABLE t MODIFY v BIGINT;",
    );
    expect(runMysqlMigrationRule(copyAlgorithm, created)).toEqual([]);
  });

  it("a rename-only CHANGE on a known column does not copy", () => {
    const facts = mysqlMigration("ALTER TABLE t CHANGE v w INT NULL;", undefined, [
      knownTable("t", GB, { v: { type: "int(11)" } }),
    ]);
    expect(runMysqlMigrationRule(copyAlgorithm, facts)).toEqual([]);
  });

  it("MySQL's OPTIMIZE PARTITION rebuilds the whole table: the manual's REBUILD and ANALYZE PARTITION instead", () => {
    const [f] = runMysqlMigrationRule(
      copyAlgorithm,
      mysqlMigration("ALTER TABLE logs OPTIMIZE PARTITION p1;", undefined, [
        knownTable("logs", 2 * 1024 ** 3),
      ]),
    );
    expect(f?.title).toContain("OPTIMIZE PARTITION (rebuilds the entire table) needs ALGORITHM=COPY");
    expect(f?.fix?.note).toContain("REBUILD PARTITION and ANALYZE PARTITION");
    expect(f?.fix?.note).not.toContain("pt-online-schema-change");
  });
});
