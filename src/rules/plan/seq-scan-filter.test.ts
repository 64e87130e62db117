import { beforeAll, describe, expect, it } from "vitest";
import { captureSnapshot, planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { seqScanFilter } from "./seq-scan-filter.js";

beforeAll(loadSqlParser);

describe("plan/seq-scan-filter", () => {
  it.each(["pg15", "pg18"] as const)("finds the scan that keeps 300 of 300,000 rows (%s)", (version) => {
    const [finding] = planRuleFindings(seqScanFilter, version, "seq-scan-filter");
    expect(finding?.evidence).toMatchObject({
      table: "orders",
      rowsRead: 300000,
      rowsKept: 300,
      rowsRemoved: 299700,
      estimated: false,
    });
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON orders (status);");
    expect(finding?.objects).toEqual(["public.orders"]);
  });

  it("takes the schema from a VERBOSE plan and quotes every name; without one it says the name is resolved by search_path", () => {
    const verbose = JSON.stringify([
      {
        Plan: {
          "Node Type": "Seq Scan",
          "Relation Name": "t; DROP TABLE canary",
          Schema: "Sales Dept",
          Alias: "o",
          "Startup Cost": 0,
          "Total Cost": 1000,
          "Plan Rows": 10,
          "Plan Width": 8,
          "Actual Startup Time": 0.01,
          "Actual Total Time": 50,
          "Actual Rows": 10,
          "Actual Loops": 1,
          Filter: '(o."Line Item" = 5)',
          "Rows Removed by Filter": 99990,
        },
        "Execution Time": 50.5,
      },
    ]);
    const [qualified] = planTextFindings(seqScanFilter, verbose);
    expect(qualified?.fix?.sql).toBe(
      'CREATE INDEX CONCURRENTLY ON "Sales Dept"."t; DROP TABLE canary" ("Line Item");',
    );
    expect(qualified?.fix?.note).not.toContain("search_path");

    const bare = `Seq Scan on "t; DROP TABLE canary" o  (cost=0.00..1000.00 rows=10 width=8) (actual time=0.01..50.0 rows=10 loops=1)
  Filter: (o."Line Item" = 5)
  Rows Removed by Filter: 99990`;
    const [unqualified] = planTextFindings(seqScanFilter, bare);
    expect(unqualified?.fix?.sql).toBe('CREATE INDEX CONCURRENTLY ON "t; DROP TABLE canary" ("Line Item");');
    expect(unqualified?.fix?.note).toContain("resolved by search_path");
  });

  it("works from TIMING OFF plans too", () => {
    expect(planRuleFindings(seqScanFilter, "pg15", "seq-scan-filter-timing-off")).toHaveLength(1);
  });

  it("estimates from the table's size when the plan was not run", () => {
    const text =
      "Seq Scan on customers  (cost=0.00..1042.00 rows=200 width=36)\n  Filter: (lower(email) = 'a@b.c'::text)";
    const [finding] = planTextFindings(seqScanFilter, text, captureSnapshot("pg18"));
    expect(finding?.evidence).toMatchObject({ estimated: true, rowsRead: 50000, rowsKept: 200 });
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON customers ((lower(email)));");
    expect(planTextFindings(seqScanFilter, text, null)).toEqual([]);
  });

  it("adds the ORDER BY columns of a top-N after the equality columns", () => {
    const text = `Limit  (cost=10.00..10.05 rows=20 width=20)
  ->  Sort  (cost=10.00..11.00 rows=400 width=20)
        Sort Key: created_at DESC
        ->  Seq Scan on orders  (cost=0.00..8923.00 rows=400 width=20)
              Filter: ((customer_id = 42) AND (status = 'pending'::text))`;
    const [finding] = planTextFindings(seqScanFilter, text, captureSnapshot("pg18"));
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON orders (customer_id, status, created_at);");
  });

  it("points at statistics when a matching index exists but was not used", () => {
    const text = "Seq Scan on orders  (cost=0.00..8923.00 rows=40 width=20)\n  Filter: (customer_id = 42)";
    const [finding] = planTextFindings(seqScanFilter, text, captureSnapshot("pg18"));
    expect(finding?.fix?.sql).toBe("ANALYZE orders;");
    expect(finding?.fix?.note).toMatch(/orders_customer_id_idx already starts with customer_id/);
  });

  it("gives a trigram GIN, not a B-tree, for a leading wildcard, an ILIKE or a regular expression", () => {
    for (const [filter, words] of [
      ["(email ~~* '%smith%'::text)", "ILIKE '%smith%'"],
      ["(email ~~ '%@example.test'::text)", "LIKE '%@example.test'"],
      ["(email ~* 'sm[iy]th'::text)", "a regular expression match"],
    ]) {
      const text = `Seq Scan on customers  (cost=0.00..1042.00 rows=20 width=36)\n  Filter: ${filter}`;
      const [finding] = planTextFindings(seqScanFilter, text, captureSnapshot("pg18"));
      expect(finding?.fix?.sql).toBe(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY ON customers USING gin (email gin_trgm_ops);",
      );
      expect(finding?.fix?.note).toContain(`A B-tree cannot serve ${words} on email`);
    }
    // A fixed prefix is a B-tree's job.
    const prefix =
      "Seq Scan on customers  (cost=0.00..1042.00 rows=20 width=36)\n  Filter: (email ~~ 'ann%'::text)";
    expect(planTextFindings(seqScanFilter, prefix, captureSnapshot("pg18"))[0]?.fix?.sql).toBe(
      "CREATE INDEX CONCURRENTLY ON customers (email);",
    );
  });

  it("puts an IN list with the equalities before a top-N's ORDER BY, and says the few matching rows are sorted", () => {
    const plan = `Limit  (cost=1500.00..1500.12 rows=50 width=8) (actual time=30.000..30.010 rows=50 loops=1)
  ->  Sort  (cost=1500.00..1500.75 rows=300 width=8) (actual time=30.000..30.005 rows=50 loops=1)
        Sort Key: created_at DESC
        Sort Method: top-N heapsort  Memory: 30kB
        ->  Seq Scan on ticket  (cost=0.00..1490.00 rows=300 width=8) (actual time=0.010..29.000 rows=300 loops=1)
              Filter: ((priority = ANY ('{1,2}'::integer[])) AND ("Tenant Id" = 7))
              Rows Removed by Filter: 99700
Planning Time: 0.100 ms
Execution Time: 30.100 ms`;
    const [finding] = planTextFindings(seqScanFilter, plan);
    expect(finding?.fix?.sql).toBe(
      'CREATE INDEX CONCURRENTLY ON ticket ("Tenant Id", priority, created_at);',
    );
    expect(finding?.fix?.note).toContain("each value of the IN list on priority");
  });

  it("stays quiet on scans that keep most rows or read few", () => {
    expect(planRuleFindings(seqScanFilter, "pg18", "hash-join-batches")).toEqual([]);
    expect(planRuleFindings(seqScanFilter, "pg18", "tid-scan")).toEqual([]);
  });

  it("points a filter that hides its column (a function, arithmetic, a cast, coalesce) to the rewrite rule", () => {
    const plan = (
      filter: string,
    ) => `Seq Scan on orders  (cost=0.00..4389.00 rows=1000 width=8) (actual time=0.020..40.000 rows=240 loops=1)
  Filter: ${filter}
  Rows Removed by Filter: 199760
Planning Time: 0.100 ms
Execution Time: 40.100 ms`;
    const [dated] = planTextFindings(seqScanFilter, plan("(date(created_at) = '2024-02-01'::date)"));
    expect(dated?.evidence.rewriteRule).toBe("rewrite/sargable-date-function");
    expect(dated?.fix?.note).toMatch(/`dbopt rewrite` \(rule rewrite\/sargable-date-function\)/);
    const [moved] = planTextFindings(seqScanFilter, plan("((qty + 1) = 500)"));
    expect(moved?.evidence.rewriteRule).toBe("rewrite/sargable-arithmetic");
    const [plain] = planTextFindings(seqScanFilter, plan("(qty = 500)"));
    expect(plain?.evidence.rewriteRule).toBeUndefined();
    expect(plain?.fix?.note).not.toMatch(/dbopt rewrite/);
  });
});
