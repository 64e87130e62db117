import { describe, expect, it } from "vitest";
import { DbError } from "../db-error.js";
import { mapMysqlError } from "./mysql-error-mapping.js";
import { isMysqlUrl, resolveMysqlTarget } from "./mysql-target.js";

describe("resolveMysqlTarget", () => {
  it("reads mysql:// and mariadb:// URLs, the MYSQL_* variables filling what the URL leaves out", () => {
    const t = resolveMysqlTarget("mariadb://app:p%40ss@db.local/shop", { MYSQL_TCP_PORT: "3307" });
    expect(t).toMatchObject({
      host: "db.local",
      port: 3307,
      user: "app",
      password: "p@ss",
      database: "shop",
      scheme: "mariadb",
    });
    expect(t.display).toBe("mariadb://app@db.local:3307/shop");
    expect(resolveMysqlTarget("mysql:///", { MYSQL_DATABASE: "d", MYSQL_PWD: "x" })).toMatchObject({
      host: "127.0.0.1",
      user: "root",
      password: "x",
      database: "d",
    });
    expect(isMysqlUrl("MySQL://h/d")).toBe(true);
    expect(isMysqlUrl("postgresql://h/d")).toBe(false);
  });

  it("refuses a URL without a database or with a bad port in one line", () => {
    expect(() => resolveMysqlTarget("mysql://h", {})).toThrow(/no database named/);
    expect(() => resolveMysqlTarget("mysql://h:99999/d", {})).toThrow(DbError);
  });
});

describe("mapMysqlError", () => {
  const target = resolveMysqlTarget("mysql://u:s3cret@h:3306/d", {});
  it("maps server errors by errno and network errors by code, never showing the password", () => {
    expect(
      mapMysqlError({ errno: 1045, message: "Access denied for user 'u'@'x' (using password: YES)" }, target)
        .code,
    ).toBe("auth-failed");
    // A user without a password, or no such user: MariaDB answers 1698 at the handshake (seen on 10.11.19).
    expect(mapMysqlError({ errno: 1698, message: "Access denied for user 'nobody'@'x'" }, target).code).toBe(
      "auth-failed",
    );
    expect(mapMysqlError({ errno: 1049 }, target).code).toBe("database-missing");
    expect(mapMysqlError({ errno: 3024 }, target).code).toBe("statement-timeout");
    expect(mapMysqlError({ errno: 1969 }, target).code).toBe("statement-timeout");
    expect(mapMysqlError({ code: "ECONNREFUSED" }, target).code).toBe("connection-refused");
    const other = mapMysqlError({ errno: 1064, message: "near 's3cret'" }, target);
    expect(other.code).toBe("query-failed");
    expect(other.message).not.toContain("s3cret");
  });
});
