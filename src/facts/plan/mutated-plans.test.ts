/**
 * Every captured and collected plan, cut short, with lines taken out or broken in two: each reads, or fails
 * with one InputError line (exit 2), never with another error (which the CLI would report as a bug).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.js";
import { InputError } from "../../util/input-error.js";
import { parsePlan } from "./plan-input.js";

const FOLDERS = [
  "pg15",
  "pg18",
  "real/psql",
  "real/psql/pg18",
  "real/pev2/from-text",
  "real/pev2/12-line-wrapped-plans",
  "real/pev2/11-psql-frames",
  "real/postgres-regress",
];
const files = FOLDERS.flatMap((folder) =>
  readdirSync(join(FIXTURES, "plans", folder))
    .filter((f) => /\.(txt|json|plan|out)$|-plan$/.test(f))
    .map((f) => join(FIXTURES, "plans", folder, f)),
);

/** A fixed pseudo-random sequence, so a failure can be run again. */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function mutate(text: string, random: () => number): string {
  const choice = random();
  if (choice < 1 / 3) return text.slice(0, Math.floor(random() * text.length));
  if (choice < 2 / 3) {
    const lines = text.split("\n");
    lines.splice(Math.floor(random() * lines.length), 1 + Math.floor(random() * 3));
    return lines.join("\n");
  }
  const at = Math.floor(random() * text.length);
  return `${text.slice(0, at)}\n${text.slice(at)}`;
}

describe("damaged plans", () => {
  it("has the plans to damage", () => expect(files.length).toBeGreaterThan(300));

  it("read, or fail with an InputError, for three damaged copies of each", () => {
    const random = randomFrom(42);
    const failures: string[] = [];
    let read = 0;
    let refused = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (let k = 0; k < 3; k++) {
        try {
          parsePlan(mutate(text, random));
          read++;
        } catch (error) {
          if (error instanceof InputError) refused++;
          else failures.push(`${file}: ${(error as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
