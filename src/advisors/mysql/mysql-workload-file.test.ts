import { describe, expect, it } from "vitest";
import { parseMysqlWorkloadFile } from "./mysql-workload-file.js";

describe("parseMysqlWorkloadFile", () => {
  it("splits at semicolons outside quotes and comments, with weights", () => {
    const text = [
      "# orders by note",
      "-- weight: 50",
      "SELECT id FROM `or;ders` WHERE note = 'a;b';",
      "/* a comment; with a semicolon */",
      'SELECT "x;y" FROM t -- trailing; comment',
      ";",
      "  ",
    ].join("\n");
    const statements = parseMysqlWorkloadFile(text, "w.sql");
    expect(statements.map((s) => [s.sql, s.calls])).toEqual([
      ["SELECT id FROM `or;ders` WHERE note = 'a;b'", 50],
      ['SELECT "x;y" FROM t -- trailing; comment', 1],
    ]);
    expect(statements[0]?.id).toBe("w.sql:1");
  });
});
