import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { readMigrationSet } from "./migration-set.js";
import { blankPsqlCommands } from "./psql-script.js";

const read = (text: string) =>
  readMigrationSet([{ file: "m.sql", text }], { pgVersion: 16, assumeInTransaction: false, existing: null })
    .statements;

describe("psql scripts", () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it("reads a file run with psql -f: meta-commands and COPY data blanked, statements at their own lines", () => {
    const text = [
      "\\set ON_ERROR_STOP on",
      "BEGIN;",
      "COPY t (a, b) FROM stdin;",
      "1\tx;y",
      "2\t$$z'",
      "\\.",
      "ALTER TABLE t2 ADD COLUMN c int DEFAULT random();",
      "SELECT max(a) AS top FROM t \\gset",
      "\\echo :top",
      "COMMIT;",
    ].join("\n");
    expect(read(text).map((s) => [s.line, s.kind])).toEqual([
      [2, "TransactionStmt"],
      [3, "CopyStmt"],
      [7, "AlterTableStmt"],
      [8, "SelectStmt"],
      [10, "TransactionStmt"],
    ]);
  });

  it("leaves backslashes in strings, quoted names, dollar-quoted bodies and comments alone", () => {
    const text = [
      "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$",
      "BEGIN",
      "\\echo not a meta-command here",
      "RETURN E'a\\'b' || 'c\\';",
      "END $body$;",
      "-- \\set in a comment",
      'SELECT 1 AS "x\\y";',
    ].join("\n");
    expect(blankPsqlCommands(text)).toBe(text);
  });

  it("keeps a file with no psql in it as it is, and blanks a COPY's data to the end when \\. is missing", () => {
    expect(blankPsqlCommands("select 1;\n")).toBe("select 1;\n");
    expect(blankPsqlCommands("copy t from stdin;\n1\n2\n")).toBe("copy t from stdin;\n \n \n");
  });

  it("reads a COPY ... FROM stdin after a nested block comment (PostgreSQL nests /* */), its data blanked", () => {
    const text = '/* load /* the */ rows; */ COPY "Order Items" (a) FROM stdin;\n1\n2\n\\.\nSELECT 1;\n';
    expect(read(text).map((s) => [s.line, s.kind])).toEqual([
      [1, "CopyStmt"],
      [5, "SelectStmt"],
    ]);
  });
});
