import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { Fingerprinter } from "./fingerprinter.js";
import { NormalisedText, normaliseInto, normaliseSql } from "./normalise-sql.js";
import { StatementShapes } from "./statement-shapes.js";

beforeAll(loadSqlParser);

/** pgbench's transaction in the simple protocol, as the server logs it, and statements around it. */
function simpleProtocolTraffic(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const aid = (i * 7919) % 500000;
    const delta = ((i * 31) % 10001) - 5000;
    out.push(
      "BEGIN;",
      `UPDATE pgbench_accounts SET abalance = abalance + ${delta} WHERE aid = ${aid};`,
      `SELECT abalance FROM pgbench_accounts WHERE aid = ${aid};`,
      `INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${i % 50}, ${i % 5}, ${aid}, ${delta}, CURRENT_TIMESTAMP);`,
      "END;",
      `select * from orders where id in (${Array.from({ length: 1 + (i % 4) }, (_, k) => k + i).join(", ")})`,
      `select note from notes where body = E'it\\'s ${i}' and tag = $t$x${i}$t$ -- from the app\n`,
      `SET statement_timeout = ${i % 3}`,
    );
  }
  return out;
}

describe("StatementShapes", () => {
  it("gives every statement the fingerprint and text that normalising it and fingerprinting it give", () => {
    const shapes = new StatementShapes(new Fingerprinter());
    const direct = new Fingerprinter();
    for (const sql of simpleProtocolTraffic(300)) {
      const normalised = normaliseSql(sql);
      expect(shapes.of(sql)).toMatchObject({ normalised, fingerprint: direct.of(normalised, sql) });
    }
  });

  it("meets libpg-query once per shape, and for utility statements once per text", () => {
    const fingerprints = new Fingerprinter();
    const shapes = new StatementShapes(fingerprints);
    for (const sql of simpleProtocolTraffic(1000)) shapes.of(sql);
    // BEGIN, END, SELECT, the notes query, UPDATE and INSERT twice (a negative delta keeps its minus: "+ -$1"),
    // two IN-list texts (one value, several), three SETs.
    expect(fingerprints.parsed).toBe(13);
    // LOAD's file name is part of its fingerprint, though both texts normalise to "load $1"; a SELECT's
    // constant is not.
    expect(shapes.of("LOAD 'auto_explain'").fingerprint).not.toBe(
      shapes.of("LOAD 'pg_stat_statements'").fingerprint,
    );
    expect(shapes.of("select a from t where b = 1").fingerprint).toBe(
      shapes.of("SELECT a FROM t WHERE b = 2").fingerprint,
    );
  });

  it("keeps shapes whose hashes collide apart", () => {
    const shapes = new StatementShapes(new Fingerprinter());
    // Two texts whose normalised forms share the 32-bit hash (found by search).
    const a = new NormalisedText();
    const b = new NormalisedText();
    normaliseInto("select c12423 from t where k = 1", a);
    normaliseInto("select c103626 from t where k = 2", b);
    expect(a.hash()).toBe(b.hash());
    const first = shapes.of("select c12423 from t where k = 1");
    const second = shapes.of("select c103626 from t where k = 2");
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(second.normalised).toBe("select c103626 from t where k = $1");
    expect(shapes.of("select c12423 from t where k = 3")).toBe(first);
  });
});
