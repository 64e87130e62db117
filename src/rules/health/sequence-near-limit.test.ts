import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { sequenceNearLimit } from "./sequence-near-limit.js";

describe("health/sequence-near-limit", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds an int4 sequence near 2^31 and an int4 column behind a bigint sequence (%s)",
    (version) => {
      const findings = healthFindings(sequenceNearLimit, version);
      const tickets = findings.find((f) => f.evidence.sequence === "tickets_id_seq");
      expect(tickets?.severity).toBe("error");
      expect(tickets?.fix?.sql).toBe(
        "ALTER TABLE tickets ALTER COLUMN id TYPE bigint;\nALTER SEQUENCE tickets_id_seq AS bigint;",
      );
      const legacy = findings.find((f) => f.evidence.sequence === "legacy_seq");
      expect(legacy?.evidence).toMatchObject({
        sequenceType: "bigint",
        columnType: "integer",
        limit: 2147483647,
      });
      expect(legacy?.title).toMatch(/legacy\.id's integer range/);
      expect(legacy?.fix?.sql).toBe("ALTER TABLE legacy ALTER COLUMN id TYPE bigint;");
    },
  );

  it("is quiet far from the limit", () => {
    expect(healthFindings(sequenceNearLimit, "pg18", { options: { warnShare: 0.99 } })).toEqual([]);
  });
});
