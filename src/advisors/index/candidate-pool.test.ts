import { describe, expect, it } from "vitest";
import { ident } from "../../util/sql-text.js";
import { promisingPool } from "./candidate-pool.js";
import { makeCandidate } from "./index-candidate.js";

const on = (table: string, columns: string[], include: string[] = []) =>
  makeCandidate({ schema: "public", name: table }, "btree", columns.map(ident), {
    include: include.map(ident),
    reason: "",
    query: "",
  });

describe("promisingPool", () => {
  it("keeps the 12 worth most alone per table and every plain single-column B-tree", () => {
    const wide = Array.from({ length: 14 }, (_, i) => ({
      c: on("Big Table", [`a${i}`, "b"]),
      gain: 100 - i,
    }));
    const single = { c: on("Big Table", ['Odd "Name"']), gain: 1 };
    const covering = { c: on("Big Table", ["z"], ["y"]), gain: 0.5 };
    const other = { c: on("small", ["x", "y"]), gain: 0.1 };
    const pool = promisingPool([...wide, single, covering, other], undefined);
    expect(pool).toHaveLength(12 + 1 + 1);
    expect(pool).toContain(single.c);
    expect(pool).toContain(other.c);
    expect(pool).not.toContain(covering.c);
    expect(pool).not.toContain(wide[12]?.c);
  });

  it("keeps only the best maxCandidates, across tables", () => {
    const a = { c: on("a", ["x"]), gain: 5 };
    const b = { c: on("b", ["x"]), gain: 9 };
    const c = { c: on("c", ["x"]), gain: 7 };
    expect(promisingPool([a, b, c], 2)).toEqual([b.c, c.c]);
  });
});
