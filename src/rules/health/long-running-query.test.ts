import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { longRunningQuery } from "./long-running-query.js";

describe("health/long-running-query", () => {
  it.each(["pg15", "pg18"] as const)("finds the running pg_sleep (%s)", (version) => {
    const findings = healthFindings(longRunningQuery, version, { options: { minSeconds: 1 } });
    const sleeper = findings.find((f) => String(f.query).includes("pg_sleep"));
    expect(sleeper?.evidence.application).toBe("health-fixture");
    expect(sleeper?.fix?.sql).toMatch(
      /^SELECT pg_cancel_backend\(pid\) FROM pg_stat_activity WHERE pid = \d+ AND state = 'active' AND query_start <= now\(\) - make_interval\(secs => \d+\);$/,
    );
  });

  it("is quiet at the default five minutes", () => {
    expect(healthFindings(longRunningQuery, "pg18")).toEqual([]);
  });
});
