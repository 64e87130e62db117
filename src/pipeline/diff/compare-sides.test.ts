import { beforeAll, describe, expect, it } from "vitest";
import type { DiffSide, SideStatement, WindowCounters } from "../../facts/diff-side.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { compareSides } from "./compare-sides.js";
import { statementFingerprint } from "./statement-tables.js";

/** `calls` calls of `mean` ms each, every one within ±`spread` ms of it (half above, half below). */
function counters(
  calls: number,
  mean: number,
  spread = 0.1,
  more: Partial<WindowCounters> = {},
): WindowCounters {
  return {
    calls,
    totalMs: calls * mean,
    sumSqMs: calls * (mean * mean + spread * spread),
    rows: calls,
    sharedBlksHit: calls * 4,
    sharedBlksRead: 0,
    tempBlksRead: 0,
    tempBlksWritten: 0,
    ...more,
  };
}

function statement(queryId: string, query: string, c: WindowCounters): SideStatement {
  return { queryId, fingerprint: statementFingerprint(query), query, counters: c };
}

function side(at: string, statements: SideStatement[], more: Partial<DiffSide> = {}): DiffSide {
  return {
    label: at,
    database: "app",
    serverVersion: "17.2",
    at,
    window: { from: null, to: at, description: "test" },
    statements,
    tables: [{ schema: "public", name: "orders", rows: 100_000, totalBytes: 20e6, analyzedAt: null }],
    indexes: [
      {
        schema: "public",
        name: "orders_customer",
        tableSchema: "public",
        table: "orders",
        definition: "CREATE INDEX orders_customer ON public.orders USING btree (customer_id)",
        sizeBytes: 2e6,
        scans: 500,
      },
    ],
    settings: [{ name: "work_mem", setting: "4096", unit: "kB", source: "default" }],
    plans: null,
    blockSize: 8192,
    notes: [],
    ...more,
  };
}

const LOOKUP = "select * from orders where customer_id = $1";

describe("compareSides", () => {
  beforeAll(loadSqlParser);

  it("reports nothing when the same workload ran on both sides", () => {
    const before = side("2026-12-01T00:00:00Z", [statement("1", LOOKUP, counters(500, 0.2))]);
    const after = side("2026-12-02T00:00:00Z", [statement("1", LOOKUP, counters(480, 0.21))]);
    const report = compareSides(before, after);
    expect(report.findings).toEqual([]);
    expect([report.indexesAdded, report.indexesDropped, report.indexesNewlyUnused]).toEqual([[], [], []]);
    expect([report.settingsChanged, report.tablesGrew, report.reanalyzed]).toEqual([[], [], []]);
    expect([report.newStatements, report.goneStatements]).toEqual([[], []]);
    expect(report.statements[0]).toMatchObject({ regressed: false, matchedBy: "queryid" });
  });

  it("matches a statement whose queryid changed (another server) by its fingerprint", () => {
    const before = side("2026-12-01T00:00:00Z", [statement("1", LOOKUP, counters(500, 0.2))]);
    const after = side("2026-12-02T00:00:00Z", [statement("99", LOOKUP, counters(500, 0.2))]);
    const report = compareSides(before, after);
    expect(report.statements.map((s) => s.matchedBy)).toEqual(["fingerprint"]);
    expect(report.newStatements).toEqual([]);
  });

  it("names the dropped index on the table the slower statement reads, and recreates it", () => {
    const before = side("2026-12-01T00:00:00Z", [statement("1", LOOKUP, counters(500, 0.2))]);
    const after = side("2026-12-02T00:00:00Z", [statement("1", LOOKUP, counters(500, 12, 2))], {
      indexes: [],
      settings: [{ name: "work_mem", setting: "1024", unit: "kB", source: "database" }],
    });
    const report = compareSides(before, after);
    expect(report.indexesDropped.map((i) => i.index)).toEqual(["public.orders_customer"]);
    expect(report.settingsChanged).toMatchObject([{ name: "work_mem", before: "4096", after: "1024" }]);
    const [finding] = report.findings;
    // The index, not the memory setting: the statement's temporary bytes did not grow.
    expect(finding?.evidence).toMatchObject({
      cause: "index-dropped",
      droppedIndex: "public.orders_customer",
    });
    expect(finding?.evidence.causes).toBe("index-dropped, setting-changed");
    expect(String(finding?.fix?.sql)).toBe(
      "CREATE INDEX CONCURRENTLY orders_customer ON public.orders USING btree (customer_id);",
    );
    expect(finding?.timeMs).toBeCloseTo(500 * 11.8, 3);
  });

  it("blames a memory setting when the statement's temporary bytes grew with it", () => {
    const sort = "select * from orders order by customer_id";
    const before = side("2026-12-01T00:00:00Z", [statement("2", sort, counters(100, 30, 1))]);
    const after = side(
      "2026-12-02T00:00:00Z",
      [statement("2", sort, counters(100, 60, 1, { tempBlksWritten: 2000 }))],
      {
        settings: [{ name: "work_mem", setting: "64", unit: "kB", source: "database" }],
      },
    );
    const [finding] = compareSides(before, after).findings;
    expect(finding?.evidence.cause).toBe("setting-changed");
    expect(finding?.evidence.tempBytesPerCallAfter).toBe(20 * 8192);
  });

  it("recreates a dropped index with an awkward name as the server printed it, CONCURRENTLY, parsed back", () => {
    const definition =
      'CREATE UNIQUE INDEX "say ""hi"" idx" ON "Odd Schema"."line item" USING btree ("order") WHERE ("$1" > 0)';
    const query = 'select * from "Odd Schema"."line item" where "order" = $1';
    const odd = {
      schema: "Odd Schema",
      name: 'say "hi" idx',
      tableSchema: "Odd Schema",
      table: "line item",
      definition,
      sizeBytes: 1e6,
      scans: 10,
    };
    const table = { schema: "Odd Schema", name: "line item", rows: 1e5, totalBytes: 1e7, analyzedAt: null };
    const before = side("2026-12-01T00:00:00Z", [statement("3", query, counters(100, 0.1))], {
      indexes: [odd],
      tables: [table],
    });
    const after = side("2026-12-02T00:00:00Z", [statement("3", query, counters(100, 9, 1))], {
      indexes: [],
      tables: [table],
    });
    const [finding] = compareSides(before, after).findings;
    expect(finding?.evidence.droppedIndex).toBe('Odd Schema.say "hi" idx');
    expect(String(finding?.fix?.sql)).toBe(
      'CREATE UNIQUE INDEX CONCURRENTLY "say ""hi"" idx" ON "Odd Schema"."line item" USING btree ("order") WHERE ("$1" > 0);',
    );
  });
});
