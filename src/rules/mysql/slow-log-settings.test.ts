import { describe, expect, it } from "vitest";
import { mariadbAvailable } from "../../../test/support/mariadb.js";
import { counterSession } from "../../../test/support/mariadb-counters.js";
import { mysqlFacts } from "../../../test/support/mysql-facts-builder.js";
import { checkMysqlSql } from "../../util/mysql-sql-check.js";
import { defaultOptions } from "../rule.js";
import { mysqlSlowLogSettings } from "./slow-log-settings.js";

const run = (variables: Record<string, string>) =>
  mysqlSlowLogSettings.check({ mysql: mysqlFacts({ variables }) }, defaultOptions(mysqlSlowLogSettings));

describe("mysql/slow-log-settings", () => {
  it("slow log off, or its threshold too high; on with a low threshold is fine", () => {
    const [off] = run({ slow_query_log: "OFF", long_query_time: "10.000000" });
    checkMysqlSql(String(off?.fix?.sql));
    expect(run({ slow_query_log: "ON", long_query_time: "0.500000" })).toEqual([]);
  });
});

const available = await mariadbAvailable();

describe.skipIf(!available)("mysql/slow-log-settings on MariaDB's own variables", () => {
  it("reads the settings the server prints: off, then on at 10 s, then on at 0.5 s", async () => {
    // MariaDB lets a session set both variables, so each condition is made without touching the server's own.
    const s = await counterSession();
    try {
      await s.run("SET SESSION slow_query_log = 0, SESSION long_query_time = 0.5");
      expect(run(await s.variables("SESSION"))).toHaveLength(1);
      await s.run("SET SESSION slow_query_log = 1, SESSION long_query_time = 10");
      const [coarse] = run(await s.variables("SESSION"));
      expect(coarse).toBeDefined();
      checkMysqlSql(String(coarse?.fix?.sql));
      await s.run("SET SESSION long_query_time = 0.5");
      expect(run(await s.variables("SESSION"))).toEqual([]);
    } finally {
      await s.end();
    }
  }, 30_000);
});
