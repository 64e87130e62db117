import { beforeAll, describe, expect, it } from "vitest";
import { captureSnapshot, planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { indexFilter } from "./index-filter.js";

beforeAll(loadSqlParser);

describe("plan/index-filter", () => {
  it("finds an index scan whose filter drops most fetched rows, and widens the index", () => {
    const text = `Index Scan using orders_customer_id_idx on orders  (cost=0.42..900.00 rows=5 width=20) (actual time=0.02..30.0 rows=12 loops=1)
  Index Cond: (customer_id < 2000)
  Filter: (status = 'refunded'::text)
  Rows Removed by Filter: 11988`;
    const [finding] = planTextFindings(indexFilter, text, captureSnapshot("pg18"));
    expect(finding?.evidence).toMatchObject({ rowsFetched: 12000, rowsKept: 12, rowsRemoved: 11988 });
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON orders (status, customer_id);");
  });

  it("sees an index read only for its order under a LIMIT, from estimates", () => {
    const text = `Limit  (cost=0.42..50.00 rows=20 width=20)
  ->  Index Scan Backward using orders_created_at_idx on orders  (cost=0.42..30000.00 rows=6 width=20)
        Filter: (customer_id = $1)`;
    const [finding] = planTextFindings(indexFilter, text, captureSnapshot("pg18"));
    expect(finding?.evidence).toMatchObject({ estimated: true, rowsFetched: 300000 });
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON orders (customer_id, created_at);");
  });

  it("says a trigram GIN, not 'put the filtered columns into the index', for a leading wildcard", () => {
    const text = `Index Scan using orders_customer_id_idx on orders  (cost=0.42..900.00 rows=5 width=20) (actual time=0.02..30.0 rows=12 loops=1)
  Index Cond: (customer_id < 2000)
  Filter: (note ~~* '%refund%'::text)
  Rows Removed by Filter: 11988`;
    const [finding] = planTextFindings(indexFilter, text, captureSnapshot("pg18"));
    expect(finding?.fix?.sql).toBe(
      "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY ON orders USING gin (note gin_trgm_ops);",
    );
    expect(finding?.fix?.note).toMatch(/^The filter ILIKE '%refund%' on note cannot go into a B-tree/);
  });

  it("points a filter hiding its column behind a function to the rewrite rule that takes it off", () => {
    const text = `Index Scan using orders_customer_id_idx on orders  (cost=0.42..900.00 rows=5 width=20) (actual time=0.02..30.0 rows=12 loops=1)
  Index Cond: (customer_id < 2000)
  Filter: (date(created_at) = '2024-02-01'::date)
  Rows Removed by Filter: 11988`;
    const [finding] = planTextFindings(indexFilter, text, captureSnapshot("pg18"));
    expect(finding?.evidence.rewriteRule).toBe("rewrite/sargable-date-function");
    expect(finding?.fix?.note).toMatch(/dbopt rewrite/);
  });

  it("leaves lossy-bitmap rechecks and selective index scans alone", () => {
    expect(planRuleFindings(indexFilter, "pg18", "lossy-bitmap")).toEqual([]);
    expect(planRuleFindings(indexFilter, "pg18", "never-executed")).toEqual([]);
  });
});
