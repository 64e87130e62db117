/**
 * dbopt tune on a real server sizes the cache from the whole cluster: the database analysed is tiny, another
 * database of the same cluster is not, and shared_buffers must be sized for both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin, type TestDatabase } from "../support/servers.js";

interface Tune {
  recommendations: Array<{
    name: string;
    recommended: string;
    reason: string;
    evidence: Record<string, unknown>;
  }>;
}

describe.each(availableServers())("dbopt tune on $name", (server) => {
  let tiny: TestDatabase;
  let big: TestDatabase;
  beforeAll(async () => {
    tiny = await createTestDatabase(server, "create table t (id int primary key); insert into t values (1);");
    // About 40 MB in another database of the cluster.
    big = await createTestDatabase(
      server,
      "create table filler (id int, pad text); insert into filler select g, repeat('x', 300) from generate_series(1, 110000) g;",
    );
  }, 60_000);
  afterAll(async () => {
    await tiny?.drop();
    await big?.drop();
  });

  it("sizes shared_buffers from every database of the cluster", { timeout: 60_000 }, async () => {
    const sizes = await runAsAdmin(
      tiny.url,
      "select pg_database_size(current_database())::float8 as one, (select sum(pg_database_size(oid)) from pg_database)::float8 as cluster",
    );
    const one = Number(sizes.rows[0].one);
    const cluster = Number(sizes.rows[0].cluster);
    const r = await runCli([
      "tune",
      "--db",
      tiny.url,
      "--ram",
      "64GB",
      "--connections",
      "100",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const tune = JSON.parse(r.stdout) as Tune;
    const shared = tune.recommendations.find((x) => x.name === "shared_buffers");
    const clusterBytes = Number(shared?.evidence.clusterBytes);
    expect(Number(shared?.evidence.databaseBytes)).toBeLessThan(one * 1.5);
    // Other tests create and drop databases meanwhile: the cluster is at least this one and the big one.
    expect(clusterBytes).toBeGreaterThan(one + 35 * 1024 ** 2);
    // Measured before and after dbopt's read, since a parallel test may create or drop a large database between:
    // dbopt's figure is within half of the cluster at one of those moments.
    const after = await runAsAdmin(
      tiny.url,
      "select (select sum(pg_database_size(oid)) from pg_database)::float8 as cluster",
    );
    const clusterAfter = Number(after.rows[0].cluster);
    expect(
      Math.min(
        Math.abs(clusterBytes - cluster) / cluster,
        Math.abs(clusterBytes - clusterAfter) / clusterAfter,
      ),
    ).toBeLessThan(0.5);
    expect(shared?.reason).toMatch(/the cluster's databases hold .* \(this one .*\)/);
    // Twice the cluster, rounded up to a power of two MB: never sized as if the tiny database were all.
    const mb =
      Number(/^(\d+)MB$/.exec(shared?.recommended ?? "")?.[1] ?? 0) * 1024 ** 2 ||
      Number(/^(\d+)GB$/.exec(shared?.recommended ?? "")?.[1] ?? 0) * 1024 ** 3;
    expect(mb).toBeGreaterThanOrEqual(clusterBytes * 2);
    const workMem = tune.recommendations.find((x) => x.name === "work_mem");
    expect(workMem?.reason).toMatch(
      /^RAM × 0\.25 \/ \(max_connections × \(1 \+ hash_mem_multiplier\)\) = 64\.0 GB × 0\.25 \/ \(100 × 3\)/,
    );
    expect(workMem?.recommended).toBe("54MB");
  });
});
