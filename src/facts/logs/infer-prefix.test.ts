import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inferPrefix } from "./infer-prefix.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url);
const head = (file: string) => readFileSync(new URL(file, FIXTURES), "utf8").split("\n").slice(0, 200);

describe("inferPrefix", () => {
  it("reads an uncommon prefix off a real log: '[%m] pid=%p %q%u/%d/%a (%c) '", () => {
    expect(inferPrefix(head("pg15-custom-prefix.log"))).toBe("[%m] pid=%p %q%u/%d/%a (%c) ");
  });

  it("reads pgBadger's prefix off a real log", () => {
    expect(inferPrefix(head("pg18-stderr.log"))).toBe("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ");
  });

  it("gives up on text with no level keywords", () => {
    expect(inferPrefix(["GET /index.html 200", "GET /favicon.ico 404"])).toBeNull();
  });

  // pgBadger's t/fixtures/postgresql_param_range.log (CRLF line ends, as PostgreSQL on Windows writes them).
  it("reads a transaction id after the pid and a key that starts like 'app': '%t [%p]: [%l-1] [%x] usr=%u,db=%d,appli=%a '", () => {
    const lines = readFileSync(new URL("pgbadger/postgresql_param_range.log", FIXTURES), "utf8").split(
      /\r?\n/,
    );
    expect(inferPrefix(lines)).toBe("%t [%p]: [%l-1] [%x] usr=%u,db=%d,appli=%a ");
  });

  // pgBadger's t/fixtures/queryid.log.gz: PostgreSQL 14's %Q in the prefix.
  it("reads the query id: '%m [%p] [queryid=%Q] %u@%d '", () => {
    expect(inferPrefix(head("pgbadger/queryid.log"))).toBe("%m [%p] [queryid=%Q] %u@%d ");
  });
});
