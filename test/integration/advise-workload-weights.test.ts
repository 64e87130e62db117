/**
 * --workload weights are call counts: a statement is worth its calls × what one call costs, and the workload's
 * INSERT, UPDATE and DELETE statements make an index's write cost count, weighted by their calls.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

interface Advice {
  recommendations: Array<{
    ddl: string;
    writeChargeMs: number;
    queries: Array<{ query: string; costBefore: number; weightMs: number }>;
  }>;
  workload: { costBefore: number };
  notes: string[];
}

const SCHEMA = `
create table lookups (id int primary key, code int not null, label text not null);
insert into lookups select g, g % 50, 'l' || g from generate_series(1, 300) g;
create table orders (id bigint primary key, customer_id int not null, total numeric(10,2) not null, note text not null);
insert into orders select g, g % 5000, g % 997, repeat('n', 40) from generate_series(1, 200000) g;
`;

describe.each(availableServers().filter((s) => s.name === "pg15"))(
  "advise --workload weights on $name",
  (server) => {
    let db: TestDatabase;
    let dir: string;
    const advise = async (workload: string) => {
      const file = join(dir, `w${Math.random().toString(36).slice(2)}.sql`);
      writeFileSync(file, workload);
      const r = await runCli(["advise", "--db", db.url, "--workload", file, "--format", "json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Advice;
    };
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "dbopt-weights-"));
      db = await createTestDatabase(server, SCHEMA);
      await runAsAdmin(db.url, "vacuum (freeze, analyze)");
      await runAsAdmin(db.url, "create extension hypopg");
    }, 60_000);
    afterAll(async () => {
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("weighs a statement by its calls × its own cost, not the weight as milliseconds", {
      timeout: 60_000,
    }, async () => {
      const advice = await advise(
        "-- weight: 1400\nselect label from lookups where code = 7;\n-- weight: 3\nselect sum(total) from orders where customer_id = 42;\n",
      );
      const effects = advice.recommendations.flatMap((r) => r.queries);
      const orders = effects.find((q) => /from orders/.test(q.query));
      // Three calls of a scan of 200,000 rows outweigh 1,400 calls of a scan of 300.
      expect(orders?.weightMs).toBeCloseTo(3 * (orders?.costBefore ?? 0) * 0.008, 1);
      expect(advice.recommendations[0]?.ddl).toMatch(/ON orders \(customer_id/);
      const lookups = effects.find((q) => /from lookups/.test(q.query));
      if (lookups) expect(lookups.weightMs).toBeCloseTo(1400 * lookups.costBefore * 0.008, 1);
      expect(advice.notes.join("\n")).toMatch(/2 statements weighted by call count × the time of one call/);
    });

    it("takes one call's time from pg_stat_statements when it knows the statement", {
      timeout: 60_000,
    }, async () => {
      await runAsAdmin(db.url, "create extension if not exists pg_stat_statements");
      for (let i = 0; i < 5; i++) await runAsAdmin(db.url, "select label from lookups where code = 7");
      const advice = await advise(
        "-- weight: 1400\nselect label from lookups where code = $1;\n-- weight: 3\nselect sum(total) from orders where customer_id = 42;\n",
      );
      expect(advice.notes.join("\n")).toMatch(
        /2 statements weighted by call count × the time of one call \(1 measured by pg_stat_statements, 1 estimated from the plan's cost/,
      );
    });

    it("charges an index for the workload's inserts, by their calls", { timeout: 60_000 }, async () => {
      const read = "-- weight: 3\nselect sum(total) from orders where customer_id = 42;\n";
      const quiet = await advise(read);
      expect(quiet.recommendations[0]?.writeChargeMs).toBe(0);
      const busy = await advise(
        `${read}-- weight: 20000\ninsert into orders (id, customer_id, total, note) values (1000000, 1, 1, 'x');\n`,
      );
      // 20,000 single-row inserts: one index entry each, 0.005 ms per B-tree entry.
      expect(busy.recommendations[0]?.writeChargeMs).toBe(100);
      // A million calls of it cost more than the index saves: nothing recommended on orders.
      const heavy = await advise(
        `${read}-- weight: 10000000\ninsert into orders (id, customer_id, total, note) values (1000000, 1, 1, 'x');\n`,
      );
      expect(heavy.recommendations.filter((r) => /ON orders/.test(r.ddl))).toEqual([]);
    });
  },
);
