import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const STABLE = new URL("../fixtures/traces/pg-stable.otlp.json", import.meta.url).pathname;

describe("dbopt traces", () => {
  it("reports the sequential and the concurrent N+1 on a terminal", async () => {
    const r = await runCli(["traces", STABLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("in:       GET /customers/orders?parallel · shop-api");
    expect(r.stdout).toMatch(/concurrent in 1 of 1/);
    expect(r.stdout).toMatch(/sequential: one call after another/);
    expect(r.stdout).toContain("customer_id = ANY ($1)");
  });

  it("prints JSON from standard input", async () => {
    const r = await runCli(["traces", "-", "--format", "json"], { input: readFileSync(STABLE, "utf8") });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { nPlusOne: unknown[]; dbSpans: number };
    expect(out.dbSpans).toBe(32);
    expect(out.nPlusOne).toHaveLength(2);
  });

  it("fails with one line on a file that is not OTLP/JSON", async () => {
    const r = await runCli(["traces", "-"], { input: '{"hello": 1}' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dbopt: error: standard input holds no OTLP\/JSON trace data/);
  });
});
