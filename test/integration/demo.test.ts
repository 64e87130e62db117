import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

describe("dbopt demo", () => {
  it("builds the demo shop, drives its workload and finds its planted problems", {
    timeout: 180_000,
  }, async () => {
    const started = Date.now();
    const r = await runCli(["demo", "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.kind).toBe("analyze");
    expect(report.server.version).toMatch(/^18\./);
    expect(report.workload.statementsExplained).toBeGreaterThanOrEqual(6);
    const fixes: string[] = report.findings.map((f: { fix?: { sql?: string } }) => f.fix?.sql ?? "");
    expect(fixes).toContain("CREATE INDEX CONCURRENTLY ON customers ((lower(email)));");
    expect(fixes).toContain("CREATE INDEX CONCURRENTLY ON orders (customer_id, created_at);");
    expect(fixes).toContain("SELECT id, full_name, email FROM customers WHERE id = ANY($1);");
    expect(fixes.some((sql) => sql.includes("CREATE INDEX CONCURRENTLY ON orders (total DESC, id);"))).toBe(
      true,
    );
    expect(report.findings[0].severity).toBe("error");
    // Index advice, measured with real indexes on the embedded server (it has no HypoPG).
    expect(report.advice.whatIf).toBe("sandbox");
    const advised = report.advice.recommendations.map((r: { ddl: string }) => r.ddl);
    expect(advised).toEqual(
      expect.arrayContaining(["CREATE INDEX CONCURRENTLY ON customers ((lower(email)));"]),
    );
    expect(report.advice.workload.costAfter).toBeLessThan(report.advice.workload.costBefore / 2);
    // Progress went to standard error while it worked.
    expect(r.stderr).toMatch(/loading orders/);
    expect(r.stderr).toMatch(/done in \d+\.\d s/);
    expect(Date.now() - started).toBeLessThan(90_000);
  });
});
