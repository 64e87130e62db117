import { beforeAll, describe, expect, it } from "vitest";
import { planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { rowMisestimate } from "./row-misestimate.js";

beforeAll(loadSqlParser);

const plan = (
  scan: string,
  filter: string,
) => `Hash Join  (cost=1.00..900.00 rows=10 width=8) (actual time=0.1..120.0 rows=90000 loops=1)
  Hash Cond: (a.id = b.a_id)
  ->  ${scan}  (cost=0.00..400.00 rows=10 width=8) (actual time=0.01..50.0 rows=90000 loops=1)
        Filter: ${filter}
  ->  Hash  (cost=1.00..1.00 rows=10 width=4) (actual time=0.01..0.01 rows=10 loops=1)
        ->  Seq Scan on b  (cost=0.00..1.00 rows=10 width=4) (actual time=0.01..0.01 rows=10 loops=1)`;

describe("plan/row-misestimate", () => {
  it("reports where the error starts, graded by its factor, with extended statistics for correlated columns", () => {
    const findings = planTextFindings(
      rowMisestimate,
      plan("Seq Scan on a", "((city = 'x'::text) AND (zip = '1'::text))"),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "error", nodeId: 1 });
    expect(findings[0]?.evidence).toMatchObject({
      estimatedRows: 10,
      actualRows: 90000,
      factor: 9000,
      direction: "under",
    });
    expect(findings[0]?.fix?.sql).toBe(
      "CREATE STATISTICS IF NOT EXISTS a_city_zip_stats (dependencies, ndistinct, mcv) ON city, zip FROM a;\nANALYZE a;",
    );
  });

  it("creates the statistics in the table's schema, public included, whatever the search_path", () => {
    const [finding] = planTextFindings(
      rowMisestimate,
      plan("Seq Scan on public.a", "((a.city = 'x'::text) AND (a.zip = '1'::text))"),
    );
    expect(finding?.fix?.sql).toMatch(/^CREATE STATISTICS IF NOT EXISTS public\.a_city_zip_stats /);
  });

  it("suggests a larger statistics target for one column", () => {
    const [finding] = planTextFindings(rowMisestimate, plan("Seq Scan on a", "(city = 'x'::text)"));
    expect(finding?.fix?.sql).toBe("ALTER TABLE a ALTER COLUMN city SET STATISTICS 1000;\nANALYZE a;");
  });

  it("does not blame nodes a Limit stopped early, nor the root", () => {
    expect(planRuleFindings(rowMisestimate, "pg18", "index-scan-backward")).toEqual([]);
    expect(planRuleFindings(rowMisestimate, "pg18", "incremental-sort")).toEqual([]);
    expect(planRuleFindings(rowMisestimate, "pg18", "seq-scan-filter")).toEqual([]);
  });

  it("finds a real misestimate in a captured plan", () => {
    const [finding] = planRuleFindings(rowMisestimate, "pg18", "cte-scanned-twice");
    expect(finding?.evidence).toMatchObject({ actualRows: 0, direction: "over" });
    expect(finding?.title).toMatch(/CTE Scan on t a/);
  });
});

describe("plan/row-misestimate on a Merge Join's inner side", () => {
  it("does not count mark/restore re-reads of duplicate keys as a misestimate (captured on PostgreSQL 15)", () => {
    // The Sort returned 5,401 rows from an input of 19 (estimated 19); the Merge Join's own estimate is exact.
    expect(planRuleFindings(rowMisestimate, "pg15", "merge-join-inner-rescans")).toEqual([]);
  });

  it("still reports an underestimate away from a Merge Join's inner side", () => {
    const text = `Hash Join  (cost=1.00..900.00 rows=100 width=8) (actual time=0.1..120.0 rows=90000 loops=1)
  Hash Cond: (a.id = b.a_id)
  ->  Seq Scan on a  (cost=0.00..400.00 rows=100 width=8) (actual time=0.01..50.0 rows=90000 loops=1)
  ->  Hash  (cost=1.00..1.00 rows=10 width=4) (actual time=0.01..0.01 rows=10 loops=1)
        ->  Seq Scan on b  (cost=0.00..1.00 rows=10 width=4) (actual time=0.01..0.01 rows=10 loops=1)`;
    expect(planTextFindings(rowMisestimate, text).map((f) => f.nodeId)).toEqual([1]);
  });

  it("reports a Merge Join's own misestimate although its inner Sort was re-read", () => {
    const text = `Aggregate  (cost=900.00..900.01 rows=1 width=8) (actual time=130.0..130.0 rows=1 loops=1)
  ->  Merge Join  (cost=1.00..900.00 rows=10 width=8) (actual time=0.1..120.0 rows=5401 loops=1)
        Merge Cond: (a.k = b.k)
        ->  Index Scan using a_k on a  (cost=0.00..400.00 rows=1000 width=8) (actual time=0.01..50.0 rows=1000 loops=1)
        ->  Sort  (cost=3.90..3.95 rows=19 width=8) (actual time=0.026..0.293 rows=5401 loops=1)
              Sort Key: b.k
              ->  Seq Scan on b  (cost=0.00..3.50 rows=19 width=8) (actual time=0.008..0.018 rows=19 loops=1)`;
    expect(planTextFindings(rowMisestimate, text).map((f) => f.title)).toEqual([
      "Merge Join: estimated 10 rows, got 5,401 (540× under)",
    ]);
  });

  it("reports the scan under a Sort, not the Sort, when the scan's own estimate is wrong", () => {
    const text = `Merge Join  (cost=1.00..900.00 rows=19 width=8) (actual time=0.1..120.0 rows=5000 loops=1)
  Merge Cond: (a.k = b.k)
  ->  Index Scan using a_k on a  (cost=0.00..400.00 rows=1000 width=8) (actual time=0.01..50.0 rows=1000 loops=1)
  ->  Sort  (cost=3.90..3.95 rows=19 width=8) (actual time=60.0..80.0 rows=5000 loops=1)
        Sort Key: b.k
        ->  Seq Scan on b  (cost=0.00..3.50 rows=19 width=8) (actual time=0.008..40.0 rows=5000 loops=1)
              Filter: (id < 20)`;
    expect(planTextFindings(rowMisestimate, text).map((f) => f.nodeId)).toEqual([3]);
  });
});
