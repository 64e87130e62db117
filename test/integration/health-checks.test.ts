import { beforeAll, describe, expect, it } from "vitest";
import { withHealthConditions } from "../fixtures/health/capture-health.js";
import { FIXTURES } from "../support/fixtures.js";
import { runCli } from "../support/run-cli.js";
import { availableServers, createTestDatabase, runAsAdmin } from "../support/servers.js";

interface JsonFinding {
  ruleId: string;
  severity: string;
  evidence: Record<string, unknown>;
  fix?: { sql?: string };
  objects?: string[];
}

const LOW_THRESHOLDS = [
  "health/unused-index.minStatsDays=0",
  "health/blocking-chain.minWaitSeconds=1",
  "health/idle-in-transaction.minSeconds=1",
  "health/long-running-query.minSeconds=1",
  "health/replication-lag.minRetainedBytes=0",
  "health/temp-files.minBytes=1",
  "health/xid-wraparound.warnAge=1",
  "health/cache-hit-ratio.minRatio=1.01",
  "health/cache-hit-ratio.minReads=0",
  "health/connection-usage.warnShare=0",
  "health/checkpoints.minCheckpoints=1",
  "health/checkpoints.maxRequestedShare=0",
  "health/null-heavy-index.minBytes=0",
  "health/index-bloat.minBytes=1048576",
].flatMap((s) => ["--set", s]);

/** Table- and index-level checks: a clean schema must raise none of them. */
const SCHEMA_RULES = [
  "health/duplicate-index",
  "health/redundant-index",
  "health/invalid-index",
  "health/null-heavy-index",
  "health/index-bloat",
  "health/table-bloat",
  "health/missing-primary-key",
  "health/fk-without-index",
  "health/not-valid-constraint",
  "health/sequence-near-limit",
  "health/column-type-smell",
  "health/dead-tuples",
  "health/hot-updates",
];

describe.each(availableServers())("dbopt check on $name", (server) => {
  // One database with every planted condition per server (its schema, statistics and live sessions take 10-20 s
  // to build on a loaded machine): the plain check runs first, then --exact once pgstattuple is added.
  let found: JsonFinding[];
  let exact: JsonFinding[];
  beforeAll(async () => {
    [found, exact] = await withHealthConditions(server.adminUrl, async (url) => {
      const r = await runCli([
        "check",
        "--db",
        url,
        "--format",
        "json",
        "--ram",
        "64GB",
        "--storage",
        "ssd",
        ...LOW_THRESHOLDS,
      ]);
      expect(r.code, r.stderr).toBe(0);
      await runAsAdmin(url, "create extension pgstattuple");
      const e = await runCli([
        "check",
        "--db",
        url,
        "--exact",
        "--format",
        "json",
        "--set",
        "health/index-bloat.minBytes=1048576",
      ]);
      expect(e.code, e.stderr).toBe(0);
      return [JSON.parse(r.stdout).findings as JsonFinding[], JSON.parse(e.stdout).findings as JsonFinding[]];
    });
  }, 180_000);

  it("finds every planted problem, each with evidence, fix SQL and the objects concerned", () => {
    const rules = new Set(found.map((f) => f.ruleId));
    for (const rule of [
      ...SCHEMA_RULES,
      "health/cache-hit-ratio",
      "health/connection-usage",
      "health/checkpoints",
      "health/unused-index",
      "health/stale-statistics",
      "health/idle-in-transaction",
      "health/blocking-chain",
      "health/long-running-query",
      "health/replication-lag",
      "health/temp-files",
      "health/xid-wraparound",
      "config/random-page-cost",
      "config/memory-settings",
    ]) {
      expect(rules, rule).toContain(rule);
    }
    // The embedded test server runs with fsync off; the local server's configuration is not ours to assume.
    if (server.name === "pg18") expect(rules).toContain("config/unsafe-settings");
    const fk = found.find((f) => f.ruleId === "health/fk-without-index");
    expect(fk?.fix?.sql).toBe("CREATE INDEX CONCURRENTLY ON invoices (account_id);");
    expect(fk?.objects).toEqual(["public.invoices", "public.invoices_account_id_fkey"]);
    for (const f of found)
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining(["ruleId", "severity", "title", "detail", "evidence"]),
      );
  });

  it("measures bloat exactly with pgstattuple when asked", () => {
    const events = exact.find((f) => f.ruleId === "health/table-bloat" && f.evidence.table === "events");
    expect(events?.evidence.estimated).toBe(false);
    expect(Number(events?.evidence.ratio)).toBeGreaterThan(0.8);
    const pkey = exact.find((f) => f.ruleId === "health/index-bloat" && f.evidence.index === "events_pkey");
    expect(pkey?.evidence.estimated).toBe(false);
  });

  it("says how to get exact figures when pgstattuple is missing", async () => {
    const db = await createTestDatabase(server, "create table t (id int primary key);");
    try {
      const r = await runCli(["check", "--db", db.url, "--exact", "--format", "json"]);
      expect(JSON.parse(r.stdout).notes[0]).toMatch(
        /--exact needs the pgstattuple extension: CREATE EXTENSION pgstattuple;/,
      );
    } finally {
      await db.drop();
    }
  });

  it("raises no false alarm on a clean database", async () => {
    const db = await createTestDatabase(
      server,
      `create table customers (id bigint generated always as identity primary key, email text not null unique, created_at timestamptz not null default now());
       create table orders (id bigint generated always as identity primary key, customer_id bigint not null references customers(id), total numeric(12,2) not null);
       create index orders_customer_id_idx on orders (customer_id);
       insert into customers (email) select 'c' || g || '@x.test' from generate_series(1, 20000) g;
       insert into orders (customer_id, total) select 1 + g % 20000, g % 100 from generate_series(1, 50000) g;`,
    );
    await runAsAdmin(db.url, "vacuum analyze");
    try {
      const r = await runCli(["check", "--db", db.url, "--format", "json"]);
      expect(r.code).toBe(0);
      const schemaFindings = (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) =>
        SCHEMA_RULES.includes(f.ruleId),
      );
      expect(schemaFindings).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it("works as a non-superuser with pg_monitor, and says what it could not see", async () => {
    const db = await createTestDatabase(
      server,
      "create table t (id serial primary key, v text); insert into t (v) values ('a');",
    );
    const role = `dbopt_monitor_${db.name.slice(-6)}`;
    await runAsAdmin(db.url, `create role ${role} login password 'monitor-pw'; grant pg_monitor to ${role};`);
    try {
      const url = db.url.replace("postgres@", `${role}:monitor-pw@`);
      const r = await runCli(["check", "--db", url, "--format", "json"]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.notes.join("\n")).toMatch(/1 sequence was skipped by the sequence check/);
      expect(report.notes.join("\n")).toMatch(/bloat estimates skipped 1 table/);
    } finally {
      await db.drop();
      await runAsAdmin(server.adminUrl, `drop role if exists ${role}`);
    }
  });

  it("checks a snapshot file offline", async () => {
    const db = await createTestDatabase(
      server,
      "create table nokey (v text); insert into nokey select 'x' from generate_series(1, 10);",
    );
    try {
      const file = `/tmp/dbopt-check-${db.name}.json`;
      expect((await runCli(["snapshot", "--db", db.url, "--out", file])).code).toBe(0);
      const r = await runCli(["check", "--snapshot", file, "--format", "json"]);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout).findings as JsonFinding[]).map((f) => f.ruleId)).toContain(
        "health/missing-primary-key",
      );
    } finally {
      await db.drop();
    }
  });

  it("rejects a threshold that names no rule option", async () => {
    // A snapshot that exists, so the --set check is the one that fails (files are checked first).
    const snapshot = `${FIXTURES}/snapshots/health-pg15.json`;
    const r = await runCli(["check", "--snapshot", snapshot, "--set", "health/unused-index.nope=1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /health\/unused-index has no option nope\. Its options are maxScans, minBytes, minStatsDays\./,
    );
  });
});
