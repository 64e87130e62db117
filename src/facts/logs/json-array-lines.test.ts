import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JsonArrayLines, startsJsonArray } from "./json-array-lines.js";

const FIXTURES = new URL("../../../test/fixtures/logs/", import.meta.url).pathname;

function lines(text: string, chunk: number): unknown[] {
  const array = new JsonArrayLines();
  let out = "";
  for (let i = 0; i < text.length; i += chunk) out += array.chunk(text.slice(i, i + chunk));
  return out
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l) as unknown);
}

describe("JsonArrayLines", () => {
  it("turns the Cloud console's pretty-printed array into one entry per line, whatever the chunks", () => {
    const text = readFileSync(`${FIXTURES}pg15-cloudsql-console.json`, "utf8");
    const expected = JSON.parse(text) as unknown[];
    for (const chunk of [1, 7, 4096, text.length]) expect(lines(text, chunk)).toEqual(expected);
  });

  it("keeps brackets, braces, commas, escaped quotes and escaped newlines inside strings", () => {
    const entries = [{ a: 'x, ] } { [ "q" \\', b: { c: [1, { d: "\n" }] } }, { e: "" }];
    for (const chunk of [1, 3, 1000]) expect(lines(JSON.stringify(entries, null, 4), chunk)).toEqual(entries);
  });

  it("tells an array of objects from a log whose prefix starts with a bracket", () => {
    expect(startsJsonArray('[\n  {\n    "insertId": "s=1"')).toBe(true);
    expect(startsJsonArray("  [{}]")).toBe(true);
    expect(startsJsonArray("[2026-11-26 20:17:59.123 UTC] pid=42 LOG:  ...")).toBe(false);
  });
});
