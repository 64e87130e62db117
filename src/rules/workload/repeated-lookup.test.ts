import { beforeAll, describe, expect, it } from "vitest";
import { workloadSnapshot } from "../../../test/support/rule-harness.js";
import type { Snapshot, StatementFacts } from "../../facts/snapshot.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { defaultOptions } from "../rule.js";
import { batchedRewrite, repeatedLookup, selectedTables } from "./repeated-lookup.js";

beforeAll(loadSqlParser);

describe("workload/repeated-lookup", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the N+1 loop in pg_stat_statements and writes the batched query (%s)",
    (version) => {
      const findings = repeatedLookup.check(
        { snapshot: workloadSnapshot(version) },
        defaultOptions(repeatedLookup),
      );
      expect(findings).toHaveLength(1);
      expect(findings[0]?.evidence).toMatchObject({ calls: 1200, rowsPerCall: 1, keyColumn: "id" });
      expect(findings[0]?.fix?.sql).toBe("select id, email from customers where id = ANY($1);");
    },
  );

  it("only rewrites single-key lookups", () => {
    expect(batchedRewrite("select * from t where a = $1 and b > 3")?.sql).toBe(
      "select * from t where a = ANY($1) and b > 3;",
    );
    expect(batchedRewrite("select * from t where a = $1 or b = $2")).toBeNull();
    expect(batchedRewrite("update t set x = 1 where id = $1")).toBeNull();
  });
});

describe("batchedRewrite with non-ASCII text", () => {
  it("counts the parser's byte offsets as characters", () => {
    expect(batchedRewrite("select 'é' as e, id from t where id = $1")?.sql).toBe(
      "select 'é' as e, id from t where id = ANY($1);",
    );
  });
});

/**
 * The captured workload (customers, orders with orders.customer_id → customers, products) with its statements
 * replaced: issue #16's loop, 1,400 one-row lookups for 28 calls of a statement returning 50 rows each, beside a
 * heavy statement that makes the lookups 0.02% of server time, below the 0.1% share a lookup alone needs.
 */
function loopSnapshot(statements: Array<Partial<StatementFacts>>): Snapshot {
  const base = workloadSnapshot("pg15");
  const template = base.workload.statements[0] as StatementFacts;
  const all = statements.map((s, i): StatementFacts => ({ ...template, queryId: String(i + 1), ...s }));
  const totalMs = all.reduce((sum, s) => sum + s.totalMs, 0);
  return { ...base, workload: { ...base.workload, totalMs, statements: all } };
}

const heavy = {
  query: "select id, total from orders order by total desc, id offset $1 limit $2",
  calls: 300,
  rows: 3000,
  totalMs: 120_000,
};
const lookup = {
  query: "select id, email from customers where id = $1",
  calls: 1400,
  rows: 1400,
  totalMs: 28,
  meanMs: 0.02,
};
const parent = {
  query: "select o.id, o.customer_id from orders o where o.status = $1 order by o.created_at limit $2",
  calls: 28,
  rows: 1400,
  totalMs: 300,
};
const options = defaultOptions(repeatedLookup);

describe("workload/repeated-lookup by call ratio to a parent statement", () => {
  it("reports a loop hidden by the time share, naming the parent, the ratio and the round trips", () => {
    const findings = repeatedLookup.check({ snapshot: loopSnapshot([heavy, parent, lookup]) }, options);
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f?.evidence).toMatchObject({
      calls: 1400,
      parentQueryId: "2",
      parentCalls: 28,
      parentRows: 1400,
      callsPerParentCall: 50,
      roundTripMs: 0.3,
      roundTripsMs: 420,
    });
    expect(f?.evidence.share).toBeLessThan(options.minShare);
    expect(f?.severity).toBe("warning");
    // Ranked by what the loop costs the application: server time plus the round trips.
    expect(f?.timeMs).toBeCloseTo(448, 6);
    expect(f?.title).toBe("N+1: lookup by id ran 1,400 times for 28 calls of one statement");
    expect(f?.detail).toContain("orders.customer_id references customers");
    expect(f?.detail).toContain("select o.id, o.customer_id from orders o");
    expect(f?.fix?.sql).toBe("select id, email from customers where id = ANY($1);");
  });

  it("prices the round trips at the latency given", () => {
    const [f] = repeatedLookup.check(
      { snapshot: loopSnapshot([heavy, parent, lookup]) },
      { ...options, roundTripMs: 1 },
    );
    expect(f?.evidence.roundTripsMs).toBe(1400);
    expect(f?.timeMs).toBeCloseTo(1428, 6);
  });

  it("keeps the time-share rule for a lookup without a parent", () => {
    expect(repeatedLookup.check({ snapshot: loopSnapshot([heavy, lookup]) }, options)).toEqual([]);
    // Rows far from the lookup's calls: not the loop's parent.
    const few = { ...parent, rows: 140 };
    expect(repeatedLookup.check({ snapshot: loopSnapshot([heavy, few, lookup]) }, options)).toEqual([]);
    // Called almost as often as the lookup: not a loop over its rows.
    const often = { ...parent, calls: 700, rows: 1400 };
    expect(repeatedLookup.check({ snapshot: loopSnapshot([heavy, often, lookup]) }, options)).toEqual([]);
    // A lookup alone with a share of server time is still reported, without a parent.
    const [alone] = repeatedLookup.check(
      { snapshot: loopSnapshot([{ ...heavy, totalMs: 1000 }, lookup]) },
      options,
    );
    expect(alone?.evidence.parentQueryId).toBeUndefined();
    expect(alone?.severity).toBe("info");
  });

  it("takes a parent only when the schema links it to the looked-up table, the closest in rows first", () => {
    const unrelated = { query: "select id, name from products where category = $1", calls: 20, rows: 1400 };
    const related = { ...parent, rows: 1000 };
    const [f] = repeatedLookup.check(
      { snapshot: loopSnapshot([heavy, unrelated, related, lookup]) },
      options,
    );
    expect(f?.evidence.parentQueryId).toBe("3");
    // Counts alone, with nothing in the schema linking the tables, are no parent: the share rule applies.
    expect(repeatedLookup.check({ snapshot: loopSnapshot([heavy, unrelated, lookup]) }, options)).toEqual([]);
    const closer = { ...parent, rows: 1300 };
    const [g] = repeatedLookup.check({ snapshot: loopSnapshot([heavy, related, closer, lookup]) }, options);
    expect(g?.evidence.parentQueryId).toBe("3");
  });

  it("reads the tables of a SELECT with joins", () => {
    expect(selectedTables("select 1 from a join b on a.id = b.a_id, c")?.sort()).toEqual(["a", "b", "c"]);
    expect(selectedTables("update a set x = 1")).toBeNull();
  });
});
