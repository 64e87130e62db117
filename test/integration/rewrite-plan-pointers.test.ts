/**
 * `dbopt explain` findings that a rewrite rule covers name it (issue #14), checked end to end on the local
 * PostgreSQL 15 with the generated schema: each statement is explained with ANALYZE, the plan finding must name the
 * rewrite rule, and `dbopt rewrite` on the same statement must then write that rule's rewrite and prove it equal,
 * so a pointer never sends the user to a rule that does nothing for the statement.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSnapshot } from "../../src/facts/collect/collect-snapshot.js";
import type { Snapshot } from "../../src/facts/snapshot.js";
import { explainStatementOnDatabase } from "../../src/pipeline/explain-plan.js";
import { rewriteStatements } from "../../src/pipeline/rewrite-statements.js";
import { loadSqlParser } from "../../src/util/sql-parser.js";
import { REWRITE_SCHEMA } from "../support/rewrite-schema.js";
import { createTestDatabase, runAsAdmin, server, type TestDatabase } from "../support/servers.js";

/** [plan rule, rewrite rule it must name, statement]. */
const CASES: Array<[string, string, string]> = [
  [
    "plan/large-offset",
    "rewrite/offset-to-keyset",
    "select id, ref from orders order by id limit 20 offset 150000",
  ],
  [
    "plan/not-in-subquery",
    "rewrite/not-in-to-not-exists",
    "select c.id from customers c where c.id not in (select customer_id from orders)",
  ],
  [
    "plan/seq-scan-filter",
    "rewrite/sargable-date-function",
    "select id from orders where date(created_at) = '2024-02-01'",
  ],
  ["plan/seq-scan-filter", "rewrite/sargable-arithmetic", "select id from orders where qty + 1 = 500"],
  ["plan/seq-scan-filter", "rewrite/sargable-cast", "select id, qty from orders where id::text = '123456'"],
  [
    "plan/seq-scan-filter",
    "rewrite/coalesce-equality",
    "select id from orders where coalesce(coupon_id, 0) = 3",
  ],
  [
    "plan/correlated-subplan",
    "rewrite/scalar-subquery-to-lateral",
    "select c.id, (select sum(o.qty) from orders o where o.customer_id = c.id) as total from customers c where c.id <= 300",
  ],
  [
    "plan/correlated-subplan",
    "rewrite/count-to-exists",
    "select c.id from customers c where c.id <= 400 and (select count(*) from orders o where o.customer_id = c.id) > 0",
  ],
  [
    "plan/cte-rescanned",
    "rewrite/cte-materialized",
    "with per_customer as materialized (select customer_id, sum(qty) as n from orders group by customer_id) select * from per_customer where customer_id = 7",
  ],
];

describe.each(server("pg15"))("explain findings that name a rewrite rule on $name", (testServer) => {
  let database: TestDatabase;
  let db: PostgresConnector;
  let snapshot: Snapshot;
  beforeAll(async () => {
    await loadSqlParser();
    database = await createTestDatabase(testServer, REWRITE_SCHEMA);
    await runAsAdmin(database.url, "vacuum (analyze) customers, orders");
    db = await PostgresConnector.connect(resolveTarget({ db: database.url }));
    snapshot = await collectSnapshot(db, { statementLimit: 0 });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it.each(CASES)(
    "%s names %s, which rewrites the statement",
    async (planRule, rewriteRule, sql) => {
      const report = await explainStatementOnDatabase(db, sql, { analyze: true, snapshot });
      const finding = report.findings.find((f) => f.ruleId === planRule);
      expect(
        finding,
        `${planRule} on ${sql}: ${report.findings.map((f) => f.ruleId).join(", ")}`,
      ).toBeDefined();
      expect(finding?.evidence.rewriteRule).toBe(rewriteRule);
      expect(finding?.fix?.note).toContain(`rule ${rewriteRule}`);
      const rewrites = await rewriteStatements(db, { sql, runs: 1 });
      const rewrite = rewrites.statements[0]?.rewrites.find((r) => r.ruleId === rewriteRule);
      expect(rewrite, `${rewriteRule} on ${sql}`).toBeDefined();
      expect(rewrite?.proof.equal, rewrite?.proof.reason ?? "").toBe(true);
    },
    120_000,
  );
});
