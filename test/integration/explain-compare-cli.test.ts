/**
 * `dbopt explain --compare` as a user runs it, on before/after plans captured from PostgreSQL 15 and 18
 * (test/fixtures/plans/compare): it names the node where the plans diverge, in every format and every way of
 * giving the plans, and refuses bad input in one line with exit code 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../support/fixtures.js";
import { runCli } from "../support/run-cli.js";

const dir = (version: string) => join(FIXTURES, "plans", "compare", version);
const file = (version: string, name: string, side: "before" | "after", format = "txt") =>
  join(dir(version), `${name}.${side}.${format}`);
const scratch = mkdtempSync(join(tmpdir(), "dbopt-compare-"));

/** One line on standard error, exit 2, nothing on standard output. */
function expectRefused(r: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe.each(["pg15", "pg18"])("dbopt explain --compare on %s plans", (version) => {
  it("names the node where the plans diverge and why, on a terminal", async () => {
    const r = await runCli([
      "explain",
      "--compare",
      file(version, "index-dropped-join", "before"),
      file(version, "index-dropped-join", "after", "json"),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Where the plans diverge: Nested Loop → Hash Join");
    expect(r.stdout).toMatch(
      /- the index orders_customer_id_idx is no longer used: Bitmap Heap Scan on orders o → Seq Scan on orders o/,
    );
    expect(r.stdout).toMatch(/~ Nested Loop → Hash Join {3}◀ diverges here/);
    expect(r.stdout).toMatch(/\+ {3}Hash \(added\)/);
    expect(r.stdout).toMatch(/execution [\d.]+ ms, was [\d.]+ ms: [\d.]+× slower/);
  });

  it("writes JSON and Markdown with the same verdict", async () => {
    const args = [
      "explain",
      "--compare",
      file(version, "stale-statistics", "before"),
      file(version, "stale-statistics", "after"),
    ];
    const json = await runCli([...args, "--format", "json"]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.kind).toBe("plan-comparison");
    expect(report.verdict.divergence.label).toBe("Hash Join → Nested Loop");
    expect(report.verdict.divergence.why.join("\n")).toContain(
      "estimate off by 30,000× on Seq Scan on events e in the after plan (est. 1, actual 30,000): the likely cause of the plan flip",
    );
    const scan = report.entries.find(
      (e: { after: { label: string } | null }) => e.after?.label === "Seq Scan on events e",
    );
    expect(scan.figures.find((f: { name: string }) => f.name === "est. rows")).toMatchObject({
      before: expect.any(Number),
      after: 1,
    });
    const md = await runCli([...args, "--format", "markdown"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("### Where the plans diverge: Hash Join → Nested Loop");
    expect(md.stdout).toContain("| | Node | Figures (before → after) | Changes |");
    expect(md.stdout).toContain("**Hash Join → Nested Loop** ◀ diverges here");
  });

  it("reads one plan from standard input, FILE:N, and one file holding both plans", async () => {
    const before = file(version, "sort-spills", "before");
    const after = file(version, "sort-spills", "after");
    const both = join(scratch, `${version}-both.txt`);
    writeFileSync(both, `${readFileSync(before, "utf8")}\n${readFileSync(after, "utf8")}`);
    const runs = await Promise.all([
      runCli(["explain", "--compare", before, "-", "--format", "json"], {
        input: readFileSync(after, "utf8"),
      }),
      runCli(["explain", "--compare", `${both}:1`, `${both}:2`, "--format", "json"]),
      runCli(["explain", "--compare", both, "--format", "json"]),
      runCli(["explain", "--compare", "-", "--format", "json"], { input: readFileSync(both, "utf8") }),
    ]);
    for (const r of runs) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.verdict.divergence.label).toBe("Sort");
      expect(report.verdict.divergence.why[0]).toMatch(/^sort spilled to disk: quicksort → external merge/);
    }
    expect(JSON.parse(runs[2]?.stdout ?? "").before.source).toBe(`${both} (plan 1)`);
  });
});

describe("dbopt explain --compare refuses bad input in one line", () => {
  const before = file("pg15", "index-dropped-join", "before");
  it("a missing file", async () => {
    expectRefused(
      await runCli(["explain", "--compare", before, join(scratch, "missing.txt")]),
      /--compare ".*missing\.txt" does not exist/,
    );
  });

  it("a truncated plan, text or JSON", async () => {
    const text = readFileSync(file("pg15", "index-dropped-join", "after"), "utf8").split("\n");
    const cutText = join(scratch, "cut.txt");
    writeFileSync(cutText, text.slice(0, 6).join("\n"));
    expectRefused(
      await runCli(["explain", "--compare", before, cutText]),
      /the after plan \(.*cut\.txt\) looks cut off: Hash \(node 3\) has no input under it/,
    );
    const cutJson = join(scratch, "cut.json");
    writeFileSync(
      cutJson,
      readFileSync(file("pg15", "index-dropped-join", "after", "json"), "utf8").slice(0, 1500),
    );
    expectRefused(
      await runCli(["explain", "--compare", cutJson, before]),
      /the before plan \(.*cut\.json\): the plan looks like JSON but does not parse; it may be truncated/,
    );
  });

  it("plans of two different statements", async () => {
    expectRefused(
      await runCli([
        "explain",
        "--compare",
        file("pg15", "other-statement", "before"),
        file("pg15", "sort-spills", "after"),
      ]),
      /the plans do not look like the same statement: the before plan reads customers, the after plan orders/,
    );
  });

  it("wrong counts and combinations", async () => {
    expectRefused(
      await runCli(["explain", "--compare", before, before, before]),
      /--compare takes two plans \(before, after\), got 3/,
    );
    expectRefused(
      await runCli(["explain", "--compare", before]),
      /holds 1 plan; --compare with one file needs exactly two/,
    );
    expectRefused(
      await runCli(["explain", "--compare", "-", "-"], { input: "" }),
      /standard input can give only one of the two plans/,
    );
    expectRefused(
      await runCli(["explain", "--compare", before, before, "--sql", "select 1"]),
      /--sql cannot be used with it/,
    );
  });
});
