import { describe, expect, it } from "vitest";
import { splitStatements } from "../facts/migration-mysql/mysql-ddl-tokens.js";
import { confinementRefusal } from "./mysql-sandbox-confinement.js";

const scope = { sandbox: "shop_copy", databases: ["shop", "shop_copy"], namesIgnoreCase: false };
const reasons = (script: string) =>
  splitStatements(script).map((s) => confinementRefusal(s.tokens, scope, "schema")?.reason ?? null);

describe("confinementRefusal on stored programs (a dump's DELIMITER ;; blocks)", () => {
  it("checks each statement of a body where it starts", () => {
    const script = [
      "DELIMITER ;;",
      "CREATE PROCEDURE p() BEGIN UPDATE orders SET v = 1; GRANT ALL ON *.* TO x; END;;",
      "CREATE PROCEDURE q() DETERMINISTIC SET GLOBAL max_connections = 1;;",
      "CREATE DEFINER=`root`@`%` EVENT e ON SCHEDULE EVERY 1 DAY DO FLUSH PRIVILEGES;;",
      "CREATE PROCEDURE r() COMMENT 'x' lbl: LOOP DROP DATABASE shop; END LOOP;;",
      "CREATE PROCEDURE s() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION RESET MASTER; END;;",
      "CREATE TRIGGER t AFTER INSERT ON orders FOR EACH ROW FOLLOWS other KILL 5;;",
      "CREATE PROCEDURE u() SET @a := 1;;",
      "CREATE PROCEDURE w() BEGIN DELETE FROM shop.orders; END;;",
    ].join("\n");
    expect(reasons(script)).toEqual([
      "GRANT acts on the whole server, not on the sandbox database",
      "SET GLOBAL acts on the whole server, not on the sandbox database",
      "FLUSH acts on the whole server, not on the sandbox database",
      "DROP DATABASE acts on a whole database, outside the sandbox",
      "RESET acts on the whole server, not on the sandbox database",
      "KILL acts on the whole server, not on the sandbox database",
      null,
      "shop.orders names a table of database shop, not of the sandbox shop_copy",
    ]);
  });

  it("lets a real dump's trigger, routines, event and view through", () => {
    const script = [
      "DELIMITER ;;",
      "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 TRIGGER t_ai AFTER INSERT ON orders FOR EACH ROW BEGIN INSERT INTO audit VALUES (NEW.id, NOW()); END \n*/;;",
      "CREATE DEFINER=`root`@`127.0.0.1` FUNCTION `twice`(x INT) RETURNS int(11)\n    DETERMINISTIC\nBEGIN DECLARE y INT; SET y = x * 2; RETURN y; END\n;;",
      "/*!50106 CREATE*/ /*!50117 DEFINER=`root`@`127.0.0.1`*/ /*!50106 EVENT `purge_audit` ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM audit WHERE at < NOW() - INTERVAL 30 DAY; END */ ;;",
      "DELIMITER ;",
      "/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`root`@`127.0.0.1` SQL SECURITY DEFINER */ /*!50001 VIEW `big` AS select `orders`.`id` AS `id` from `orders` */;",
    ].join("\n");
    expect(reasons(script)).toEqual([null, null, null, null]);
  });
});
