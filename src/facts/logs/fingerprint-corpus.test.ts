/**
 * The log workload groups statements by (lexer-normalised text → libpg-query fingerprint of the first statement
 * seen with that text). That must give every statement of a corpus the fingerprint libpg-query gives it itself:
 * a normalisation that merged texts the parser tells apart would group different statements together.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { fingerprintSql, loadSqlParser } from "../../util/sql-parser.js";
import { Fingerprinter } from "./fingerprinter.js";
import { normaliseSql } from "./normalise-sql.js";

const ROOT = new URL("../../../", import.meta.url);
const TPCH = readFileSync(new URL("bench/tpch/tpch-queries.sql", ROOT), "utf8");

/** Statements from real sources (TPC-H's 22 queries, the captured logs' workload), each with variants of its
 * constants, IN-list lengths and spacing, which must all share the original's fingerprint. */
function corpus(): string[] {
  const statements = TPCH.replaceAll(":q11_fraction", "0.0001")
    .split(/;\s*\n/)
    .map((s) => s.replace(/^--.*$/gm, "").trim())
    .filter(Boolean);
  const logged = readFileSync(new URL("test/fixtures/logs/pg18-jsonlog.json", ROOT), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { message?: string })
    .map((o) => /^duration: [\d.]+ ms {2}(?:statement|execute [^:]*): ([\s\S]*)$/.exec(o.message ?? "")?.[1])
    .filter((s): s is string => !!s);
  const base = [...statements, ...logged];
  const variants = base.flatMap((s) => [
    s,
    s.replace(/\b\d+\b/g, (d) => String(Number(d) + 7)),
    s.replace(/'[^']*'/g, "'other'"),
    s.replace(/\s+/g, "  ").toUpperCase(),
    s.replace(/in \(([^()]*)\)/gi, (_, list: string) => `in (${list}, ${list})`),
  ]);
  const parses = (sql: string) => {
    try {
      fingerprintSql(sql);
      return true;
    } catch {
      return false;
    }
  };
  return [
    ...variants.filter(parses),
    "select * from t where id in (1, 2, 3)",
    "select * from t where id in (4)",
    "select * from t where id = any(array[1, 2, 3])",
    "select * from t where id = any(array[4])",
    "insert into t (a, b) values (1, 'x'), (2, 'y')",
    "insert into t (a, b) values (3, 'z')",
  ];
}

beforeAll(loadSqlParser);

describe("log fingerprints agree with libpg-query", () => {
  it("on TPC-H and the captured workload, with their variants", () => {
    const statements = corpus();
    expect(statements.length).toBeGreaterThan(150);
    const f = new Fingerprinter();
    const disagree = statements.filter((s) => {
      const expected = fingerprintSql(s);
      return f.of(normaliseSql(s), s) !== expected;
    });
    expect(disagree).toEqual([]);
  });
});
