import { describe, expect, it } from "vitest";
import { defaultOptions } from "../rule.js";
import { partitionTable } from "./partition-table.js";
import { chooseInterval, type PartitionTableFacts } from "./partitioning-facts.js";

const run = (tables: PartitionTableFacts[]) =>
  partitionTable.check({ tables, partitioned: [] }, defaultOptions(partitionTable));

const events = (partial: Partial<PartitionTableFacts> = {}): PartitionTableFacts => ({
  schema: "public",
  table: "events",
  rows: 5_000_000,
  totalBytes: 2 * 1024 ** 3,
  growth: {
    source: "time-span",
    insertsPerDay: 20_000,
    bytesPerDay: 8_600_000,
    netRowsPerDay: null,
    netBytesPerDay: null,
    days: null,
    samples: null,
  },
  keys: [
    {
      column: "at",
      type: "timestamp with time zone",
      kind: "time",
      statements: 3,
      calls: 9000,
      timeMs: 60_000,
      distinct: null,
    },
    {
      column: "account_id",
      type: "integer",
      kind: "tenant",
      statements: 1,
      calls: 100,
      timeMs: 5000,
      distinct: 400,
    },
  ],
  uniqueKeys: [{ name: "events_pkey", columns: ["id"], primary: true }],
  span: { column: "at", from: "2025-12-01T00:00:00Z", to: "2026-12-01T00:00:00Z", days: 365 },
  retention: null,
  timeMs: 65_000,
  timeShare: 0.5,
  ...partial,
});

describe("architecture/partition-table", () => {
  it("partitions a large table by the time column its heavy statements filter on, and widens the key", () => {
    const [f] = run([events()]);
    expect(f?.evidence).toMatchObject({ key: "at", strategy: "range", interval: "week", partitions: 54 });
    expect(f?.detail).toMatch(/events_pkey \(id\) must include at/);
    expect(f?.severity).toBe("warning");
    // The migration creates a few partitions ahead only: the finding says later ones need a job or pg_partman.
    expect(f?.fix?.note).toMatch(/created ahead of the rows, by a scheduled job .* or by pg_partman/);
    expect(f?.fix?.note).toMatch(
      /DEFAULT partition, and while it holds rows of a week, creating that week's partition fails/,
    );
  });

  it("sizes the interval to the retention, four partitions at least", () => {
    expect(chooseInterval(365, 90)).toBe("week");
    expect(chooseInterval(365, 365)).toBe("month");
    expect(chooseInterval(3650, 3 * 365)).toBe("month");
    expect(chooseInterval(3650, 10 * 365)).toBe("year");
    expect(chooseInterval(30, 2)).toBe("day");
    // Without retention: 12 to 60 partitions over the span.
    expect(chooseInterval(40, null)).toBe("day");
    expect(chooseInterval(1000, null)).toBe("month");
  });

  it("shortens the interval while one partition would outgrow maxPartitionBytes at the measured growth", () => {
    const gib = 1024 ** 3;
    expect(chooseInterval(365, 90, 2 * gib, 10 * gib)).toBe("day");
    expect(chooseInterval(365, 90, 1 * gib, 7 * gib)).toBe("week");
    expect(chooseInterval(1000, null, 0.5 * gib, 10 * gib)).toBe("week");
    expect(chooseInterval(1000, null, 0.2 * gib, 10 * gib)).toBe("month");
    // Never below a day, whatever arrives.
    expect(chooseInterval(365, 90, 100 * gib, 10 * gib)).toBe("day");
    expect(chooseInterval(365, 90, null, 1)).toBe("week");
  });

  it("says where the growth came from and what one partition holds", () => {
    const [f] = run([
      events({
        retention: {
          query: "delete from events where at < now() - interval '90 days'",
          calls: 30,
          timeMs: 900,
          days: 90,
        },
        growth: {
          source: "store",
          insertsPerDay: 2_000_000,
          bytesPerDay: 2 * 1024 ** 3,
          netRowsPerDay: 1_500,
          netBytesPerDay: 1024 ** 2,
          days: 6.5,
          samples: 40,
        },
      }),
    ]);
    expect(f?.evidence).toMatchObject({
      interval: "day",
      growthSource: "store",
      insertsPerDay: 2_000_000,
      growthSamples: 40,
      growthDays: 6.5,
      partitionBytes: 2 * 1024 ** 3,
    });
    expect(f?.detail).toMatch(/from the history store's 40 samples over 6.5 days, net \+1,500 rows/);
    expect(f?.detail).toMatch(/one day's partition holds about 2,000,000 rows \(2(\.0)? GB\)/);
  });

  it("hashes by tenant when statements filter on the tenant, not on time", () => {
    const [f] = run([
      events({
        keys: [
          {
            column: "account_id",
            type: "integer",
            kind: "tenant",
            statements: 4,
            calls: 90_000,
            timeMs: 80_000,
            distinct: 400,
          },
        ],
        span: null,
      }),
    ]);
    expect(f?.evidence).toMatchObject({ key: "account_id", strategy: "hash", partitions: 16 });
  });

  it("leaves small tables and tables no heavy statement filters by key", () => {
    expect(run([events({ rows: 50_000 })])).toEqual([]);
    expect(run([events({ timeShare: 0.01 })])).toEqual([]);
    expect(run([events({ keys: [] })])).toEqual([]);
  });
});
