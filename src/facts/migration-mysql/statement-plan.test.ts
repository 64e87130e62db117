import { describe, expect, it } from "vitest";
import { MARIADB_10_11, mysqlMigration } from "../../../test/support/mysql-migration-harness.js";
import type { ServerVersion } from "./online-ddl-support.js";

const plan = (sql: string, server?: ServerVersion) => mysqlMigration(sql, server).statements[0]?.plan;

describe("a statement's plan from its operations together", () => {
  it("MySQL: an instant ADD COLUMN with a change that is not instant is rebuilt in place", () => {
    expect(plan("ALTER TABLE t ADD COLUMN z INT;")?.best).toBe("INSTANT");
    expect(plan("ALTER TABLE t ADD COLUMN z INT, ADD INDEX kz (z);")).toMatchObject({
      best: "INPLACE",
      rebuild: true,
    });
    expect(plan("ALTER TABLE t ADD COLUMN z INT, DROP INDEX ka;")?.best).toBe("INPLACE");
  });

  it("MariaDB 10.11 as measured: with ADD INDEX INPLACE, with DROP INDEX NOCOPY; a VIRTUAL column with others under LOCK=SHARED", () => {
    expect(plan("ALTER TABLE t ADD COLUMN z INT, ADD INDEX kz (z);", MARIADB_10_11)).toMatchObject({
      best: "INPLACE",
      lock: "NONE",
    });
    expect(plan("ALTER TABLE t ADD COLUMN z INT, DROP INDEX ka;", MARIADB_10_11)?.best).toBe("NOCOPY");
    expect(plan("ALTER TABLE t ADD COLUMN z INT AS (a + 1) VIRTUAL;", MARIADB_10_11)?.best).toBe("INSTANT");
    expect(
      plan("ALTER TABLE t ADD COLUMN z INT AS (a + 1) VIRTUAL, ADD INDEX kz (z);", MARIADB_10_11),
    ).toMatchObject({
      best: "INPLACE",
      lock: "SHARED",
    });
  });

  it("MariaDB 10.11 as measured: a key in an added column, a DEFAULT on another column, AUTO_INCREMENT added", () => {
    const facts = (sql: string) =>
      mysqlMigration(`CREATE TABLE t (id INT PRIMARY KEY, a INT NOT NULL);\n${sql}`, MARIADB_10_11)
        .statements[1]?.plan?.best;
    expect(facts("ALTER TABLE t ADD COLUMN z INT UNIQUE;")).toBe("INPLACE");
    expect(facts("ALTER TABLE t ADD COLUMN z INT DEFAULT (a + 1);")).toBe("COPY");
    expect(facts("ALTER TABLE t ADD COLUMN z INT DEFAULT (1 + 1);")).toBe("INSTANT");
    expect(facts("ALTER TABLE t MODIFY COLUMN id INT NOT NULL AUTO_INCREMENT;")).toBe("COPY");
    expect(facts("ALTER TABLE t MODIFY COLUMN id INT NOT NULL;")).toBe("INSTANT");
  });
});
