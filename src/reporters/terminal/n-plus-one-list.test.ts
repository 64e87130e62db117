import { describe, expect, it } from "vitest";
import { type NPlusOneView, nPlusOneLines } from "./n-plus-one-list.js";
import { createPalette } from "./palette.js";

const view = (over: Partial<NPlusOneView>): NPlusOneView => ({
  severity: "info",
  wastedMs: 499,
  totalMs: 500,
  occurrences: 1,
  repeats: { min: 500, median: 500, max: 500 },
  where: null,
  source: "begin",
  repeated: "insert into archive(id) values ($1)",
  notes: [],
  rewrite: null,
  ...over,
});

describe("nPlusOneLines", () => {
  it("gives a batch the rule's own fix, not 'fetch the rows for all the source rows'", () => {
    const note = "Send the rows in one statement (a multi-row INSERT ... VALUES (...), (...), or COPY).";
    const text = nPlusOneLines(view({ kind: "batch", fixNote: note }), createPalette(false)).join("\n");
    expect(text).toContain(`fix: ${note}`);
    expect(text).not.toMatch(/fetch the rows|source rows/);
    expect(text).toMatch(/^Batch, not N\+1 \(info, up to 499\.0 ms to save\)/);
  });

  it("shows the rule's note under a batched rewrite", () => {
    const lines = nPlusOneLines(
      view({
        kind: "loop",
        rewrite: "SELECT id FROM t WHERE id = ANY ($1)",
        fixNote: "Pass the values as one array.",
      }),
      createPalette(false),
    );
    expect(lines).toContain(
      "  fix: one query for the whole list: SELECT id FROM t WHERE id = ANY ($1)  (pass the values as one array)",
    );
    expect(lines).toContain("       Pass the values as one array.");
  });
});
