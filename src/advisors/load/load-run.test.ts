/**
 * A load run on a real PostgreSQL 15 table with an awkward name, in this thread (the worker threads need the
 * compiled driver; test/integration/bench-cli.test.ts runs them through the CLI): the progress the one timer reads
 * from the thread's slots goes from warm-up to the run with calls that only grow and end within the result's,
 * the warm-up ends on the call path (no timer of its own), and the driver's CPU over the measured time is there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, server, type TestDatabase } from "../../../test/support/servers.js";
import type { LoadProgress } from "./load-driver.js";
import { runLoad } from "./load-run.js";

const SCHEMA = `
create table "Load ""Odd"" Rows" (id int primary key, label text not null);
insert into "Load ""Odd"" Rows" select g, 'label ' || g from generate_series(1, 1000) g;
`;

describe.each(server("pg15"))("load run on $name", (s) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(s, SCHEMA);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
  });

  it("reports warm-up then run progress, and measures calls, time and CPU after the warm-up", async () => {
    const sql = `select label from "Load ""Odd"" Rows" where id = $1`;
    const values = Array.from({ length: 50 }, (_, i) => [String(i + 1)]);
    const seen: LoadProgress[] = [];
    const result = await runLoad(
      {
        connection: { connectionString: db.url },
        statements: [{ id: "lookup", sql, weight: 1, values, inlined: [] }],
        clients: 2,
        firstClient: 0,
        protocol: "prepared",
        durationMs: 1200,
        transactions: null,
        warmupMs: 1200,
        readOnly: true,
        statementTimeoutMs: 10_000,
        seed: 7,
      },
      { threads: 1, onProgress: (p) => seen.push(p) },
    );
    const [outcome] = result.statements;
    expect(result.lostClients).toEqual([]);
    expect(outcome?.errors).toBe(0);
    expect(outcome?.histogram.count).toBeGreaterThan(0);
    // The measured time starts after the warm-up: about the duration, not warm-up plus duration.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1200);
    expect(result.elapsedMs).toBeLessThan(2400);
    expect(result.cpuMs).toBeGreaterThan(0);

    const phases = seen.map((p) => p.phase);
    expect(phases[0]).toBe("warmup");
    expect(phases.at(-1)).toBe("run");
    // Warm-up first, then the run, never back.
    expect(phases.indexOf("run")).toBeGreaterThan(phases.lastIndexOf("warmup"));
    const run = seen.filter((p) => p.phase === "run");
    for (let i = 1; i < run.length; i++) {
      expect(run[i]?.calls).toBeGreaterThanOrEqual(run[i - 1]?.calls ?? 0);
      expect(run[i]?.elapsedMs).toBeGreaterThanOrEqual(run[i - 1]?.elapsedMs ?? 0);
    }
    expect(run.at(-1)?.calls).toBeLessThanOrEqual(outcome?.histogram.count ?? 0);
    expect(run.at(-1)?.errors).toBe(0);
  }, 60_000);
});
