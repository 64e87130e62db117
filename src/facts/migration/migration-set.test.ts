import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { readMigrationSet, statementStart } from "./migration-set.js";

const read = (text: string) =>
  readMigrationSet([{ file: "m.sql", text }], { pgVersion: 16, assumeInTransaction: false, existing: null });

describe("readMigrationSet positions", () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it("places each statement by line, column and byte after multi-byte text, comments and blank lines", () => {
    const text =
      '-- schéma ☃\nALTER TABLE "tàble" ADD COLUMN a int; /* é */ SELECT \'ü\';\n\n  -- 🐘\n  DROP TABLE "tàble";\n';
    const statements = read(text).statements;
    expect(statements.map((s) => [s.line, s.column, s.sql])).toEqual([
      [2, 1, 'ALTER TABLE "tàble" ADD COLUMN a int'],
      [2, 47, "SELECT 'ü'"],
      [5, 3, 'DROP TABLE "tàble"'],
    ]);
    const bytes = Buffer.from(text, "utf8");
    for (const s of statements)
      expect(bytes.subarray(s.byteStart, s.byteStart + Buffer.byteLength(s.sql)).toString()).toBe(s.sql);
  });

  it("reads a file of 5,000 statements as positions only move forward (each statement no longer re-reads the file)", () => {
    const text = Array.from({ length: 5000 }, (_, i) => `ALTER TABLE t${i} ADD COLUMN é int;`).join("\n");
    const statements = read(text).statements;
    expect(statements).toHaveLength(5000);
    expect(statements.at(-1)).toMatchObject({
      line: 5000,
      column: 1,
      sql: "ALTER TABLE t4999 ADD COLUMN é int",
    });
  });

  it("places a statement after a nested block comment at its first token (PostgreSQL nests /* */)", () => {
    const text =
      'SELECT 1;\n/* a /* b */ still comment;\n DROP TABLE x; */\n-- c\nDROP TABLE "Order Items";\n';
    expect(statementStart(text, 9)).toBe(text.indexOf('DROP TABLE "Order'));
    expect(read(text).statements.map((s) => [s.line, s.column, s.sql])).toEqual([
      [1, 1, "SELECT 1"],
      [5, 1, 'DROP TABLE "Order Items"'],
    ]);
  });
});
