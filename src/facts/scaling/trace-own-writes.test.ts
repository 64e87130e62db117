import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../util/sql-parser.js";
import { Fingerprinter } from "../logs/fingerprinter.js";
import type { DbSpan } from "../traces/otlp-spans.js";
import { traceOwnWrites } from "./trace-own-writes.js";

beforeAll(loadSqlParser);

let at = 0n;
const span = (traceId: string, query: string): DbSpan => {
  at += 1000n;
  return {
    traceId,
    spanId: String(at),
    parentSpanId: null,
    name: "query",
    service: "shop",
    system: "postgresql",
    query,
    startNs: at,
    endNs: at + 500n,
    durationMs: 0.5,
  };
};

describe("reads that follow their own writes in traces", () => {
  it("counts a read after its trace wrote the table, and not one before or in another trace", () => {
    const fp = new Fingerprinter();
    const spans = [
      span("a", "select * from orders where id = 1"),
      span("a", "update public.orders set status = 'paid' where id = 1"),
      span("a", "select * from orders where id = 1"),
      span("a", "select * from products where id = 3"),
      span("b", "select * from orders where id = 2"),
    ];
    const own = traceOwnWrites(spans, fp);
    const key = (q: string) => fp.shape(q).fingerprint;
    // The spans behind the judgement: the read, and the write it followed.
    expect(own.get(key("select * from orders where id = 9"))).toEqual({
      after: 1,
      seen: 3,
      examples: [
        {
          read: { kind: "span", traceId: "a", spanId: "3000", name: "query" },
          write: { kind: "span", traceId: "a", spanId: "2000", name: "query" },
        },
      ],
    });
    expect(own.get(key("select * from products where id = 9"))).toEqual({ after: 0, seen: 1 });
    // Writes are not reads.
    expect(own.get(key("update orders set status = 'x' where id = 2"))).toBeUndefined();
  });

  it("orders spans by start time, not by file order", () => {
    const fp = new Fingerprinter();
    const read = span("c", "select * from carts where id = 1");
    const write = span("c", "insert into carts values (1)");
    // The file lists the insert first, but the read started before it: the read did not follow the write.
    const own = traceOwnWrites([write, read], fp);
    expect(own.get(fp.shape("select * from carts where id = 2").fingerprint)).toEqual({ after: 0, seen: 1 });
  });
});
