import { describe, expect, it } from "vitest";
import { splitStatements } from "./mysql-ddl-tokens.js";

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
