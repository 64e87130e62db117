import { describe, expect, it } from "vitest";
import { healthSnapshot, workloadSnapshot } from "../../../test/support/rule-harness.js";
import { recommendSettings } from "./settings-advisor.js";

const GB = 1024 ** 3;
const machine = {
  ramBytes: 16 * GB,
  cpus: 4,
  storage: "ssd" as const,
  workload: "oltp" as const,
  connections: null,
};

describe("settings advisor", () => {
  it("without a database, gives PGTune's figures and says so", () => {
    const report = recommendSettings(machine, null, null);
    expect(report.recommendations.find((r) => r.name === "shared_buffers")?.recommended).toBe("4GB");
    expect(report.notes[0]).toMatch(/no database given/);
    expect(report.recommendations.every((r) => r.changed)).toBe(true);
  });

  it("explains random_page_cost by the storage it is for", () => {
    const reason = (storage: "ssd" | "hdd") =>
      recommendSettings({ ...machine, storage }, null, null).recommendations.find(
        (r) => r.name === "random_page_cost",
      );
    expect(reason("ssd")).toMatchObject({ recommended: "1.1", reason: expect.stringMatching(/SSD/) });
    expect(reason("hdd")).toMatchObject({
      recommended: "4",
      reason: expect.stringMatching(/spinning disks/),
    });
    expect(reason("hdd")?.reason).not.toMatch(/SSD/);
  });

  it("raises work_mem for statements that spill, with the evidence", () => {
    const report = recommendSettings(
      { ...machine, workload: "mixed", connections: 300 },
      workloadSnapshot("pg18"),
      "test",
    );
    const workMem = report.recommendations.find((r) => r.name === "work_mem");
    expect(workMem?.reason).toMatch(/spill up to .* to disk per call/);
    expect(Number(workMem?.evidence.largestSpillPerCallBytes)).toBeGreaterThan(1024 * 1024);
    expect(workMem?.recommended).toMatch(/^\d+MB$/);
  });

  it("turns autovacuum back on and reads the current values as the server shows them", () => {
    const report = recommendSettings(machine, healthSnapshot("pg15"), "test");
    const autovacuum = report.recommendations.find((r) => r.name === "autovacuum");
    if (autovacuum) expect(autovacuum.recommended).toBe("on");
    const shared = report.recommendations.find((r) => r.name === "shared_buffers");
    expect(shared?.current).toBe("128MB");
    expect(shared?.restart).toBe(true);
    expect(report.recommendations.find((r) => r.name === "effective_cache_size")?.restart).toBe(false);
  });

  it("sizes shared_buffers to a small database instead of a quarter of RAM", () => {
    const report = recommendSettings(machine, workloadSnapshot("pg18"), "test");
    const shared = report.recommendations.find((r) => r.name === "shared_buffers");
    // A snapshot from before clusterSizeBytes existed: sized from the one database, and it says so.
    expect(shared?.reason).toMatch(
      /the database is .* \(this snapshot does not hold the other databases' sizes\)/,
    );
  });

  it("sizes shared_buffers from every database of the cluster, not the one analysed", () => {
    const snapshot = workloadSnapshot("pg18");
    const MB = 1024 ** 2;
    const small = { ...snapshot, database: { ...snapshot.database, sizeBytes: 100 * MB } };
    const alone = recommendSettings(
      machine,
      { ...small, database: { ...small.database, clusterSizeBytes: 100 * MB } },
      "t",
    );
    expect(alone.recommendations.find((r) => r.name === "shared_buffers")?.recommended).toBe("256MB");
    // The cluster holds 13 times more: the cache is for all of it.
    const big = { ...small, database: { ...small.database, clusterSizeBytes: 1300 * MB } };
    const shared = recommendSettings(machine, big, "t").recommendations.find(
      (r) => r.name === "shared_buffers",
    );
    expect(shared?.recommended).toBe("4GB");
    expect(shared?.reason).toMatch(/the cluster's databases hold 1\.3 GB \(this one 100\.0 MB\)/);
    expect(shared?.evidence.clusterBytes).toBe(1300 * MB);
    const medium = { ...small, database: { ...small.database, clusterSizeBytes: 700 * MB } };
    expect(
      recommendSettings(machine, medium, "t").recommendations.find((r) => r.name === "shared_buffers")
        ?.recommended,
    ).toBe("2GB");
    // Databases the role may not size could hold anything: no shrinking then.
    const unsized = {
      ...small,
      database: { ...small.database, clusterSizeBytes: 100 * MB, clusterDatabasesUnsized: 2 },
    };
    const u = recommendSettings(machine, unsized, "t").recommendations.find(
      (r) => r.name === "shared_buffers",
    );
    expect(u?.recommended).toBe("4GB");
    expect(u?.reason).toMatch(/2 databases this role may not size left out/);
  });

  it("bounds OLTP work_mem by connections × a sort and a hash each, and states the formula", () => {
    // 24 GB, 2 cores, 100 connections: PGTune alone gives 61 MB, the figure the review called too aggressive.
    const m = { ...machine, ramBytes: 24 * GB, cpus: 2, connections: 100 };
    const oltp = recommendSettings(m, null, null).recommendations.find((r) => r.name === "work_mem");
    expect(oltp?.recommended).toBe("20MB");
    expect(oltp?.reason).toMatch(
      /^RAM × 0\.25 \/ \(max_connections × \(1 \+ hash_mem_multiplier\)\) = 24\.0 GB × 0\.25 \/ \(100 × 3\).*PGTune.* would give 62914kB\)$/,
    );
    // A data warehouse runs few large queries: PGTune's figure stands.
    const dw = recommendSettings({ ...m, workload: "dw" }, null, null).recommendations.find(
      (r) => r.name === "work_mem",
    );
    expect(dw?.recommended).toBe("31457kB");
    expect(dw?.reason).toMatch(/\(PGTune\)$/);
    // The server's hash_mem_multiplier counts (1.0 before PostgreSQL 15).
    const snapshot = workloadSnapshot("pg18");
    const settings = snapshot.settings.map((s) =>
      s.name === "hash_mem_multiplier" ? { ...s, setting: "1" } : s,
    );
    const one = recommendSettings(m, { ...snapshot, settings }, "t").recommendations.find(
      (r) => r.name === "work_mem",
    );
    expect(one?.reason).toMatch(/\(100 × 2\)/);
  });
});

describe("settings advisor with many connections", () => {
  it("asks for a per-role work_mem when raising it for everyone would overcommit", () => {
    const report = recommendSettings({ ...machine, connections: 2000 }, workloadSnapshot("pg18"), "test");
    expect(report.notes.join("\n")).toMatch(
      /give their role more instead of everyone \(ALTER ROLE \w+ SET work_mem = '\d+MB';\)/,
    );
  });
});

describe("settings advisor's per-role note", () => {
  it("quotes an awkward role name, so the printed ALTER ROLE names that role", () => {
    const snapshot = workloadSnapshot("pg18");
    for (const s of snapshot.workload.statements) s.userName = 'app "ro"; drop';
    const report = recommendSettings({ ...machine, connections: 2000 }, snapshot, "test");
    expect(report.notes.join("\n")).toContain(`(ALTER ROLE "app ""ro""; drop" SET work_mem = '`);
  });
});
