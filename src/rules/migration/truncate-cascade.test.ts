import { describe, expect, it } from "vitest";
import { lintSql } from "../../../test/support/migration-harness.js";
import { truncateCascade } from "./truncate-cascade.js";

describe("migration/truncate-cascade", () => {
  it("reports TRUNCATE ... CASCADE with the lock it takes", async () => {
    const [f] = await lintSql(truncateCascade, "truncate table customers, orders cascade;");
    expect(f).toMatchObject({
      severity: "error",
      title: "TRUNCATE customers, orders CASCADE also empties every table that references them",
      evidence: { lock: "AccessExclusiveLock", blocks: "reads and writes" },
    });
  });

  it("is quiet for TRUNCATE without CASCADE (PostgreSQL refuses it if another table references these)", async () => {
    expect(await lintSql(truncateCascade, "truncate customers;\ntruncate orders restrict;")).toEqual([]);
  });
});
