import { beforeAll, describe, expect, it } from "vitest";
import { healthSnapshot } from "../../../test/support/rule-harness.js";
import type { Snapshot, TableFacts } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import type { SqlText } from "../../util/sql-text.js";
import { makeCandidate } from "./index-candidate.js";
import { leafTables, partitionedRecipe, summedStats } from "./partitioned-index.js";
import { btreeBytes } from "./size-estimate.js";

/** A captured snapshot with a partition tree put in: Events → events_2025 (→ a, b), events_2026. */
function withTree(): Snapshot {
  const base = healthSnapshot("pg15");
  const template = base.tables.find((t) => t.stats) as TableFacts;
  const table = (name: string, kind: TableFacts["kind"], parent: string | null, ins: number): TableFacts => ({
    ...template,
    schema: "public",
    name,
    kind,
    parent,
    stats: template.stats ? { ...template.stats, nTupIns: ins, nTupUpd: 0, nTupDel: 0, nTupHotUpd: 0 } : null,
  });
  return {
    ...base,
    tables: [
      ...base.tables,
      table("Events", "partitioned", null, 0),
      table("events_2025", "partitioned", "public.Events", 0),
      table("events_2025a", "table", "public.events_2025", 100),
      table("events_2025b", "table", "public.events_2025", 200),
      table("events_2026", "table", "public.Events", 300),
    ],
  };
}

beforeAll(() => loadSqlParser());

describe("indexes on partitioned tables", () => {
  it("builds the recipe: ON ONLY, each leaf CONCURRENTLY, attached bottom-up", () => {
    const snapshot = withTree();
    const c = makeCandidate({ schema: "public", name: "Events" }, "btree", ["account_id" as SqlText], {
      where: "kind = 'x'" as SqlText,
      reason: "",
      query: "q",
    });
    const steps = partitionedRecipe(c, snapshot) ?? [];
    expect(steps.map((s) => `${s.kind} ${s.table}`)).toEqual([
      "only Events",
      "only events_2025",
      "build events_2025a",
      "attach events_2025a",
      "build events_2025b",
      "attach events_2025b",
      "attach events_2025",
      "build events_2026",
      "attach events_2026",
    ]);
    expect(steps[0]?.sql).toMatch(
      /^CREATE INDEX dbopt_events_account_id_[0-9a-f]{8} ON ONLY "Events" \(account_id\) WHERE kind = 'x';$/,
    );
    expect(steps[2]?.sql).toMatch(
      /^CREATE INDEX CONCURRENTLY dbopt_events_2025a_account_id_[0-9a-f]{8} ON events_2025a \(account_id\) WHERE kind = 'x';$/,
    );
    expect(steps[6]?.sql).toBe(
      `ALTER INDEX public.${steps[0]?.index} ATTACH PARTITION public.${steps[1]?.index};`,
    );
    // Every name differs, and a plain table has no recipe.
    expect(new Set(steps.filter((s) => s.kind !== "attach").map((s) => s.index)).size).toBe(5);
    expect(partitionedRecipe({ ...c, table: "events_2026" }, snapshot)).toBeNull();
  });

  it("sums the leaves' writes for the parent", () => {
    const snapshot = withTree();
    expect(leafTables(snapshot, "public", "Events").map((t) => t.name)).toEqual([
      "events_2025a",
      "events_2025b",
      "events_2026",
    ]);
    const parent = snapshot.tables.find((t) => t.name === "Events") as TableFacts;
    expect(summedStats(snapshot, parent)?.nTupIns).toBe(600);
  });
});

describe("B-tree size arithmetic", () => {
  const int = { width: 4, type: "integer" };
  it("stores a repeated key once per posting list on PostgreSQL 13+", () => {
    const unique = btreeBytes({ rows: 1e6, keys: [int], includeWidth: 0, distinct: 1e6, deduplicate: true });
    const repeated = btreeBytes({
      rows: 1e6,
      keys: [int],
      includeWidth: 0,
      distinct: 100,
      deduplicate: true,
    });
    const old = btreeBytes({ rows: 1e6, keys: [int], includeWidth: 0, distinct: 100, deduplicate: false });
    // 16-byte tuples + 4-byte line pointers at 90% fill: about 21.5 MiB; PostgreSQL 15 builds 22,487,040 bytes.
    expect(unique / 1024 ** 2).toBeCloseTo(21.5, 0);
    expect(old).toBe(unique);
    // Deduplicated: 6 bytes a row and a posting tuple per ~220 rows.
    expect(repeated).toBeLessThan(unique / 2.5);
  });
});
