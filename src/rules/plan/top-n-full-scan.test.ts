import { beforeAll, describe, expect, it } from "vitest";
import { captureSnapshot, planTextFindings } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { topNFullScan } from "./top-n-full-scan.js";

beforeAll(loadSqlParser);

// EXPLAIN ANALYZE on PostgreSQL 15 of `select id, customer_id from orders o order by lower(o.note) limit 50`
// (the shape of issue #16's `order by lower(r.rental_period) limit 50` on pagila's rental), names changed to the
// captured schema's.
const EXPRESSION = `Limit  (cost=25912.61..25918.44 rows=50 width=8) (actual time=940.1..953.1 rows=50 loops=1)
  ->  Gather Merge  (cost=25912.61..123141.70 rows=833334 width=8) (actual time=940.1..953.1 rows=50 loops=1)
        Workers Planned: 2
        Workers Launched: 2
        ->  Sort  (cost=24912.59..25954.26 rows=416667 width=8) (actual time=653.2..653.2 rows=39 loops=3)
              Sort Key: (lower(o.note))
              Sort Method: top-N heapsort  Memory: 30kB
              ->  Parallel Seq Scan on orders o  (cost=0.00..11072.67 rows=416667 width=8) (actual time=0.4..523.9 rows=333333 loops=3)
Planning Time: 0.3 ms
Execution Time: 953.2 ms`;

describe("plan/top-n-full-scan", () => {
  it("finds ORDER BY lower(note) LIMIT 50 answered by sorting every row, and gives the expression index", () => {
    const [finding] = planTextFindings(topNFullScan, EXPRESSION, captureSnapshot("pg18"));
    expect(finding?.evidence).toMatchObject({ table: "orders", rowsRead: 999999, rowsReturned: 50 });
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON orders ((lower(note)));");
    expect(finding?.title).toBe(
      "Parallel Seq Scan on orders o reads 999,999 rows and sorts them to return 50",
    );
  });

  it("spells out mixed directions, and takes plain columns as they are", () => {
    const text = `Limit  (cost=20000.00..20000.05 rows=20 width=20)
  ->  Sort  (cost=20000.00..21000.00 rows=300000 width=20)
        Sort Key: total DESC, id
        ->  Seq Scan on orders  (cost=0.00..8923.00 rows=300000 width=20)`;
    const [finding] = planTextFindings(topNFullScan, text, captureSnapshot("pg18"));
    expect(finding?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON orders (total DESC, id);");
  });

  it("leaves a filtered scan to seq-scan-filter, and a LIMIT that keeps much of the table alone", () => {
    const filtered = `Limit  (cost=20000.00..20000.05 rows=20 width=20)
  ->  Sort  (cost=20000.00..21000.00 rows=3000 width=20)
        Sort Key: created_at
        ->  Seq Scan on orders  (cost=0.00..8923.00 rows=3000 width=20)
              Filter: (status = 'open'::text)`;
    expect(planTextFindings(topNFullScan, filtered, captureSnapshot("pg18"))).toEqual([]);
    const most = `Limit  (cost=20000.00..20000.05 rows=200000 width=20)
  ->  Sort  (cost=20000.00..21000.00 rows=300000 width=20)
        Sort Key: total
        ->  Seq Scan on orders  (cost=0.00..8923.00 rows=300000 width=20)`;
    expect(planTextFindings(topNFullScan, most, captureSnapshot("pg18"))).toEqual([]);
  });
});
