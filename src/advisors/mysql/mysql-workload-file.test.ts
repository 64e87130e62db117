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
    // The trailing comment is left out: the connector's `/* dbopt */` tag goes after the text.
    expect(statements.map((s) => [s.sql, s.calls])).toEqual([
      ["SELECT id FROM `or;ders` WHERE note = 'a;b'", 50],
      ['SELECT "x;y" FROM t', 1],
    ]);
    expect(statements[0]?.id).toBe("w.sql:1");
  });

  it("reads the mysql client's DELIMITER command: a block's statements end at its delimiter, not at ';'", () => {
    const text = [
      "-- weight: 3",
      "SELECT 1;",
      "DELIMITER //",
      "CREATE PROCEDURE top_orders() BEGIN SELECT id FROM orders ORDER BY total DESC LIMIT 10; END //",
      "-- calls: 20",
      "SELECT id FROM orders WHERE note = 'a//b;c' //",
      "DELIMITER ;",
      "CALL top_orders() -- weight: 7",
      ";",
      "SELECT 2",
    ].join("\n");
    expect(parseMysqlWorkloadFile(text, "w.sql").map((s) => [s.sql, s.calls])).toEqual([
      ["SELECT 1", 3],
      ["CREATE PROCEDURE top_orders() BEGIN SELECT id FROM orders ORDER BY total DESC LIMIT 10; END", 1],
      ["SELECT id FROM orders WHERE note = 'a//b;c'", 20],
      ["CALL top_orders()", 7],
      ["SELECT 2", 1],
    ]);
  });

  it("keeps an executable comment whole, and gives nothing for a file of comments", () => {
    expect(parseMysqlWorkloadFile("SELECT /*!40001 SQL_NO_CACHE */ a FROM t;", "w.sql")[0]?.sql).toBe(
      "SELECT /*!40001 SQL_NO_CACHE */ a FROM t",
    );
    expect(parseMysqlWorkloadFile("-- nothing\n# here\n/* at all */\n;;\n", "w.sql")).toEqual([]);
  });
});
