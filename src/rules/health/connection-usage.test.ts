import { describe, expect, it } from "vitest";
import { healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
import { connectionUsage } from "./connection-usage.js";

describe("health/connection-usage", () => {
  it.each(["pg15", "pg18"] as const)("counts client connections against max_connections (%s)", (version) => {
    const [finding] = healthFindings(connectionUsage, version, { options: { warnShare: 0 } });
    expect(Number(finding?.evidence.connections)).toBeGreaterThanOrEqual(4);
    expect(finding?.evidence.available).toBe(
      Number(finding?.evidence.maxConnections) - Number(finding?.evidence.reservedConnections),
    );
  });

  it("suggests a pooler when most connections are idle", () => {
    const snapshot = healthSnapshot("pg18");
    snapshot.activity.connectionsByState = { idle: 85, active: 5 };
    const [finding] = healthFindings(connectionUsage, "pg18", { snapshot });
    expect(finding?.severity).toBe("error");
    expect(finding?.fix?.note).toMatch(/pooler/);
  });
});
