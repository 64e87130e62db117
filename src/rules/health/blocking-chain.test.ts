import { describe, expect, it } from "vitest";
import { healthFindings, healthSnapshot } from "../../../test/support/rule-harness.js";
import { blockingChain } from "./blocking-chain.js";

describe("health/blocking-chain", () => {
  it.each(["pg15", "pg18"] as const)("draws the tree from the blocking session (%s)", (version) => {
    const [finding] = healthFindings(blockingChain, version, { options: { minWaitSeconds: 1 } });
    expect(finding?.evidence).toMatchObject({ blocked: 1, rootState: "idle in transaction" });
    expect(finding?.detail).toMatch(
      /pid \d+ postgres \[idle in transaction[^\]]*\] update tickets set title = 'held'/,
    );
    expect(finding?.detail).toMatch(
      /\n {2}└ pid \d+ postgres \[active, waits Lock\/transactionid\] update tickets set title = 'waiting'/,
    );
  });

  it("follows chains several levels deep", () => {
    const snapshot = healthSnapshot("pg18");
    const base = snapshot.activity.sessions[0] as NonNullable<(typeof snapshot.activity.sessions)[0]>;
    snapshot.activity.sessions = [
      { ...base, pid: 1, blockedBy: [], state: "idle in transaction" },
      { ...base, pid: 2, blockedBy: [1], stateAgeS: 30 },
      { ...base, pid: 3, blockedBy: [2], stateAgeS: 20 },
      { ...base, pid: 4, blockedBy: [1], stateAgeS: 10 },
    ];
    const [finding] = healthFindings(blockingChain, "pg18", { snapshot });
    expect(finding?.evidence).toMatchObject({ rootPid: 1, blocked: 3, longestWaitSeconds: 30 });
  });

  it("names the session holding an ACCESS EXCLUSIVE lock that made dbopt skip a table, even before anyone waited", () => {
    const snapshot = healthSnapshot("pg18");
    const base = snapshot.activity.sessions[0] as NonNullable<(typeof snapshot.activity.sessions)[0]>;
    snapshot.activity.sessions = [
      { ...base, pid: 7, blockedBy: [], state: "idle in transaction", xactAgeS: 90 },
    ];
    const lock = {
      pid: 7,
      mode: "AccessExclusiveLock",
      granted: true,
      user: "app",
      state: "idle in transaction",
      query: "alter table orders add column note text",
      heldSeconds: 90,
      blockedBy: [],
      on: null,
    };
    snapshot.skipped = [{ schema: "public", name: "orders", kind: "table", reason: "locked by pid 7", lock }];
    const [finding] = healthFindings(blockingChain, "pg18", { snapshot });
    expect(finding?.title).toBe("pid 7 holds AccessExclusiveLock on public.orders: every query on it waits");
    expect(finding?.severity).toBe("error");
    expect(finding?.evidence).toMatchObject({ rootPid: 7, lockedObjects: "public.orders", heldSeconds: 90 });
    expect(finding?.detail).toMatch(/public\.orders: locked by pid 7/);
  });
});
