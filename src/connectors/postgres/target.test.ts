import { describe, expect, it } from "vitest";
import { resolveTarget } from "./target.js";

describe("resolveTarget", () => {
  it("shows the default port when the URL has none, and never the password", () => {
    const t = resolveTarget({ db: "postgresql://app:s3cret@db.internal/shop", env: {} });
    expect(t.display).toBe("app@db.internal:5432/shop");
    expect(t.secret).toBe("s3cret");
  });

  it("shows the URL's port", () => {
    expect(resolveTarget({ db: "postgres://u@127.0.0.1:6543/x", env: {} }).display).toBe(
      "u@127.0.0.1:6543/x",
    );
  });

  it("asks node-postgres for verify-full, which it does for require anyway, so it prints no warning", () => {
    const config = (db: string) => resolveTarget({ db, env: {} }).config.connectionString;
    expect(config("postgresql://u@h/x?sslmode=require")).toBe("postgresql://u@h/x?sslmode=verify-full");
    expect(config("postgresql://u@h/x?application_name=a&sslmode=prefer&connect_timeout=3")).toBe(
      "postgresql://u@h/x?application_name=a&sslmode=verify-full&connect_timeout=3",
    );
    for (const kept of [
      "postgresql://u@h/x?sslmode=disable",
      "postgresql://u@h/x?sslmode=require&uselibpqcompat=true",
    ])
      expect(config(kept)).toBe(kept);
  });

  it("refuses a PGPORT that is not a port, which left the connection waiting forever", () => {
    for (const PGPORT of ["abc", "0", "70000", "54 32"])
      expect(() => resolveTarget({ env: { PGHOST: "127.0.0.1", PGPORT } })).toThrow(
        /PGPORT must be a port number/,
      );
    expect(resolveTarget({ env: { PGHOST: "h", PGPORT: " 6543 " } }).display).toMatch(/^.*@h:6543\//);
  });
});
