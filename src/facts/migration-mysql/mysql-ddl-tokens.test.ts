import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lineAndColumn, splitStatements } from "./mysql-ddl-tokens.js";

describe("splitStatements (MySQL tokens)", () => {
  it("reads mysqldump's DEFINER=`root`@`localhost`: the @ before a quoted host is punctuation", () => {
    const text =
      "/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n/*!50001 VIEW `vo` AS select 1 */;\nSET @x = @@sql_mode;";
    const [view, set] = splitStatements(text);
    const at = view?.tokens.findIndex((t) => t.text === "@") ?? -1;
    expect(view?.tokens[at - 1]?.value).toBe("root");
    expect(view?.tokens[at + 1]?.value).toBe("localhost");
    expect(set?.tokens.map((t) => t.text)).toEqual(["SET", "@x", "=", "@@sql_mode"]);
  });
});

describe("splitStatements with the mysql client's DELIMITER command", () => {
  const texts = (text: string) => splitStatements(text).map((s) => text.slice(s.start, s.end));

  it("reads a real mysqldump --routines --triggers --events dump: each body whole, no DELIMITER line", () => {
    // mysqldump 10.19 (MariaDB 10.11.19) of a database with a table, a view, a trigger, a function, a procedure
    // and an event: mysqldump -uroot -h127.0.0.1 --routines --triggers --events shop
    const text = readFileSync(
      new URL("../../../test/fixtures/mysql/mysqldump-routines-triggers-events.sql", import.meta.url),
      "utf8",
    );
    const all = texts(text);
    expect(all.filter((s) => /DELIMITER/i.test(s))).toEqual([]);
    const find = (pattern: RegExp) => all.filter((s) => pattern.test(s));
    expect(find(/TRIGGER t_ai/)).toEqual([
      "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 TRIGGER t_ai AFTER INSERT ON orders FOR EACH ROW BEGIN INSERT INTO audit VALUES (NEW.id, NOW()); END \n*/",
    ]);
    expect(find(/FUNCTION `twice`\(/)).toEqual([
      "CREATE DEFINER=`root`@`127.0.0.1` FUNCTION `twice`(x INT) RETURNS int(11)\n    DETERMINISTIC\nBEGIN DECLARE y INT; SET y = x * 2; RETURN y; END",
    ]);
    expect(find(/PROCEDURE `bump`\(/)).toHaveLength(1);
    expect(find(/EVENT `purge_audit` ON SCHEDULE/)[0]).toMatch(/DO BEGIN DELETE FROM audit .*; END \n\*\/$/);
    // The SET lines between DELIMITER ;; and DELIMITER ; end at their ;; (written after a space).
    expect(find(/^\/\*!50003 SET time_zone {13}= 'SYSTEM' \*\/$/)).toHaveLength(1);
    expect(find(/INSERT INTO `orders` VALUES/)).toEqual([
      "INSERT INTO `orders` VALUES\n(1,1,'a;b'),\n(2,2,'c')",
    ]);
    const last = splitStatements(text).at(-1);
    expect(last && lineAndColumn(text, last.start).line).toBe(
      text.split("\n").indexOf("/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;") + 1,
    );
  });

  it("splits a client script at DELIMITER //, a quoted delimiter and back at ;", () => {
    const text = [
      "CREATE TABLE t (a INT);",
      "DELIMITER //",
      "CREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; SELECT '//' FROM t; /* // */ END//",
      "CREATE FUNCTION f() RETURNS INT RETURN 1 //",
      "delimiter '$$'",
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 2; END$$",
      "DELIMITER ; -- back",
      "ALTER TABLE t ADD COLUMN b INT; ALTER TABLE t ADD COLUMN c INT;",
    ].join("\n");
    expect(texts(text)).toEqual([
      "CREATE TABLE t (a INT)",
      "CREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; SELECT '//' FROM t; /* // */ END",
      "CREATE FUNCTION f() RETURNS INT RETURN 1",
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 2; END",
      "ALTER TABLE t ADD COLUMN b INT",
      "ALTER TABLE t ADD COLUMN c INT",
    ]);
    const procedure = splitStatements(text)[1];
    expect(procedure && lineAndColumn(text, procedure.start)).toEqual({ line: 3, column: 1 });
  });

  it("leaves a DELIMITER that is no command to the server: inside a statement, or without an argument", () => {
    expect(texts("SELECT 1 AS delimiter;\nDELIMITER\nSELECT 2;")).toEqual([
      "SELECT 1 AS delimiter",
      "DELIMITER\nSELECT 2",
    ]);
  });
});
