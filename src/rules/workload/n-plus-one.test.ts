import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { defaultOptions } from "../rule.js";
import { batchedStatement } from "./batched-statement-shape.js";
import { nPlusOne } from "./n-plus-one.js";
import type { NPlusOneFacts, RepeatedRun } from "./n-plus-one-facts.js";

beforeAll(loadSqlParser);

const run = (over: Partial<RepeatedRun> = {}): RepeatedRun => ({
  where: null,
  source: "select id from customers order by id limit $1",
  repeated: "select id, total from orders where customer_id = $1",
  occurrences: 50,
  repeats: { min: 25, median: 25, max: 25 },
  totalMs: 1250,
  wastedMs: 1200,
  inTransaction: 0,
  concurrent: null,
  ...over,
});

const check = (runs: RepeatedRun[], over: Partial<NPlusOneFacts> = {}) =>
  nPlusOne.check({ runs, totalMs: 100_000, dialect: "postgres", ...over }, defaultOptions(nPlusOne));

describe("workload/n-plus-one", () => {
  it("reports a loop over a query's rows with its time, severity and a batched rewrite from the parse tree", () => {
    const [f] = check([run()]);
    expect(f).toMatchObject({
      ruleId: "workload/n-plus-one",
      severity: "error",
      evidence: { pattern: 0, kind: "loop", occurrences: 50, repeatsMin: 25, wastedMs: 1200, autocommit: 50 },
      fix: { sql: "SELECT customer_id, id, total FROM orders WHERE customer_id = ANY ($1)" },
      query: "select id, total from orders where customer_id = $1",
    });
    expect(f?.detail).toContain("a loop over that statement's rows");
    expect(f?.detail).toContain("autocommit");
  });

  it("grades by the time a batch would save: 50 ms or 1% a warning, less is info", () => {
    expect(check([run({ wastedMs: 60 })])[0]?.severity).toBe("warning");
    expect(check([run({ wastedMs: 10 })])[0]?.severity).toBe("info");
    expect(check([run({ wastedMs: 10 })], { totalMs: 200 })[0]?.severity).toBe("error");
  });

  it("judges consecutive autocommit statements after a COMMIT a batch, not an N+1, and says why", () => {
    const [f] = check([
      run({ source: "commit", repeated: "insert into t (a) values ($1)", wastedMs: 90_000 }),
    ]);
    expect(f).toMatchObject({ severity: "info", evidence: { kind: "batch", autocommit: 50 } });
    expect(f?.title).toMatch(/^Batch, not N\+1/);
    expect(f?.detail).toContain("returns no rows");
    expect(f?.detail).toContain("each committed on its own");
    expect(f?.fix?.sql).toBeUndefined();
    expect(f?.fix?.note).toContain("inside one transaction");
  });

  it("judges a run right after BEGIN inside one transaction a batch too", () => {
    const [f] = check([run({ source: "begin", inTransaction: 50 })]);
    expect(f?.evidence.kind).toBe("batch");
    expect(f?.detail).toContain("Each run was inside one transaction.");
  });

  it("says the saving is an upper bound: the batched statement still does every row's work", () => {
    const [f] = check([run()]);
    expect(f?.title).toMatch(/, up to 1\.20 s to save$/);
    expect(f?.detail).toContain("one batched statement would save up to 1.20 s");
    expect(f?.detail).toContain("still does every row's work");
  });

  it("words the fix for what the loop does: a loop of UPDATEs changes rows, a batch of INSERTs sends them", () => {
    const [update] = check([run({ repeated: "update orders set archived = true where id = $1" })]);
    expect(update?.evidence.kind).toBe("loop");
    expect(update?.fix?.note).toMatch(
      /^Change the rows for all the source rows in one statement: UPDATE \.\.\. WHERE key = ANY\(\$1\)/,
    );
    expect(update?.fix?.note).toContain("or UPDATE ... FROM (the source query) inside one transaction");
    expect(update?.fix?.note).not.toMatch(/[Ff]etch/);
    const [batch] = check([
      run({ source: "begin", repeated: "insert into archive(id) values ($1)", inTransaction: 50 }),
    ]);
    expect(batch?.fix?.note).toBe(
      "Send the rows in one statement (a multi-row INSERT ... VALUES (...), (...), or COPY).",
    );
    const [read] = check([
      run({ source: "begin", repeated: "select id from t where a > $1", inTransaction: 50 }),
    ]);
    expect(read?.fix?.note).toMatch(/^Fetch the values' rows in one statement/);
    const [merge] = check([
      run({ repeated: "merge into t using (select $1 as id) s on t.id = s.id when matched then delete" }),
    ]);
    expect(merge?.fix?.note).toMatch(
      /^Merge all the rows in one statement: MERGE \.\.\. USING \(the source query\)/,
    );
    const [mysql] = check([run({ repeated: "delete from `t` where id = $1" })], { dialect: "mysql" });
    expect(mysql?.fix?.note).toMatch(
      /DELETE \.\.\. WHERE key IN \(\.\.\.\).*a multi-table DELETE joined to the source query/,
    );
  });

  it("writes MySQL's placeholders for a MySQL log or span", () => {
    const [f] = check([run()], { dialect: "mysql" });
    expect(f?.fix).toMatchObject({
      sql: "SELECT customer_id, id, total FROM orders WHERE customer_id IN (?)",
      dialect: "mysql",
    });
  });
});

describe("batchedStatement", () => {
  it.each([
    ["select * from users where id = $1", "SELECT * FROM users WHERE id = ANY ($1)"],
    [
      "select id, total from orders where customer_id = $1",
      "SELECT customer_id, id, total FROM orders WHERE customer_id = ANY ($1)",
    ],
    [
      'select o.id from orders o where o."customerId" = $1',
      'SELECT o."customerId", o.id FROM orders AS o WHERE o."customerId" = ANY ($1)',
    ],
    [
      'select "Id" from "Order Items" where "Order Id" = $1',
      'SELECT "Order Id", "Id" FROM "Order Items" WHERE "Order Id" = ANY ($1)',
    ],
    [
      "select id from orders where customer_id = $1 order by id desc limit $2",
      "SELECT batch.value, per_value.* FROM ( SELECT DISTINCT customer_id AS value FROM orders WHERE customer_id = ANY ($1) ) AS batch CROSS JOIN LATERAL ( SELECT id FROM orders WHERE customer_id = batch.value ORDER BY id DESC LIMIT $2 ) AS per_value",
    ],
    [
      "select count(*) from t where a = $1",
      "SELECT batch.value, per_value.* FROM ( SELECT DISTINCT a AS value FROM t WHERE a = ANY ($1) ) AS batch CROSS JOIN LATERAL ( SELECT count(*) FROM t WHERE a = batch.value ) AS per_value",
    ],
    ["select * from t where a = $1 and b = $2", "SELECT * FROM t WHERE a = ANY ($1) AND b = $2"],
    ["update t set a = $1 where id = $2", null],
    // With a join, which table the key belongs to is not in the text: no LATERAL form.
    ["select o.id from orders o join lines l on l.o = o.id where o.c = $1 limit $2", null],
    ["select * from t where a > $1", null],
    ["select * from t where a = $1 union select * from u where a = $1", null],
  ])("%s → %s", (query, expected) => {
    expect(batchedStatement(query)?.text ?? null).toBe(expected);
  });
});
