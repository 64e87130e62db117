import { expect, it, describe as suite } from "vitest";
import { describe } from "./n-plus-one-guard.js";
import type { RuntimeNPlusOne } from "./unit-of-work.js";

const pattern = (repeated: string): RuntimeNPlusOne => ({
  unit: "job",
  source: "select id from orders",
  repeated,
  count: 20,
  concurrent: false,
  exampleParameters: [],
  callSite: null,
  rewrite: null,
});

suite("N+1 guard's message without a batched rewrite", () => {
  it("tells a loop of reads to fetch the rows at once", () => {
    expect(describe(pattern("select * from items where order_id = $1"))).toMatch(/fix: fetch the rows/);
  });

  it("tells a loop of writes to write in one statement, not to fetch rows", () => {
    const update = describe(pattern("/* app */ update items set seen = true where id = $1"));
    expect(update).toMatch(/fix: change the rows .*\(UPDATE ... WHERE key = ANY\(\$1\)\)/);
    expect(update).not.toMatch(/fetch the rows/);
    expect(describe(pattern("insert into log (x) values ($1)"))).toMatch(/multi-row INSERT/);
  });
});
