import { describe, expect, it } from "vitest";
import { planRuleFindings, planTextFindings } from "../../../test/support/rule-harness.js";
import { largeOffset } from "./large-offset.js";

describe("plan/large-offset", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds 200,000 rows skipped, with keyset pagination for mixed directions (%s)",
    (version) => {
      const [finding] = planRuleFindings(largeOffset, version, "sort-spill-offset");
      expect(finding?.evidence).toMatchObject({
        rowsSkipped: 200000,
        rowsReturned: 20,
        orderBy: "total DESC, id",
        rewriteRule: "rewrite/offset-to-keyset",
      });
      expect(finding?.fix?.note).toMatch(/See `dbopt rewrite` \(rule rewrite\/offset-to-keyset\)/);
      // A clause to put in the user's statement, not a statement: it goes in the note, never in fix.sql.
      expect(finding?.fix?.sql).toBeUndefined();
      expect(finding?.fix?.note).toContain(
        "WHERE (total < $1) OR (total = $1 AND id > $2) ORDER BY total DESC, id LIMIT 20, with $1 the last row's total, $2 the last row's id.",
      );
    },
  );

  it("uses a row comparison when all keys sort the same way", () => {
    const text = `Limit  (cost=1.00..2.00 rows=10 width=8) (actual time=10.0..10.1 rows=10 loops=1)
  ->  Sort  (cost=1.00..2.00 rows=9000 width=8) (actual time=5.0..9.0 rows=5010 loops=1)
        Sort Key: created_at, id
        ->  Seq Scan on t  (cost=0.00..1.00 rows=9000 width=8) (actual time=0.01..2.0 rows=9000 loops=1)`;
    const [finding] = planTextFindings(largeOffset, text);
    expect(finding?.fix?.note).toContain("WHERE (created_at, id) > ($1, $2)");
  });

  it("is quiet for a plain LIMIT", () => {
    expect(planRuleFindings(largeOffset, "pg18", "incremental-sort")).toEqual([]);
  });
});
