import { describe, expect, it } from "vitest";
import { DBOPT_TAG, tagged } from "./postgres-connector.js";
import { statementEnds } from "./statement-ends.js";

const T = `\n${DBOPT_TAG}`;

describe("tagged", () => {
  it("puts the tag before a closing semicolon, where pg_stat_statements keeps it", () => {
    expect(tagged("insert into t select * from s;")).toBe(`insert into t select * from s${T};`);
    expect(tagged("select 1;\n  ")).toBe(`select 1${T};\n  `);
  });

  it("tags each statement of a multi-statement text, and a last one with no semicolon", () => {
    expect(tagged("begin; lock t; select 1")).toBe(`begin${T}; lock t${T}; select 1${T}`);
    expect(tagged("select 1 -- one;\n;")).toBe(`select 1 -- one;\n${T};`);
  });

  it("keeps the old form for a text with no semicolon, a line comment at its end included", () => {
    expect(tagged("select 1 -- why")).toBe(`select 1 -- why${T}`);
  });

  it("leaves semicolons in strings, identifiers, dollar quotes and comments alone", () => {
    const cases = [
      "select 'a;b', 'it''s;'",
      `select 1 as "x;""y"`,
      "select E'\\';' as e",
      "do $$ begin perform 1; end $$",
      "do $body$ begin raise notice '$$;'; end $body$",
      "select 1 /* a; /* nested; */ still; */",
      "select $1::text",
      "select a$b from t",
    ];
    for (const sql of cases) expect(tagged(sql), sql).toBe(`${sql}${T}`);
    expect(tagged("select 'a;b'; select 'c'")).toBe(`select 'a;b'${T}; select 'c'${T}`);
  });

  it("adds nothing after a last semicolon followed only by comments, nor for an empty statement", () => {
    expect(tagged("select 1; -- done")).toBe(`select 1${T}; -- done`);
    expect(tagged("select 1;;")).toBe(`select 1${T};;`);
    expect(statementEnds("  /* only */ ").openTail).toBe(false);
  });

  it("finds no end inside a quote the text never closes", () => {
    expect(statementEnds("select 'a; b").semicolons).toEqual([]);
  });
});
