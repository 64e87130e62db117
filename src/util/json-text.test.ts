import { describe, expect, it } from "vitest";
import { stringifyJson } from "./json-text.js";

describe("stringifyJson", () => {
  const samples: unknown[] = [
    null,
    0,
    -1.5e-7,
    'a "quoted" \n line \u2028',
    true,
    [],
    {},
    [1, undefined, () => 1, null, "x", [], {}],
    { a: 1, b: undefined, c: () => 1, d: { e: [{ f: null }] }, "g h": [[[]]], n: Number.NaN },
    { when: new Date(0), nested: { list: [{ toJSON: () => "custom" }] } },
  ];

  it.each([0, 2, 4])("writes what JSON.stringify writes (indent %i)", (indent) => {
    for (const sample of samples)
      expect(stringifyJson(sample, indent)).toBe(JSON.stringify(sample, null, indent));
  });

  it("writes data far deeper than JSON.stringify can", () => {
    let deep: { children: unknown[] } = { children: [] };
    const root = deep;
    for (let i = 0; i < 100_000; i++) {
      const child = { children: [] };
      deep.children.push(child);
      deep = child;
    }
    expect(() => JSON.stringify(root)).toThrow(RangeError);
    const text = stringifyJson(root);
    expect(text.length).toBe(100_001 * '{"children":[]}'.length);
    expect(text.startsWith('{"children":[{"children":[')).toBe(true);
  });
});
