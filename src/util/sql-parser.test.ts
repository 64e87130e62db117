import { beforeAll, describe, expect, it } from "vitest";
import { fingerprintSql, loadSqlParser } from "./sql-parser.js";

describe("fingerprintSql", () => {
  beforeAll(loadSqlParser);

  // Amazon RDS's log in pgBadger's t/fixtures (rds.log.bz2) has "statement: " lines with nothing after them:
  // libpg-query's answer for "" was its error text, which became the statement's fingerprint.
  it("gives the empty query string the empty statement's fingerprint, not libpg-query's error text", () => {
    expect(fingerprintSql("")).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintSql("")).toBe(fingerprintSql(";"));
  });

  it("keeps the fingerprints of other statements", () => {
    expect(fingerprintSql("select 1")).toBe(fingerprintSql("SELECT 2"));
    expect(fingerprintSql("select 1")).not.toBe(fingerprintSql(""));
  });
});
