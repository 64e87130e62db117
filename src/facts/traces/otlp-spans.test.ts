import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../../util/input-error.js";
import { readOtlpStream, type SpanIndex } from "./otlp-spans.js";

const FIXTURES = new URL("../../../test/fixtures/traces/", import.meta.url).pathname;
function* chunks(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
const empty = (): SpanIndex => ({ spans: 0, traces: new Set(), names: new Map(), db: [] });

describe("readOtlpStream", () => {
  it("reads stable and legacy database attributes alike, a whole document or JSON lines, in any chunks", async () => {
    const stable = empty();
    await readOtlpStream("s", chunks(readFileSync(`${FIXTURES}pg-stable.otlp.json`, "utf8"), 999), stable);
    const legacy = empty();
    await readOtlpStream("l", chunks(readFileSync(`${FIXTURES}pg-legacy.otlp.jsonl`, "utf8"), 777), legacy);
    for (const index of [stable, legacy]) {
      expect(index.spans).toBe(68);
      expect(index.db).toHaveLength(32);
      const span = index.db.find((s) => s.query.startsWith("select id, total"));
      expect(span).toMatchObject({ system: "postgresql", service: "shop-api" });
      expect(span?.durationMs).toBeGreaterThan(0);
      expect(index.names.get(`${span?.traceId}/${span?.parentSpanId}`)).toMatch(/^GET \/customers\/orders/);
    }
  });

  it("says what is wrong with input that is not OTLP/JSON", async () => {
    const read = (text: string) => readOtlpStream("x.json", [text], empty());
    await expect(read('{"spans": []}')).rejects.toThrow(/holds no OTLP\/JSON trace data/);
    await expect(read("")).rejects.toThrow(InputError);
    await expect(read('{"resourceSpans": []}\nnot json\n')).rejects.toThrow(/x.json:2 is not JSON/);
    await expect(read('{\n "resourceSpans": [\n')).rejects.toThrow(/x.json is not JSON/);
  });
});
