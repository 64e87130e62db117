/**
 * Issue #16: "87% of checkpoints requested → raise max_wal_size" must rest on WAL per checkpoint. Two private
 * servers of each version (the shared PG15 must keep its statistics and settings): one with the smallest
 * max_wal_size driven with writes (real WAL-driven requested checkpoints), one where only CHECKPOINT commands
 * request them.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recommendSettings } from "../../src/advisors/settings/settings-advisor.js";
import { runnableBinDirectory } from "../../src/connectors/embedded/embedded-server.js";
import { PostgresConnector } from "../../src/connectors/postgres/postgres-connector.js";
import { resolveTarget } from "../../src/connectors/postgres/target.js";
import { collectSnapshot } from "../../src/facts/collect/collect-snapshot.js";
import type { Snapshot } from "../../src/facts/snapshot.js";
import { analyzeCheckpoints, checkpoints } from "../../src/rules/health/checkpoints.js";
import { defaultOptions } from "../../src/rules/rule.js";
import { PG15_BIN, type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.js";

const MB = 1024 ** 2;
const GB = 1024 ** 3;
const machine = { ramBytes: 8 * GB, cpus: 2, storage: "ssd", workload: "web", connections: 100 } as const;

async function run(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

async function snapshotOf(url: string): Promise<Snapshot> {
  // Backends flush their WAL statistics at most once a second: wait for the last ones.
  await new Promise((r) => setTimeout(r, 1200));
  const db = await PostgresConnector.connect(resolveTarget({ db: url }));
  try {
    return await collectSnapshot(db);
  } finally {
    await db.close();
  }
}

const versions = [
  { name: "pg15", bin: PG15_BIN, source: "pg_stat_bgwriter" },
  { name: "pg18", bin: null, source: "pg_stat_checkpointer" },
] as const;

describe.each(versions)("checkpoint evidence on a private $name", ({ bin, source }) => {
  const servers: PrivatePostgres[] = [];
  let walDriven: Snapshot;
  let manual: Snapshot;

  beforeAll(async () => {
    const port = () => 56_000 + Math.floor(Math.random() * 2000);
    // The smallest max_wal_size (two 16MB segments): the trigger is one segment, so writes force checkpoints.
    // PostgreSQL 18's programs as the postgres user can run them (a copy when the checkout is in a 0700 folder).
    const binDir = bin ?? `${await runnableBinDirectory()}/`;
    const small = startPrivatePostgres(binDir, port(), {
      max_wal_size: "32MB",
      min_wal_size: "32MB",
      checkpoint_timeout: "1h",
      autovacuum: "off",
    });
    servers.push(small);
    await run(small.url, [
      "create table t (id bigint, payload text)",
      ...Array.from(
        { length: 20 },
        () => "insert into t select g, repeat('x', 100) from generate_series(1, 100000) g",
      ),
    ]);
    walDriven = await snapshotOf(small.url);
    // Default max_wal_size (1GB); only CHECKPOINT commands request checkpoints.
    const big = startPrivatePostgres(binDir, port(), { checkpoint_timeout: "1h", autovacuum: "off" });
    servers.push(big);
    await run(big.url, [
      "create table t (id bigint)",
      ...Array.from({ length: 12 }, (_, i) => [`insert into t values (${i})`, "checkpoint"]).flat(),
    ]);
    manual = await snapshotOf(big.url);
  }, 90_000);

  afterAll(() => {
    for (const s of servers) s.remove();
  });

  it("collects WAL bytes and the checkpoint counters over one period", () => {
    for (const s of [walDriven, manual]) {
      expect(s.checkpoints?.source).toBe(source);
      expect(s.checkpoints?.walBytes).toBeGreaterThan(0);
      expect(s.checkpoints?.serverStartedAt).toBeTruthy();
      expect(s.checkpoints?.serverNow).toBeTruthy();
      expect(analyzeCheckpoints(s)?.verdict).not.toBe("unknown");
    }
    if (source === "pg_stat_checkpointer") expect(walDriven.checkpoints?.done).toBeGreaterThan(0);
    else expect(walDriven.checkpoints?.done).toBeNull();
  });

  it("writes against a 32MB max_wal_size: WAL-driven, max_wal_size sized from the measured rate", () => {
    const c = analyzeCheckpoints(walDriven);
    expect(c?.verdict).toBe("wal-driven");
    expect(c?.requested).toBeGreaterThanOrEqual(10);
    // A few seconds of counters: the rate per checkpoint_timeout is extrapolated, and the reason says so.
    expect(c?.shortPeriod).toBe(true);
    expect(c?.triggerBytes).toBe(16 * MB);
    expect(c?.walPerCheckpointBytes).toBeGreaterThanOrEqual(8 * MB);
    // WAL per checkpoint_timeout × 2 × (1 + 0.9), rounded up to whole GB above 1GB.
    const raw = (c?.walPerTimeoutBytes ?? 0) * 2 * 1.9;
    expect(c?.suggestedMaxWalBytes).toBeGreaterThanOrEqual(raw);
    expect(c?.suggestedMaxWalBytes).toBeLessThan(raw + GB);
    expect(c?.peaksOnly).toBe(false);
    const [finding] = checkpoints.check({ snapshot: walDriven }, defaultOptions(checkpoints));
    expect(finding?.title).toContain("forced by WAL volume");
    expect(finding?.severity).toBe("warning");
    const bytes = c?.suggestedMaxWalBytes ?? 0;
    const text = bytes % GB === 0 ? `${bytes / GB}GB` : `${bytes / MB}MB`;
    expect(finding?.fix?.sql).toMatch(new RegExp(`max_wal_size.*'${text}'`));
    expect(finding?.detail).toContain("× 2 × (1 + 0.9)");
    expect(finding?.detail).toContain("extrapolated");
    const tune = recommendSettings(machine, walDriven, null);
    const rec = tune.recommendations.find((r) => r.name === "max_wal_size");
    expect(rec?.reason).toContain("WAL volume forces the requested checkpoints");
    expect(rec?.evidence.triggerBytes).toBe(16 * MB);
    expect(tune.notes.join("\n")).not.toContain("not by WAL volume");
  });

  it("only CHECKPOINT commands: no max_wal_size advice, the finding names manual checkpoints", () => {
    const c = analyzeCheckpoints(manual);
    expect(c?.verdict).toBe("other-causes");
    expect(c?.requested).toBeGreaterThanOrEqual(12);
    expect(c?.walDrivenShareAtMost).toBeLessThan(0.1);
    const [finding] = checkpoints.check({ snapshot: manual }, defaultOptions(checkpoints));
    expect(finding?.severity).toBe("info");
    expect(finding?.fix).toBeUndefined();
    expect(finding?.detail).toContain("manual CHECKPOINT commands");
    expect(finding?.evidence.maxWalSizeBytes).toBe(GB);
    const tune = recommendSettings(machine, manual, null);
    const rec = tune.recommendations.find((r) => r.name === "max_wal_size");
    expect(rec?.reason).not.toContain("WAL volume forces");
    expect(tune.notes.join("\n")).toContain("not by WAL volume");
  });
});
