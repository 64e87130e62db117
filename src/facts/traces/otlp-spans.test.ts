import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../../util/input-error.js";
import { readOtlpJson, type SpanIndex } from "./otlp-spans.js";

const FIXTURES = new URL("../../../test/fixtures/traces/", import.meta.url).pathname;
const empty = (): SpanIndex => ({ spans: 0, traces: new Set(), names: new Map(), db: [] });

describe("readOtlpJson", () => {
  it("reads stable and legacy database attributes alike", () => {
    const stable = empty();
    readOtlpJson("s", readFileSync(`${FIXTURES}pg-stable.otlp.json`, "utf8"), stable);
    const legacy = empty();
    readOtlpJson("l", readFileSync(`${FIXTURES}pg-legacy.otlp.jsonl`, "utf8"), legacy);
    for (const index of [stable, legacy]) {
      expect(index.spans).toBe(68);
      expect(index.db).toHaveLength(32);
      const span = index.db.find((s) => s.query.startsWith("select id, total"));
      expect(span).toMatchObject({ system: "postgresql", service: "shop-api" });
      expect(span?.durationMs).toBeGreaterThan(0);
      expect(index.names.get(`${span?.traceId}/${span?.parentSpanId}`)).toMatch(/^GET \/customers\/orders/);
    }
  });

  it("says what is wrong with input that is not OTLP/JSON", () => {
    expect(() => readOtlpJson("x.json", '{"spans": []}', empty())).toThrow(/holds no OTLP\/JSON trace data/);
    expect(() => readOtlpJson("x.json", "", empty())).toThrow(InputError);
    expect(() => readOtlpJson("x.json", '{"resourceSpans": []}\nnot json\n', empty())).toThrow(
      /x.json:2 is not JSON/,
    );
  });
});
