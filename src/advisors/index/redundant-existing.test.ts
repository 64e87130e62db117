import { beforeAll, describe, expect, it } from "vitest";
import { workloadSnapshot } from "../../../test/support/rule-harness.js";
import type { IndexFacts, Snapshot } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import type { SqlText } from "../../util/sql-text.js";
import { makeCandidate } from "./index-candidate.js";
import { redundantExisting } from "./redundant-existing.js";

/** The captured snapshot with one plain index on public.items added, defined as pg_get_indexdef prints it. */
function withIndex(using: string, columns: string[], keyColumnCount = columns.length): Snapshot {
  const snapshot = workloadSnapshot("pg18");
  const template = snapshot.indexes[0] as IndexFacts;
  const index: IndexFacts = {
    ...template,
    oid: 999_999,
    schema: "public",
    name: "items_old",
    tableSchema: "public",
    table: "items",
    method: "btree",
    definition: `CREATE INDEX items_old ON public.items USING ${using}`,
    usingClause: using,
    columns,
    keyColumnCount,
    isUnique: false,
    isPrimary: false,
    isValid: true,
    predicate: null,
    constraint: null,
  };
  return { ...snapshot, indexes: [...snapshot.indexes, index] };
}

const candidate = (columns: string[], include: string[] = []) =>
  makeCandidate({ schema: "public", name: "items" }, "btree", columns as SqlText[], {
    include: include as SqlText[],
    reason: "test",
    query: "q1",
  });

const drops = (snapshot: Snapshot, columns: string[], include: string[] = []) =>
  redundantExisting([candidate(columns, include)], snapshot).map((d) => d.index);

beforeAll(loadSqlParser);

describe("redundantExisting", () => {
  it("drops a plain index whose key leads the recommended one", () => {
    expect(drops(withIndex("btree (name)", ["name"]), ["name", "created_at DESC"])).toEqual([
      "public.items_old",
    ]);
  });

  it("keeps an index with an operator class or collation the recommended one lacks (it serves LIKE 'x%')", () => {
    expect(drops(withIndex("btree (name text_pattern_ops)", ["name"]), ["name", "created_at DESC"])).toEqual(
      [],
    );
    expect(drops(withIndex('btree (name COLLATE "C")', ["name"]), ["name", "created_at DESC"])).toEqual([]);
  });

  it("keeps an index whose INCLUDE columns the recommended one does not hold", () => {
    const snapshot = withIndex("btree (name) INCLUDE (pad)", ["name", "pad"], 1);
    expect(drops(snapshot, ["name", "created_at"])).toEqual([]);
    expect(drops(snapshot, ["name", "created_at"], ["pad"])).toEqual(["public.items_old"]);
  });

  it("reads a one-key index either way, but not a two-key index with another direction", () => {
    expect(drops(withIndex("btree (created_at)", ["created_at"]), ["created_at DESC", "id"])).toEqual([
      "public.items_old",
    ]);
    expect(drops(withIndex("btree (a, b DESC)", ["a", "b"]), ["a", "b", "c"])).toEqual([]);
    expect(drops(withIndex("btree (a, b DESC)", ["a", "b"]), ["a", "b DESC", "c"])).toEqual([
      "public.items_old",
    ]);
  });
});
