import { describe, expect, it } from "vitest";
import { numberQuestionMarks } from "../facts/traces/trace-n-plus-one.js";
import { analyzeTraces } from "./analyze-traces.js";

const FIXTURES = new URL("../../test/fixtures/traces/", import.meta.url).pathname;
const ONE = "select id, total from orders where customer_id = $1";

describe("analyzeTraces on spans from OpenTelemetry's pg instrumentation", () => {
  it.each([
    ["pg-stable.otlp.json", "db.query.text / db.system.name, one document"],
    ["pg-legacy.otlp.jsonl", "db.statement / db.system, one request per line"],
  ])(
    "%s (%s): the sequential and the concurrent loop, not the batched, JOIN or repeated health check",
    async (file) => {
      const r = await analyzeTraces([FIXTURES + file]);
      expect(r.dbSpans).toBe(32);
      expect(r.systems).toEqual(["postgresql"]);
      expect(r.traces).toBe(6);
      const byParent = Object.fromEntries(r.nPlusOne.map((n) => [n.parent, n]));
      expect(Object.keys(byParent).sort()).toEqual([
        "GET /customers/orders",
        "GET /customers/orders?parallel",
      ]);
      for (const n of r.nPlusOne) {
        expect(n.service).toBe("shop-api");
        expect(n.repeated.query).toBe(ONE);
        expect(n.source?.query).toBe("select id, name from customers order by id limit $1");
        expect(n.repeats).toEqual({ min: 10, median: 10, max: 10 });
        expect(n.rewrite).toBe("SELECT customer_id, id, total FROM orders WHERE customer_id = ANY ($1)");
        expect(n.totalMs).toBeGreaterThan(0);
      }
      expect(byParent["GET /customers/orders"]?.concurrent).toBe(0);
      expect(byParent["GET /customers/orders?parallel"]?.concurrent).toBe(1);
      expect(r.statements.find((s) => s.query === ONE)?.calls).toBe(20);
    },
  );

  it("counts a pattern once per parent span across files", async () => {
    const r = await analyzeTraces([`${FIXTURES}pg-stable.otlp.json`, `${FIXTURES}pg-legacy.otlp.jsonl`]);
    expect(r.nPlusOne.map((n) => n.occurrences)).toEqual([2, 2]);
  });

  it("needs --min-repeats calls under one parent", async () => {
    expect((await analyzeTraces([`${FIXTURES}pg-stable.otlp.json`], { minRepeats: 11 })).nPlusOne).toEqual(
      [],
    );
  });
});

describe("analyzeTraces on spans from OpenTelemetry's mysql2 instrumentation against MariaDB", () => {
  it("finds both loops, the concurrent one as such, and writes MySQL's placeholders and an IN rewrite", async () => {
    const r = await analyzeTraces([`${FIXTURES}mariadb-mysql2.otlp.json`]);
    expect(r.systems).toEqual(["mysql"]);
    const byParent = Object.fromEntries(r.nPlusOne.map((n) => [n.parent, n]));
    expect(Object.keys(byParent).sort()).toEqual(["GET /customers/orders", "GET /customers/orders?parallel"]);
    // The instrumentation parents a few of the Promise.all calls to the request before it (pool context):
    // the tool reports what the spans say, 20 calls in all.
    expect(r.nPlusOne.reduce((n, p) => n + p.repeats.max, 0)).toBe(20);
    expect(byParent["GET /customers/orders?parallel"]?.concurrent).toBe(1);
    for (const n of r.nPlusOne) {
      expect(n.repeated.query).toBe("select id, total from orders where customer_id = ?");
      expect(n.rewrite).toBe("SELECT customer_id, id, total FROM orders WHERE customer_id IN (?)");
      expect(n.system).toBe("mysql");
    }
    expect(r.statements.find((s) => s.calls === 20)?.query).toBe(
      "select id, total from orders where customer_id = ?",
    );
  });
});

describe("numberQuestionMarks", () => {
  it("numbers ? placeholders outside quotes", () => {
    expect(numberQuestionMarks("select * from t where a = ? and b = '?' and c = ?")).toBe(
      "select * from t where a = $1 and b = '?' and c = $2",
    );
  });
});
