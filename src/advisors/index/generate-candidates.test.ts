import { beforeAll, describe, expect, it } from "vitest";
import { captureSnapshot } from "../../../test/support/rule-harness.js";
import { loadSqlParser } from "../../util/sql-parser.js";
import { generateCandidates } from "./generate-candidates.js";
import { candidateDdl } from "./index-candidate.js";
import { prepareWorkload } from "./workload-query.js";

beforeAll(loadSqlParser);

/** Candidates for statements over the schema the plan fixtures were captured on (orders, customers, ...). */
function candidatesFor(...sql: string[]): string[] {
  const snapshot = captureSnapshot("pg18");
  const queries = prepareWorkload(
    sql.map((s, i) => ({ id: `q${i}`, sql: s, weight: 1, calls: 1 })),
    snapshot,
  );
  return generateCandidates(queries, snapshot).map((c) => candidateDdl(c));
}

describe("generateCandidates", () => {
  it("proposes equality, equality-then-order for a top-N, and a covering variant", () => {
    const ddls = candidatesFor(
      "select id, note from orders where status = $1 and total = $2 order by created_at desc limit 10",
    );
    expect(ddls).toEqual(
      expect.arrayContaining([
        "CREATE INDEX CONCURRENTLY ON orders (status);",
        // total has thousands of distinct values, status three: the more selective column leads.
        "CREATE INDEX CONCURRENTLY ON orders (total, status, created_at);",
        "CREATE INDEX CONCURRENTLY ON orders (total, status, created_at) INCLUDE (id, note);",
      ]),
    );
  });

  it("proposes a partial index for a rare category and an expression index", () => {
    const ddls = candidatesFor(
      "select id from orders where status = 'refunded' order by created_at limit 5",
      "select id from customers where lower(email) = 'a@b.c'",
    );
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON orders (created_at) WHERE status = 'refunded';");
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON customers ((lower(email)));");
  });

  it("writes an expression without the statement's table alias, which means nothing in CREATE INDEX", () => {
    const ddls = candidatesFor(
      "select c.id from customers c where lower(c.email) = $1",
      'select c.id from public.customers as c where upper((c."email")::text) = $1',
    );
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON customers ((lower(email)));");
    expect(ddls).toContain('CREATE INDEX CONCURRENTLY ON customers ((upper(("email")::text)));');
    expect(ddls.some((d) => d.includes("c."))).toBe(false);
  });

  it("leaves out what an existing index already serves", () => {
    // orders_customer_id_idx and orders_created_at_idx exist in the captured schema.
    const ddls = candidatesFor(
      "select * from orders where customer_id = $1",
      "select * from orders where created_at > $1",
    );
    expect(ddls).not.toContain("CREATE INDEX CONCURRENTLY ON orders (customer_id);");
    expect(ddls).not.toContain("CREATE INDEX CONCURRENTLY ON orders (created_at);");
  });

  it("covers a range, a GROUP BY and a join key for index-only scans", () => {
    const ddls = candidatesFor(
      "select sum(total) from orders where created_at > $1",
      "select customer_id, sum(total) from orders group by customer_id",
      "select c.email, sum(o.total) from customers c join orders o on o.customer_id = c.id group by c.email",
    );
    expect(ddls).toEqual(
      expect.arrayContaining([
        "CREATE INDEX CONCURRENTLY ON orders (created_at) INCLUDE (total);",
        // orders_customer_id_idx exists, but without total the scan must visit the heap.
        "CREATE INDEX CONCURRENTLY ON orders (customer_id) INCLUDE (total);",
      ]),
    );
  });

  it("proposes join keys", () => {
    const ddls = candidatesFor(
      "select p.name from order_items oi join products p on p.id = oi.product_id where p.category = 3",
    );
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON order_items (product_id);");
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON products (category);");
  });
});

describe("generateCandidates for a top-N on an expression", () => {
  it("puts the expression after the equality columns, without the alias", () => {
    const ddls = candidatesFor(
      "select o.id from orders o order by lower(o.note) limit 50",
      "select o.id from orders o where o.status = $1 order by lower(o.note) desc limit 50",
    );
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON orders ((lower(note)));");
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON orders (status, (lower(note)));");
  });
});

describe("generateCandidates for patterns", () => {
  it("proposes a trigram GIN, and no B-tree, for a leading wildcard, an ILIKE and a regular expression", () => {
    for (const where of ["email like '%@example%'", "email ilike 'Ann%'", "email ~* 'ann.*smith'"]) {
      const ddls = candidatesFor(`select id from customers where ${where}`);
      expect(ddls).toEqual(["CREATE INDEX CONCURRENTLY ON customers USING gin (email gin_trgm_ops);"]);
    }
  });

  it("keeps the B-tree for a LIKE with a fixed prefix", () => {
    const ddls = candidatesFor("select id from customers where email like 'ann%'");
    expect(ddls).toContain("CREATE INDEX CONCURRENTLY ON customers (email);");
    expect(ddls.some((d) => d.includes("gin_trgm_ops"))).toBe(false);
  });

  it("puts an expression in the trigram index as written, without the alias", () => {
    const ddls = candidatesFor("select c.id from customers c where lower(c.email) like '%smith%'");
    expect(ddls).toEqual(["CREATE INDEX CONCURRENTLY ON customers USING gin ((lower(email)) gin_trgm_ops);"]);
  });
});
