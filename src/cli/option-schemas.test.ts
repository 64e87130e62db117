import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../util/input-error.js";
import {
  connectionChecks,
  outputChecks,
  outputProblem,
  parseInstant,
  parseOptions,
} from "./option-schemas.js";

const dir = mkdtempSync(join(tmpdir(), "dbopt-option-schemas-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problem(values: Record<string, unknown>, build: Parameters<typeof parseOptions>[2]) {
  try {
    await parseOptions("test", values, build);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).hint).toBe("run dbopt test --help for the options");
    return (error as Error).message;
  }
}

describe("parseOptions", () => {
  it("converts good values to what the command uses", async () => {
    const out = await parseOptions(
      "test",
      { top: "12", min: "7.5%", budget: "1.5GB", timeout: "2min", format: "json", files: [join(dir)] },
      (k) => ({
        top: k.wholeNumber("--top", 1, 100),
        min: k.percentage("--min"),
        budget: k.size("--budget"),
        timeout: k.duration("--timeout"),
        format: k.oneOf("--format", ["terminal", "json"]),
        files: k.z.array(k.inputPath("a file")),
        absent: k.text("--absent").optional(),
      }),
    );
    expect(out).toEqual({
      top: 12,
      min: 0.075,
      budget: 1.5 * 1024 ** 3,
      timeout: 120_000,
      format: "json",
      files: [dir],
      absent: undefined,
    });
  });

  it.each([
    [{ top: "abc" }, '--top must be a whole number from 1 to 100, got "abc"'],
    [{ top: "101" }, '--top must be a whole number from 1 to 100, got "101"'],
    [{ top: "1e2" }, '--top must be a whole number from 1 to 100, got "1e2"'],
    [{ top: "" }, "--top needs a value, got an empty string"],
    [{ top: true }, "--top needs a value"],
  ])("rejects %o", async (values, message) => {
    expect(await problem(values, (k) => ({ top: k.wholeNumber("--top", 1, 100) }))).toBe(message);
  });

  it("percentages stay within 0% to 100%", async () => {
    const check = (v: string) => problem({ p: v }, (k) => ({ p: k.percentage("--p") }));
    expect(await check("0")).toBeNull();
    expect(await check("100%")).toBeNull();
    expect(await check("500%")).toBe('--p must be a percentage from 0% to 100%, like 5%, got "500%"');
    expect(await check("-5%")).toMatch(/must be a percentage/);
  });

  it("sizes and durations parse, with a floor", async () => {
    expect(await problem({ s: "1MB" }, (k) => ({ s: k.size("--s", 64 * 1024 ** 2) }))).toBe(
      '--s must be a size of at least 64MB, got "1MB"',
    );
    expect(await problem({ s: "lots" }, (k) => ({ s: k.size("--s") }))).toMatch(/must be a size like 512MB/);
    expect(await problem({ d: "0s" }, (k) => ({ d: k.duration("--d") }))).toMatch(/at least 1ms/);
    expect(await problem({ d: "soon" }, (k) => ({ d: k.duration("--d") }))).toMatch(
      /like 30s, 500ms or 2min/,
    );
  });

  it("files must exist and be files; - is standard input where allowed", async () => {
    const file = join(dir, "plan.txt");
    writeFileSync(file, "x");
    const check = (v: string, stdin = false) =>
      problem({ f: v }, (k) => ({ f: k.inputFile("--f", { stdin }) }));
    expect(await check(file)).toBeNull();
    expect(await check("-", true)).toBeNull();
    expect(await check("-")).toBe('--f "-" does not exist');
    expect(await check(dir)).toBe(`--f ${JSON.stringify(dir)} is a folder, not a file`);
    expect(await check(join(dir, "nope"))).toMatch(/does not exist$/);
  });

  it("the shared connection and output checks", async () => {
    const check = (values: Record<string, unknown>) =>
      problem(values, (k) => ({ ...connectionChecks(k), ...outputChecks(k, ["terminal", "json"]) }));
    expect(await check({ db: "postgresql://u@h/d", format: "json", failOn: "warning" })).toBeNull();
    expect(await check({ db: "mysql://u@h/d" })).toMatch(/--db must be a PostgreSQL URL/);
    expect(await check({ failOn: "fatal" })).toBe(
      '--fail-on must be one of error, warning, info, got "fatal"',
    );
    expect(await check({ format: "xml" })).toBe('--format must be one of terminal, json, got "xml"');
    expect(await check({ output: dir })).toMatch(
      /--output ".*" cannot be written: it is a folder; name a file in it/,
    );
  });
});

describe("outputProblem", () => {
  it("names why a report cannot be written there", () => {
    expect(outputProblem(join(dir, "report.json"))).toBeNull();
    expect(outputProblem(dir)).toBe("it is a folder; name a file in it");
    expect(outputProblem(join(dir, "missing", "r.json"))).toBe(
      `the folder ${join(dir, "missing")} does not exist`,
    );
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    expect(outputProblem(join(file, "r.json"))).toBe(`${file} is not a folder`);
  });

  it.skipIf(process.getuid?.() === 0)("an unwritable folder (not as root, who may write anywhere)", () => {
    const locked = join(dir, "locked");
    rmSync(locked, { recursive: true, force: true });
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    expect(outputProblem(join(locked, "r.json"))).toMatch(/cannot be written to \(permission denied\)/);
  });
});

describe("parseInstant", () => {
  it("reads dates and times, UTC unless a zone is given", () => {
    expect(parseInstant("2026-11-26")).toBe(Date.parse("2026-11-26T00:00Z"));
    expect(parseInstant("2026-11-26 14:00")).toBe(Date.parse("2026-11-26T14:00Z"));
    expect(parseInstant("2026-11-26T14:00+01:00")).toBe(Date.parse("2026-11-26T13:00Z"));
    expect(parseInstant("yesterday")).toBeNull();
    expect(parseInstant("14:00")).toBeNull();
  });
});
