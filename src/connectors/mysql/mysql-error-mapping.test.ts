import { describe, expect, it } from "vitest";
import { mapMysqlError } from "./mysql-error-mapping.js";
import type { MysqlTarget } from "./mysql-target.js";

const target: MysqlTarget = {
  host: "db",
  port: 3306,
  user: "app",
  password: "hunter2",
  database: "shop",
  scheme: "mariadb",
  display: "mariadb://app@db:3306/shop",
};

// The errors as mysql2 gives them (errno, sqlState, the server's message), captured from MariaDB 10.11.
const denied = (database: string) => ({
  errno: 1044,
  code: "ER_DBACCESS_DENIED_ERROR",
  sqlState: "42000",
  message: `Access denied for user 'app'@'%' to database '${database}'`,
});

describe("mapMysqlError", () => {
  it("a wrong password: check the user and password", () => {
    const e = mapMysqlError(
      { errno: 1045, message: "Access denied for user 'app'@'x' (using password: YES)" },
      target,
    );
    expect(e.code).toBe("auth-failed");
    expect(e.hint).toMatch(/check the user and password/);
  });

  it("a database the user may not use is a privilege, not the password", () => {
    const e = mapMysqlError(denied("shop"), target);
    expect(e.code).toBe("permission-denied");
    expect(e.message).toBe(
      "app may not use this database on db:3306: Access denied for user 'app'@'%' to database 'shop'",
    );
    expect(e.hint).not.toMatch(/password/);
  });

  it("CREATE DATABASE refused for --sample's scratch copy names the grant it needs", () => {
    const e = mapMysqlError(denied("dbopt_scratch_0a1b2c3d4e5f"), target, "CREATE DATABASE");
    expect(e.message).toMatch(/^app may not create databases on db:3306/);
    expect(e.hint).toMatch(
      /GRANT ALL ON `dbopt\\_scratch\\_%`\.\* TO the user, or give a copy with --sandbox URL/,
    );
  });
});
