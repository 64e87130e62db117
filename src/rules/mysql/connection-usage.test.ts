import { describe, expect, it } from "vitest";
import { mariadbAvailable } from "../../../test/support/mariadb.js";
import { type CounterSession, counterSession } from "../../../test/support/mariadb-counters.js";
import { mysqlFacts } from "../../../test/support/mysql-facts-builder.js";
import { defaultOptions } from "../rule.js";
import { mysqlConnectionUsage } from "./connection-usage.js";

const run = (status: Record<string, string>, variables: Record<string, string>, options = {}) =>
  mysqlConnectionUsage.check(
    { mysql: mysqlFacts({ status, variables }) },
    { ...defaultOptions(mysqlConnectionUsage), ...options },
  );

describe("mysql/connection-usage", () => {
  it("connections used against max_connections", () => {
    expect(run({ max_used_connections: "150" }, { max_connections: "151" })[0]?.severity).toBe("info");
    expect(run({ max_used_connections: "20" }, { max_connections: "151" })).toEqual([]);
  });
});

const available = await mariadbAvailable();

describe.skipIf(!available)("mysql/connection-usage on MariaDB's own counters", () => {
  it("counts the connections this test opens in Max_used_connections and weighs them against max_connections", async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => counterSession()));
    try {
      const [first] = sessions as [CounterSession];
      const status = await first.status("GLOBAL");
      const variables = await first.variables("GLOBAL");
      const used = Number(status.max_used_connections);
      const max = Number(variables.max_connections);
      expect(used).toBeGreaterThanOrEqual(6);
      // At a share just under the server's peak it is reported with the server's numbers; just over, not.
      const [f] = run(status, variables, { warnShare: (used - 0.5) / max });
      expect(f?.evidence).toMatchObject({ maxUsedConnections: used, maxConnections: max });
      expect(run(status, variables, { warnShare: (used + 0.5) / max })).toEqual([]);
    } finally {
      await Promise.all(sessions.map((s) => s.end()));
    }
  }, 30_000);
});
