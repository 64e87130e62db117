import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { replicationLag } from "./replication-lag.js";

describe("health/replication-lag", () => {
  it.each(["pg15", "pg18"] as const)("finds the inactive slot and the WAL it holds (%s)", (version) => {
    const [finding] = healthFindings(replicationLag, version, { options: { minRetainedBytes: 0 } });
    expect(finding?.evidence).toMatchObject({ type: "physical", active: false });
    expect(finding?.fix?.sql).toMatch(/^SELECT pg_drop_replication_slot\('dbopt_test_[0-9a-f]+'\);$/);
  });

  it("is quiet while the slot retains little", () => {
    expect(healthFindings(replicationLag, "pg18")).toEqual([]);
  });
});
