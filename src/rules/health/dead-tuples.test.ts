import { describe, expect, it } from "vitest";
import { healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
import { autovacuumThreshold, deadTuples } from "./dead-tuples.js";

describe("health/dead-tuples", () => {
  it.each(["pg15", "pg18"] as const)("finds dead rows in tables with autovacuum off (%s)", (version) => {
    const findings = healthFindings(deadTuples, version);
    const sessions = findings.find((f) => f.evidence.table === "sessions");
    expect(sessions?.evidence).toMatchObject({ deadTuples: 50000, autovacuumEnabled: false });
    expect(sessions?.fix?.sql).toBe(
      "VACUUM (ANALYZE) sessions;\nALTER TABLE sessions RESET (autovacuum_enabled);",
    );
  });

  it("computes each table's autovacuum threshold from its own settings", () => {
    const snapshot = healthSnapshot("pg18");
    const sessions = snapshot.tables.find((t) => t.name === "sessions");
    const table = sessions as NonNullable<typeof sessions>;
    expect(autovacuumThreshold(snapshot, table)).toBe(50 + 0.2 * table.rowsEstimate);
    expect(
      autovacuumThreshold(snapshot, { ...table, options: ["autovacuum_vacuum_scale_factor=0.01"] }),
    ).toBe(50 + 0.01 * table.rowsEstimate);
  });
});
