import { describe, expect, it } from "vitest";
import { healthFindings } from "../../../test/support/rule-harness.js";
import { idleInTransaction } from "./idle-in-transaction.js";

describe("health/idle-in-transaction", () => {
  it.each(["pg15", "pg18"] as const)(
    "finds the transaction left open, and that it blocks another (%s)",
    (version) => {
      const [finding] = healthFindings(idleInTransaction, version, { options: { minSeconds: 1 } });
      expect(finding?.evidence).toMatchObject({ blocking: 1, application: "health-fixture" });
      expect(finding?.severity).toBe("error");
      expect(finding?.fix?.sql).toMatch(
        /^SELECT pg_terminate_backend\(pid\) FROM pg_stat_activity WHERE pid = \d+ AND state = 'idle in transaction' AND xact_start <= now\(\) - make_interval\(secs => \d+\);\nALTER SYSTEM SET idle_in_transaction_session_timeout = '5min';/,
      );
    },
  );

  it("is quiet below the threshold", () => {
    expect(healthFindings(idleInTransaction, "pg18")).toEqual([]);
  });
});
