import { beforeAll, describe, expect, it } from "vitest";
import type { PartitionTableFacts } from "../../rules/architecture/partitioning-facts.js";
import { loadSqlParser, parseSql } from "../../util/sql-parser.js";
import { partitionMigration, rangeBounds } from "./partition-migration.js";

beforeAll(loadSqlParser);

const table: PartitionTableFacts = {
  schema: "app data",
  table: 'Odd "Events"',
  rows: 1000,
  totalBytes: 1,
  growth: null,
  keys: [],
  uniqueKeys: [{ name: "odd_pkey", columns: ["id"], primary: true }],
  span: { column: "at", from: "2026-01-10T05:00:00Z", to: "2026-03-20T00:00:00Z", days: 69 },
  retention: null,
  timeMs: 0,
  timeShare: 0,
};

describe("partition migration", () => {
  it("bounds whole months from the first row's to PARTITIONS_AHEAD past the last's", () => {
    const b = rangeBounds(new Date("2026-01-10T05:00:00Z"), new Date("2026-03-20T00:00:00Z"), "month");
    expect(b.map((d) => d.toISOString().slice(0, 10))).toEqual([
      "2026-01-01",
      "2026-02-01",
      "2026-03-01",
      "2026-04-01",
      "2026-05-01",
      "2026-06-01",
      "2026-07-01",
      "2026-08-01",
    ]);
  });

  it("quotes every name, widens the key, and parses back as the statements it lists", () => {
    const m = partitionMigration(
      table,
      { strategy: "range", column: "at", type: "timestamptz", interval: "month", partitions: 4 },
      [
        {
          name: "odd_kind",
          definition: 'CREATE INDEX odd_kind ON "app data"."Odd ""Events""" USING btree (kind)',
          isPrimary: false,
          constraint: null,
        },
      ],
      [{ column: "id", sequence: '"app data"."Odd ""Events""_id_seq"', owned: true }],
    );
    const all = m.steps.flatMap((s) => s.statements);
    expect(parseSql(all.join("\n")).stmts).toHaveLength(all.length);
    const text = all.join("\n");
    expect(text).toContain('ALTER TABLE "app data"."Odd ""Events""_partitioned" ADD PRIMARY KEY (id, at);');
    expect(text).toContain('CREATE INDEX ON "app data"."Odd ""Events""_partitioned" (kind);');
    expect(text).toContain(
      'ALTER SEQUENCE "app data"."Odd ""Events""_id_seq" OWNED BY "app data"."Odd ""Events""".id;',
    );
    expect(m.notes.join(" ")).toMatch(/odd_pkey \(id\) becomes \(id, at\)/);
  });

  it("hands over only owned sequences, replaces views in the swap, and notes the objects it cannot move", () => {
    const m = partitionMigration(
      table,
      { strategy: "range", column: "at", type: "timestamptz", interval: "month", partitions: 4 },
      [],
      [{ column: "id", sequence: "ids.global_seq", owned: false }],
      undefined,
      [],
      [],
      [
        {
          kind: "view",
          name: '"app data"."Recent ""Odd"""',
          definition: ' SELECT "Odd ""Events""".id\n   FROM "app data"."Odd ""Events""";',
          options: ["check_option=local"],
        },
        { kind: "materialized view", name: "public.counts", definition: null, options: [] },
        { kind: "function", name: "public.total()", definition: null, options: [] },
      ],
    );
    const swap = m.steps.at(-1)?.statements ?? [];
    expect(swap.join("\n")).not.toMatch(/OWNED BY/);
    expect(swap.at(-2)).toBe(
      'CREATE OR REPLACE VIEW "app data"."Recent ""Odd""" WITH (check_option=local) AS  SELECT "Odd ""Events""".id\n   FROM "app data"."Odd ""Events""";',
    );
    // After the renames, so the view's query names the partitioned table.
    expect(swap.findIndex((x) => x.includes("RENAME TO"))).toBeLessThan(swap.length - 2);
    const notes = m.notes.join("\n");
    expect(notes).toMatch(/ids\.global_seq, which this table does not own/);
    expect(notes).toMatch(/Materialized view public\.counts .* recreate it after the swap/);
    expect(notes).toMatch(/Function public\.total\(\) .* CREATE OR REPLACE FUNCTION again/);
    expect(m.views).toHaveLength(1);
  });

  it("hash partitions copy one remainder at a time", () => {
    const m = partitionMigration(
      { ...table, span: null },
      { strategy: "hash", column: "account_id", type: "integer", partitions: 4 },
      [],
    );
    const copies = m.steps.find((s) => s.title.startsWith("copy the rows"))?.statements ?? [];
    expect(copies).toHaveLength(4);
    expect(copies[3]).toMatch(
      /satisfies_hash_partition\('"app data"\."Odd ""Events""_partitioned"'::regclass, 4, 3, account_id\)/,
    );
  });
});

describe("partition migration names", () => {
  it("keeps every name within 63 bytes and distinct, for a 63-character table name", () => {
    const long = "t".repeat(63);
    const m = partitionMigration(
      { ...table, schema: "public", table: long },
      { strategy: "range", column: "at", type: "timestamptz", interval: "day", partitions: 80 },
      [],
    );
    const names = [m.oldName, m.newName, long];
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(63);
    const created = m.steps
      .flatMap((s) => s.statements)
      .flatMap((s) => [...String(s).matchAll(/CREATE TABLE (\w+) PARTITION OF/g)].map((x) => x[1]));
    expect(new Set(created).size).toBe(created.length);
  });
});
