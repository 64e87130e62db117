import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import { missingInputs } from "./plan-completeness.js";
import { parsePlan } from "./plan-input.js";

const text = readFileSync(join(FIXTURES, "plans", "compare", "pg15", "index-dropped-join.after.txt"), "utf8");

describe("missingInputs", () => {
  it("finds nothing missing in a whole plan", () => {
    expect(missingInputs(parsePlan(text).root)).toBeNull();
  });

  it("names the node a text plan cut short lost its inputs under", () => {
    const lines = text.split("\n");
    // Cut after the Hash line: the Hash has nothing under it.
    const cut = lines.slice(0, lines.findIndex((l) => l.includes("->  Hash ")) + 2).join("\n");
    expect(missingInputs(parsePlan(cut).root)).toBe("Hash (node 3) has no input under it");
    const oneSide = lines.slice(0, 5).join("\n");
    expect(missingInputs(parsePlan(oneSide).root)).toBe("Hash Join (node 1) has 1 of its 2 inputs under it");
  });
});
