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
