import { describe, expect, it } from "vitest";
import { mariadbAvailable } from "../../../test/support/mariadb.js";
import { counterSession } from "../../../test/support/mariadb-counters.js";
import { mysqlFacts } from "../../../test/support/mysql-facts-builder.js";
import { defaultOptions } from "../rule.js";
import { mysqlMemoryOverRam } from "./memory-over-ram.js";

const MB = 1024 ** 2;
const run = (status: Record<string, string>, variables: Record<string, string>, ramBytes?: number) =>
  mysqlMemoryOverRam.check(
    { mysql: mysqlFacts({ status, variables }), ...(ramBytes ? { machine: { ramBytes } } : {}) },
    defaultOptions(mysqlMemoryOverRam),
  );

describe("mysql/memory-over-ram", () => {
  const v = {
    innodb_buffer_pool_size: String(512 * MB),
    sort_buffer_size: String(4 * MB),
    join_buffer_size: String(4 * MB),
    max_connections: "500",
    tmp_table_size: String(16 * MB),
    max_heap_table_size: String(16 * MB),
  };

  it("buffers x connections over the RAM, only when the RAM is known", () => {
    expect(run({ max_used_connections: "10" }, v)).toEqual([]);
    const [f] = run({ max_used_connections: "10" }, v, 2048 * MB);
    expect(f?.evidence.worstCaseBytes).toBe(512 * MB + 24 * MB * 500);
    // The peak seen (10 connections) fits: a note, not a warning.
    expect(f?.severity).toBe("info");
  });

  it("a warning when the peak seen does not fit either", () => {
    expect(run({ max_used_connections: "400" }, v, 2048 * MB)[0]?.severity).toBe("warning");
  });
});

const available = await mariadbAvailable();

describe.skipIf(!available)("mysql/memory-over-ram on MariaDB's own variables", () => {
  it("weighs the server's buffers and max_connections against a 64 MB machine, and not against a large one", async () => {
    const s = await counterSession();
    try {
      const status = await s.status("GLOBAL");
      const variables = await s.variables("GLOBAL");
      const [f] = run(status, variables, 64 * MB);
      expect(f?.evidence).toMatchObject({
        ramBytes: 64 * MB,
        maxConnections: Number(variables.max_connections),
      });
      expect(Number(f?.evidence.globalBuffersBytes)).toBeGreaterThanOrEqual(
        Number(variables.innodb_buffer_pool_size),
      );
      const worst = Number(f?.evidence.worstCaseBytes);
      expect(run(status, variables, Math.ceil(worst / 0.9) + 1)).toEqual([]);
    } finally {
      await s.end();
    }
  }, 30_000);
});
